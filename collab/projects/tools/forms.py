"""Forms check shape; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from collab.accounts.models import Department, User, relationship_leads
from collab.projects.forms import PersonChoiceField
from collab.projects.models import Project
from collab.projects.tools.models import (
    Adoption,
    Method,
    RequestDecision,
    Tool,
    ToolCategory,
    ToolStatus,
    Urgency,
)
from collab.projects.tools.services import FLOWS, REGISTER_STATUSES

DATE = forms.DateInput(attrs={"type": "date"})
RATINGS = [("", "Not rated"), *[(str(n), str(n)) for n in range(1, 6)]]


def _people(*keep: Any) -> Any:
    """Business owners and IT contacts: the leads, IT, and whoever is already chosen (short at any size)."""
    wanted = relationship_leads()
    extra = [p for p in keep if p]
    scope = wanted | Q(department=Department.IT) | Q(pk__in=extra)
    return User.objects.active().filter(scope).order_by("department", "first_name", "last_name")


def _tools(exclude: Any = None) -> Any:
    qs = Tool.objects.exclude(status=ToolStatus.RETIRED).only("pk", "name").order_by("name")
    return qs.exclude(pk=exclude) if exclude else qs


class RatingField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RATINGS, coerce=int, empty_value=None, required=False, **kwargs)


class ToolForm(forms.Form):
    name = forms.CharField(max_length=120)
    vendor = forms.CharField(max_length=120, required=False)
    category = forms.ChoiceField(choices=ToolCategory.choices)
    department = forms.ChoiceField(choices=Department.choices, label="Owning department")
    business_owner = PersonChoiceField(queryset=User.objects.none(), required=False)
    it_contact = PersonChoiceField(queryset=User.objects.none(), required=False, label="IT contact")
    adoption = forms.ChoiceField(
        choices=Adoption.choices,
        label="How it came in",
        help_text="“Found outside IT” is no blame: it is how the register learns what the company really runs.",
    )
    users_count = forms.IntegerField(min_value=0, max_value=1_000_000, initial=0, label="Users")
    annual_cost = forms.DecimalField(
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=0,
        label="Annual cost (€)",
        error_messages={"min_value": "The annual cost cannot be negative."},
    )
    renewal_date = forms.DateField(required=False, widget=DATE, label="Contract renewal")
    holds_customer_data = forms.BooleanField(required=False, label="Holds customers' personal data")
    usage_rating = RatingField(label="Usage (1–5)")
    success_rating = RatingField(label="Success (1–5)")
    rating_note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, keep: tuple[Any, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = _people(*keep)
        self.fields["business_owner"].queryset = people  # type: ignore[attr-defined]
        self.fields["it_contact"].queryset = people  # type: ignore[attr-defined]


class ToolRegisterForm(ToolForm):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in ToolStatus if s in REGISTER_STATUSES])


class ToolEditForm(ToolForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ToolStatus.choices, label="New status")
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    retire_by = forms.DateField(required=False, widget=DATE, label="Retire by", help_text="For “to retire”.")
    replacement = forms.ModelChoiceField(queryset=Tool.objects.none(), required=False, label="Replaced by")
    projects = forms.ModelMultipleChoiceField(
        queryset=Project.objects.none(), required=False, label="Projects carrying the work"
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, tool: Tool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = _tools(exclude=tool.pk)  # type: ignore[attr-defined]
        self.fields["projects"].queryset = Project.objects.active().only("pk", "name").order_by("name")  # type: ignore[attr-defined]


class IntegrationForm(forms.Form):
    other = forms.ModelChoiceField(queryset=Tool.objects.none(), label="Other tool")
    flow = forms.ChoiceField(choices=list(FLOWS.items()), label="Data flow")
    method = forms.ChoiceField(choices=Method.choices)
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = _tools()  # type: ignore[attr-defined]


class RequestForm(forms.Form):
    title = forms.CharField(max_length=200, label="Tool or need, in a few words")
    need = forms.CharField(max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown works.")
    category = forms.ChoiceField(choices=ToolCategory.choices)
    users_count = forms.IntegerField(min_value=1, max_value=1_000_000, initial=1, label="Users")
    budget = forms.DecimalField(
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=0,
        label="Budget per year (€)",
        error_messages={"min_value": "The budget cannot be negative."},
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.MEDIUM)
    data_involved = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    holds_customer_data = forms.BooleanField(required=False, label="It would hold customers' personal data")


class DecideForm(forms.Form):
    integrates_with = forms.ModelMultipleChoiceField(queryset=Tool.objects.none(), required=False)
    security_review = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), label="Security and data review"
    )
    cost_review = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), label="Cost"
    )
    overlaps = forms.ModelMultipleChoiceField(
        queryset=Tool.objects.none(), required=False, label="Overlaps with tools already adopted"
    )
    decision = forms.ChoiceField(choices=[("", "Choose…"), *RequestDecision.choices])
    existing_tool = forms.ModelChoiceField(
        queryset=Tool.objects.none(),
        required=False,
        label="Existing tool to use",
        help_text="For “use an existing tool”.",
    )
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Give the reason for the decision."})  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("integrates_with", "overlaps", "existing_tool"):
            self.fields[name].queryset = _tools()  # type: ignore[attr-defined]
