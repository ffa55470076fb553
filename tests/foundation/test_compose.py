"""No Docker engine runs here, so the compose file is checked by parsing it."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services_with_health_checks():
    services = _compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_web_runs_migrations_then_gunicorn_and_workers_run_celery():
    services = _compose()["services"]
    web = services["web"]["command"]
    assert "migrate" in web and web.index("migrate") < web.index("gunicorn")
    assert "collab.wsgi" in web
    assert services["worker"]["command"].startswith("celery -A collab worker")
    assert services["beat"]["command"].startswith("celery -A collab beat")


def test_app_services_get_their_settings_from_the_environment():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        for var in ("DJANGO_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST"):
            assert var in env, (name, var)
        assert env["DJANGO_ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_dockerfile_and_env_example_exist_and_list_the_variables():
    assert "gunicorn" in (ROOT / "Dockerfile").read_text()
    example = (ROOT / ".env.example").read_text()
    for var in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "EMAIL_HOST", "ALLOWED_HOSTS"):
        assert var in example
