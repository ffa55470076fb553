from __future__ import annotations

import pytest
from django.test import Client

from collab import health


@pytest.mark.django_db
def test_healthz_reports_database_broker_and_last_sweep():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert "last_sweep_at" in body


@pytest.mark.django_db
def test_healthz_is_200_with_the_broker_down(monkeypatch):
    def down() -> bool:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(health, "_broker_probe", down)
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "down"
    assert response.json()["status"] == "degraded"


@pytest.mark.django_db
def test_healthz_never_hangs_on_a_stuck_broker(monkeypatch):
    import threading
    import time

    released = threading.Event()

    def stuck() -> bool:
        released.wait(30)  # a broker that never answers, until the test lets go of it
        return True

    monkeypatch.setattr(health, "_broker_probe", stuck)
    started = time.monotonic()
    try:
        assert health.broker_ok(timeout=0.5) is False
        assert time.monotonic() - started < 5
    finally:
        released.set()


@pytest.mark.django_db
def test_healthz_shows_the_last_sweep():
    from collab.notifications.services import sweep

    sweep()
    assert Client().get("/healthz").json()["last_sweep_at"] is not None


@pytest.mark.django_db
def test_unreachable_redis_is_reported_down_quickly(settings):
    """A real probe against a closed port: down, and within the timeout."""
    import time

    from collab.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        started = time.monotonic()
        assert health.broker_ok(timeout=3) is False
        assert time.monotonic() - started < 5
    finally:
        app.conf.broker_url = old
