"""Health of the parts the app needs: the database, the broker and the beat sweep."""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection

log = logging.getLogger("collab.health")


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        log.warning("database health check failed", exc_info=True)
        return False


def _broker_probe() -> bool:
    from collab.celery import app

    if app.conf.broker_url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        os.makedirs(str(folder), exist_ok=True)
        return os.access(str(folder), os.W_OK)
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        return True


def broker_ok(timeout: float = 2.0) -> bool:
    """Never hangs: the probe runs in a daemon thread and is abandoned after ``timeout`` seconds."""
    result: dict[str, bool] = {}

    def run() -> None:
        try:
            result["ok"] = _broker_probe()
        except Exception as exc:
            log.warning("broker health check failed", extra={"error": repr(exc)})
            result["ok"] = False

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    return result.get("ok", False)


def report(last_sweep_at: datetime | None) -> dict[str, Any]:
    db = database_ok()
    broker = broker_ok()
    return {
        "status": "ok" if db and broker else ("degraded" if db else "down"),
        "database": "ok" if db else "down",
        "broker": "ok" if broker else "down",
        "last_sweep_at": last_sweep_at.isoformat() if last_sweep_at else None,
    }
