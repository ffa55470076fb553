"""A registry of demo-data seeders. Each app registers one in its ``demo.py``; ``seed_demo`` runs
them in order. Registration keeps the lower floors from importing the higher ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Seeder = Callable[[Callable[[str], None]], None]


@dataclass(frozen=True)
class _Entry:
    order: int
    name: str
    func: Seeder


_SEEDERS: dict[str, _Entry] = {}


def seeder(*, order: int, name: str) -> Callable[[Seeder], Seeder]:
    """Register ``func(say)`` to fill demo data; lower ``order`` runs first. Must be idempotent."""

    def wrap(func: Seeder) -> Seeder:
        _SEEDERS[name] = _Entry(order, name, func)
        return func

    return wrap


def seeders() -> list[_Entry]:
    return sorted(_SEEDERS.values(), key=lambda e: (e.order, e.name))
