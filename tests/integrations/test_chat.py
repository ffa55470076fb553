"""Slack and Teams through the reminders engine, against a local HTTP server: an escalation arrives once in a
Slack-shaped and a Teams-shaped webhook however often the sweep runs; team channels hear once per thing;
5xx is retried, 4xx is given up; the preferences page stores and checks the webhook URLs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from collab.lib import hooks
from collab.notifications import services as engine
from collab.notifications.models import ChatSetting, Delivery, TeamChannel
from parkinglot import services as snags
from tests.parkinglot.conftest import T0

pytestmark = pytest.mark.django_db


def _tick(now):
    snags.snags_escalate(now=now)
    result = engine.sweep(now=now)
    engine.deliveries_send(ids=result.pending_ids, now=now)


@pytest.fixture
def covered(liaison):
    def covering(department, served_by=None):
        return liaison.pk

    hooks.provide("liaison.covering", covering)
    yield liaison
    hooks.withdraw("liaison.covering", covering)


def _bodies(httpserver, path):
    return [json.loads(req.get_data()) for req, _ in httpserver.log if req.path == path]


def test_an_escalation_reaches_slack_and_teams_once_however_often_the_sweep_runs(httpserver, member, cmo, cio, covered):
    httpserver.expect_request("/slack").respond_with_data("ok")
    httpserver.expect_request("/teams").respond_with_data("1", status=202)
    ChatSetting.objects.create(
        user=cio, slack_webhook_url=httpserver.url_for("/slack"), teams_webhook_url=httpserver.url_for("/teams")
    )
    snag = snags.snag_create(raised_by=member, title="Checkout <b>down</b> & out", impact="critical", now=T0)
    for hours in (48, 49, 49, 72):  # level 2 is due after two days; the sweep runs again and again
        _tick(T0 + timedelta(hours=hours))
    slack, teams = _bodies(httpserver, "/slack"), _bodies(httpserver, "/teams")
    assert len(slack) == 1 and len(teams) == 1
    url = f"http://127.0.0.1:8000/snags/{snag.code}/"
    # Slack: a fallback text and blocks with a link back; user text escaped for mrkdwn
    assert url in slack[0]["text"] and snag.code in slack[0]["text"]
    section = slack[0]["blocks"][0]["text"]["text"]
    assert section.startswith(f"*<{url}|") and "&lt;b&gt;down&lt;/b&gt; &amp; out" in section
    assert slack[0]["blocks"][1]["elements"][0]["url"] == url
    # Teams: an Adaptive Card with the title and an Open URL action
    card = teams[0]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert snag.code in card["content"]["body"][0]["text"]
    assert card["content"]["actions"] == [{"type": "Action.OpenUrl", "title": "Open in Collab", "url": url}]
    sent = Delivery.objects.filter(recipient=cio, channel__in=["slack", "teams"])
    assert sorted(sent.values_list("channel", "status")) == [("slack", "sent"), ("teams", "sent")]
    for body in slack + teams:  # no secrets travel: no tokens, no calendar feed, no session
        text = json.dumps(body)
        assert "token" not in text.lower() and "/calendar/feed/" not in text


def test_a_team_channel_hears_about_a_thing_once_for_all_its_people(httpserver, member, cmo, cio, liaison, covered):
    httpserver.expect_request("/it-channel").respond_with_data("ok")
    TeamChannel.objects.create(department="it", service="slack", url=httpserver.url_for("/it-channel"), name="#it")
    snag = snags.snag_create(raised_by=member, title="VPN for the agency", impact="critical", now=T0)
    snags.snag_assign(snag=snag, by=cio, owner=cio, now=T0)  # level 1 now goes to the CIO and the liaison: both IT
    for hours in (25, 26, 50, 51):
        _tick(T0 + timedelta(hours=hours))
    posts = _bodies(httpserver, "/it-channel")
    assert len(posts) == 2  # level 1 once (two IT people), level 2 once (the CIO)
    titles = [p["text"].split(" — ")[0] for p in posts]
    assert len(set(titles)) == 2 and "escalated" in " ".join(titles).lower()
    assert Delivery.objects.filter(team_channel__isnull=False).count() == 2


def test_chat_retries_a_5xx_and_gives_up_on_a_4xx(httpserver, cmo, settings):
    httpserver.expect_oneshot_request("/slack").respond_with_data("upstream", status=503)
    httpserver.expect_oneshot_request("/slack").respond_with_data("ok")
    httpserver.expect_request("/teams").respond_with_data("Webhook not found", status=404)
    ChatSetting.objects.create(
        user=cmo, slack_webhook_url=httpserver.url_for("/slack"), teams_webhook_url=httpserver.url_for("/teams")
    )
    engine.notify(kind="test", obj=cmo, recipient_ids=[cmo.pk], title="Hello", link="/notifications/", due_at=T0)
    ids = list(Delivery.objects.filter(channel__in=["slack", "teams"]).values_list("id", flat=True))
    assert len(ids) == 2
    engine.deliveries_send(ids=ids, now=T0)
    slack = Delivery.objects.get(channel="slack")
    teams = Delivery.objects.get(channel="teams")
    assert (
        slack.status == "pending"
        and "HTTP 503" in slack.last_error
        and slack.next_attempt_at is not None
        and slack.next_attempt_at > T0
    )
    assert teams.status == "skipped" and "HTTP 404" in teams.last_error
    later = slack.next_attempt_at
    engine.deliveries_send(ids=engine.pending_ids(later), now=later)
    slack.refresh_from_db()
    assert (slack.status, slack.attempts) == ("sent", 2)
    assert sum(1 for req, _ in httpserver.log if req.path == "/teams") == 1  # never retried


def test_a_person_without_chat_urls_gets_no_chat_deliveries_and_can_switch_chat_off(httpserver, cmo, probe_kind):
    probe_kind.targets = [cmo]
    engine.sweep(now=probe_kind.due_at)
    assert not Delivery.objects.filter(channel__in=["slack", "teams"]).exists()
    ChatSetting.objects.create(user=cmo, slack_webhook_url=httpserver.url_for("/slack"))
    engine.preferences_save(
        user=cmo, choices={"probe": {"in_app": True, "email": False, "chat": False}}, digest_enabled=False,
        digest_hour=8, time_zone="UTC",
    )  # fmt: skip
    probe_kind.due_at = probe_kind.due_at + timedelta(days=1)
    engine.sweep(now=probe_kind.due_at)
    assert not Delivery.objects.filter(channel__in=["slack", "teams"]).exists()


def test_preferences_page_stores_chat_urls_and_refuses_bad_ones(client_as, cmo, probe_kind):
    client = client_as(cmo)
    page = client.get("/settings/notifications/").content.decode()
    assert 'name="slack_webhook_url"' in page and 'name="probe__chat"' in page
    base = {"probe__in_app": "on", "probe__chat": "on", "digest_hour": "8", "time_zone": "UTC"}
    for bad, message in (
        ("ftp://hooks.slack.com/x", "Use an https:// address."),
        ("http://127.0.0.1:8000/x", "points at Collab itself"),
        ("javascript:alert(1)", "Enter a valid URL."),
        ("http://localtest.me:8000/x", "Use an https:// address."),
        ("https://localtest.me:8000/x", "its host must be one of"),
        ("https://[::ffff:127.0.0.1]:8000/x", "its host must be one of"),
        ("https://169.254.169.254/latest/meta-data/", "its host must be one of"),
        ("https://example.webhook.office.com/x", "its host must be one of"),  # a Teams URL in the Slack field
    ):
        response = client.post("/settings/notifications/", {**base, "slack_webhook_url": bad})
        assert response.status_code == 422, bad
        page = response.content.decode()
        assert 'class="field__error"' in page and message in page.replace("&#x27;", "'"), bad
    response = client.post("/settings/notifications/", {**base, "slack_member_id": "not an id"})
    assert response.status_code == 422 and "A Slack member id looks like U012AB3CDE" in response.content.decode()
    assert not ChatSetting.objects.exists()
    good = "https://hooks.slack.com/services/T000/B000/XXXX"
    response = client.post(
        "/settings/notifications/",
        {**base, "slack_webhook_url": good, "teams_webhook_url": "https://example.webhook.office.com/x"},
    )
    assert response.status_code == 302
    chat = ChatSetting.objects.get(user=cmo)
    assert chat.slack_webhook_url == good and chat.teams_webhook_url.endswith("/x")
    response = client.post(
        "/settings/notifications/", {**base, "slack_webhook_url": good, "slack_member_id": "u012ab3cde"}
    )
    assert response.status_code == 302
    chat.refresh_from_db()
    assert chat.slack_member_id == "U012AB3CDE"
    assert good in client.get("/settings/notifications/").content.decode()  # shown to its owner only
    response = client.post("/settings/notifications/", {**base, "slack_webhook_url": ""})
    chat.refresh_from_db()
    assert chat.slack_webhook_url == "" and chat.teams_webhook_url == ""


def test_chat_channels_keep_making_deliveries_flat_as_people_grow(httpserver, probe_kind):
    """Three extra reads (chat URLs, team channels, the people's departments) when reminders are made, however many
    people have chat; two when no team channel is set up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    TeamChannel.objects.create(department="it", service="teams", url=httpserver.url_for("/team"))
    counts = []
    for n, size in enumerate((1, 2, 12)):  # the first round warms the content-type cache
        people = [UserFactory(department="it") for _ in range(size)]
        for person in people:
            ChatSetting.objects.create(user=person, slack_webhook_url=httpserver.url_for(f"/s/{person.pk}"))
        probe_kind.targets = people
        probe_kind.due_at = probe_kind.due_at + timedelta(days=n)
        items = [(probe_kind, due) for due in probe_kind.due(probe_kind.due_at)]
        with CaptureQueriesContext(connection) as ctx:
            engine.deliveries_make(items=items)
        # SQLite splits a big INSERT into batches by its parameter limit; the reads are what must stay flat
        counts.append(sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT")))
        made = Delivery.objects.filter(due_at=probe_kind.due_at)
        assert made.filter(channel="slack", team_channel=None).count() == size
        assert made.filter(team_channel__isnull=False).count() == size  # one reminder per person (each its own object)
    print(f"FIGURE deliveries_make queries with chat and a team channel: {counts[1]} for 2 people, {counts[2]} for 12")
    assert counts[1] == counts[2]
