"""Demo snags: ~150 believable snags across departments, impacts, statuses and ages, made through the
services (with their history) at the times they would have happened."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from collab.accounts.models import Department, Role, User
from collab.lib.demo import seeder
from collab.projects.models import Project

TITLES = [
    ("Campaign landing page needs a new form field but the CMS change queue is four weeks long", "high"),
    ("CRM export problem: segment lists need a ticket to IT", "medium"),
    ("Marketing automation tool and CRM disagree on lead status", "high"),
    ("Web analytics tag missing on the new product pages", "critical"),
    ("Consent banner blocks the A/B testing script", "high"),
    ("No test environment for email templates", "medium"),
    ("Requirements for the loyalty app were never signed off by sales", "medium"),
    ("Ad platform API token expired and campaigns stopped syncing", "critical"),
    ("VPN drops during large asset uploads to the DAM", "low"),
    ("SSO login loops for agency freelancers", "high"),
    ("Need read access to the data warehouse for campaign attribution", "medium"),
    ("Social listening tool bought outside IT — who supports it?", "medium"),
    ("Event registration site slows down under load", "high"),
    ("Duplicate customer records after the webinar import", "medium"),
    ("Website search does not find new blog posts", "low"),
    ("Chatbot hands over to support with no context", "medium"),
    ("Product feed to the marketplace fails every Monday", "high"),
    ("Budget approval for the new CDP stuck between teams", "medium"),
    ("Release freeze clashes with the spring campaign launch", "critical"),
    ("Image CDN serves stale banners after updates", "low"),
    ("Email bounce rate spiked after the mail server move", "high"),
    ("No one knows who owns the old microsites", "low"),
    ("Form submissions land in a shared inbox nobody reads", "medium"),
    ("Marketing dashboard numbers differ from finance reports", "high"),
    ("Laptop for the new content strategist not ready on day one", "low"),
]
DETAILS = [
    "We lost most of a sprint waiting on this. A quick answer on who decides would already help.",
    "Steps: open the tool, choose the audience, export. It fails with *permission denied*.",
    "This blocks the **Q{q} campaign**. Workaround today: manual copy-paste, error-prone.",
    "Raised twice by email already. Parking it here so it gets a real answer.",
    "",
]
ANSWERS = [
    "The integration team will take it this sprint; Fatima is on it.",
    "This needs a change request — I've drafted it with both sponsors.",
    "Use the staging workspace for now; a proper test environment is on the Q1 roadmap.",
    "Access granted for the campaign analysts' group; tell me if anyone is missing.",
    "Root cause found: an expired certificate. Renewed and monitoring added.",
]


@seeder(order=55, name="snags")
def seed_snags(say: Callable[[str], None]) -> None:
    from parkinglot import services
    from parkinglot.models import Snag, SnagStatus

    if Snag.objects.exists():
        say(f"snags: {Snag.objects.count()} already there")
        return
    rng = random.Random(1042)  # noqa: S311 - demo data
    raisers = list(
        User.objects.filter(is_active=True, is_superuser=False)
        .exclude(department=Department.OTHER)
        .order_by("username")
    )
    marketing_heavy = [u for u in raisers if u.department == Department.MARKETING] * 3 + raisers
    triagers = list(User.objects.filter(is_active=True, role__in=[Role.LIAISON, Role.EXECUTIVE]).order_by("pk"))
    projects = list(Project.objects.order_by("pk"))
    member = User.objects.filter(username="member").first()
    now = timezone.now()
    made = 0
    for i in range(150):
        title, impact = TITLES[i % len(TITLES)]
        if i >= len(TITLES):
            impact = rng.choice(["low", "medium", "medium", "high", "high", "critical"])
        raiser = member if (member and i % 12 == 0) else rng.choice(marketing_heavy)
        age = timedelta(days=min(int(rng.expovariate(1 / 30)), 170), hours=rng.randint(1, 20))
        created = now - age
        project = rng.choice(projects) if projects and rng.random() < 0.6 else None
        snag = services.snag_create(
            raised_by=raiser,
            title=title if i < len(TITLES) else f"{title} ({created:%b})",
            details=DETAILS[i % len(DETAILS)].format(q=(created.month - 1) // 3 + 1),
            impact=impact,
            project=project,
            days_lost=Decimal(rng.choice(["0", "0", "0.5", "1", "2", "3", "5"])),
            now=created,
        )
        made += 1
        for other in rng.sample(raisers, k=rng.choice([0, 0, 0, 1, 2, 4])):
            services.me_too(snag=snag, user=other)
        if rng.random() < 0.4:
            services.comment_add(
                snag=snag,
                author=rng.choice(raisers),
                body="Same here — it cost us a day last week.",
                now=created + timedelta(hours=3),
            )
        # most old snags are closed; some stay open, overdue and escalated
        roll = rng.random()
        by = snag.owner or rng.choice(triagers)
        step = created + min(age / 2, timedelta(hours=rng.choice([2, 5, 9, 20, 30, 52, 75, 110])))
        if age < timedelta(days=4) or roll < 0.12:
            if roll < 0.5 and age > timedelta(days=1):
                services.snag_transition(snag=snag, by=by, to=SnagStatus.IN_REVIEW, now=step)
            continue
        if roll < 0.20:
            services.snag_transition(
                snag=snag,
                by=by,
                to=SnagStatus.PARKED,
                note="To the next QBR: needs both sponsors.",
                parked_for="qbr",
                now=step,
            )
            continue
        if roll < 0.25:
            services.snag_transition(
                snag=snag, by=by, to=SnagStatus.WONT_FIX, note="The old microsite retires next quarter.", now=step
            )
            continue
        services.snag_transition(
            snag=snag, by=by, to=SnagStatus.ANSWERED, note=rng.choice(ANSWERS), now=step, tell_raiser=False
        )
        if roll < 0.32:
            continue  # answered, waiting for the raiser to confirm
        confirm_at = step + min(age / 3, timedelta(days=3))
        if confirm_at < now:
            services.snag_transition(snag=snag, by=snag.raised_by, to=SnagStatus.RESOLVED, now=confirm_at)
    result = services.snags_escalate(now=now)
    say(f"snags: {made} snags ({result.level_1 + result.level_2} escalation steps recorded)")
