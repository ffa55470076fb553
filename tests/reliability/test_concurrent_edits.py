"""People edit the same snags and QBR agenda items at once: every save is either applied on the version it read,
or refused with a conflict — never a silent overwrite. This is the short run, in lockstep (no timing assumption:
every editor has read before anyone saves); ``make bench`` runs 50 editors for 30 seconds (bench/run.py
``--editors``)."""

from __future__ import annotations

import pytest

from tests.reliability.editors import lockstep

EDITORS = 6
ROUNDS = 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_editors_never_overwrite_silently():
    run = lockstep(editors=EDITORS, rounds=ROUNDS)
    assert not run.errors, run.errors[:3]
    print(f"FIGURE concurrent editors: {EDITORS} editors × {ROUNDS} rounds → {run.attempted} edits attempted, "
          f"{run.saves} applied, {run.conflicts} conflicts refused, {run.silent_overwrites} silent overwrites")  # fmt: skip
    assert run.attempted == EDITORS * ROUNDS
    # all read the same version before any saved: exactly one save per round applies, every other one is refused
    assert run.saves == ROUNDS and run.conflicts == ROUNDS * (EDITORS - 1)
    assert run.silent_overwrites == 0
