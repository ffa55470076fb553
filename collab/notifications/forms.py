from __future__ import annotations

from typing import Any, cast

from django import forms

from collab.accounts.models import Department
from collab.lib.time import common_timezones
from collab.notifications import registry
from collab.notifications.models import (
    SECRET_MIN_LENGTH,
    Preference,
    TeamChannel,
    Webhook,
    WebhookEvent,
    validate_slack_member_id,
    validate_slack_webhook_url,
    validate_teams_webhook_url,
)
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
    slack_member_id = forms.CharField(
        required=False,
        max_length=24,
        label="Your Slack member id (direct messages from the Collab bot)",
        help_text="In Slack: your profile → ⋮ → Copy member ID, e.g. U012AB3CDE. Used when Collab has a Slack bot.",
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
                required=False,
                initial=current["chat"],
                label=f"{kind.label}: in chat (your Slack / Teams, and your team's channel)",
            )
            self.kind_rows.append((kind, app_name, mail_name, chat_name))

    def clean_slack_webhook_url(self) -> str:
        value = self.cleaned_data.get("slack_webhook_url") or ""
        if value:
            validate_slack_webhook_url(value)
        return value

    def clean_teams_webhook_url(self) -> str:
        value = self.cleaned_data.get("teams_webhook_url") or ""
        if value:
            validate_teams_webhook_url(value)
        return value

    def clean_slack_member_id(self) -> str:
        value = (self.cleaned_data.get("slack_member_id") or "").strip().upper()
        if value:
            validate_slack_member_id(value)
        return value

    def kind_fields(self) -> list[tuple[registry.Kind, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(kind, self[a], self[m], self[c]) for kind, a, m, c in self.kind_rows]

    def choices(self) -> dict[str, dict[str, bool]]:
        data = self.cleaned_data
        return {
            kind.key: {"in_app": data.get(a, False), "email": data.get(m, False), "chat": data.get(c, False)}
            for kind, a, m, c in self.kind_rows
        }


class WebhookForm(forms.ModelForm):
    """The admin's form: events as checkboxes instead of raw JSON."""

    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)
    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        label="URL",
        help_text="http(s); it may not resolve to Collab itself, loopback, link-local or cloud metadata addresses.",
    )
    secret = forms.CharField(
        min_length=SECRET_MIN_LENGTH,
        max_length=128,
        strip=False,
        help_text=f"Shared with the receiver; signs every payload. At least {SECRET_MIN_LENGTH} characters "
        "(the generated one is fine).",
    )

    class Meta:
        model = Webhook
        fields = ("name", "url", "events", "active", "secret")


class TeamChannelForm(forms.ModelForm):
    department = forms.ChoiceField(choices=Department.choices)
    url = forms.URLField(
        max_length=500, required=False, assume_scheme="https", label="Incoming webhook URL (Slack, Teams)"
    )

    class Meta:
        model = TeamChannel
        fields = ("department", "service", "url", "channel_id", "name", "active")
