"""Channels: how one delivery reaches a person. Each returns normally when sent, raises
``TransientError`` (retry later) or ``PermanentError`` (give up now)."""

from __future__ import annotations

import json
import re
import smtplib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from collab.lib import http
from collab.lib.time import format_local
from collab.lib.urls import DestinationError, absolute_url, redact

if TYPE_CHECKING:
    from collab.notifications.models import Delivery


class TransientError(Exception):
    """Try again later (SMTP down, a timeout)."""


class PermanentError(Exception):
    """Retrying cannot help (no address)."""


def email_context(delivery: Delivery, items: list[Delivery] | None = None) -> dict[str, object]:
    tz = delivery.recipient.time_zone
    return {
        "delivery": delivery,
        "recipient": delivery.recipient,
        "url": absolute_url(delivery.link),
        "when": format_local(delivery.event_at, tz) if delivery.event_at else "",
        "items": [
            {
                "title": d.title,
                "body": d.body,
                "url": absolute_url(d.link),
                "when": format_local(d.event_at, tz) if d.event_at else "",
            }
            for d in (items or [])
        ],
        "settings_url": absolute_url("/settings/notifications/"),
    }


def message_id(delivery: Delivery) -> str:
    """One Message-ID per delivery, the same on every attempt. A worker killed between handing a message to the
    mail server and marking its row sent leaves that one message in doubt; the retry then carries the same
    Message-ID (RFC 5322 3.6.4), so systems that de-duplicate by it (Gmail does) show the message once."""
    host = urlsplit(settings.SITE_URL).hostname or "collab.invalid"
    return f"<delivery-{delivery.pk}@{host}>"


def send_email_message(delivery: Delivery, items: list[Delivery] | None = None) -> None:
    address = delivery.recipient.email
    if not address:
        raise PermanentError("The recipient has no email address.")
    context = email_context(delivery, items)
    text = render_to_string("notifications/email.txt", context)
    html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(
        subject=f"[Collab] {delivery.title}",
        body=text,
        to=[address],
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers={"Message-ID": message_id(delivery)},
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError, TimeoutError) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc


def send_in_app(delivery: Delivery) -> None:
    from collab.notifications.models import Notification

    # one query; the unique delivery link makes a repeat (a re-queued row) a no-op
    Notification.objects.bulk_create(
        [
            Notification(
                delivery=delivery,
                user_id=delivery.recipient_id,
                kind=delivery.kind,
                title=delivery.title,
                body=delivery.body,
                link=delivery.link,
                event_at=delivery.event_at,
            )
        ],
        ignore_conflicts=True,
    )


def send_email(delivery: Delivery) -> None:
    send_email_message(delivery)


# --- chat: Slack and Microsoft Teams incoming webhooks, Slack through a bot token ---------------
def chat_destination(delivery: Delivery) -> str:
    """The team channel's webhook URL or Slack channel id, or the person's own for this service."""
    if delivery.team_channel_id:
        channel = delivery.team_channel
        if channel is None or not channel.active:
            raise PermanentError("The team channel is switched off.")
        if not channel.destination:
            raise PermanentError("The team channel has no address.")
        return channel.destination
    setting = getattr(delivery.recipient, "chat_setting", None)
    where = setting.destinations().get(delivery.channel, "") if setting else ""
    if not where:
        raise PermanentError(f"No {delivery.get_channel_display()} destination is set.")
    return where


def _post_chat(delivery: Delivery, message: dict[str, Any]) -> None:
    """POST a chat message to the delivery's webhook and sort the outcome into sent, retry later or give up.
    The URL is a credential: no error text carries it (``http.describe_error``)."""
    try:
        status, body = http.post(
            chat_destination(delivery),
            body=json.dumps(message).encode(),
            headers={"Content-Type": "application/json"},
            timeout=settings.CHAT_TIMEOUT_SECONDS,
        )
    except DestinationError as exc:  # the address points at Collab itself, loopback, metadata …
        raise PermanentError(str(exc)) from exc
    except requests.RequestException as exc:
        raise TransientError(http.describe_error(exc)) from exc
    if 200 <= status < 300:
        return
    detail = redact(f"HTTP {status}: {body[:200]}")
    if http.is_transient(status):
        raise TransientError(detail)
    raise PermanentError(detail)  # 4xx: a revoked or wrong webhook; retrying cannot help


def slack_escape(text: str) -> str:
    """Slack's three control characters (api.slack.com "Escaping text"): with them escaped, a title such as
    ``<!channel>`` or ``<https://evil|click>`` is shown as typed instead of pinging a channel or making a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# what Teams' Adaptive Card markdown (TextBlock) acts on: emphasis, links and code anywhere; headings, quotes and
# lists at the start of a line
_TEAMS_INLINE = re.compile(r"([\\`*_~\[\]])")
_TEAMS_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+\.)", re.MULTILINE)


def teams_escape(text: str) -> str:
    """User text as literal text in a TextBlock: a backslash before each markdown character, so ``**x**``,
    ``[click](https://evil)`` or a leading ``1.`` stay as typed."""
    text = _TEAMS_INLINE.sub(r"\\\1", text)
    return _TEAMS_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def slack_message(delivery: Delivery) -> dict[str, Any]:
    """Only what the bell shows (title, body, a link back): never tokens or private feed URLs. User text is
    escaped in the notification ``text`` and in the mrkdwn block alike."""
    url = absolute_url(delivery.link)
    title, body = slack_escape(delivery.title), slack_escape(delivery.body[:1500])
    text = f"*<{url}|{title}>*" + (f"\n{body}" if body else "")
    return {
        "text": f"{title} — {url}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open in Collab"}, "url": url}],
            },
        ],
    }


def teams_message(delivery: Delivery) -> dict[str, Any]:
    """An Adaptive Card in the envelope Teams incoming webhooks (and Workflows) accept."""
    url = absolute_url(delivery.link)
    body: list[dict[str, object]] = [
        {"type": "TextBlock", "text": teams_escape(delivery.title), "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    if delivery.body:
        body.append({"type": "TextBlock", "text": teams_escape(delivery.body[:1500]), "wrap": True})
    return {
        "type": "message",
        "summary": delivery.title,
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                    "actions": [{"type": "Action.OpenUrl", "title": "Open in Collab", "url": url}],
                },
            }
        ],
    }


def send_slack(delivery: Delivery) -> None:
    _post_chat(delivery, slack_message(delivery))


def send_teams(delivery: Delivery) -> None:
    _post_chat(delivery, teams_message(delivery))


#: Slack API errors that mean "later"; every other ``ok: false`` (channel_not_found, invalid_auth,
#: not_in_channel, account_inactive …) means retrying cannot help
SLACK_TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                                    "request_timeout"})  # fmt: skip


def slack_client() -> WebClient:
    """The bot's client. No retry handlers of its own: the engine's backoff retries (one policy, in the row)."""
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_BASE_URL,
        timeout=max(int(settings.CHAT_TIMEOUT_SECONDS), 1),
        retry_handlers=[],
    )


def send_slack_bot(delivery: Delivery) -> None:
    """``chat.postMessage`` with the bot token to a channel id (a team channel) or a member id (a direct message).
    HTTP 5xx / 429 / network trouble → retry later; ``ok: false`` → give up with Slack's error code. The token is
    in no error text (only the status and Slack's error code are kept)."""
    if not settings.SLACK_BOT_TOKEN:
        raise PermanentError("No Slack bot token is configured (SLACK_BOT_TOKEN).")
    message = slack_message(delivery)
    try:
        slack_client().chat_postMessage(
            channel=chat_destination(delivery), text=message["text"], blocks=message["blocks"], unfurl_links=False
        )
    except SlackApiError as exc:
        status = int(getattr(exc.response, "status_code", 0) or 0)
        data = getattr(exc.response, "data", None)
        code = str(data.get("error", "")) if isinstance(data, dict) else ""
        code = code if re.fullmatch(r"[a-z_]{1,60}", code) else ""  # Slack's codes; never an echo of the request
        detail = f"Slack API: HTTP {status}" + (f", {code}" if code else "")
        if http.is_transient(status) or code in SLACK_TRANSIENT_ERRORS:
            raise TransientError(detail) from None
        raise PermanentError(detail) from None
    except (SlackClientError, OSError, ValueError) as exc:  # network trouble, a timeout, an unreadable answer
        raise TransientError(f"Slack API unreachable: {type(exc).__name__}") from None


CHANNELS: dict[str, Callable[[Delivery], None]] = {
    "in_app": send_in_app,
    "email": send_email,
    "slack": send_slack,
    "slack_bot": send_slack_bot,
    "teams": send_teams,
}
