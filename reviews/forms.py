from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from collab.accounts.models import User
from reviews.models import AgendaItem, ItemKind, Team


class ReviewForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int)
    scheduled_at = forms.DateTimeField(
        label="Date and time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    length_minutes = forms.IntegerField(label="Length (minutes)", min_value=15, max_value=600, initial=120)
    location = forms.CharField(label="Place or video link", max_length=300, required=False)
    facilitator = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True))
    attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="People from both teams. Hold Ctrl (Cmd on a Mac) to choose several.",
    )
    input_deadline = forms.DateTimeField(
        label="Team input deadline",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Defaults to a week before the review.",
    )

    def clean_scheduled_at(self) -> Any:
        value = self.cleaned_data["scheduled_at"]
        if value < timezone.now() - timedelta(days=1):
            raise forms.ValidationError("A new review cannot be in the past.")
        return value


def review_people(review: Any) -> Any:
    """Who can present or own an action at a review: its attendees and its facilitator (a short list, so the
    page stays small when the company has thousands of people)."""
    if review is None:
        return User.objects.filter(is_active=True)
    return (
        User.objects.filter(Q(reviews_attended=review) | Q(pk=review.facilitator_id), is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ("title", "kind", "team", "presenter", "time_box_minutes", "notes")
        labels = {"time_box_minutes": "Time box (minutes)", "team": "Presenting team"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, review: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = review_people(review)  # type: ignore[attr-defined]
        self.fields["time_box_minutes"].min_value = 1  # type: ignore[attr-defined]
        self.fields["time_box_minutes"].widget.attrs["min"] = 1
        self.fields["kind"].choices = ItemKind.choices  # type: ignore[attr-defined]
        self.fields["team"].choices = Team.choices  # type: ignore[attr-defined]

    def clean_time_box_minutes(self) -> int:
        value = self.cleaned_data["time_box_minutes"]
        if value is None or value <= 0:
            raise forms.ValidationError("A time box must be at least one minute.")
        return value


class AgendaItemEditForm(AgendaItemForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(AgendaItemForm.Meta):
        pass


class InputForm(forms.Form):
    text = forms.CharField(
        label="Your team's input",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text="Updates, challenges and results for this quarter. Markdown works.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    text = forms.CharField(label="Decision", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ActionItemForm(forms.Form):
    title = forms.CharField(label="Action", max_length=200)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        help_text="Someone at the review: its attendees and facilitator.",
        error_messages={"invalid_choice": "Choose one of the review's attendees."},
    )
    due_date = forms.DateField(label="Due date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, review: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = review_people(review)  # type: ignore[attr-defined]


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label="Why unlock the agenda?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required. It goes in the agenda history for everyone to read.",
        error_messages={"required": "Say why the agenda is unlocked: the reason goes in the history."},
    )


class MinutesForm(forms.Form):
    summary = forms.CharField(
        label="Minutes summary",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was discussed and agreed. Markdown works. Final once the minutes are published.",
        error_messages={"required": "Write the minutes' summary."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Correction",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The published minutes stay as they are; this is added below them with today's date.",
        error_messages={"required": "Write the correction."},
    )
