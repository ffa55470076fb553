"""A worker killed with kill -9 mid-batch, two beats at once, and the broker down for a while."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

from tests.reliability.conftest import app_env, manage, spawn, stop

WORKER = [
    "-m",
    "celery",
    "-A",
    "collab",
    "worker",
    "--pool=solo",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
    "--loglevel=WARNING",
]


def _shell(env, code: str) -> str:
    return manage(env, "shell", "-c", code)


def _counts(env) -> dict:
    out = _shell(env, "from tests.reliability.scripts import counts; counts()")
    return json.loads(out.strip().splitlines()[-1])


def _sent(env) -> int:
    """Sent rows, read straight from Postgres: polling through ``manage.py shell`` takes seconds under load,
    long enough for a fast worker to finish the run between two looks."""
    out = subprocess.run(
        [
            "psql",
            env["DATABASE_URL"],
            "-tAc",
            "SELECT count(*) FROM notifications_delivery WHERE kind = 'test' AND status = 'sent'",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip())


def _last_sweep(env) -> float:
    """When the reminders sweep last ran (its heartbeat), in seconds since the epoch; 0 before the first."""
    out = subprocess.run(
        [
            "psql",
            env["DATABASE_URL"],
            "-tAc",
            "SELECT coalesce(max(extract(epoch FROM \"at\")), 0) FROM notifications_heartbeat WHERE name = 'reminders-sweep'",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


def _emails(folder: Path) -> list[tuple[str, str]]:
    """(recipient, Message-ID) of every email the file backend wrote, one entry per message handed over."""
    found: list[tuple[str, str]] = []
    for path in folder.glob("*.log"):
        for message in path.read_text().split("-" * 79):
            to = re.search(r"^To: (\S+)$", message, flags=re.MULTILINE)
            mid = re.search(r"^Message-ID: (\S+)$", message, flags=re.MULTILINE)
            if to:
                found.append((to.group(1), mid.group(1) if mid else ""))
    return found


def _mailbox_duplicates(emails: list[tuple[str, str]]) -> tuple[int, int]:
    """(duplicates a mailbox shows, re-sends it drops). A re-send of the one message a kill left in doubt
    carries the same Message-ID, which mail systems drop; two different Message-IDs to one person are a
    real duplicate."""
    ids_per_person: dict[str, set[str]] = {}
    for to, mid in emails:
        assert mid, "every reminder email carries a Message-ID"
        ids_per_person.setdefault(to, set()).add(mid)
    shown = sum(len(ids) - 1 for ids in ids_per_person.values())
    dropped = len(emails) - sum(len(ids) for ids in ids_per_person.values())
    return shown, dropped


def _wait(pred, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.5)
    return pred()


def test_worker_killed_three_times_during_1000_deliveries_loses_and_repeats_nothing(
    migrated_db, private_redis, tmp_path
):
    mails = tmp_path / "mail"
    mails.mkdir()
    env = app_env(
        migrated_db,
        REDIS_URL=private_redis["url"],
        EMAIL_BACKEND="tests.reliability.slow_mail.EmailBackend",  # 20 ms a message: 500 take 10 s or more
        EMAIL_FILE_PATH=str(mails),
        REMINDER_SENDING_TIMEOUT_SECONDS="5",  # well above one send under load: a live send is never re-queued
        COLLAB_RUN_DIR=str(tmp_path / "run"),
    )
    _shell(env, "from tests.reliability.scripts import make_deliveries; make_deliveries(500)")
    _shell(env, "from tests.reliability.scripts import enqueue_pending; enqueue_pending()")
    kills = 0
    for _ in range(3):
        before = _sent(env)
        worker = spawn(env, *WORKER, log=tmp_path / f"worker{kills}.log")
        try:
            # let it get going, then kill it mid-batch without warning
            progressed = _wait(lambda b=before: _sent(env) > b + 20, 180)  # generous: CI runs the browser
            log = (tmp_path / f"worker{kills}.log").read_text()[-3000:]  # tests beside this on two cores
            assert progressed, f"worker made no progress: {_counts(env)}\n{log}"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        kills += 1
    assert _sent(env) < 1000, "the kills should have interrupted the run"
    # recovery: a new worker; the periodic jobs re-queue stuck rows and hand out what is pending
    worker = spawn(env, *WORKER, log=tmp_path / "worker-final.log")

    def caught_up() -> bool:
        # what the periodic jobs do: rows the kills left in ``sending`` go back to pending once they are older than
        # REMINDER_SENDING_TIMEOUT_SECONDS (not before: the catch-up itself checks the age), then pending ones are
        # handed out — repeated until everything is sent, instead of sleeping past the timeout and hoping
        _shell(env, "from tests.reliability.scripts import catch_up; catch_up()")
        return _sent(env) == 1000

    try:
        assert _wait(caught_up, 180), _counts(env)
    finally:
        stop(worker)
    final = _counts(env)
    emails = _emails(mails)
    shown, dropped = _mailbox_duplicates(emails)
    duplicates = shown + final["duplicate_notifications"]
    missing = 1000 - final["sent"]
    print(  # noqa: T201
        f"FIGURE kill -9 x{kills} during 1000 deliveries: missing={missing} duplicates={duplicates} "
        f"(re-sent with the same Message-ID after a kill: {dropped}, at most one per kill)"
    )
    assert missing == 0
    assert final["notifications"] == 500
    assert len({to for to, _ in emails}) == 500
    assert duplicates == 0
    assert dropped <= kills


def test_two_beats_at_once_send_each_reminder_once(migrated_db, private_redis, tmp_path):
    mails = tmp_path / "mail"
    mails.mkdir()
    env = app_env(
        migrated_db,
        REDIS_URL=private_redis["url"],
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mails),
        REMINDER_SWEEP_SECONDS="1",
    )
    _shell(env, "from tests.reliability.scripts import make_deliveries; make_deliveries(100)")
    procs = [
        spawn(
            env,
            "-m",
            "celery",
            "-A",
            "collab",
            "beat",
            "--loglevel=WARNING",
            f"--schedule={tmp_path}/beat{i}",
            log=tmp_path / f"beat{i}.log",
        )
        for i in range(2)
    ] + [spawn(env, *WORKER, log=tmp_path / "worker.log")]
    try:
        assert _wait(lambda: _sent(env) == 200, 90), _counts(env)
        # a few more sweeps from the beats after the last send (seen in the sweep's heartbeat, not assumed from a
        # sleep): a duplicate would come from one of them
        done_at = _last_sweep(env)
        assert _wait(lambda: _last_sweep(env) >= done_at + 3, 60), "the beats stopped sweeping"
    finally:
        for p in procs:
            stop(p)
    emails = [to for to, _ in _emails(mails)]  # no kill here: every message handed over counts
    final = _counts(env)
    duplicates = len(emails) - len(set(emails)) + final["duplicate_notifications"]
    print(f"FIGURE two beats: sent={final['sent']} duplicates={duplicates}")  # noqa: T201
    assert final["sent"] == 200 and final["notifications"] == 100 and len(emails) == 100
    assert duplicates == 0


def test_redis_down_writes_succeed_and_reminders_go_out_after_it_returns(migrated_db, private_redis, tmp_path):
    env = app_env(
        migrated_db, REDIS_URL=private_redis["url"], EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    )
    _shell(env, "from tests.reliability.scripts import make_deliveries; make_deliveries(1)")
    private_redis["stop"]()
    # 30 web writes that each enqueue work after commit, with the broker gone
    code = (
        "import time; from django.db import transaction; from collab.accounts.models import User;"
        "from collab.notifications.services import notify; u = User.objects.get(username='rel-00000');"
        "t = time.monotonic()\n"
        "for i in range(30):\n"
        "    with transaction.atomic():\n"
        "        notify(kind='test', obj=u, recipient_ids=[u.pk], title=f'write {i}', due_at=None)\n"
        "print('elapsed', round(time.monotonic() - t, 2))"
    )
    started = time.monotonic()
    out = _shell(env, code)
    elapsed = time.monotonic() - started
    per_write = float(out.split("elapsed")[-1]) / 30
    print(f"FIGURE redis down: 30/30 writes succeeded, {per_write:.3f} s per write")  # noqa: T201
    assert elapsed < 120 and per_write < 3
    pending = _counts(env)
    assert pending["total"] == 2 + 60 and pending["sent"] == 0
    # Redis returns: the next sweep hands out everything still pending
    private_redis["start"]()
    worker = spawn(env, *WORKER, log=tmp_path / "worker.log")
    try:
        _shell(env, "from tests.reliability.scripts import enqueue_pending; enqueue_pending()")
        assert _wait(lambda: _sent(env) == 62, 90), _counts(env)
    finally:
        stop(worker)
    print("FIGURE redis back: 62/62 due reminders sent")  # noqa: T201


def test_app_recovers_after_postgres_restarts(private_postgres, migrated_template, tmp_path):
    import urllib.request

    from tests.reliability.conftest import PG_BASE, free_port

    subprocess.run(["psql", f"{private_postgres['base']}/postgres", "-q", "-c", "CREATE DATABASE collab"], check=True)
    # the schema from the run's migrated template (a dump and restore takes a second; migrating again, fifteen)
    dump = tmp_path / "schema.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), f"{PG_BASE}/{migrated_template}"], check=True, timeout=120)
    restore = ["pg_restore", "--no-owner", "-d", f"{private_postgres['base']}/collab", str(dump)]
    subprocess.run(restore, check=True, timeout=120)
    env = {**app_env("collab"), "DATABASE_URL": f"{private_postgres['base']}/collab"}
    port = free_port()
    server = spawn(
        env,
        "-m",
        "gunicorn",
        "collab.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        log=tmp_path / "gunicorn.log",
    )

    def health() -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:  # noqa: S310
                return r.status if json.loads(r.read())["database"] == "ok" else 503
        except Exception:
            return 0

    try:
        assert _wait(lambda: health() == 200, 30)
        private_postgres["restart"]()  # a server of the test's own: the shared one is never touched
        assert _wait(lambda: health() == 200, 60), "the app did not recover after Postgres restarted"
        print("FIGURE postgres restarted: the app answered again without a restart")  # noqa: T201
    finally:
        stop(server)
