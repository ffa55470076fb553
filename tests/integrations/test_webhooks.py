"""Outgoing webhooks against a real local HTTP server (pytest-httpserver): signed payloads, retries with
exponential backoff on 5xx, giving up on 4xx, switching a failing webhook off, and URL checks."""

from __future__ import annotations

import json
import socket

import pytest
import time_machine
from django.core.exceptions import ValidationError
from werkzeug import Response

from collab.celery import app as celery_app
from collab.notifications import webhooks
from collab.notifications.models import Webhook, WebhookDelivery
from collab.notifications.tasks import deliver_webhook
from parkinglot import services as snags
from parkinglot.models import SnagStatus
from tests.parkinglot.conftest import T0

pytestmark = pytest.mark.django_db


def _receiver_log(httpserver):
    return [(req, res) for req, res in httpserver.log]


def test_a_new_snag_arrives_once_correctly_signed(
    httpserver, make_webhook, member, cmo, cio, django_capture_on_commit_callbacks
):
    hook = make_webhook(httpserver.url_for("/hook"), events=["snag.created", "snag.answered"])
    httpserver.expect_request("/hook", method="POST").respond_with_json({"ok": True})
    with django_capture_on_commit_callbacks(execute=True):
        snag = snags.snag_create(raised_by=member, title="Ads pixel blocked", impact="high", now=T0)
    assert len(httpserver.log) == 1
    request, _ = httpserver.log[0]
    body = request.get_data(as_text=True)
    timestamp = request.headers["X-Collab-Timestamp"]
    signature = request.headers["X-Collab-Signature"]
    # what the README tells receivers to do
    assert webhooks.verify(secret=hook.secret, timestamp=timestamp, body=body, signature=signature)
    assert not webhooks.verify(secret="wrong", timestamp=timestamp, body=body, signature=signature)
    assert not webhooks.verify(secret=hook.secret, timestamp=timestamp, body=body + " ", signature=signature)
    assert not webhooks.verify(secret=hook.secret, timestamp=str(int(timestamp) - 3600), body=body, signature=signature)
    data = json.loads(body)
    assert data["event"] == "snag.created" and request.headers["X-Collab-Event"] == "snag.created"
    assert data["data"]["snag"]["code"] == snag.code
    assert data["data"]["snag"]["url"].startswith("http://127.0.0.1:8000/snags/")
    assert data["id"] == request.headers["X-Collab-Delivery"]
    row = WebhookDelivery.objects.get()
    assert (row.status, row.status_code, row.attempts, row.event) == ("sent", 200, 1, "snag.created")
    assert hook.secret not in body  # the secret signs, it never travels


def test_a_rolled_back_change_sends_nothing_and_unsubscribed_events_are_not_logged(
    httpserver, make_webhook, member, cmo, liaison, django_capture_on_commit_callbacks
):
    make_webhook(httpserver.url_for("/hook"), events=["review.locked"])
    with django_capture_on_commit_callbacks(execute=True):
        snags.snag_create(raised_by=member, title="Not subscribed", now=T0)
    assert not WebhookDelivery.objects.exists() and httpserver.log == []


def test_server_errors_are_retried_with_exponential_backoff_until_success(httpserver, make_webhook, settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    hook = make_webhook(httpserver.url_for("/hook"))
    for status in (500, 503):
        httpserver.expect_ordered_request("/hook").respond_with_data("busy", status=status)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    waits = []
    with time_machine.travel(T0, tick=False) as clock:
        (delivery_id,) = webhooks.webhook_emit(event="snag.created", payload={"n": 1})
        for _ in range(3):
            outcome = webhooks.webhook_attempt(delivery_id=delivery_id)
            waits.append(outcome.retry_in)
            if outcome.retry_in:
                hook.refresh_from_db()
                assert hook.consecutive_failures == len([w for w in waits if w])
                # a copy of the task arriving early (a redelivery) does not jump the queue
                assert webhooks.webhook_attempt(delivery_id=delivery_id).retry_in is None
                clock.shift(outcome.retry_in)
    assert waits == [30, 60, None]  # base, then doubled; none after the success
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.status_code, row.error) == ("sent", 3, 200, "")
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0 and hook.active  # a success resets the count
    assert len(httpserver.log) == 3
    ids = {req.headers["X-Collab-Delivery"] for req, _ in httpserver.log}
    assert len(ids) == 1  # one delivery id across retries, so receivers can de-duplicate
    assert webhooks.backoff_seconds(20) == settings.WEBHOOK_BACKOFF_MAX_SECONDS


@pytest.fixture
def eager_retries(settings):
    """Eager Celery runs a ``self.retry`` inline (no wait) only when errors are not propagated, as a worker would;
    no backoff then, or the early-copy guard would (rightly) hold the retry back."""
    settings.WEBHOOK_BACKOFF_SECONDS = 0
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


def test_the_celery_task_retries_a_5xx_and_gives_up_at_once_on_a_4xx(
    httpserver, make_webhook, django_capture_on_commit_callbacks, eager_retries
):
    make_webhook(httpserver.url_for("/flaky"), name="Flaky")
    make_webhook(httpserver.url_for("/gone"), name="Gone")
    httpserver.expect_oneshot_request("/flaky").respond_with_data("", status=502)
    httpserver.expect_oneshot_request("/flaky").respond_with_data("", status=204)
    httpserver.expect_request("/gone").respond_with_data("no such hook", status=410)
    with django_capture_on_commit_callbacks(execute=True):  # the task is enqueued after commit (eager here)
        ids = webhooks.webhook_emit(event="snag.created", payload={"n": 1})
    assert len(ids) == 2
    flaky = WebhookDelivery.objects.get(webhook__name="Flaky")
    gone = WebhookDelivery.objects.get(webhook__name="Gone")
    assert (flaky.status, flaky.attempts, flaky.status_code) == ("sent", 2, 204)
    assert (gone.status, gone.attempts, gone.status_code) == ("failed", 1, 410)
    assert "HTTP 410" in gone.error
    assert sum(1 for req, _ in httpserver.log if req.path == "/gone") == 1
    assert deliver_webhook.delay(gone.pk).get() == "failed"  # a finished delivery is never sent again
    assert sum(1 for req, _ in httpserver.log if req.path == "/gone") == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_errors_give_up_after_the_last_attempt(
    make_webhook, settings, django_capture_on_commit_callbacks, eager_retries
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    make_webhook(f"http://127.0.0.1:{_closed_port()}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_emit(event="snag.created", payload={})
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.status_code) == ("failed", 3, None)
    assert row.error.startswith("Gave up after 3 attempts. ConnectionError")


def test_a_webhook_that_keeps_failing_is_switched_off(
    httpserver, make_webhook, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER = 3
    hook = make_webhook(httpserver.url_for("/hook"))
    httpserver.expect_request("/hook").respond_with_response(Response("bad", status=400))
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.webhook_emit(event="snag.created", payload={"n": n})
    hook.refresh_from_db()
    assert not hook.active and hook.consecutive_failures == 3
    assert "3 failed attempts" in hook.disabled_reason
    assert webhooks.webhook_emit(event="snag.created", payload={"n": 4}) == []
    assert len(httpserver.log) == 3
    # an admin switches it back on: the count starts again
    hook.active = True
    webhooks.webhook_save(webhook=hook)
    hook.refresh_from_db()
    assert hook.active and hook.consecutive_failures == 0 and hook.disabled_reason == ""


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://files.example.com/hook", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("https://", "host"),
        ("https://user:secret@hooks.example.com/x", "credentials"),
        ("https://collab.example.com/api/hook", "self"),  # SITE_URL
        ("https://COLLAB.example.com:443/", "self"),
        ("https://app.corp.example/hook", "self"),  # an ALLOWED_HOSTS domain pattern
        ("http://127.0.0.1:8443/hook", "self"),  # our own port on loopback
        ("http://localhost:8443/", "self"),
        ("http://[::1]:8443/", "self"),
        ("http://[::ffff:127.0.0.1]:8443/", "self"),  # IPv4-mapped: Python 3.11 calls it "not loopback"
        # the bypasses of a host-string check: loopback behind a name, wrapped, or on another port
        ("http://localtest.me:8443/", "loopback"),  # a public name that resolves to 127.0.0.1
        ("http://localtest.me:9000/", "loopback"),
        ("http://[::ffff:127.0.0.1]:9000/", "loopback"),
        ("http://[::ffff:7f00:1]:9000/", "loopback"),
        ("http://mapped.example.net/", "loopback"),  # a name whose AAAA record is ::ffff:127.0.0.1
        ("http://127.0.0.1:9000/relay", "loopback"),
        ("http://0.0.0.0:9000/", "loopback"),
        ("http://[::]:9000/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link_local"),  # cloud metadata
        ("http://metadata.example.net/", "link_local"),
        ("http://[fe80::1]/", "link_local"),
        ("http://[fd00:ec2::254]/", "link_local"),
        ("https://nxdomain.invalid/hook", "dns"),  # refused with a message, not a 500
    ],
)
def test_webhook_urls_must_be_http_and_not_point_at_collab(settings, url, code):
    settings.SITE_URL = "https://collab.example.com:8443"
    settings.ALLOWED_HOSTS = ["collab.example.com", ".corp.example", "localhost"]
    settings.WEBHOOK_ALLOW_LOOPBACK = False  # the production rules
    hook = Webhook(name="x", url=url, events=["snag.created"])
    with pytest.raises(ValidationError) as caught:
        hook.full_clean()
    errors = {e.code: e.messages[0] for e in caught.value.error_dict["url"]}  # Django's URLField may add its own
    assert code in errors, (url, errors)
    assert errors[code].startswith(URL_MESSAGES[code]), (url, errors)
    assert not Webhook.objects.exists()


URL_MESSAGES = {
    "scheme": "Use an http:// or https:// address.",
    "host": "The address needs a host name.",
    "credentials": "Leave passwords out of the address.",
    "self": "This address points at Collab itself; use the receiving system's address.",
    "loopback": "This address is this server itself (loopback); use the receiver's.",
    "link_local": "Link-local and cloud metadata addresses are not allowed.",
    "private": "Private network addresses are switched off here (WEBHOOK_ALLOW_PRIVATE).",
    "dns": "The host name 'nxdomain.invalid' could not be looked up (no such host).",
}


def test_private_receivers_are_fine_for_admins_and_loopback_only_with_the_test_setting(settings):
    settings.SITE_URL = "https://collab.example.com"
    settings.ALLOWED_HOSTS = ["collab.example.com"]
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    for url in ("https://hooks.example.org/collab", "http://10.1.2.3/in", "http://intranet.example.net/in"):
        Webhook(name="x", url=url, events=["snag.created"]).full_clean()  # internal receivers stay allowed

    def refusal(url):
        with pytest.raises(ValidationError) as caught:
            Webhook(name="x", url=url, events=["snag.created"]).full_clean()
        return caught.value.error_dict["url"][0].code

    assert refusal("http://127.0.0.1:9000/relay") == "loopback"
    # WEBHOOK_ALLOW_LOOPBACK (tests only, for pytest-httpserver): other loopback ports, never our own
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    Webhook(name="x", url="http://127.0.0.1:9000/relay", events=["snag.created"]).full_clean()
    settings.SITE_URL = "http://127.0.0.1:9000"
    assert refusal("http://localtest.me:9000/relay") == "loopback"
    assert refusal("http://169.254.169.254/") == "link_local"  # never, whatever the settings
    settings.WEBHOOK_ALLOW_PRIVATE = False
    assert refusal("http://10.1.2.3/in") == "private"
    assert refusal("http://intranet.example.net/in") == "private"
    Webhook(name="x", url="https://hooks.example.org/collab", events=["snag.created"]).full_clean()
    with pytest.raises(ValidationError):
        Webhook(name="x", url="https://hooks.example.org/", events=[]).full_clean()
    with pytest.raises(ValidationError):
        Webhook(name="x", url="https://hooks.example.org/", events=["nope"]).full_clean()


def test_admin_registers_a_webhook_and_sees_the_delivery_log(
    httpserver, admin_user, client_as, member, django_capture_on_commit_callbacks
):
    client = client_as(admin_user)
    inline = {"deliveries-TOTAL_FORMS": 0, "deliveries-INITIAL_FORMS": 0}
    bad = client.post(
        "/admin/notifications/webhook/add/",
        {"name": "Self", "url": "http://127.0.0.1:8000/x", "events": ["snag.created"], "active": "on", "secret": "s",
         **inline},
    )  # fmt: skip
    assert bad.status_code == 200 and "points at Collab itself" in bad.content.decode()
    assert "at least 24 characters" in bad.content.decode()  # a one-character secret signs nothing
    unresolvable = client.post(
        "/admin/notifications/webhook/add/",
        {"name": "Typo", "url": "https://hooks.nxdomain.invalid/x", "events": ["snag.created"], "active": "on",
         "secret": "x" * 24, **inline},
    )  # fmt: skip
    assert unresolvable.status_code == 200 and "could not be looked up" in unresolvable.content.decode()
    assert not Webhook.objects.exists()
    httpserver.expect_request("/hook").respond_with_data("ok")
    good = client.post(
        "/admin/notifications/webhook/add/",
        {
            "name": "Ops",
            "url": httpserver.url_for("/hook"),
            "events": ["snag.created", "review.locked"],
            "active": "on",
            "secret": "a-long-shared-secret-of-32-chars",
            **inline,
        },
    )
    assert good.status_code == 302, good.content.decode()[:2000]
    hook = Webhook.objects.get()
    assert hook.events == ["snag.created", "review.locked"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notifications/webhook/", {"action": "send_test", "_selected_action": [hook.pk]}, follow=True
        )
    assert "Test event queued" in response.content.decode()
    page = client.get(f"/admin/notifications/webhook/{hook.pk}/change/")
    assert page.status_code == 200 and "snag.created" in page.content.decode()
    assert WebhookDelivery.objects.get().status == "sent"
    assert client_as(member).get(f"/admin/notifications/webhook/{hook.pk}/change/").status_code == 302


def test_snag_answered_and_escalated_events(httpserver, make_webhook, member, cmo, cio, liaison, settings,
                                            django_capture_on_commit_callbacks):  # fmt: skip
    from datetime import timedelta

    make_webhook(httpserver.url_for("/hook"), events=["snag.answered", "snag.escalated"])
    httpserver.expect_request("/hook").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        first = snags.snag_create(raised_by=member, title="Critical one", impact="critical", now=T0)
        second = snags.snag_create(raised_by=member, title="Answered one", impact="critical", now=T0)
        snags.snag_transition(snag=second, by=cmo, to=SnagStatus.ANSWERED, note="Done it", now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        snags.snags_escalate(now=T0 + timedelta(days=5))
        snags.snags_escalate(now=T0 + timedelta(days=6))  # nothing new: no second event
    events = [json.loads(req.get_data()) for req, _ in httpserver.log]
    assert [e["event"] for e in events] == ["snag.answered", "snag.escalated"]
    assert events[0]["data"]["answer"] == "Done it" and events[0]["data"]["answered_by"] == "cmo"
    assert events[1]["data"]["snag"]["code"] == first.code and events[1]["data"]["level"] == 2


def test_the_readme_verification_snippet_accepts_our_signature(httpserver, make_webhook,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    snippet = readme.split("Verify it like this")[1].split("```python\n")[1].split("```")[0]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 - our own README
    check = namespace["collab_signature_ok"]
    hook = make_webhook(httpserver.url_for("/hook"))
    httpserver.expect_request("/hook").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_emit(event="snag.created", payload={"hello": "wörld"})
    request, _ = httpserver.log[0]
    assert check(hook.secret, dict(request.headers), request.get_data())
    assert not check("another-secret", dict(request.headers), request.get_data())
    assert not check(hook.secret, dict(request.headers), request.get_data() + b" ")


def test_the_sweeper_resends_lost_tasks_once_and_prunes_the_log(httpserver, make_webhook, settings):
    from datetime import timedelta

    from django.utils import timezone

    hook = make_webhook(httpserver.url_for("/hook"))
    httpserver.expect_request("/hook").respond_with_data("ok")
    lost = webhooks.webhook_emit(event="snag.created", payload={"n": 1})  # inside the test's transaction: no task
    assert WebhookDelivery.objects.get(pk=lost[0]).status == "pending" and httpserver.log == []
    later = timezone.now() + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        assert webhooks.webhooks_sweep()["requeued"] == 1
        assert webhooks.webhooks_sweep()["requeued"] == 0
    assert WebhookDelivery.objects.get(pk=lost[0]).status == "sent" and len(httpserver.log) == 1
    old = WebhookDelivery.objects.create(webhook=hook, uid="00000000-0000-0000-0000-000000000001",
                                         event="snag.created", payload={}, status="sent")  # fmt: skip
    WebhookDelivery.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    assert webhooks.webhooks_sweep()["pruned"] == 1
    assert WebhookDelivery.objects.count() == 1


def test_a_url_that_came_to_point_at_collab_is_not_called(make_webhook, settings, httpserver):
    hook = make_webhook(httpserver.url_for("/hook"))
    settings.SITE_URL = f"http://localhost:{httpserver.port}"  # the app moved onto that port
    (pk,) = webhooks.webhook_emit(event="snag.created", payload={})
    assert webhooks.webhook_attempt(delivery_id=pk).status == "failed"
    assert httpserver.log == [] and "Collab itself" in WebhookDelivery.objects.get(pk=pk).error
    del hook


def test_with_no_webhook_an_emit_costs_one_query_and_a_new_webhook_gets_the_next_event(
    make_webhook, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the indexed read of the active hooks; the payload is never built
        assert webhooks.webhook_emit(event="snag.created", payload=lambda: {"n": 1}) == []
    # saved the way another process would (no signal, no cache to clear): the next event finds it
    Webhook.objects.bulk_create([Webhook(name="New", url="https://hooks.example.com/in", events=["snag.created"])])
    assert len(webhooks.webhook_emit(event="snag.created", payload={"n": 2})) == 1
    Webhook.objects.filter(name="New").update(active=False)
    assert webhooks.webhook_emit(event="snag.created", payload={"n": 3}) == []
    Webhook.objects.filter(name="New").update(active=True)
    assert len(webhooks.webhook_emit(event="snag.created", payload={"n": 4})) == 1


def test_the_address_is_checked_again_at_send_time(make_webhook, httpserver, monkeypatch):
    from tests.integrations.conftest import FAKE_DNS

    hook = make_webhook("http://rebind.example.net/hook")  # a public address when it was saved
    monkeypatch.setitem(FAKE_DNS, "rebind.example.net", ["169.254.169.254"])  # then DNS points it at metadata
    (pk,) = webhooks.webhook_emit(event="snag.created", payload={})
    assert webhooks.webhook_attempt(delivery_id=pk).status == "failed"
    row = WebhookDelivery.objects.get(pk=pk)
    assert row.error == "The URL is refused: Link-local and cloud metadata addresses are not allowed."
    monkeypatch.setitem(FAKE_DNS, "rebind.example.net", [])  # a lookup that fails: retried later, not a crash
    hook.url = "http://gone.invalid/hook"
    Webhook.objects.filter(pk=hook.pk).update(url=hook.url)
    (pk,) = webhooks.webhook_emit(event="snag.created", payload={})
    outcome = webhooks.webhook_attempt(delivery_id=pk)
    assert outcome.status == "pending" and outcome.retry_in
    assert "could not be looked up" in WebhookDelivery.objects.get(pk=pk).error
    assert httpserver.log == []


def test_a_sweep_escalating_many_snags_logs_their_events_in_constant_queries(
    make_webhook, member, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_webhook("https://hooks.example.com/in", events=["snag.escalated"])

    def sweep(n: int, day: int) -> int:
        for i in range(n):
            snags.snag_create(raised_by=member, title=f"Stuck {day}-{i}", impact="critical", now=T0)
        with django_capture_on_commit_callbacks(execute=False) as hooks:
            snags.snags_escalate(now=T0 + timedelta(days=day))
        with CaptureQueriesContext(connection) as emitted:
            for callback in hooks:
                callback()
        return len(emitted)

    few, many = sweep(2, 5), sweep(12, 5)
    assert few == many  # one read of the snags and one insert, however many escalated
    assert WebhookDelivery.objects.filter(event="snag.escalated").count() == 14
