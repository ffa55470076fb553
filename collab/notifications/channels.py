"""Channels: how one delivery reaches a person. Each returns normally when sent, raises
``TransientError`` (retry later) or ``PermanentError`` (give up now)."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from collab.lib import http
from collab.lib.time import format_local
from collab.lib.urls import absolute_url

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


# --- chat: Slack and Microsoft Teams incoming webhooks ---------------------------------------
def chat_url(delivery: Delivery) -> str:
    """The team channel's URL, or the person's own for this service."""
    if delivery.team_channel_id:
        channel = delivery.team_channel
        if channel is None or not channel.active:
            raise PermanentError("The team channel is switched off.")
        return channel.url
    setting = getattr(delivery.recipient, "chat_setting", None)
    url = setting.urls().get(delivery.channel, "") if setting else ""
    if not url:
        raise PermanentError(f"No {delivery.get_channel_display()} webhook is set.")
    return url


def _post_chat(delivery: Delivery, message: dict[str, Any]) -> None:
    """POST a chat message to the delivery's webhook and sort the outcome into sent, retry later or give up."""
    try:
        status, body = http.post(
            chat_url(delivery),
            body=json.dumps(message).encode(),
            headers={"Content-Type": "application/json"},
            timeout=settings.CHAT_TIMEOUT_SECONDS,
        )
    except ValueError as exc:  # the address points at Collab itself
        raise PermanentError(str(exc)) from exc
    except requests.RequestException as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    if 200 <= status < 300:
        return
    detail = f"HTTP {status}: {body[:200]}"
    if http.is_transient(status):
        raise TransientError(detail)
    raise PermanentError(detail)  # 4xx: a revoked or wrong webhook; retrying cannot help


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(delivery: Delivery) -> dict[str, object]:
    """Only what the bell shows (title, body, a link back): never tokens or private feed URLs."""
    url = absolute_url(delivery.link)
    title, body = _slack_escape(delivery.title), _slack_escape(delivery.body[:1500])
    text = f"*<{url}|{title}>*" + (f"\n{body}" if body else "")
    return {
        "text": f"{delivery.title} — {url}",
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
        {"type": "TextBlock", "text": delivery.title, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    if delivery.body:
        body.append({"type": "TextBlock", "text": delivery.body[:1500], "wrap": True})
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


CHANNELS: dict[str, Callable[[Delivery], None]] = {
    "in_app": send_in_app,
    "email": send_email,
    "slack": send_slack,
    "teams": send_teams,
}
