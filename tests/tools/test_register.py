"""The register: totals on a known data set, silos and overlaps, the page and its filters, CSV, the integration
picture, flat query counts, bad input and permissions (nothing changes on a denial)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from collab.projects.tools import selectors, services
from collab.projects.tools.models import Tool, ToolEvent, ToolIntegration, ToolStatus
from tests.tools.conftest import T0

pytestmark = pytest.mark.django_db
TODAY = T0.date()


def _snapshot() -> list:
    return [
        list(Tool.objects.order_by("pk").values()),
        list(ToolIntegration.objects.order_by("pk").values()),
        list(ToolEvent.objects.order_by("pk").values()),
        list(Tool.retirement_projects.through.objects.order_by("pk").values()),
    ]


@pytest.fixture
def known(make_tool, member, cio, liaison):
    """Six tools: two CRMs (one shadow, with customer data and no integration: a silo), a marketing automation
    platform integrated with the first CRM, a shadow analytics tool, one to retire, one retired."""
    crm = make_tool(
        "Salesforce",
        category="crm",
        department="sales",
        annual_cost=Decimal("1000"),
        renewal_date=TODAY + timedelta(days=30),
        holds_customer_data=True,
        users_count=50,
    )
    shadow_crm = make_tool(
        "Pipedrive",
        by=member,
        category="crm",
        department="sales",
        adoption="shadow",
        annual_cost=Decimal("200"),
        renewal_date=TODAY + timedelta(days=91),
        holds_customer_data=True,
        business_owner=member,
    )
    mat = make_tool(
        "HubSpot",
        category="marketing_automation",
        annual_cost=Decimal("500"),
        renewal_date=TODAY + timedelta(days=90),
        holds_customer_data=True,
    )
    analytics = make_tool("Hotjar", by=member, category="analytics", adoption="shadow", annual_cost=Decimal("50"))
    retiring = make_tool(
        "Mailchimp", category="marketing_automation", annual_cost=Decimal("100"), renewal_date=TODAY + timedelta(days=5)
    )
    retired = make_tool(
        "Marketo",
        category="marketing_automation",
        annual_cost=Decimal("9999"),
        renewal_date=TODAY + timedelta(days=10),
        holds_customer_data=True,
    )
    services.integration_add(tool=mat, by=cio, other=crm, flow="both", method="native")
    services.tool_transition(
        tool=retiring, by=cio, to="to_retire", retire_by=TODAY + timedelta(days=60), replacement=mat, now=T0
    )
    services.tool_transition(tool=retired, by=cio, to="to_retire", retire_by=TODAY + timedelta(days=1), now=T0)
    retired = Tool.objects.get(pk=retired.pk)
    services.tool_transition(tool=retired, by=liaison, to="retired", now=T0)
    return {"crm": crm, "shadow_crm": shadow_crm, "mat": mat, "analytics": analytics, "retiring": retiring,
            "retired": retired}  # fmt: skip


def test_register_totals_on_a_known_data_set(known):
    data = selectors.register(selectors.ToolFilter(), TODAY)
    totals = data["totals"]
    assert totals == {
        "tools": 5,  # the retired one is left out
        "shadow": 2,
        "annual_cost": Decimal("1850.00"),
        "renewals": 3,  # 30, 90 and 5 days; 91 days is outside, the retired one does not count
        "silos": 1,
        "retired": 1,
    }
    groups = {g["status"]: g for g in data["groups"]}
    assert list(groups) == ["adopted", "to_retire", "retired"]
    assert groups["adopted"]["count"] == 4 and groups["adopted"]["cost"] == Decimal("1750.00")
    assert [d["department"] for d in groups["adopted"]["departments"]] == ["it", "marketing", "sales"]
    assert [t.name for t in data["renewals"]] == ["Mailchimp", "Salesforce", "HubSpot"]
    assert [t.name for t in data["retirement"]] == ["Mailchimp"]


def test_silo_is_customer_data_without_any_integration(known, cio):
    data = selectors.register(selectors.ToolFilter(), TODAY)
    assert [t.name for t in data["silos"]] == ["Pipedrive"]  # Salesforce and HubSpot are integrated; Hotjar holds none
    services.integration_add(tool=known["shadow_crm"], by=cio, other=known["crm"], flow="receives", method="file")
    assert selectors.register(selectors.ToolFilter(), TODAY)["silos"] == []
    assert not Tool.objects.with_integration_flags().get(pk=known["shadow_crm"].pk).is_silo


def test_overlaps_are_suggested_by_category(known):
    data = selectors.register(selectors.ToolFilter(), TODAY)
    by_category = {o["category"]: [t.name for t in o["tools"]] for o in data["overlaps"]}
    # two CRMs; marketing automation: HubSpot and Mailchimp (to retire is still in use), Marketo is retired
    assert by_category == {"crm": ["Pipedrive", "Salesforce"], "marketing_automation": ["HubSpot", "Mailchimp"]}
    assert [t.name for t in selectors.overlap_candidates("crm", exclude_pk=known["crm"].pk)] == ["Pipedrive"]
    assert selectors.overlap_candidates("other") == []


def test_register_page_filters_and_flags(client_as, known, member):
    client = client_as(member)
    page = client.get("/tools/").content.decode()
    assert "Found outside IT" in page and "Silo" in page and "<svg" in page and "<title id=" in page
    assert "Mailchimp" in page and "Retirement plan" in page
    shadow = client.get("/tools/?shadow=1&status=adopted").content.decode()
    assert "Pipedrive" in shadow and "Hotjar" in shadow and "Salesforce" not in shadow
    silo = client.get("/tools/?silo=1").content.decode()
    assert "Pipedrive" in silo and "HubSpot" not in silo
    bad = client.get("/tools/?status=nonsense&department=<b>")
    assert bad.status_code == 200 and "Unknown status" in bad.content.decode()
    fragment = client.get("/tools/?category=crm", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b"Salesforce" in fragment.content
    assert fragment["HX-Push-Url"] == "/tools/?category=crm"


def test_csv_export_is_filtered_and_formula_safe(client_as, make_tool, member):
    make_tool('=HYPERLINK("http://evil")', vendor="+cmd", category="crm")
    make_tool("Plain", category="cms")
    response = client_as(member).get("/tools/export.csv?category=crm")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "name" and len(rows) == 2
    assert rows[1][0].startswith("'=") and rows[1][1] == "'+cmd"


def test_tool_page_shows_integrations_as_table_and_picture(client_as, known, member):
    page = client_as(member).get(f"/tools/{known['mat'].pk}/").content.decode()
    assert "Both ways" in page and "Salesforce" in page and "Native connector" in page
    assert page.count("<circle") == 2 and "marker-end" in page and "<desc id=" in page
    assert "Other tools in Marketing automation" in page and "Mailchimp" in page  # overlap suggestion
    plan = client_as(member).get(f"/tools/{known['retiring'].pk}/").content.decode()
    assert "Retirement plan" in plan and "HubSpot" in plan


def test_register_page_queries_stay_flat(client_as, make_tool, cio, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(member)

    def grow(to: int) -> None:
        start = Tool.objects.count()
        tools = [make_tool(f"Tool {n:03}", category=["crm", "cms", "data"][n % 3], holds_customer_data=n % 2 == 0,
                           renewal_date=TODAY + timedelta(days=n), annual_cost=n, business_owner=member,
                           it_contact=cio) for n in range(start, to)]  # fmt: skip
        for a, b in zip(tools, tools[1:], strict=False):
            if a.pk % 4 == 0:
                services.integration_add(tool=a, by=cio, other=b)
        retire = tools[0]
        services.tool_transition(tool=retire, by=cio, to="to_retire", retire_by=date(2030, 1, 1), now=T0)

    counts = []
    for size in (10, 100):
        grow(size)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/tools/").status_code == 200
        counts.append(len(ctx.captured_queries))
    print(f"FIGURE /tools/ queries: {counts[0]} at 10 tools, {counts[1]} at 100 tools")
    assert counts == [6, 6]  # session, user, tools, edges, the retirement plan's projects and replacements


def test_retirement_plan_shows_each_replacement_and_project_in_two_queries(client_as, make_tool, cmo, cio, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collab.projects import services as project_services

    client = client_as(member)

    def plan(n: int) -> tuple[Tool, Tool, str]:
        old, new = make_tool(f"Old {n}"), make_tool(f"New {n}")
        project = project_services.project_create(by=cmo, name=f"Move {n}", marketing_sponsor=cmo, it_sponsor=cio)
        services.tool_transition(tool=old, by=cio, to="to_retire", retire_by=date(2030, 1, 1), replacement=new,
                                 projects=[project], now=T0)  # fmt: skip
        return old, new, project.name

    counts = []
    for n in (1, 2, 3):
        old, new, project = plan(n)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/tools/").content.decode()
        counts.append(len(ctx.captured_queries))
        assert f"→ {new.name}" in page and project in page
    assert counts[0] == counts[1] == counts[2]
    detail = client.get(f"/tools/{old.pk}/").content.decode()
    assert f'href="/tools/{new.pk}/">{new.name}</a>' in detail and "Move 3" in detail


# --- bad input -----------------------------------------------------------------------------
def test_negative_cost_and_bad_dates_are_clear_errors_and_nothing_is_saved(cio, client_as, make_tool):
    with pytest.raises(ValidationError) as exc:
        services.tool_register(by=cio, name="Neg", annual_cost=Decimal("-1"), now=T0)
    assert "cannot be negative" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.tool_register(by=cio, name="Old", renewal_date=date(1970, 1, 1), now=T0)
    assert "renewal date cannot be before 2000" in str(exc.value)
    with pytest.raises(ValidationError):
        services.tool_register(by=cio, name="Rate", usage_rating=9, now=T0)
    assert not Tool.objects.exists()
    client = client_as(cio)
    post = {"name": "Bad", "category": "crm", "department": "it", "adoption": "it", "users_count": "1",
            "status": "adopted"}  # fmt: skip
    for field, value, message in (
        ("annual_cost", "-5", "The annual cost cannot be negative."),
        ("renewal_date", "2026-02-31", "Enter a valid date."),
        ("renewal_date", "3026-01-01", "more than 15 years away"),
    ):
        response = client.post("/tools/new/", {**post, "annual_cost": "1", field: value})
        assert response.status_code == 422 and message in response.content.decode(), field
    assert not Tool.objects.exists()
    tool = make_tool("Real")
    with pytest.raises(ValidationError) as exc:
        services.tool_transition(tool=tool, by=cio, to="to_retire", retire_by=TODAY - timedelta(days=400))
    assert "in the past" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.tool_transition(tool=tool, by=cio, to="to_retire", now=T0)
    assert "target date" in str(exc.value)
    assert Tool.objects.get(pk=tool.pk).status == ToolStatus.ADOPTED


def test_a_tool_cannot_integrate_with_itself(cio, client_as, make_tool):
    tool = make_tool("Solo")
    with pytest.raises(ValidationError) as exc:
        services.integration_add(tool=tool, by=cio, other=tool)
    assert "cannot integrate with itself" in str(exc.value)
    response = client_as(cio).post(f"/tools/{tool.pk}/integrations/", {"other": tool.pk, "flow": "sends",
                                                                       "method": "api"})  # fmt: skip
    assert response.status_code == 422 and "A tool cannot integrate with itself." in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        ToolIntegration.objects.create(source=tool, target=tool)
    other = make_tool("Other")
    services.integration_add(tool=tool, by=cio, other=other)
    with pytest.raises(ValidationError) as exc:
        services.integration_add(tool=other, by=cio, other=tool, flow="receives")
    assert "already integrated" in str(exc.value)
    assert ToolIntegration.objects.count() == 1


def test_the_same_name_twice_is_refused(cio, make_tool):
    make_tool("Slack")
    with pytest.raises(ValidationError) as exc:
        services.tool_register(by=cio, name="slack", now=T0)
    assert "already in the register" in str(exc.value)


def test_conflicting_edits_get_a_conflict_message(client_as, make_tool, member, cio):
    tool = make_tool("Canva", by=member, business_owner=member)
    form = {"name": "Canva Pro", "vendor": "", "category": "other", "department": "marketing", "adoption": "it",
            "users_count": "3", "annual_cost": "10", "business_owner": member.pk, "version": "1"}  # fmt: skip
    assert client_as(member).post(f"/tools/{tool.pk}/edit/", form).status_code == 302
    stale = client_as(cio).post(f"/tools/{tool.pk}/edit/", {**form, "name": "Canva Teams"})
    assert stale.status_code == 422 and "Someone else saved this tool first" in stale.content.decode()
    assert "Canva Pro" in stale.content.decode()  # what the other person saved is shown
    assert Tool.objects.get(pk=tool.pk).name == "Canva Pro"
    assert ToolEvent.objects.filter(tool=tool, kind="edited").count() == 1


# --- permissions ---------------------------------------------------------------------------
def test_anyone_registers_and_a_member_is_flagged_shadow_by_default(client_as, outsider):
    page = client_as(outsider).get("/tools/new/").content.decode()
    assert 'value="shadow" selected' in page
    response = client_as(outsider).post("/tools/new/", {
        "name": "Expensify", "category": "other", "department": "finance", "adoption": "shadow", "users_count": "4",
        "annual_cost": "300", "status": "adopted"})  # fmt: skip
    tool = Tool.objects.get(name="Expensify")
    assert response.status_code == 302 and tool.is_shadow and tool.registered_by == outsider


def test_only_it_and_executives_change_status_and_owners_edit_their_tools(client_as, make_tool, member, outsider,
                                                                          liaison, cmo):  # fmt: skip
    tool = make_tool("Airtable", by=member, business_owner=member, adoption="shadow")
    before = _snapshot()
    form = {"to": "to_retire", "retire_by": "2030-01-01", "version": "1"}
    for person in (member, outsider):  # the owner may edit but not move; the outsider neither
        assert client_as(person).post(f"/tools/{tool.pk}/status/", form).status_code == 403
        with pytest.raises(PermissionDenied):
            services.tool_transition(tool=tool, by=person, to="to_retire", retire_by=date(2030, 1, 1))
    assert client_as(outsider).post(f"/tools/{tool.pk}/edit/", {"name": "x", "version": "1"}).status_code == 403
    assert client_as(outsider).post(f"/tools/{tool.pk}/integrations/", {"other": tool.pk}).status_code == 403
    assert _snapshot() == before
    assert client_as(member).get(f"/tools/{tool.pk}/edit/").status_code == 200
    with pytest.raises(ValidationError) as exc:  # the owner edits, but only IT clears the "found outside IT" flag
        services.tool_update(tool=tool, by=member, version=1, adoption="it")
    assert "Only IT and the executives" in str(exc.value)
    assert _snapshot() == before
    assert client_as(liaison).post(f"/tools/{tool.pk}/status/", form).status_code == 302  # IT
    assert Tool.objects.get(pk=tool.pk).status == ToolStatus.TO_RETIRE
    assert (
        client_as(cmo).post(f"/tools/{tool.pk}/status/", {**form, "to": "retired", "version": "2"}).status_code == 302
    )


def test_integration_remove_denied_leaves_it_and_allowed_removes_it(client_as, make_tool, cio, outsider):
    a, b = make_tool("A"), make_tool("B")
    link = services.integration_add(tool=a, by=cio, other=b)
    before = _snapshot()
    assert client_as(outsider).post(f"/tools/integrations/{link.pk}/remove/").status_code == 403
    assert _snapshot() == before
    assert (
        client_as(cio)
        .post(f"/tools/integrations/{link.pk}/remove/", {"tool": b.pk})["Location"]
        .startswith(f"/tools/{b.pk}/")
    )
    assert not ToolIntegration.objects.exists()
    assert client_as(cio).post(f"/tools/integrations/{link.pk}/remove/").status_code == 404


def test_tool_page_queries_stay_flat_as_integrations_grow(client_as, make_tool, cio, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hub = make_tool("Hub", category="crm", business_owner=member)
    client = client_as(member)
    counts = []
    for size in (3, 30):
        start = ToolIntegration.objects.count()
        for n in range(start, size):
            services.integration_add(tool=hub, by=cio, other=make_tool(f"Spoke {n:02}", category="crm"), method="api")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/tools/{hub.pk}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    print(f"FIGURE /tools/<id>/ queries: {counts[0]} at 3 integrations, {counts[1]} at 30")
    assert counts == [10, 10]


def test_search_finds_tools_and_tool_requests(make_tool, member, cio):
    """The register's own search provider: a tool by a typo of its name (Postgres) or a word of its notes,
    a request by its need, for anyone signed in; nothing for the anonymous."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from collab.lib import search

    make_tool("Salesforce Marketing Cloud", notes="Sends the newsletter; owns the email consent list.")
    make_tool("Hotjar", notes="Heatmaps on the landing pages.")
    services.request_create(by=member, title="Webinar platform", need="Host the partner webinars.", now=T0)

    def found(user, text):
        groups = search.search(user, search.Query.parse(text), limit=5)
        return {g.provider.kind: [h.title for h in g.hits] for g in groups}

    assert found(member, "newsletter")["tool"] == ["Salesforce Marketing Cloud"]
    assert found(member, "partner webinars")["tool_request"] == ["Webinar platform"]
    if connection.vendor == "postgresql":
        assert found(member, "hotjr")["tool"] == ["Hotjar"]
    assert found(AnonymousUser(), "newsletter") == {}


# --- audit fixes ---------------------------------------------------------------------------
def test_the_database_keeps_one_integration_per_unordered_pair(cio, make_tool, monkeypatch):
    a, b = make_tool("A"), make_tool("B")
    services.integration_add(tool=a, by=cio, other=b)
    with pytest.raises(IntegrityError), transaction.atomic():  # B→A next to A→B: refused by the database
        ToolIntegration.objects.create(source=b, target=a)
    # the service's own check lost a race (a reverse pair saved a moment ago): a clear error, nothing half-saved
    before = _snapshot()
    monkeypatch.setattr(ToolIntegration, "validate_constraints", lambda self, exclude=None: None)
    real_filter = ToolIntegration.objects.filter
    monkeypatch.setattr(ToolIntegration.objects, "filter", lambda *a, **k: real_filter(pk__in=[]))
    with pytest.raises(ValidationError) as exc:
        services.integration_add(tool=b, by=cio, other=a)
    assert "B and A are already integrated" in str(exc.value)
    assert _snapshot() == before


def test_a_stale_status_change_is_a_conflict_and_nothing_is_saved(client_as, make_tool, cio, liaison):
    tool = make_tool("Hootsuite")
    services.tool_update(tool=tool, by=liaison, version=1, users_count=9)  # someone saved first: version 2
    before = _snapshot()
    with pytest.raises(services.ConflictError):
        services.tool_transition(tool=tool, by=cio, to="to_retire", retire_by=date(2030, 1, 1), version=1)
    assert _snapshot() == before
    response = client_as(cio).post(f"/tools/{tool.pk}/status/",
                                   {"to": "to_retire", "retire_by": "2030-01-01", "version": "1"})  # fmt: skip
    assert response.status_code == 422 and "Someone changed this tool first" in response.content.decode()
    assert _snapshot() == before
    assert Tool.objects.get(pk=tool.pk).status == ToolStatus.ADOPTED


def test_figures_are_not_empty_for_a_register_of_tools_only(make_tool):
    make_tool("Slack", renewal_date=None)
    make_tool("Jira")
    figures = selectors.tool_figures(date(2026, 10, 1), date(2026, 12, 31), today=TODAY)
    assert figures["tools"] == 2 and not figures["empty"]
    Tool.objects.update(status=ToolStatus.RETIRED)
    assert selectors.tool_figures(date(2026, 10, 1), date(2026, 12, 31), today=TODAY)["empty"]


def test_customer_service_tools_overlap_in_the_demo_categories(make_tool):
    make_tool("Zendesk Suite", category="customer_service")
    make_tool("Intercom", category="customer_service", status="trial")
    make_tool("Outreach", category="sales_engagement")
    make_tool("Gong", category="sales_engagement", status="trial")
    by_category = {o["category"]: [t.name for t in o["tools"]] for o in selectors.overlaps(list(Tool.objects.all()))}
    assert by_category == {"customer_service": ["Intercom", "Zendesk Suite"], "sales_engagement": ["Gong", "Outreach"]}
    assert [t.name for t in selectors.overlap_candidates("customer_service")] == ["Intercom", "Zendesk Suite"]
