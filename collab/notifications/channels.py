"""Channels: how one delivery reaches a person. Each returns normally when sent, raises
``TransientError`` (retry later) or ``PermanentError`` (give up now)."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from collab.lib.time import format_local

if TYPE_CHECKING:
    from collab.notifications.models import Delivery


class TransientError(Exception):
    """Try again later (SMTP down, a timeout)."""


class PermanentError(Exception):
    """Retrying cannot help (no address)."""


def absolute(link: str) -> str:
    if not link:
        return settings.SITE_URL + "/"
    return link if link.startswith(("http://", "https://")) else settings.SITE_URL + link


def email_context(delivery: Delivery, items: list[Delivery] | None = None) -> dict[str, object]:
    tz = delivery.recipient.time_zone
    return {
        "delivery": delivery,
        "recipient": delivery.recipient,
        "url": absolute(delivery.link),
        "when": format_local(delivery.event_at, tz) if delivery.event_at else "",
        "items": [
            {
                "title": d.title,
                "body": d.body,
                "url": absolute(d.link),
                "when": format_local(d.event_at, tz) if d.event_at else "",
            }
            for d in (items or [])
        ],
        "settings_url": absolute("/settings/notifications/"),
    }


def send_email_message(delivery: Delivery, items: list[Delivery] | None = None) -> None:
    address = delivery.recipient.email
    if not address:
        raise PermanentError("The recipient has no email address.")
    context = email_context(delivery, items)
    text = render_to_string("notifications/email.txt", context)
    html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(
        subject=f"[Collab] {delivery.title}", body=text, to=[address], from_email=settings.DEFAULT_FROM_EMAIL
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


CHANNELS: dict[str, Callable[[Delivery], None]] = {"in_app": send_in_app, "email": send_email}
