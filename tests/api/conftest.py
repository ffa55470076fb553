"""Personal tokens and clients that send them, for the API tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.test import Client

from collab.accounts.models import Department
from collab.accounts.services import api_token_create
from collab.projects import models as pm
from parkinglot import services as snag_services

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def token_for() -> Callable[..., str]:
    def make(user, name: str = "script", **extra) -> str:
        return api_token_create(user=user, name=name, **extra).plaintext

    return make


@pytest.fixture
def api_as(token_for) -> Callable[..., Client]:
    """A client that sends ``Authorization: Bearer <a fresh token of user>`` (and no session)."""

    def make(user) -> Client:
        return Client(headers={"Authorization": f"Bearer {token_for(user)}"})

    return make


@pytest.fixture
def project(cmo, cio):
    p = pm.Project.objects.create(
        name="Spring campaign site", marketing_sponsor=cmo, it_sponsor=cio, status="requirements", rank=1
    )
    pm.ProjectDepartment.objects.create(project=p, department=Department.MARKETING)
    pm.Milestone.objects.create(title="Launch", project=p, owner=cio, due_date=date(2027, 3, 1))
    return p


@pytest.fixture
def snag(member, cmo, cio, liaison):
    """A high-impact marketing snag raised by the member (IT, marketing and the leads see it)."""
    return snag_services.snag_create(raised_by=member, title="The CMS queue blocks our page", impact="high", now=T0)


@pytest.fixture
def finance_snag(outsider):
    """A finance snag: the marketing member does not see it."""
    return snag_services.snag_create(raised_by=outsider, title="Invoices stuck", impact="low", now=T0)
