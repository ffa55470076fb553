"""Demo joint projects: three shared goals, a dozen projects in every state, requirements with sign-offs
in various states, milestones (done, slipped, due soon, overdue), a ranking history and change requests.

Written through the services (with past times) so the history and the change feed are real. Runs after
the people (order 10) and before the parking lot, liaisons and reviews, which point at projects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from collab.accounts.models import User
from collab.lib.demo import seeder
from collab.projects import selectors, services
from collab.projects.models import Goal, Project, ProjectStatus, RequirementsVersion

GOALS = [
    # title, marketing owner, IT owner, months ahead, description
    (
        "Know every customer",
        "cmo",
        "grace.liu",
        6,
        "One view of each customer across campaigns, sales and service, with consent respected.",
    ),
    (
        "Launch campaigns in days, not weeks",
        "tom.whitaker",
        "raj.patel",
        4,
        "From brief to live campaign in five working days.",
    ),
    (
        "A faster, findable website",
        "noah.lindqvist",
        "mei.tanaka",
        8,
        "Pages load in under two seconds and rank for our key topics.",
    ),
]

REQUIREMENTS = """### Why
{summary}

### Must have
- Works with the CRM and the marketing automation platform
- Single sign-on for both teams
- Data stays in the EU

### Success measures
- Adopted by both teams within a quarter of going live
"""

# name, goal index, marketing sponsor, IT sponsor, other departments, target status, health, note, summary
PROJECTS: list[tuple[str, int | None, str, str, list[str], str, str, str, str]] = [
    (
        "Customer data platform",
        0,
        "cmo",
        "cio",
        ["sales", "customer_service"],
        ProjectStatus.IN_DELIVERY,
        "at_risk",
        "Identity matching is slower than planned.",
        "Unify customer profiles from web, CRM and support into one platform both teams trust, and end the CRM "
        "export problem: segment lists without a ticket to IT.",
    ),
    (
        "Marketing automation migration",
        1,
        "tom.whitaker",
        "raj.patel",
        ["sales"],
        ProjectStatus.APPROVED,
        "on_track",
        "",
        "Move from the legacy email tool to the new automation platform without losing a campaign.",
    ),
    (
        "Website replatform",
        2,
        "sofia.alvarez",
        "mei.tanaka",
        [],
        ProjectStatus.IN_DELIVERY,
        "on_track",
        "",
        "Move the public website to a headless CMS with a modern front end.",
    ),
    (
        "Consent and preference centre",
        0,
        "elif.demir",
        "daniel.novak",
        ["customer_service"],
        ProjectStatus.REQUIREMENTS,
        "on_track",
        "",
        "Let customers choose what we send them, in one place, and honour it everywhere.",
    ),
    (
        "Lead scoring in the CRM",
        1,
        "jonas.keller",
        "samuel.adeyemi",
        ["sales"],
        ProjectStatus.REQUIREMENTS,
        "at_risk",
        "Sales rejected the first scoring model.",
        "Score leads from campaign engagement so sales calls the right people first.",
    ),
    (
        "Campaign analytics warehouse",
        0,
        "lucas.ferreira",
        "grace.liu",
        [],
        ProjectStatus.IN_DELIVERY,
        "off_track",
        "The ad platform APIs changed twice this quarter.",
        "Bring campaign, web and sales data into the warehouse for daily reporting.",
    ),
    (
        "Loyalty app",
        None,
        "yuki.sato",
        "diego.morales",
        ["customer_service", "finance"],
        ProjectStatus.PROPOSED,
        "on_track",
        "",
        "A mobile app that rewards repeat customers.",
    ),
    (
        "SEO content hub",
        2,
        "noah.lindqvist",
        "diego.morales",
        [],
        ProjectStatus.PROPOSED,
        "on_track",
        "",
        "A structured hub of guides that ranks for the questions our customers ask.",
    ),
    (
        "Event registration platform",
        1,
        "hannah.cole",
        "fatima.haddad",
        ["finance"],
        ProjectStatus.REQUIREMENTS,
        "on_track",
        "",
        "Replace spreadsheets with one registration and payment flow for our events.",
    ),
    (
        "Digital asset management",
        1,
        "amara.osei",
        "victor.hansen",
        [],
        ProjectStatus.APPROVED,
        "on_track",
        "",
        "One library of approved brand assets for agencies and both teams.",
    ),
    (
        "Social listening tool",
        None,
        "olivia.grant",
        "isabel.romero",
        [],
        ProjectStatus.CANCELLED,
        "on_track",
        "",
        "Track brand mentions across social networks.",
    ),
    (
        "Email deliverability overhaul",
        1,
        "elif.demir",
        "fatima.haddad",
        [],
        ProjectStatus.LIVE,
        "on_track",
        "",
        "Authenticate our sending domains and clean the lists so emails land in inboxes.",
    ),
]

PATH = [ProjectStatus.REQUIREMENTS, ProjectStatus.APPROVED, ProjectStatus.IN_DELIVERY, ProjectStatus.LIVE]
HEADS = {
    "marketing": "cmo",
    "it": "cio",
    "sales": "chloe.martin",
    "customer_service": "julia.nowak",
    "finance": "robert.klein",
}


class _Clock:
    """Hands out increasing past times, so the history reads in order."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def tick(self, days: float = 1.0) -> datetime:
        self.now += timedelta(days=days)
        return self.now


def _current(project: Project) -> RequirementsVersion:
    version = services.current_requirements(project)
    if version is None:
        raise RuntimeError(f"{project} has no requirements")
    return version


def _sign_all(project: Project, people: dict[str, User], at: datetime, skip: tuple[str, ...] = ()) -> None:
    version = _current(project)
    for pd in project.departments.all():
        if pd.department in skip:
            continue
        services.signoff_record(
            project=project,
            by=people[HEADS[pd.department]],
            department=pd.department,
            version_number=version.number,
            decision="approved",
            now=at,
        )


def _health(project: Project, health: str, note: str) -> None:
    if health == "on_track" and not note:
        return
    services.project_update(
        project=project,
        by=project.marketing_sponsor,
        version=project.version,
        name=project.name,
        marketing_sponsor=project.marketing_sponsor,
        it_sponsor=project.it_sponsor,
        summary=project.summary,
        goal=project.goal,
        health=health,
        health_note=note,
        departments=list(project.departments.values_list("department", flat=True)),
        representatives=list(project.representatives.all()),
    )


@seeder(order=30, name="projects")
def seed_projects(say: Callable[[str], None]) -> None:
    if Project.objects.exists():
        say(f"projects: {Project.objects.count()} projects (already there)")
        return
    wanted = {u for g in GOALS for u in (g[1], g[2])} | {u for p in PROJECTS for u in (p[2], p[3])}
    wanted |= set(HEADS.values()) | {"liaison", "member"}
    people = {u.username: u for u in User.objects.all()}
    if not wanted <= set(people):
        say("projects: skipped (the demo people are missing)")
        return
    with transaction.atomic():
        _seed(people, say)


def _seed(people: dict[str, User], say: Callable[[str], None]) -> None:
    today = timezone.localdate()
    clock = _Clock(timezone.now() - timedelta(days=120))
    goals: list[Goal] = []
    for title, m_owner, it_owner, months, description in GOALS:
        goals.append(
            services.goal_create(
                by=people["cmo"],
                title=title,
                description=description,
                marketing_owner=people[m_owner],
                it_owner=people[it_owner],
                target_date=today + timedelta(days=30 * months),
            )
        )
    projects: dict[str, Project] = {}
    for name, goal_index, m_sponsor, it_sponsor, departments, target, _h, _n, summary in PROJECTS:
        project = services.project_create(
            by=people["cmo"],
            name=name,
            summary=summary,
            goal=goals[goal_index] if goal_index is not None else None,
            marketing_sponsor=people[m_sponsor],
            it_sponsor=people[it_sponsor],
            departments=departments,
            representatives=[people["member"], people["liaison"]],
            requirements=REQUIREMENTS.format(name=name, summary=summary) if target != ProjectStatus.PROPOSED else "",
            now=clock.tick(2),
        )
        projects[name] = project
    _lifecycles(projects, people, clock)
    for name, *_rest, _target, health, note, _summary in PROJECTS:
        project = Project.objects.get(pk=projects[name].pk)
        _health(project, health, note)
    _milestones(projects, goals, people, today)
    _change_requests(projects, people)
    _ranking_history(people)
    say(f"projects: {len(goals)} goals, {Project.objects.count()} projects, ranking v{selectors.ranking_version()}")


def _lifecycles(projects: dict[str, Project], people: dict[str, User], clock: _Clock) -> None:
    for name, _g, m_sponsor, _it, _d, target, *_rest in PROJECTS:
        project = projects[name]
        by = people[m_sponsor]
        if target == ProjectStatus.PROPOSED:
            continue
        if target == ProjectStatus.CANCELLED:
            services.project_transition(
                project=project,
                by=by,
                to=ProjectStatus.CANCELLED,
                note="Covered by the CRM's built-in tool.",
                now=clock.tick(1),
            )
            continue
        services.project_transition(project=project, by=by, to=ProjectStatus.REQUIREMENTS, now=clock.tick(1))
        if name == "Consent and preference centre":
            # written 8 days ago: marketing signed, IT and customer service still to answer (a reminder is due)
            RequirementsVersion.objects.filter(project=project).update(created_at=timezone.now() - timedelta(days=8))
            _sign_all(project, people, timezone.now() - timedelta(days=7), skip=("it", "customer_service"))
            continue
        if name == "Lead scoring in the CRM":
            version = _current(project)
            services.signoff_record(
                project=project,
                by=people["cmo"],
                department="marketing",
                version_number=1,
                decision="approved",
                now=clock.tick(1),
            )
            services.signoff_record(
                project=project,
                by=people["chloe.martin"],
                department="sales",
                version_number=1,
                decision="rejected",
                comment="The model ignores deal size; add it before we sign.",
                now=clock.tick(1),
            )
            services.requirements_save(
                project=project,
                by=by,
                based_on=1,
                change_note="Deal size added to the scoring model.",
                text=version.text + "\n### Scoring\n- Engagement in the last 30 days\n- Deal size from the CRM\n",
                now=timezone.now() - timedelta(days=2),
            )
            continue
        _sign_all(project, people, clock.tick(2))
        if target == ProjectStatus.REQUIREMENTS:
            continue  # fully signed, ready for approval
        for step in PATH[1:]:
            services.project_transition(project=project, by=by, to=step, now=clock.tick(3))
            if step == target:
                break


def _at(days: int) -> datetime:
    return timezone.now() + timedelta(days=days)


def _milestones(projects: dict[str, Project], goals: list[Goal], people: dict[str, User], today: Any) -> None:
    def add(project: str, title: str, owner: str, days: int) -> Any:
        return services.milestone_add(
            by=people["cmo"],
            project=projects[project],
            title=title,
            owner=people[owner],
            due_date=today + timedelta(days=days),
        )

    cdp = "Customer data platform"
    m = add(cdp, "Vendor selected", "grace.liu", -60)
    services.milestone_done(milestone=m, by=people["cio"], done_on=today - timedelta(days=61), now=_at(-61))
    m = add(cdp, "Identity matching rules agreed", "sofia.alvarez", -20)
    services.milestone_reschedule(
        milestone=m,
        by=people["cmo"],
        due_date=today - timedelta(days=5),
        reason="Legal review of matching on email",
        now=timezone.now() - timedelta(days=21),
    )
    services.milestone_done(milestone=m, by=people["cmo"], done_on=today - timedelta(days=2), now=_at(-2))
    add(cdp, "CRM and web profiles joined", "grace.liu", 3)
    add(cdp, "First audience built from the platform", "lucas.ferreira", 45)
    web = "Website replatform"
    m = add(web, "Content model signed off", "priya.nair", -40)
    services.milestone_done(milestone=m, by=people["cmo"], done_on=today - timedelta(days=41), now=_at(-41))
    add(web, "Beta site on the new platform", "mei.tanaka", -3)  # overdue
    add(web, "Go-live", "mei.tanaka", 50)
    add("Marketing automation migration", "Templates rebuilt", "tom.whitaker", 10)
    add("Marketing automation migration", "Last campaign on the old tool", "elif.demir", 40)
    m = add("Campaign analytics warehouse", "Ad platform connectors", "fatima.haddad", 5)
    services.milestone_reschedule(
        milestone=m,
        by=people["grace.liu"],
        due_date=today + timedelta(days=19),
        reason="Ad platform API changed again",
        now=timezone.now() - timedelta(days=1),
    )
    add("Digital asset management", "Asset taxonomy", "amara.osei", 2)
    m = add("Email deliverability overhaul", "Domains authenticated", "fatima.haddad", -30)
    services.milestone_done(milestone=m, by=people["cio"], done_on=today - timedelta(days=31), now=_at(-31))
    services.milestone_add(
        by=people["cmo"],
        goal=goals[0],
        title="Customer data policy published",
        owner=people["cmo"],
        due_date=today + timedelta(days=20),
    )


def _change_requests(projects: dict[str, Project], people: dict[str, User]) -> None:
    now = timezone.now()
    cdp = projects["Customer data platform"]
    cr = services.change_request_raise(
        project=cdp,
        by=people["cmo"],
        title="Stream web events in real time",
        reason="Abandoned-basket campaigns need events within minutes, not overnight.",
        date_effect_days=14,
        effort_days=25,
        now=now - timedelta(days=15),
    )
    services.change_request_decide(change_request=cr, by=people["cmo"], approve=True, now=now - timedelta(days=14))
    services.change_request_decide(change_request=cr, by=people["cio"], approve=True, now=now - timedelta(days=12))
    cr = services.change_request_raise(
        project=cdp,
        by=people["cmo"],
        title="Include B2B accounts",
        reason="Sales wants account-level profiles for the enterprise segment.",
        date_effect_days=21,
        effort_days=30,
        now=now - timedelta(days=5),
    )
    services.change_request_decide(change_request=cr, by=people["cmo"], approve=True, now=now - timedelta(days=5))
    web = projects["Website replatform"]
    cr = services.change_request_raise(
        project=web,
        by=people["sofia.alvarez"],
        title="Add German and French sites",
        reason="The spring campaign launches in DACH and France.",
        date_effect_days=10,
        effort_days=18,
        now=now - timedelta(days=9),
    )
    services.change_request_decide(
        change_request=cr, by=people["sofia.alvarez"], approve=True, now=now - timedelta(days=9)
    )
    services.change_request_decide(
        change_request=cr, by=people["mei.tanaka"], approve=True, now=now - timedelta(days=7)
    )
    warehouse = projects["Campaign analytics warehouse"]
    cr = services.change_request_raise(
        project=warehouse,
        by=people["lucas.ferreira"],
        title="Add paid social data",
        reason="Half the budget goes to social.",
        date_effect_days=20,
        effort_days=15,
        now=now - timedelta(days=6),
    )
    services.change_request_decide(
        change_request=cr,
        by=people["grace.liu"],
        approve=False,
        reason="Not until the connectors are stable; raise it again next quarter.",
        now=now - timedelta(days=4),
    )


def _ranking_history(people: dict[str, User]) -> None:
    moves = [
        ("Event registration platform", 2, "cmo", "Spring events open for registration in eight weeks.", 30),
        ("Website replatform", 2, "cio", "The old CMS loses vendor support in June.", 20),
        ("Campaign analytics warehouse", 10, "cmo", "Blocked by the ad platform APIs; free the team for the CDP.", 9),
        ("Consent and preference centre", 3, "cio", "Regulator deadline moved forward.", 3),
    ]
    for name, rank, who, reason, days_ago in moves:
        project = Project.objects.get(name=name)
        if project.rank is None or project.rank == rank:
            continue
        services.ranking_move(
            by=people[who],
            project=project,
            to_rank=rank,
            version=selectors.ranking_version(),
            reason=reason,
            now=timezone.now() - timedelta(days=days_ago),
        )


# The technology register's seeder registers itself on import (order 35, after the projects).
from collab.projects.tools import demo as _tools_demo  # noqa: E402, F401
