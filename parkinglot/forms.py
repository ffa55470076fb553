"""Forms of the parking lot: they check the shape of what people type; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from collab.accounts.models import User, relationship_leads
from collab.projects.models import Goal, Project
from parkinglot.models import Impact, ParkedFor, SnagStatus


def _projects() -> Any:
    return Project.objects.active().order_by("name")


class SnagForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Give the snag a title: one line on what is in your way."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "What is in your way?", "autofocus": True}),
    )
    details = forms.CharField(
        label="Details",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Markdown works.",
    )
    impact = forms.ChoiceField(label="Impact", choices=Impact.choices, initial=Impact.MEDIUM)
    project = forms.ModelChoiceField(
        label="Project",
        queryset=Project.objects.none(),
        required=False,
        empty_label="No project",
        error_messages={"invalid_choice": "Choose a project from the list; that one does not exist or is closed."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = _projects()  # type: ignore[attr-defined]


class SnagEditForm(SnagForm):
    goal = forms.ModelChoiceField(label="Goal it detoured", queryset=Goal.objects.all(), required=False)
    days_lost = forms.DecimalField(
        label="Days lost (estimate)", min_value=0, max_value=999, decimal_places=1, required=False, initial=0
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.order_by("name")  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    to = forms.ChoiceField(label="Move to", choices=SnagStatus.choices)
    note = forms.CharField(
        label="Answer or reason",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to answer, park or close as won't fix.",
    )
    parked_for = forms.ChoiceField(label="Parked for", choices=ParkedFor.choices, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write a comment first."},
        help_text="Markdown works.",
    )


def owner_choices(current: int | None = None) -> Any:
    """Who may own a snag: liaisons, executives and department heads (and the current owner)."""
    who = relationship_leads()
    if current:
        who |= Q(pk=current)
    return User.objects.filter(who, is_active=True).order_by("first_name", "last_name")


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=User.objects.filter(is_active=True),
        help_text="Liaisons, executives and department heads own snags.",
        error_messages={"invalid_choice": "Choose a liaison, an executive or a department head from the list."},
    )

    def __init__(self, *args: Any, current: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(current)  # type: ignore[attr-defined]


class ReviewActionForm(forms.Form):
    ACTIONS = [("answer", "Answer"), ("park", "Park"), ("assign", "Assign"), ("skip", "Skip")]
    action = forms.ChoiceField(choices=ACTIONS)
    note = forms.CharField(required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))
    parked_for = forms.ChoiceField(choices=ParkedFor.choices, required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()  # type: ignore[attr-defined]
