"""Settings read from the environment: the embedded default, Postgres/Redis, and production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'broker': s.CELERY_BROKER_URL, "
    "'email': s.EMAIL_BACKEND, 'debug': s.DEBUG, 'cache': s.CACHES['default']['BACKEND'], "
    "'opts': {k: str(v) for k, v in s.DATABASES['default'].get('OPTIONS', {}).items()}}))"
)
VARS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_ENV", "DEBUG", "ALLOWED_HOSTS", "COLLAB_TESTING")


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in VARS}
    clean.update({"DJANGO_SETTINGS_MODULE": "collab.settings", "COLLAB_TESTING": "0", **env})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def _settings(**env: str) -> dict:
    result = _run(PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_environment_gives_the_embedded_set_up():
    s = _settings()
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["broker"] == "filesystem://"
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["debug"] is True
    # shared by web, worker and beat: WAL, busy timeout, IMMEDIATE transactions
    assert s["opts"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in s["opts"]["init_command"]


def test_empty_database_and_redis_urls_mean_the_embedded_set_up():
    s = _settings(DATABASE_URL="", REDIS_URL="")
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["broker"] == "filesystem://"


def test_database_and_redis_urls_switch_to_postgres_and_redis():
    s = _settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/collab", REDIS_URL="redis://127.0.0.1:6379/0")
    assert s["db"] == "django.db.backends.postgresql"
    assert s["broker"] == "redis://127.0.0.1:6379/0"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_production_refuses_to_start_without_secret_key():
    result = _run(PROBE, DJANGO_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_turns_debug_off():
    s = _settings(DJANGO_ENV="production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="collab.example.com")
    assert s["debug"] is False


@pytest.mark.django_db
def test_check_deploy_is_clean_in_production():
    env = {k: v for k, v in os.environ.items() if k not in VARS}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="k8Jd2-pQz9!vL3xR7mN0bW5tY1uE6oA4sG8hF2jK9lZ3cV7bN1mQ",
        ALLOWED_HOSTS="collab.example.com",
        COLLAB_TESTING="0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
