"""Many people editing the same snags and QBR agenda items at once, in threads with a connection each: every save
is either applied on the version it read, or refused with a conflict — never a silent overwrite.

Two ways to run it. ``lockstep``: in each round every editor reads the same record, waits at a barrier until all
have read, then saves; exactly one save per round can apply and every other one must be refused, with no timing
assumption at all (the suite's short run, tests/reliability/test_concurrent_edits.py). ``for_seconds``: each editor
edits records at random with a little think time for as long as asked (``make bench``: 50 editors, 30 s)."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import close_old_connections, connection

from collab.accounts.models import Department, Role, User
from parkinglot import services as snag_services
from parkinglot.models import Snag
from reviews import services as review_services
from reviews.models import AgendaItem, Review

RECORDS = 5  # snags, and as many agenda items


@dataclass
class Run:
    attempted: int = 0
    conflicts: int = 0
    applied: dict[tuple[str, int], list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    silent_overwrites: int = 0

    @property
    def saves(self) -> int:
        return sum(len(v) for v in self.applied.values())


class _World:
    def __init__(self, tag: str) -> None:
        self.cmo = User.objects.create_user(username=f"cmo-{tag}", department=Department.MARKETING, role=Role.EXECUTIVE)
        self.liaison = User.objects.create_user(username=f"liaison-{tag}", department=Department.IT, role=Role.LIAISON)
        self.snags = [snag_services.snag_create(raised_by=self.cmo, title=f"Shared snag {i}") for i in range(RECORDS)]
        Review.objects.filter(year=2099, quarter=4).delete()
        self.review = review_services.review_create(
            by=self.cmo, year=2099, quarter=4, scheduled_at=datetime(2099, 12, 10, 13, 0, tzinfo=UTC),
            length_minutes=600, location="", facilitator=self.liaison, attendees=[self.cmo],
        )  # fmt: skip
        self.items = [
            review_services.item_add(
                review=self.review,
                by=self.cmo,
                title=f"Item {i}",
                kind="update",
                team="joint",
                presenter=None,
                time_box_minutes=10,
                notes="",
            )  # fmt: skip
            for i in range(RECORDS)
        ]
        self.targets = [("snag", s.pk) for s in self.snags] + [("item", i.pk) for i in self.items]

    def read(self, kind: str, pk: int) -> Any:
        return Snag.objects.get(pk=pk) if kind == "snag" else AgendaItem.objects.get(pk=pk)

    def save(self, kind: str, record: Any, version: int, marker: str) -> None:
        if kind == "snag":
            snag_services.snag_update(snag=record, by=self.liaison, version=version, title=marker, impact="high")
        else:
            review_services.item_update(item=record, by=self.cmo, version=version, title=marker)

    def remove(self) -> None:
        Snag.objects.filter(pk__in=[s.pk for s in self.snags]).delete()
        self.review.delete()
        User.objects.filter(pk__in=[self.cmo.pk, self.liaison.pk]).delete()


def _edit(world: _World, run: Run, lock: threading.Lock, kind: str, pk: int, marker: str, wait: Any) -> None:
    record = world.read(kind, pk)
    read = record.version
    wait()
    with lock:
        run.attempted += 1
    try:
        world.save(kind, record, read, marker)
    except (snag_services.ConflictError, review_services.ConflictError):
        with lock:
            run.conflicts += 1
        return
    with lock:
        run.applied[(kind, pk)].append((read, marker))


def _threads(editors: int, work: Any, run: Run) -> None:
    def editor(n: int) -> None:
        try:
            work(n)
        except Exception as exc:  # noqa: BLE001 - reported in the run
            run.errors.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _judge(world: _World, run: Run) -> Run:
    """Each applied save was made on the version current at the time (1, 2, 3, … with no gaps or repeats) and the
    last one applied is what is stored; anything else is a silent overwrite."""
    for (kind, pk), saves in run.applied.items():
        versions_read = sorted(v for v, _ in saves)
        final = world.read(kind, pk)
        expected = list(range(1, len(saves) + 1))
        if versions_read != expected or final.version != len(saves) + 1 or final.title != max(saves)[1]:
            run.silent_overwrites += 1
    return run


def lockstep(*, editors: int, rounds: int, tag: str = "lockstep") -> Run:
    """``rounds`` rounds; in each, all editors read one record, meet at a barrier, then all save it."""
    world, run, lock = _World(tag), Run(), threading.Lock()
    read_all = threading.Barrier(editors, timeout=60)
    saved_all = threading.Barrier(editors, timeout=60)

    def work(n: int) -> None:
        for r in range(rounds):
            kind, pk = world.targets[r % len(world.targets)]
            _edit(world, run, lock, kind, pk, f"round {r:04d} editor {n:03d}", read_all.wait)
            saved_all.wait()

    _threads(editors, work, run)
    return _judge(world, run)


def for_seconds(*, editors: int, seconds: float, think: float = 0.01, tag: str = "bench") -> Run:
    """Each editor edits records at random with up to ``think`` seconds between reading and saving (a person
    looking at the form; others save meanwhile), until the time is up."""
    world, run, lock = _World(tag), Run(), threading.Lock()
    stop = time.monotonic() + seconds

    def work(n: int) -> None:
        rng = random.Random(n)  # noqa: S311 - load, not secrets
        while time.monotonic() < stop:
            kind, pk = rng.choice(world.targets)
            marker = f"editor {n:03d} at {time.monotonic():.6f}"
            _edit(world, run, lock, kind, pk, marker, lambda: time.sleep(rng.random() * think))

    try:
        _threads(editors, work, run)
        return _judge(world, run)
    finally:
        world.remove()
