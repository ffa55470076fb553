"""Migrations forwards from empty and back to zero; pg_dump → restore → the same rows."""

from __future__ import annotations

import json
import subprocess

from tests.reliability.conftest import PG_BASE, app_env, manage, psql

OUR_APPS = ["accounts", "notifications", "projects", "parkinglot", "liaison", "reviews", "dashboard"]


def test_migrations_forwards_from_empty_and_backwards_to_zero(migrated_db):
    # forwards from empty: the run's template was migrated from an empty database, and this is a copy of it
    env = app_env(migrated_db)
    out = manage(
        env,
        "shell",
        "-c",
        f"from tests.reliability.scripts import migrate_round_trip; migrate_round_trip({OUR_APPS!r})",
    )
    shown = json.loads(out.strip().splitlines()[-1])
    assert "[X]" not in shown["at_zero"] and "[ ]" in shown["at_zero"]
    assert "[ ]" not in shown["at_end"]
    assert shown["lexicon"] == [False, True]  # search's lexicon goes with the last migration that feeds it


def test_backup_and_restore_keeps_every_row(migrated_db, tmp_path):
    env = app_env(migrated_db)
    manage(env, "seed_demo")
    before = json.loads(
        manage(env, "shell", "-c", "from tests.reliability.scripts import row_counts; row_counts()").splitlines()[-1]
    )
    dump = tmp_path / "collab.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), f"{PG_BASE}/{migrated_db}"], check=True, timeout=300)
    restored = migrated_db + "_r"
    psql(f"DROP DATABASE IF EXISTS {restored} WITH (FORCE)", f"CREATE DATABASE {restored}")
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", f"{PG_BASE}/{restored}", str(dump)], check=True, timeout=300)
        env2 = app_env(restored)
        after = json.loads(
            manage(env2, "shell", "-c", "from tests.reliability.scripts import row_counts; row_counts()").splitlines()[
                -1
            ]
        )
        assert "[ ]" not in manage(env2, "showmigrations")
        print(f"FIGURE backup/restore: {sum(before.values())} rows before, {sum(after.values())} after")  # noqa: T201
        assert after == before and sum(after.values()) > 0
    finally:
        psql(f"DROP DATABASE IF EXISTS {restored} WITH (FORCE)")
