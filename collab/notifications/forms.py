from __future__ import annotations

from typing import Any, cast

from django import forms

from collab.accounts.models import Department
from collab.lib.time import common_timezones
from collab.notifications import registry
from collab.notifications.models import Preference, TeamChannel, Webhook, WebhookEvent, validate_chat_url
from collab.notifications.services import channels_for

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


class PreferencesForm(forms.Form):
    """Per kind: in the app and/or by email; the daily digest; the time zone."""

    digest_enabled = forms.BooleanField(
        required=False,
        label="Bundle reminder emails into one daily digest",
        help_text="Urgent reminders (escalations, meetings within the hour) still come at once.",
    )
    digest_hour = forms.TypedChoiceField(choices=HOURS, coerce=int, label="Send the digest at", initial=8)
    time_zone = forms.ChoiceField(label="Your time zone", help_text="Reminder times are shown in this zone.")
    slack_webhook_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Slack incoming webhook URL",
        help_text="Make one in Slack (Apps → Incoming Webhooks) for a channel or a direct message to yourself.",
    )
    teams_webhook_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Microsoft Teams incoming webhook URL",
        help_text="Make one in Teams (a channel's Workflows → “Post to a channel when a webhook request is received”).",
    )

    def __init__(self, *args: Any, user: Any, prefs: dict[str, Preference], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tz_field = cast(forms.ChoiceField, self.fields["time_zone"])
        tz_field.choices = [(z, z) for z in common_timezones()]
        self.kind_rows: list[tuple[registry.Kind, str, str, str]] = []
        for kind in registry.all_kinds():
            if not kind.user_configurable:
                continue
            current = channels_for(kind, prefs)
            app_name, mail_name, chat_name = f"{kind.key}__in_app", f"{kind.key}__email", f"{kind.key}__chat"
            self.fields[app_name] = forms.BooleanField(
                required=False, initial=current["in_app"], label=f"{kind.label}: in the app"
            )
            self.fields[mail_name] = forms.BooleanField(
                required=False, initial=current["email"], label=f"{kind.label}: by email"
            )
            self.fields[chat_name] = forms.BooleanField(
                required=False, initial=current["chat"], label=f"{kind.label}: in chat (Slack / Teams)"
            )
            self.kind_rows.append((kind, app_name, mail_name, chat_name))

    def clean_slack_webhook_url(self) -> str:
        return _chat_url(self.cleaned_data.get("slack_webhook_url") or "")

    def clean_teams_webhook_url(self) -> str:
        return _chat_url(self.cleaned_data.get("teams_webhook_url") or "")

    def kind_fields(self) -> list[tuple[registry.Kind, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(kind, self[a], self[m], self[c]) for kind, a, m, c in self.kind_rows]

    def choices(self) -> dict[str, dict[str, bool]]:
        data = self.cleaned_data
        return {
            kind.key: {"in_app": data.get(a, False), "email": data.get(m, False), "chat": data.get(c, False)}
            for kind, a, m, c in self.kind_rows
        }


def _chat_url(value: str) -> str:
    if value:
        validate_chat_url(value)
    return value


class WebhookForm(forms.ModelForm):
    """The admin's form: events as checkboxes instead of raw JSON."""

    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)
    url = forms.URLField(max_length=500, assume_scheme="https", label="URL")

    class Meta:
        model = Webhook
        fields = ("name", "url", "events", "active", "secret")


class TeamChannelForm(forms.ModelForm):
    department = forms.ChoiceField(choices=Department.choices)
    url = forms.URLField(max_length=500, assume_scheme="https", label="Incoming webhook URL")

    class Meta:
        model = TeamChannel
        fields = ("department", "service", "url", "name", "active")
