"""Slack through a bot token (slack-sdk) against a local Slack-shaped API (pytest-httpserver): a team channel by
channel id and a person's direct message by member id; HTTP 5xx is retried by the engine, ``ok: false`` gives up;
the token is in no error and no log."""

from __future__ import annotations

import json
import logging

import pytest

from collab.notifications import services as engine
from collab.notifications.models import ChatSetting, Delivery, TeamChannel
from tests.parkinglot.conftest import T0

pytestmark = pytest.mark.django_db

TOKEN = "xoxb-1234-5678-TOPSECRETTOKEN"
POST = "/api/chat.postMessage"


@pytest.fixture
def slack_api(httpserver, settings):
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_BASE_URL = httpserver.url_for("/api/")
    return httpserver


def _calls(httpserver):
    return [(req, json.loads(req.get_data())) for req, _ in httpserver.log if req.path == POST]


def _notify(person, title="Checkout <!channel> down", kind="test"):
    engine.notify(kind=kind, obj=person, recipient_ids=[person.pk], title=title, link="/snags/", due_at=T0)


def test_a_person_gets_a_direct_message_from_the_bot(slack_api, cmo, caplog):
    slack_api.expect_request(POST, method="POST").respond_with_json({"ok": True, "channel": "D1", "ts": "1.2"})
    ChatSetting.objects.create(user=cmo, slack_member_id="U012AB3CDE")
    _notify(cmo)
    row = Delivery.objects.get(channel="slack_bot")
    assert engine.deliveries_send(ids=[row.pk], now=T0) == {"sent": 1}
    ((request, body),) = _calls(slack_api)
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert body["channel"] == "U012AB3CDE"  # chat.postMessage to a member id opens the bot's DM with them
    url = "http://127.0.0.1:8000/snags/"
    assert body["text"] == f"Checkout &lt;!channel&gt; down — {url}"
    assert body["blocks"][0]["text"] == {"type": "mrkdwn", "text": f"*<{url}|Checkout &lt;!channel&gt; down>*"}
    assert body["blocks"][1]["elements"][0]["url"] == url
    assert "<!channel>" not in json.dumps(body)


def test_no_token_means_no_bot_deliveries_for_people(settings, cmo):
    settings.SLACK_BOT_TOKEN = ""
    ChatSetting.objects.create(user=cmo, slack_member_id="U012AB3CDE")
    _notify(cmo)
    assert not Delivery.objects.filter(channel="slack_bot").exists()


def test_a_team_channel_through_the_bot_retries_a_500_then_sends(slack_api, cmo, probe_kind):
    slack_api.expect_ordered_request(POST).respond_with_data("upstream broke", status=500)
    slack_api.expect_ordered_request(POST).respond_with_json({"ok": True, "channel": "C0123ABCD", "ts": "1.3"})
    channel = TeamChannel(department=cmo.department, service="slack_bot", channel_id="C0123ABCD", name="#mkt")
    channel.full_clean()
    channel.save()
    probe_kind.targets = [cmo]
    engine.sweep(now=probe_kind.due_at)
    row = Delivery.objects.get(team_channel=channel)
    engine.deliveries_send(ids=[row.pk], now=probe_kind.due_at)
    row.refresh_from_db()
    assert row.status == "pending" and row.last_error == "TransientError: Slack API: HTTP 500"
    engine.deliveries_send(ids=[row.pk], now=row.next_attempt_at)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert [body["channel"] for _, body in _calls(slack_api)] == ["C0123ABCD", "C0123ABCD"]


@pytest.mark.parametrize(("answer", "status", "expected"), [
    ({"ok": False, "error": "channel_not_found"}, 200, ("skipped", "Slack API: HTTP 200, channel_not_found")),
    ({"ok": False, "error": "invalid_auth"}, 200, ("skipped", "Slack API: HTTP 200, invalid_auth")),
    ({"ok": False, "error": "ratelimited"}, 429, ("pending", "TransientError: Slack API: HTTP 429, ratelimited")),
])  # fmt: skip
def test_slack_errors_give_up_or_retry_and_never_show_the_token(slack_api, cmo, caplog, answer, status, expected):
    slack_api.expect_request(POST).respond_with_json(answer, status=status)
    ChatSetting.objects.create(user=cmo, slack_member_id="U012AB3CDE")
    _notify(cmo)
    row = Delivery.objects.get(channel="slack_bot")
    with caplog.at_level(logging.DEBUG):
        engine.deliveries_send(ids=[row.pk], now=T0)
    row.refresh_from_db()
    assert (row.status, row.last_error) == expected
    assert len(_calls(slack_api)) == 1
    assert "TOPSECRET" not in caplog.text and "TOPSECRET" not in row.last_error


def test_an_unreachable_slack_api_is_retried(settings, cmo):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_BASE_URL = f"http://127.0.0.1:{port}/api/"
    ChatSetting.objects.create(user=cmo, slack_member_id="U012AB3CDE")
    _notify(cmo)
    row = Delivery.objects.get(channel="slack_bot")
    engine.deliveries_send(ids=[row.pk], now=T0)
    row.refresh_from_db()
    assert row.status == "pending" and row.last_error.startswith("TransientError: Slack API unreachable")
    assert "TOPSECRET" not in row.last_error


def test_a_bot_team_channel_needs_a_channel_id_and_a_webhook_one_an_allowed_url(cmo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        TeamChannel(department="it", service="slack_bot").full_clean()
    assert "channel_id" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        TeamChannel(department="it", service="slack_bot", channel_id="#general").full_clean()
    assert caught.value.message_dict["channel_id"] == [
        "A Slack channel id looks like C012AB3CDE (the channel's details, at the bottom)."
    ]
    with pytest.raises(ValidationError) as caught:
        TeamChannel(department="it", service="teams", url="https://hooks.slack.com/services/x").full_clean()
    assert "its host must be one of" in caught.value.message_dict["url"][0]
    TeamChannel(department="it", service="teams", url="https://acme.webhook.office.com/webhookb2/x").full_clean()
