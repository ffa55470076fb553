"""Security events go to the ``collab.security`` logger as structured records."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("collab.security")


def _ip(request: Any) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log.info("login", extra={"event": "login", "user": user.username, "ip": _ip(request)})


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log.info("logout", extra={"event": "logout", "user": getattr(user, "username", ""), "ip": _ip(request)})


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    log.warning(
        "login failed",
        extra={"event": "login_failed", "user": credentials.get("username", ""), "ip": _ip(request)},
    )
