"""The ping task goes through a real worker on the configured broker (filesystem or Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from collab.celery import app
from collab.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_worker():
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "COLLAB_TESTING": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "collab",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_ping_runs_on_a_real_worker(real_worker):
    result = ping.apply_async(queue=real_worker)
    assert result.get(timeout=90) == "pong"
