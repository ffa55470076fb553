"""Chat is safe to offer every employee: webhook URLs only on the chat services' own hosts, hostile titles shown as
typed (no ``<!channel>`` pings, no markdown links), webhook URLs (credentials) kept out of errors and logs, and team
channels only for team matters the person has not switched off."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from django.core.exceptions import ValidationError

from collab.lib.urls import redact, validate_chat_webhook_url
from collab.notifications import services as engine
from collab.notifications.channels import slack_message, teams_message
from collab.notifications.models import ChatSetting, Delivery, Preference, TeamChannel
from tests.parkinglot.conftest import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_chat_rules(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    settings.CHAT_WEBHOOK_ALLOWED_HOSTS = [
        "slack=hooks.slack.com", "teams=.webhook.office.com", "teams=.logic.azure.com", "teams=.powerplatform.com",
    ]  # fmt: skip


@pytest.mark.parametrize(("service", "url"), [
    ("slack", "https://hooks.slack.com/services/T000/B000/XXXX"),
    ("teams", "https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/x/y"),
    ("teams", "https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"),
    ("teams", "https://default1234.ab.environment.api.powerplatform.com:443/powerautomate/automations/direct/x"),
])  # fmt: skip
def test_the_chat_services_own_webhook_hosts_are_accepted(production_chat_rules, service, url):
    validate_chat_webhook_url(url, service)


@pytest.mark.parametrize(("service", "url", "code"), [
    ("slack", "http://hooks.slack.com/services/T000/B000/XXXX", "scheme"),
    ("slack", "http://localtest.me:8000/", "scheme"),
    ("slack", "https://localtest.me:8000/", "chat_host"),  # resolves to 127.0.0.1
    ("slack", "https://[::ffff:127.0.0.1]:8000/", "chat_host"),
    ("slack", "https://127.0.0.1:9000/", "chat_host"),
    ("slack", "https://169.254.169.254/latest/meta-data/", "chat_host"),
    ("slack", "https://10.0.0.5/hook", "chat_host"),
    ("slack", "https://hooks.slack.com.evil.example/services/x", "chat_host"),
    ("slack", "https://evil.example/hooks.slack.com", "chat_host"),
    ("slack", "https://hooks.slack.com:x@evil.example/", "credentials"),
    ("slack", "https://acme.webhook.office.com/webhookb2/x", "chat_host"),  # Teams' host is not Slack's
    ("teams", "https://hooks.slack.com/services/x", "chat_host"),
    ("teams", "https://webhook.office.com.evil.example/x", "chat_host"),
])  # fmt: skip
def test_any_other_chat_url_is_refused_with_a_reason(production_chat_rules, service, url, code):
    with pytest.raises(ValidationError) as caught:
        validate_chat_webhook_url(url, service)
    assert caught.value.code == code, caught.value.messages
    if code == "chat_host":
        assert caught.value.messages[0].startswith(f"Use the webhook address {service.capitalize()} gave you")


def _delivery(title, body=""):
    return Delivery(title=title, body=body, link="/snags/PL-1/")


def test_a_hostile_title_pings_no_one_in_slack_and_stays_plain_in_teams():
    hostile = "<!channel> <@U0ADMIN> *free* <https://evil.example|click> & more"
    slack = slack_message(_delivery(hostile, "<!here> see [x](https://evil.example)"))
    escaped = "&lt;!channel&gt; &lt;@U0ADMIN&gt; *free* &lt;https://evil.example|click&gt; &amp; more"
    assert slack["text"] == f"{escaped} — http://127.0.0.1:8000/snags/PL-1/"
    section = slack["blocks"][0]["text"]["text"]
    assert section == f"*<http://127.0.0.1:8000/snags/PL-1/|{escaped}>*\n&lt;!here&gt; see [x](https://evil.example)"
    assert "<!" not in json.dumps(slack) and "<@" not in json.dumps(slack)

    teams = teams_message(_delivery("**Urgent** [login](https://evil.example) _now_", "# Pay\n1. here\n- `x`"))
    title, body = teams["attachments"][0]["content"]["body"]
    assert title["text"] == r"\*\*Urgent\*\* \[login\](https://evil.example) \_now\_"
    assert body["text"] == "\\# Pay\n\\1. here\n\\- \\`x\\`"


def test_redact_keeps_hosts_and_cuts_paths_queries_and_tokens():
    text = (
        "ConnectionError: HTTPSConnectionPool(host='hooks.slack.com', port=443): Max retries exceeded with url: "
        "/services/T0/B0/SECRETPATH?x=1 (Caused by NewConnectionError('refused')) "
        "see https://user:pw@hooks.slack.com/services/T0/B0/SECRETPATH and token xoxb-1-2-SECRETTOKEN"
    )
    clean = redact(text)
    assert "SECRET" not in clean and "pw@" not in clean
    assert "host='hooks.slack.com'" in clean and "https://hooks.slack.com/…" in clean and "url: /…" in clean


def test_a_failed_chat_post_keeps_the_webhook_path_out_of_the_row_and_the_logs(cmo, caplog):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret_url = f"http://localhost:{port}/services/T0/B0/SECRETPATH"
    ChatSetting.objects.create(user=cmo, slack_webhook_url=secret_url)
    engine.notify(kind="test", obj=cmo, recipient_ids=[cmo.pk], title="Hello", link="/", due_at=T0)
    row = Delivery.objects.get(channel="slack")
    with caplog.at_level(logging.INFO):
        engine.deliveries_send(ids=[row.pk], now=T0)
    row.refresh_from_db()
    assert row.status == "pending" and row.last_error.startswith("TransientError: ConnectionError")
    assert "SECRETPATH" not in row.last_error and "SECRETPATH" not in caplog.text
    assert "/services/" not in row.last_error


@pytest.fixture
def team_channel(httpserver, cmo):
    httpserver.expect_request("/team").respond_with_data("ok")
    return TeamChannel.objects.create(department=cmo.department, service="slack", url=httpserver.url_for("/team"))


def test_only_team_matters_reach_the_team_channel(team_channel, cmo, probe_kind):
    probe_kind.targets = [cmo]
    probe_kind.team_chat = False  # a personal kind (a digest, your own sign-off): never to the team
    engine.sweep(now=probe_kind.due_at)
    assert not Delivery.objects.filter(team_channel=team_channel).exists()
    assert Delivery.objects.filter(recipient=cmo, team_channel=None).exists()  # the person still hears of it
    engine.notify(kind="test", obj=cmo, recipient_ids=[cmo.pk], title="Hi", due_at=T0)  # test messages neither
    assert not Delivery.objects.filter(team_channel=team_channel).exists()
    from collab.notifications import registry

    team_kinds = {k.key for k in registry.all_kinds() if k.team_chat} - {"probe"}
    assert team_kinds == {"snag_escalation_1", "snag_escalation_2", "meeting_soon", "project_milestone_overdue"}


def test_a_person_who_turned_chat_off_for_a_kind_is_not_posted_about_in_the_team_channel(team_channel, cmo, probe_kind):
    probe_kind.targets = [cmo]  # probe is a team kind (tests/notifications/conftest.py)
    Preference.objects.create(user=cmo, kind="probe", in_app=True, email=False, chat=False)
    engine.sweep(now=probe_kind.due_at)
    assert not Delivery.objects.filter(team_channel=team_channel).exists()
    Preference.objects.filter(user=cmo).update(chat=True)
    engine.sweep(now=probe_kind.due_at)
    assert Delivery.objects.filter(team_channel=team_channel).count() == 1
