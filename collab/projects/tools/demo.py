"""Demo technology register: about forty tools across marketing, sales, customer service and IT — some found
outside IT, a few to retire with their plans, the integrations between them, and tool requests open and decided.

Bulk inserts (a handful of queries in all) so ``seed_demo`` stays fast. Runs after the joint projects (order 30),
whose projects carry the retirement plans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from collab.accounts.models import User
from collab.lib.demo import seeder
from collab.lib.time import add_working_days
from collab.projects.models import Project
from collab.projects.tools.models import (
    Adoption,
    RequestDecision,
    Tool,
    ToolEvent,
    ToolEventKind,
    ToolIntegration,
    ToolRequest,
    ToolStatus,
)
from collab.projects.tools.services import answer_working_days

A, T, E, R, X = (ToolStatus.ADOPTED, ToolStatus.TRIAL, ToolStatus.EVALUATING, ToolStatus.TO_RETIRE,
                 ToolStatus.RETIRED)  # fmt: skip

# name, vendor, category, department, business owner, IT contact, shadow, users, cost, renews in days,
# customer data, status, usage, success, registered days ago
TOOLS: list[tuple[str, str, str, str, str, str, bool, int, int, int | None, bool, str, int, int, int]] = [
    ("HubSpot Marketing Hub", "HubSpot", "marketing_automation", "marketing", "tom.whitaker", "samuel.adeyemi", False, 35, 48000, 45, True, A, 5, 4, 400),
    ("Mailchimp", "Intuit", "marketing_automation", "marketing", "elif.demir", "", True, 6, 3600, 20, True, R, 2, 2, 60),
    ("Marketo Engage", "Adobe", "marketing_automation", "marketing", "tom.whitaker", "samuel.adeyemi", False, 0, 0, None, True, X, 1, 2, 700),
    ("Hootsuite", "Hootsuite", "marketing_automation", "marketing", "olivia.grant", "", True, 4, 7200, 85, False, A, 4, 3, 30),
    ("Salesforce Sales Cloud", "Salesforce", "crm", "sales", "ben.fischer", "samuel.adeyemi", False, 80, 150000, 200, True, A, 5, 4, 720),
    ("Pipedrive", "Pipedrive", "crm", "sales", "marco.rossi", "", True, 8, 4800, 25, True, A, 3, 3, 20),
    ("Outreach", "Outreach", "sales_engagement", "sales", "marco.rossi", "", True, 10, 18000, 90, True, E, 2, 3, 15),
    ("Zendesk Suite", "Zendesk", "customer_service", "customer_service", "julia.nowak", "oliver.brandt", False, 40, 60000, 75, True, A, 5, 4, 600),
    ("Intercom", "Intercom", "customer_service", "customer_service", "sara.lund", "", True, 5, 9000, 50, True, T, 3, 3, 45),
    ("Freshdesk", "Freshworks", "customer_service", "customer_service", "kwame.mensah", "", True, 0, 0, None, True, X, 1, 1, 500),
    ("Google Analytics 4", "Google", "analytics", "marketing", "lucas.ferreira", "grace.liu", False, 20, 0, None, False, A, 5, 3, 650),
    ("Looker Studio", "Google", "analytics", "marketing", "lucas.ferreira", "grace.liu", False, 30, 0, None, False, A, 4, 4, 500),
    ("Hotjar", "Hotjar", "analytics", "marketing", "noah.lindqvist", "", True, 4, 1200, 100, False, A, 3, 4, 40),
    ("Semrush", "Semrush", "analytics", "marketing", "noah.lindqvist", "", True, 3, 5000, 110, False, A, 4, 4, 70),
    ("Brandwatch", "Brandwatch", "analytics", "marketing", "olivia.grant", "", False, 3, 14000, 28, False, T, 2, 3, 25),
    ("Tableau", "Salesforce", "analytics", "it", "grace.liu", "grace.liu", False, 25, 42000, 150, False, A, 4, 4, 800),
    ("Power BI", "Microsoft", "analytics", "finance", "nina.petrova", "grace.liu", False, 15, 12000, 190, False, A, 4, 3, 300),
    ("SurveyMonkey", "Momentive", "analytics", "customer_service", "sara.lund", "", True, 6, 1500, 70, True, A, 3, 3, 10),
    ("Typeform", "Typeform", "analytics", "marketing", "priya.nair", "", True, 4, 900, None, True, R, 2, 3, 50),
    ("WordPress", "Automattic", "cms", "marketing", "priya.nair", "mei.tanaka", False, 12, 6000, 120, False, A, 4, 3, 900),
    ("Contentful", "Contentful", "cms", "it", "mei.tanaka", "mei.tanaka", False, 10, 36000, 240, False, E, 2, 4, 35),
    ("Webflow", "Webflow", "cms", "marketing", "amara.osei", "", True, 3, 2400, 40, False, R, 2, 3, 80),
    ("Google Ads", "Google", "ads", "marketing", "jonas.keller", "", False, 5, 0, None, False, A, 5, 4, 700),
    ("Meta Ads Manager", "Meta", "ads", "marketing", "olivia.grant", "", False, 3, 0, None, False, A, 4, 3, 600),
    ("LinkedIn Campaign Manager", "LinkedIn", "ads", "marketing", "jonas.keller", "", False, 3, 0, None, False, A, 3, 3, 400),
    ("Segment", "Twilio", "data", "it", "grace.liu", "fatima.haddad", False, 6, 30000, 80, True, A, 4, 4, 350),
    ("Snowflake", "Snowflake", "data", "it", "grace.liu", "victor.hansen", False, 15, 90000, 300, True, A, 5, 4, 500),
    ("Zapier", "Zapier", "data", "marketing", "tom.whitaker", "", True, 9, 2400, 15, True, A, 4, 3, 55),
    ("Airtable", "Airtable", "collaboration", "marketing", "hannah.cole", "", True, 12, 3000, 55, True, A, 4, 3, 12),
    ("Slack", "Slack", "collaboration", "it", "victor.hansen", "victor.hansen", False, 400, 60000, 180, False, A, 5, 5, 900),
    ("Microsoft Teams", "Microsoft", "collaboration", "it", "victor.hansen", "victor.hansen", False, 600, 0, None, False, A, 4, 3, 900),
    ("Asana", "Asana", "collaboration", "marketing", "sofia.alvarez", "", True, 25, 7200, 30, False, A, 4, 4, 40),
    ("Jira", "Atlassian", "collaboration", "it", "felix.wagner", "diego.morales", False, 120, 24000, 210, False, A, 5, 4, 900),
    ("Trello", "Atlassian", "collaboration", "sales", "aisha.khan", "", True, 0, 0, None, False, X, 1, 2, 400),
    ("Calendly", "Calendly", "collaboration", "sales", "aisha.khan", "", True, 18, 1700, 35, True, A, 4, 4, 18),
    ("Canva", "Canva", "other", "marketing", "amara.osei", "", True, 15, 1800, 60, False, A, 5, 4, 65),
    ("Gong", "Gong", "sales_engagement", "sales", "ben.fischer", "samuel.adeyemi", False, 20, 36000, 130, True, T, 3, 4, 28),
    ("DocuSign", "DocuSign", "other", "sales", "ben.fischer", "isabel.romero", False, 30, 9600, 160, True, A, 4, 4, 600),
    ("Okta", "Okta", "other", "it", "daniel.novak", "daniel.novak", False, 600, 40000, 270, False, A, 5, 5, 800),
    ("1Password", "AgileBits", "other", "it", "daniel.novak", "daniel.novak", False, 80, 6000, 140, False, A, 4, 5, 500),
]  # fmt: skip

# source, target, both ways, method
INTEGRATIONS: list[tuple[str, str, bool, str]] = [
    ("HubSpot Marketing Hub", "Salesforce Sales Cloud", True, "native"),
    ("Salesforce Sales Cloud", "Tableau", False, "native"),
    ("Segment", "HubSpot Marketing Hub", False, "api"),
    ("Segment", "Snowflake", False, "native"),
    ("Snowflake", "Tableau", False, "native"),
    ("Snowflake", "Power BI", False, "native"),
    ("Google Analytics 4", "Looker Studio", False, "native"),
    ("Google Ads", "Google Analytics 4", True, "native"),
    ("Zendesk Suite", "Salesforce Sales Cloud", True, "native"),
    ("Intercom", "Zendesk Suite", False, "api"),
    ("WordPress", "HubSpot Marketing Hub", False, "native"),
    ("Contentful", "Segment", False, "api"),
    ("Zapier", "Mailchimp", False, "api"),
    ("Typeform", "Zapier", False, "api"),
    ("Mailchimp", "Salesforce Sales Cloud", False, "file"),
    ("Calendly", "Salesforce Sales Cloud", False, "native"),
    ("Gong", "Salesforce Sales Cloud", False, "native"),
    ("DocuSign", "Salesforce Sales Cloud", True, "native"),
    ("Jira", "Slack", True, "native"),
    ("Asana", "Slack", False, "native"),
    ("Okta", "Slack", False, "api"),
    ("Okta", "Salesforce Sales Cloud", False, "api"),
    ("Hootsuite", "Google Analytics 4", False, "manual"),
]

# tool, target in days, replacement, project
RETIREMENT = {
    "Mailchimp": (75, "HubSpot Marketing Hub", "Marketing automation migration"),
    "Webflow": (120, "Contentful", "Website replatform"),
    "Typeform": (45, "HubSpot Marketing Hub", "Customer data platform"),
}

# title, category, requester, users, budget, urgency, data, customer data, asked days ago,
# decision, decider, reason, existing tool
REQUESTS: list[tuple[str, str, str, int, int, str, str, bool, int, str, str, str, str]] = [
    ("Social listening dashboard", "analytics", "member", 6, 12000, "medium", "Public social posts", False, 1,
     "", "", "", ""),
    ("AI writing assistant for campaign copy", "other", "priya.nair", 12, 6000, "high",
     "Campaign briefs, no customer data", False, 10, "", "", "", ""),
    ("Event registration and badges", "marketing_automation", "hannah.cole", 4, 5000, "medium",
     "Attendee names, emails, companies", True, 3, "", "", "", ""),
    ("Customer journey orchestration", "marketing_automation", "tom.whitaker", 20, 40000, "high",
     "Customer profiles and consent", True, 30, RequestDecision.ADOPT, "cio",
     "Fits the customer data platform; native Salesforce and Segment connectors; EU hosting passed review.", ""),
    ("Sales call recorder", "other", "ben.fischer", 20, 36000, "medium", "Call recordings", True, 40,
     RequestDecision.TRIAL, "samuel.adeyemi", "A 90-day trial with ten reps; the DPA is signed for the trial.", ""),
    ("Webinar tool for product launches", "marketing_automation", "yuki.sato", 5, 8000, "low",
     "Registrant names and emails", True, 25, RequestDecision.USE_EXISTING, "raj.patel",
     "HubSpot already runs webinar registrations with the Teams integration we own.", "HubSpot Marketing Hub"),
    ("TikTok post scheduler", "marketing_automation", "olivia.grant", 2, 1200, "low", "None", False, 20,
     RequestDecision.REJECT, "cio", "Hootsuite already schedules TikTok posts; a second scheduler adds cost, not reach.",
     ""),
]  # fmt: skip


@seeder(order=35, name="tools")
def seed_tools(say: Callable[[str], None]) -> None:
    if Tool.objects.exists():
        say(f"tools: {Tool.objects.count()} tools (already there)")
        return
    people = {u.username: u for u in User.objects.all()}
    wanted = {t[4] for t in TOOLS} | {t[5] for t in TOOLS if t[5]} | {r[2] for r in REQUESTS} | {"cio"}
    if not wanted <= set(people):
        say("tools: skipped (the demo people are missing)")
        return
    with transaction.atomic():
        _seed(people, say)


def _seed(people: dict[str, User], say: Callable[[str], None]) -> None:
    now = timezone.now()
    today = timezone.localdate()
    tools = []
    for (name, vendor, category, dept, owner, contact, shadow, users, cost, renews, customer, status, usage,
         success, ago) in TOOLS:  # fmt: skip
        plan = RETIREMENT.get(name)
        tools.append(
            Tool(
                name=name, vendor=vendor, category=category, department=dept, business_owner=people[owner],
                it_contact=people.get(contact), adoption=Adoption.SHADOW if shadow else Adoption.THROUGH_IT,
                users_count=users, annual_cost=Decimal(cost), holds_customer_data=customer, status=status,
                renewal_date=today + timedelta(days=renews) if renews is not None else None,
                usage_rating=usage, success_rating=success, registered_by=people[owner],
                retire_by=today + timedelta(days=plan[0]) if plan else None,
                retired_at=now - timedelta(days=ago // 3) if status == X else None,
                created_at=now - timedelta(days=ago),
            )
        )  # fmt: skip
    Tool.objects.bulk_create(tools)
    by_name = {t.name: t for t in Tool.objects.all()}
    for name, (_days, replacement, _project) in RETIREMENT.items():
        Tool.objects.filter(pk=by_name[name].pk).update(replacement=by_name[replacement])
    projects = {p.name: p for p in Project.objects.filter(name__in=[p for *_r, p in RETIREMENT.values()])}
    Tool.retirement_projects.through.objects.bulk_create(
        [
            Tool.retirement_projects.through(tool_id=by_name[name].pk, project_id=projects[plan[2]].pk)
            for name, plan in RETIREMENT.items()
            if plan[2] in projects
        ]
    )
    ToolIntegration.objects.bulk_create(
        [
            ToolIntegration(
                source=by_name[s],
                target=by_name[t],
                direction="both_ways" if both else "one_way",
                method=method,
                created_by=people["cio"],
            )  # fmt: skip
            for s, t, both, method in INTEGRATIONS
        ]
    )
    events = []
    for t in by_name.values():
        note = "Found outside IT." if t.is_shadow else ""
        events.append(
            ToolEvent(tool=t, at=t.created_at, by_id=t.registered_by_id, kind=ToolEventKind.REGISTERED, note=note)
        )
        if t.status in (R, X):
            events.append(ToolEvent(tool=t, at=now - timedelta(days=5), by=people["cio"], kind=ToolEventKind.STATUS,
                                    from_status=A, to_status=t.status, note="Consolidating on fewer tools."))  # fmt: skip
    ToolEvent.objects.bulk_create(events)
    requests = []
    for (title, category, who, users, budget, urgency, data, customer, ago, decision, decider, reason,
         existing) in REQUESTS:  # fmt: skip
        asked = now - timedelta(days=ago)
        answer_by = add_working_days(asked, answer_working_days())
        decided_at = asked + timedelta(days=3) if decision else None
        requests.append(
            ToolRequest(
                title=title, need=f"{title}: we need it to move faster on our campaigns and serve customers better.",
                category=category, users_count=users, budget=Decimal(budget), urgency=urgency, data_involved=data,
                holds_customer_data=customer, department=people[who].department, requested_by=people[who],
                created_at=asked, answer_by=answer_by, decision=decision, reason=reason,
                decided_by=people[decider] if decider else None, decided_at=decided_at,
                existing_tool=by_name[existing] if existing else None,
                security_review="Vendor questionnaire done; data stays in the EU." if decision else "",
                cost_review=f"€{budget:,} a year, within the team budget." if decision else "",
            )
        )  # fmt: skip
    ToolRequest.objects.bulk_create(requests)
    found_outside = sum(1 for t in by_name.values() if t.is_shadow)
    say(f"tools: {len(by_name)} tools ({found_outside} found outside IT), {len(INTEGRATIONS)} integrations, "
        f"{len(requests)} requests")  # fmt: skip
