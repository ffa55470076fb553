"""Forms check shape; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from collab.accounts.models import Department, User, relationship_leads
from collab.projects.models import Goal, Health, ProjectStatus, SignOffDecision

OTHER_DEPARTMENTS = [(d.value, d.label) for d in Department if d not in (Department.IT, Department.MARKETING)]


def _people() -> Any:
    return User.objects.filter(is_active=True).order_by("department", "first_name", "last_name")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_department_display()})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_department_display()})"


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=200)
    summary = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown works."
    )
    goal = forms.ModelChoiceField(queryset=Goal.objects.order_by("title"), required=False, label="Shared goal")
    marketing_sponsor = PersonChoiceField(
        queryset=_people(),
        error_messages={"required": "A joint project needs a marketing sponsor."},
        help_text="Someone in marketing who answers for the project.",
    )
    it_sponsor = PersonChoiceField(
        queryset=_people(),
        label="IT sponsor",
        error_messages={"required": "A joint project needs an IT sponsor."},
        help_text="Someone in IT who answers for the project.",
    )
    departments = forms.MultipleChoiceField(
        choices=OTHER_DEPARTMENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Other affected departments",
        help_text="Marketing and IT are always affected; each affected head signs off the requirements.",
    )
    representatives = PeopleChoiceField(
        queryset=_people(),
        required=False,
        label="At the stand-ups",
        help_text="Team representatives from both sides. Hold Ctrl (Cmd on a Mac) to choose several.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # fresh querysets per form (people join and leave)
        for name in ("marketing_sponsor", "it_sponsor", "representatives"):
            self.fields[name].queryset = _people()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        m, i = data.get("marketing_sponsor"), data.get("it_sponsor")
        if m is not None and m.department != Department.MARKETING:
            self.add_error("marketing_sponsor", f"{m} works in {m.get_department_display()}, not in marketing.")
        if i is not None and i.department != Department.IT:
            self.add_error("it_sponsor", f"{i} works in {i.get_department_display()}, not in IT.")
        return data


class ProjectCreateForm(ProjectForm):
    requirements = forms.CharField(
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The first version of the requirements (Markdown). You can add it later.",
    )


class ProjectEditForm(ProjectForm):
    health = forms.ChoiceField(choices=Health.choices)
    health_note = forms.CharField(max_length=300, required=False, label="Health note")
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ProjectStatus.choices)
    note = forms.CharField(max_length=500, required=False)


class RequirementsForm(forms.Form):
    text = forms.CharField(
        label="Requirements", widget=forms.Textarea(attrs={"rows": 18}), max_length=100_000, help_text="Markdown."
    )
    change_note = forms.CharField(max_length=300, required=False, label="What changed")
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(choices=SignOffDecision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RankMoveForm(forms.Form):
    to_rank = forms.IntegerField(label="Move to rank", min_value=1)
    reason = forms.CharField(max_length=500, error_messages={"required": "Every change of the ranking needs a reason."})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError("Every change of the ranking needs a reason.")
        return value


class ReorderForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Why this order?",
        error_messages={"required": "Every change of the ranking needs a reason."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError("Every change of the ranking needs a reason.")
        return value


class ChangeRequestForm(forms.Form):
    title = forms.CharField(label="What changes", max_length=200)
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    date_effect_days = forms.IntegerField(
        label="Effect on dates (days)",
        initial=0,
        min_value=-365,
        max_value=3650,
        help_text="Days later; negative = earlier.",
    )
    effort_days = forms.IntegerField(label="Added effort (person-days)", initial=0, min_value=-10_000, max_value=10_000)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(required=False, max_length=2000, label="Reason (needed to reject)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why you reject this change request.")
        return data


def project_people(project: Any) -> Any:
    """Who can own a project's milestone: its sponsors and representatives, the current owners, and the
    relationship's leads (executives, liaisons, department heads) — a short list in a company of thousands."""
    if project is None:
        return _people()
    who = (
        Q(pk__in=[project.marketing_sponsor_id, project.it_sponsor_id])
        | Q(represented_projects=project)
        | Q(milestones__project=project)
        | relationship_leads()
    )
    return _people().filter(who).distinct()


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = PersonChoiceField(queryset=_people(), help_text="The sponsors, the representatives and the leads.")
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, project: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = project_people(project)  # type: ignore[attr-defined]


class RescheduleForm(forms.Form):
    due_date = forms.DateField(label="New due date", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(max_length=500, required=False, help_text="Needed when the date moves later.")


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown."
    )
    marketing_owner = PersonChoiceField(queryset=_people(), label="Owner in marketing")
    it_owner = PersonChoiceField(queryset=_people(), label="Owner in IT")
    target_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("marketing_owner", "it_owner"):
            self.fields[name].queryset = _people()  # type: ignore[attr-defined]


class ProjectFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), ("active", "Active (ranked)"), *ProjectStatus.choices], required=False
    )
    sponsor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Any sponsor")
    department = forms.ChoiceField(choices=[("", "Any department"), *Department.choices], required=False)
    health = forms.ChoiceField(choices=[("", "Any health"), *Health.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(Q(sponsored_marketing__isnull=False) | Q(sponsored_it__isnull=False))
            .distinct()
            .order_by("first_name", "last_name")
        )
