"""Forms of the accounts app: the shape of a new personal API token."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from collab.accounts.models import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, e.g. 'deploy script'.",
        error_messages={"required": "Give the token a name so you recognise it later."},
    )
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"At most a year from today (the default is {TOKEN_DEFAULT_DAYS} days).",
        error_messages={"required": "Choose when the token expires.", "invalid": "Enter a date like 2027-03-01."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=TOKEN_DEFAULT_DAYS)

    def clean_expires_on(self) -> date:
        value: date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("The expiry date must be after today.")
        if value > today + timedelta(days=TOKEN_MAX_DAYS):
            raise forms.ValidationError(f"A token lives at most {TOKEN_MAX_DAYS} days; choose an earlier date.")
        return value
