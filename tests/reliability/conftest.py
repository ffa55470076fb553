"""Reliability tests run against the real Postgres and Redis of CI (DATABASE_URL / REDIS_URL); each
uses scratch databases or a private Redis of its own so it cannot disturb the rest of the suite."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pgtemplate

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgres")
PG_BASE = PG_URL.rsplit("/", 1)[0] if ON_POSTGRES else ""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "reliability" in str(item.fspath):
            item.add_marker(pytest.mark.slow)
            if not ON_POSTGRES:
                item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://... (run by .ci/run)"))
    # first, so their waits (workers getting going, a restart, think time) overlap the rest of the suite on the
    # other worker instead of running alone at the end; tests/conftest.py's scheduler keeps them all on one worker
    # (they share the run's migrated template, and each loads the machine with its own workers, servers, beats)
    items.sort(key=lambda item: "reliability" not in str(item.fspath))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(*sql: str, db: str = "postgres") -> None:
    args = ["psql", f"{PG_BASE}/{db}", "-q", "-v", "ON_ERROR_STOP=1"]
    for statement in sql:
        args += ["-c", statement]
    subprocess.run(args, check=True, capture_output=True, text=True)


def app_env(db: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "COLLAB_TESTING"}
    env.update(DATABASE_URL=f"{PG_BASE}/{db}", COLLAB_TESTING="0", **extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[str]:
    """A database migrated from empty once for the whole run; each test that needs a migrated database gets a copy
    of it (CREATE DATABASE … TEMPLATE, a file copy) instead of paying about 15 s of migrations again. The run's
    shared template when there is one (tests/pgtemplate.py), else one of our own."""
    shared = pgtemplate.given()
    if shared:
        yield shared
        return
    name = f"collab_rel_template_{os.getpid()}"
    pgtemplate.create(name)
    yield name
    pgtemplate.drop(name)


@pytest.fixture
def migrated_db(request, migrated_template) -> Iterator[str]:
    """A scratch database with every migration applied, copied from the run's template."""
    name = f"collab_rel_{request.node.name[:20].lower().replace('[', '_').replace(']', '')}_{os.getpid()}"
    pgtemplate.clone(migrated_template, name)
    yield name
    pgtemplate.drop(name)


@pytest.fixture
def private_redis() -> Iterator[dict]:
    """A redis-server of our own on a free port, which a test may stop and start again."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    port = free_port()
    state: dict = {"port": port, "url": f"redis://127.0.0.1:{port}/0", "proc": None}

    def start() -> None:
        state["proc"] = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    def stop() -> None:
        if state["proc"]:
            state["proc"].kill()
            state["proc"].wait(10)
            state["proc"] = None

    state["start"], state["stop"] = start, stop
    start()
    yield state
    stop()


def _pg_bin(name: str) -> str | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    found = [str(v / name) for v in versions if (v / name).exists()]
    return found[0] if found else shutil.which(name)


@pytest.fixture
def private_postgres() -> Iterator[dict]:
    """A Postgres server of our own (initdb in a temporary folder, a free port), which a test may restart without
    touching the shared server the rest of the suite (and the browser tests beside it) are using."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("initdb / pg_ctl are not installed")
    home = Path(tempfile.mkdtemp(prefix="collab-pg-"))  # not under pytest's root-only folder: postgres must reach it
    data, port = home / "data", free_port()
    as_owner: list[str] = []
    if os.geteuid() == 0:  # Postgres refuses to run as root: the cluster belongs to the postgres user
        shutil.chown(home, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]

    def run(*args: str) -> None:
        subprocess.run([*as_owner, *args], check=True, capture_output=True, timeout=120)

    run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    state: dict = {"port": port, "base": f"postgres://postgres@127.0.0.1:{port}"}
    state["start"] = lambda: run(pg_ctl, "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start")
    # -l: the server must not inherit our captured stdout, or run() waits for it forever
    state["restart"] = lambda: run(
        pg_ctl, "-D", str(data), "-o", options, "-l", str(home / "log"), "-m", "fast", "-w", "restart"
    )
    state["start"]()
    try:
        yield state
    finally:
        subprocess.run([*as_owner, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def spawn(env: dict[str, str], *args: str, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
