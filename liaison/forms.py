"""Forms check shape; the services check the rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from collab.accounts.models import Department, User, relationship_leads
from collab.lib.time import zone
from collab.projects.models import Project
from liaison.models import Cadence, Readiness, SeriesKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SIDES = [(Department.IT, "IT"), (Department.MARKETING, "Marketing")]


def _people() -> Any:
    return User.objects.filter(is_active=True)


class AssignmentForm(forms.Form):
    person = forms.ModelChoiceField(queryset=_people(), help_text="The liaison; their department is their home.")
    served_department = forms.ChoiceField(label="Serves", choices=Department.choices)
    mentor = forms.ModelChoiceField(queryset=_people(), required=False, help_text="An executive.")
    focus_areas = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10_000)
    projects = forms.ModelMultipleChoiceField(queryset=Project.objects.all(), required=False)
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE, required=False, help_text="Leave empty for an open-ended assignment.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()  # type: ignore[attr-defined]
        self.fields["mentor"].queryset = _people()  # type: ignore[attr-defined]
        self.fields["projects"].queryset = Project.objects.order_by("name")  # type: ignore[attr-defined]


class AssignmentEditForm(AssignmentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["person"]


class CheckInForm(forms.Form):
    date = forms.DateField(widget=DATE)
    readiness = forms.ChoiceField(choices=Readiness.choices)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class LogEntryForm(forms.Form):
    date = forms.DateField(widget=DATE)
    meeting = forms.CharField(max_length=200, help_text="Which of the other side's meetings you joined.")
    learned = forms.CharField(label="What you learned", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    follow_up = forms.CharField(label="Follow-up (optional)", max_length=200, required=False)
    follow_up_owner = forms.ModelChoiceField(label="Follow-up owner", queryset=_people(), required=False)
    follow_up_due = forms.DateField(label="Follow-up due", widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_owner"].queryset = _people()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("follow_up") and not (data.get("follow_up_owner") and data.get("follow_up_due")):
            raise forms.ValidationError("A follow-up needs an owner and a due date.")
        return data

    def follow_ups(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        if not d.get("follow_up"):
            return []
        return [{"title": d["follow_up"], "owner": d["follow_up_owner"], "due_date": d["follow_up_due"]}]


class SeriesForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SeriesKind.choices)
    cadence = forms.ChoiceField(choices=Cadence.choices)
    organiser = forms.ModelChoiceField(queryset=_people())
    default_attendees = forms.ModelMultipleChoiceField(queryset=_people(), required=False)
    default_length_minutes = forms.IntegerField(label="Length (minutes)", min_value=5, max_value=600, initial=30)
    default_location = forms.CharField(label="Place or video link", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = _people()  # type: ignore[attr-defined]
        self.fields["default_attendees"].queryset = _people()  # type: ignore[attr-defined]


class MeetingForm(forms.Form):
    """The start is typed in the organiser's time zone (shown beside the field)."""

    start = forms.DateTimeField(label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    length_minutes = forms.IntegerField(label="Length (minutes)", min_value=5, max_value=600)
    location = forms.CharField(label="Place or video link", max_length=300, required=False)
    attendees = forms.ModelMultipleChoiceField(queryset=_people(), required=False)
    status = forms.ChoiceField(
        choices=[("planned", "Planned"), ("held", "Already held (recording a past meeting)")], initial="planned"
    )

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["start"].help_text = f"In the organiser's time zone, {time_zone}."
        self.fields["attendees"].queryset = _people()  # type: ignore[attr-defined]

    def clean_start(self) -> datetime:
        value: datetime = self.cleaned_data["start"]
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        return timezone.make_aware(naive, zone(self.time_zone))


class AgendaItemForm(forms.Form):
    title = forms.CharField(label="Agenda item", max_length=200)
    link = forms.CharField(max_length=300, required=False, help_text="A web address or a path on this site.")

    def clean_link(self) -> str:
        from collab.lib.templatetags.collab_tags import safe_url

        link = (self.cleaned_data.get("link") or "").strip()
        if link and safe_url(link) == "#":
            raise forms.ValidationError("Use a web address (https://…) or a path on this site (/snags/…).")
        return link


class NotesForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=50_000)
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000)
    version = forms.IntegerField(widget=forms.HiddenInput)


def meeting_people(meeting: Any) -> Any:
    """The people a meeting's pickers offer: who is invited or usually is, the organiser, and the relationship's
    people (executives, liaisons, department heads) — a short list even in a company of thousands."""
    if meeting is None:
        return _people()
    who = Q(meetings_attended=meeting) | Q(pk=meeting.organiser_id) | relationship_leads()
    if getattr(meeting, "series_id", None):
        who |= Q(pk__in=meeting.series.default_attendees.values("pk"))
    return _people().filter(who).distinct().order_by("first_name", "last_name")


class AttendeesForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        queryset=_people(),
        required=False,
        help_text="Invited people, the usual attendees and the relationship's leads.",
    )

    def __init__(self, *args: Any, meeting: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = meeting_people(meeting)  # type: ignore[attr-defined]


class ActionItemForm(forms.Form):
    title = forms.CharField(label="Action", max_length=200)
    owner = forms.ModelChoiceField(queryset=_people())
    due_date = forms.DateField(label="Due date", widget=DATE)

    def __init__(self, *args: Any, meeting: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = meeting_people(meeting)  # type: ignore[attr-defined]
