"""Browser tests: Debian's chromium driven by Playwright against a real server with the demo data.

One server per session: a subprocess runs ``migrate`` and ``seed_demo`` on a database of its own (a SQLite
file, or ``collab_e2e`` — ``COLLAB_E2E_DATABASE`` names another — on the Postgres server when DATABASE_URL
points at Postgres; a copy of the run's migrated template when there is one, tests/pgtemplate.py), then serves
it with Django's server on a free localhost port. Reminders run inline (eager Celery) so a journey can sweep with
``manage.py send_reminders``. Journeys create their own uniquely named rows, so they do not depend on order.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pgtemplate

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "e2e-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe-4.11.4.min.js"
# the server's own database on the Postgres of DATABASE_URL (dropped and made afresh each session)
E2E_DATABASE = os.environ.get("COLLAB_E2E_DATABASE", "collab_e2e")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None  # type: ignore[assignment]


def pytest_collection_modifyitems(config, items):
    reason = None
    if sync_playwright is None:
        reason = "playwright is not installed (pip install -e '.[dev]')"
    elif not Path(CHROMIUM).exists():
        reason = f"chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)"
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_env(tmp_path_factory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLLAB_TESTING",)}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base = url.rsplit("/", 1)[0]
        name = E2E_DATABASE
        if _from_template():
            pgtemplate.clone(pgtemplate.given() or "", name)  # already migrated: a copy of the run's template
        else:
            pgtemplate.create_empty(name)  # migrated below
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite3'}"
    env.update(
        COLLAB_TESTING="0",
        DEBUG="true",
        CELERY_TASK_ALWAYS_EAGER="true",
        AXES_FAILURE_LIMIT="50",
        COLLAB_RUN_DIR=str(tmp_path_factory.mktemp("run")),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    env.pop("REDIS_URL", None)
    return env


def _from_template() -> bool:
    """On Postgres with a run template (tests/pgtemplate.py), the server's database is a copy of it."""
    return pgtemplate.on_postgres() and pgtemplate.given() is not None


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def base_url(server_env) -> Iterator[str]:
    if not _from_template():
        manage(server_env, "migrate", "--noinput", "-v0")
    manage(server_env, "seed_demo")
    port = _free_port()
    log = open(ARTIFACTS.parent / ".run-e2e-server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)  # noqa: S310 - our own localhost server
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("the e2e server did not start; see .run-e2e-server.log")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def _signed_in() -> dict[str, dict]:
    """Each demo user's cookies after their first sign-in of the run, so later pages start signed in (one request
    instead of the login form's three); a session that has since ended (a test logged out) signs in again."""
    return {}


@pytest.fixture
def login(browser, base_url, _signed_in):
    """``login("cmo")`` → a Page signed in as that demo user (desktop size unless told), on the dashboard."""
    pages: list[Page] = []

    def _login(username: str, *, width: int = 1280, height: int = 900, javascript: bool = True) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            base_url=base_url,
            storage_state=_signed_in.get(username),
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.console_errors = errors  # type: ignore[attr-defined]
        pages.append(page)
        if username in _signed_in:
            page.goto("/")
            if page.url == f"{base_url}/":
                return page
            context.clear_cookies()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base_url}/")
        _signed_in[username] = context.storage_state()
        return page

    yield _login
    for page in pages:
        page.context.close()


def run_axe(page: Page) -> list[dict]:
    """axe-core's WCAG 2.x A/AA violations on the current page."""
    # evaluate() runs through the DevTools protocol, so the app's strict CSP stays on for the page itself
    page.evaluate(AXE.read_text() + "\n;0")
    # resultTypes: only the violations are read, so axe skips collecting every passing node (the same rules run
    # and find the same violations; passes and inapplicable keep one node a rule)
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}, resultTypes: ['violations']})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5], "help": v["help"]}
        for v in result["violations"]
    ]


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in e2e-artifacts/ for people to look at; CI, where nobody looks, sets
    COLLAB_E2E_SCREENSHOTS=0 and saves the time (a full page of the register is a large image)."""
    path = ARTIFACTS / f"{name}.png"
    if os.environ.get("COLLAB_E2E_SCREENSHOTS", "1") == "0":
        return path
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"))


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists()
