"""One migrated Postgres database per test run, copied (``CREATE DATABASE … TEMPLATE``, a file copy of about a
second) wherever a run needs a migrated database: each pytest-xdist worker's test database, the reliability
tests' scratch databases and the browser tests' server. Migrating takes about 15 s of CPU each time, and a run
needed it four or five times over on two cores.

Who makes it: ``COLLAB_TEST_TEMPLATE`` names one already migrated (``.ci/run`` makes one and shares it with the
browser tests beside the suite); otherwise the pytest-xdist controller migrates one before it starts its workers
and drops it at the end. Nothing connects to the template but the ``migrate`` that fills it, so copies never
find it in use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_VAR = "COLLAB_TEST_TEMPLATE"


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def on_postgres() -> bool:
    return database_url().startswith("postgres")


def _base() -> str:
    return database_url().rsplit("/", 1)[0]


def _admin(*statements: str) -> None:
    """Run statements on the server's maintenance database (outside any transaction, as CREATE DATABASE needs)."""
    import psycopg

    with psycopg.connect(f"{_base()}/postgres", autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]  # our own fixed statements and names


def given() -> str | None:
    """The template this run shares, if one was made for it (by .ci/run or by the xdist controller)."""
    return os.environ.get(ENV_VAR) or None


def create(name: str) -> None:
    """A fresh database ``name`` with every migration applied from empty, by ``manage.py migrate`` in a process of
    its own (which exits, so no connection is left open on it)."""
    create_empty(name)
    env = {k: v for k, v in os.environ.items() if k not in ("COLLAB_TESTING", ENV_VAR)}
    env["DATABASE_URL"] = f"{_base()}/{name}"
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        drop(name)
        raise RuntimeError(
            f"migrating the test template {name} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )


def clone(template: str, name: str) -> None:
    """``name`` afresh as a copy of ``template``."""
    drop(name)
    for attempt in range(20):
        try:
            _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return
        except Exception as exc:  # another copy or a closing connection still on the template: wait a moment
            if "being accessed by other users" not in str(exc) or attempt == 19:
                raise
            time.sleep(0.5)


def create_empty(name: str) -> None:
    drop(name)
    _admin(f'CREATE DATABASE "{name}"')


def drop(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
