"""The register's admin: its add and change pages open, saving goes through the services (history written, version
bumped), the lifecycle and the decision are read-only there, and a web editor holding the older version then gets a
conflict instead of overwriting the admin's change."""

from __future__ import annotations

import pytest

from collab.projects.tools import services
from collab.projects.tools.models import Tool, ToolEvent, ToolRequest
from tests.tools.conftest import T0

pytestmark = pytest.mark.django_db

TOOL_FORM = {
    "name": "Miro", "vendor": "Miro", "category": "collaboration", "department": "marketing", "adoption": "shadow",
    "users_count": "12", "annual_cost": "1200", "renewal_date": "", "usage_rating": "", "success_rating": "",
    "rating_note": "", "notes": "", "business_owner": "", "it_contact": "",
    "integrations_out-TOTAL_FORMS": "0", "integrations_out-INITIAL_FORMS": "0",
}  # fmt: skip


def test_admin_adds_a_tool_through_the_service(client_as, admin_user):
    client = client_as(admin_user)
    page = client.get("/admin/projects/tool/add/")
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    response = client.post("/admin/projects/tool/add/", TOOL_FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    tool = Tool.objects.get(name="Miro")
    assert tool.created_at is not None and tool.registered_by == admin_user and tool.is_shadow
    assert ToolEvent.objects.filter(tool=tool, kind="registered").count() == 1
    assert client.get(f"/admin/projects/tool/{tool.pk}/change/").status_code == 200
    assert client.get("/admin/projects/tool/").status_code == 200


def test_admin_bad_renewal_date_is_a_form_error_and_nothing_is_saved(client_as, admin_user):
    response = client_as(admin_user).post("/admin/projects/tool/add/", {**TOOL_FORM, "renewal_date": "3026-01-01"})
    assert response.status_code == 200 and "more than 15 years away" in response.content.decode()
    assert not Tool.objects.exists()


def test_an_admin_edit_bumps_the_version_so_a_stale_web_edit_is_a_conflict(client_as, admin_user, member, make_tool):
    tool = make_tool("Canva", by=member, business_owner=member, category="other", department="marketing")
    web_form = {"name": "Canva Teams", "vendor": "", "category": "other", "department": "marketing",
                "adoption": "it", "users_count": "3", "annual_cost": "10", "business_owner": member.pk,
                "version": str(tool.version)}  # fmt: skip
    admin_form = {**TOOL_FORM, "name": "Canva Pro", "category": "other", "adoption": "it", "status": "retired",
                  "version": "99", "business_owner": str(member.pk)}  # fmt: skip
    response = client_as(admin_user).post(f"/admin/projects/tool/{tool.pk}/change/", admin_form)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Tool.objects.get(pk=tool.pk)
    assert saved.name == "Canva Pro" and saved.version == 2
    assert saved.status == "adopted"  # status is read-only in admin: the lifecycle moves on the site
    assert ToolEvent.objects.filter(tool=tool, kind="edited", by=admin_user).count() == 1
    stale = client_as(member).post(f"/tools/{tool.pk}/edit/", web_form)
    assert stale.status_code == 422 and "Someone else saved this tool first" in stale.content.decode()
    assert Tool.objects.get(pk=tool.pk).name == "Canva Pro"


def test_admin_adds_and_changes_a_tool_request(client_as, admin_user, member, cio):
    client = client_as(admin_user)
    assert client.get("/admin/projects/toolrequest/add/").status_code == 200
    form = {"title": "Webinar platform", "need": "Partner webinars", "category": "other", "users_count": "3",
            "budget": "500", "urgency": "high", "data_involved": "", "requested_by": member.pk}  # fmt: skip
    response = client.post("/admin/projects/toolrequest/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    req = ToolRequest.objects.get(title="Webinar platform")
    assert req.department == "marketing" and req.answer_by > req.created_at and req.version == 1
    assert client.get(f"/admin/projects/toolrequest/{req.pk}/change/").status_code == 200
    change = {**form, "title": "Webinar and events platform", "department": "marketing", "decision": "adopt"}
    assert client.post(f"/admin/projects/toolrequest/{req.pk}/change/", change).status_code == 302
    req.refresh_from_db()
    assert req.title == "Webinar and events platform" and req.version == 2 and req.decision == ""
    stale = client_as(cio).post(f"/tools/requests/{req.pk}/decide/",
                                {"decision": "reject", "reason": "No", "version": "1"})  # fmt: skip
    assert stale.status_code == 422 and "Someone answered or changed this request first" in stale.content.decode()
    req.refresh_from_db()
    assert req.decision == "" and req.version == 2


def test_admin_request_list_is_one_query_for_the_requesters(client_as, admin_user, member, django_assert_num_queries):
    for n in range(3):
        services.request_create(by=member, title=f"R{n}", need="x", now=T0)
    client = client_as(admin_user)
    client.get("/admin/projects/toolrequest/")

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/admin/projects/toolrequest/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(3, 10):
        services.request_create(by=member, title=f"R{n}", need="x", now=T0)
    assert count() == small  # the requester comes with the row (list_select_related)
