from __future__ import annotations

from datetime import date

import pytest

from collab.accounts.models import Department, Role
from collab.projects import services
from collab.projects.models import Goal, Project
from tests.factories import UserFactory


@pytest.fixture
def sales_head(db):
    return UserFactory(username="sales.head", department=Department.SALES, role=Role.EXECUTIVE, is_department_head=True)


@pytest.fixture
def it_member(db):
    return UserFactory(username="it.member", department=Department.IT, role=Role.MEMBER)


@pytest.fixture
def goal(cmo, cio) -> Goal:
    return services.goal_create(
        by=cmo, title="Know every customer", marketing_owner=cmo, it_owner=cio, target_date=date(2027, 6, 30)
    )


@pytest.fixture
def make_project(cmo, cio):
    counter = {"n": 0}

    def make(**kwargs) -> Project:
        counter["n"] += 1
        fields = {
            "by": cmo,
            "name": f"Project {counter['n']}",
            "marketing_sponsor": cmo,
            "it_sponsor": cio,
        }
        fields.update(kwargs)
        return services.project_create(**fields)

    return make


@pytest.fixture
def project(make_project, goal, sales_head) -> Project:
    """A proposed project affecting marketing, IT and sales, with requirements v1."""
    return make_project(
        name="Customer data platform",
        goal=goal,
        departments=["sales"],
        requirements="# CDP\n\nOne profile per customer.",
    )
