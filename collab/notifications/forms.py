from __future__ import annotations

from typing import Any, cast

from django import forms

from collab.lib.time import common_timezones
from collab.notifications import registry
from collab.notifications.models import Preference
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

    def __init__(self, *args: Any, user: Any, prefs: dict[str, Preference], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tz_field = cast(forms.ChoiceField, self.fields["time_zone"])
        tz_field.choices = [(z, z) for z in common_timezones()]
        self.kind_rows: list[tuple[registry.Kind, str, str]] = []
        for kind in registry.all_kinds():
            if not kind.user_configurable:
                continue
            current = channels_for(kind, prefs)
            app_name, mail_name = f"{kind.key}__in_app", f"{kind.key}__email"
            self.fields[app_name] = forms.BooleanField(
                required=False, initial=current["in_app"], label=f"{kind.label}: in the app"
            )
            self.fields[mail_name] = forms.BooleanField(
                required=False, initial=current["email"], label=f"{kind.label}: by email"
            )
            self.kind_rows.append((kind, app_name, mail_name))

    def kind_fields(self) -> list[tuple[registry.Kind, forms.BoundField, forms.BoundField]]:
        return [(kind, self[a], self[m]) for kind, a, m in self.kind_rows]

    def choices(self) -> dict[str, dict[str, bool]]:
        data = self.cleaned_data
        return {kind.key: {"in_app": data.get(a, False), "email": data.get(m, False)} for kind, a, m in self.kind_rows}
