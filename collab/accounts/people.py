"""People import, a service of the accounts app: a CSV of the company's people → users created or updated,
all or nothing (``people_import``).

CSV columns (a header row is required; order free; extra columns are refused so typos show):
``username, email, first_name, last_name, department, title, role, manager`` — ``username`` is required; an
empty cell leaves an existing person's value alone (a new person gets the default); ``manager`` is the
manager's username, someone already in Collab or a row of the same file. Departments and roles may be given
by value (``customer_service``) or label (``Customer service``), in any case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from collab.accounts import permissions as perm
from collab.accounts.models import Department, Role, User, parse_choice

COLUMNS = ("username", "email", "first_name", "last_name", "department", "title", "role", "manager")
ALIASES = {"job_title": "title", "manager_username": "manager", "first name": "first_name", "last name": "last_name"}
FIELD_OF = {"email": "email", "first_name": "first_name", "last_name": "last_name", "department": "department",
            "title": "job_title", "role": "role"}  # fmt: skip
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass
class RowPlan:
    line: int
    username: str
    action: str  # "create", "update" or "unchanged"
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class ImportResult:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = True
    saved: bool = False

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} problem(s) found; nothing was imported."
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.count('create')} people {verb} created, {self.count('update')} {verb} updated, "
            f"{self.count('unchanged')} unchanged."
        )


def _read(data: bytes | str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file is not UTF-8 text; save the spreadsheet as “CSV UTF-8”.") from exc
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        raise ValidationError("The file is not a CSV text file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ValidationError("The file is empty.") from exc
    except csv.Error as exc:
        raise ValidationError(f"Line 1: {exc}.") from exc
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h in names if h not in COLUMNS]
    if unknown:
        raise ValidationError(f"Line 1: unknown column(s) {', '.join(unknown)}; expected {', '.join(COLUMNS)}.")
    if "username" not in names:
        raise ValidationError("Line 1: the header needs a username column.")
    if len(set(names)) != len(names):
        raise ValidationError("Line 1: a column appears twice.")
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            line = reader.line_num
            if len(cells) > len(names):
                rows.append((line, {"__error__": f"{len(cells)} cells but the header has {len(names)} columns"}))
                continue
            rows.append((line, {n: (cells[i].strip() if i < len(cells) else "") for i, n in enumerate(names)}))
            if len(rows) > MAX_ROWS:
                raise ValidationError(f"More than {MAX_ROWS} rows; split the file.")
    except csv.Error as exc:
        raise ValidationError(f"Line {reader.line_num}: {exc}.") from exc
    return names, rows


def _clean_row(row: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The row's values as User fields (only the non-empty ones), and what is wrong with it."""
    problems: list[str] = []
    values: dict[str, str] = {}
    username = row.get("username", "")
    if not username:
        problems.append("the username is empty")
    else:
        try:
            User.username_validator(username)
        except ValidationError:
            problems.append(f"“{username}” is not a valid username (letters, digits and @.+-_ only)")
        if len(username) > 150:
            problems.append("the username is longer than 150 characters")
    for column, name in FIELD_OF.items():
        raw = row.get(column, "")
        if not raw:
            continue
        if column == "email":
            try:
                validate_email(raw)
            except ValidationError:
                problems.append(f"“{raw}” is not an email address")
                continue
            raw = raw.lower()
        elif column == "department":
            found = parse_choice(raw, Department)
            if found is None:
                problems.append(f"unknown department “{raw}” (one of {', '.join(Department.labels)})")
                continue
            raw = found
        elif column == "role":
            found = parse_choice(raw, Role)
            if found is None:
                problems.append(f"unknown role “{raw}” (one of {', '.join(Role.labels)})")
                continue
            raw = found
        limit = getattr(User._meta.get_field(name), "max_length", 0) or 0
        if limit and len(raw) > limit:
            problems.append(f"{column} is longer than {limit} characters")
            continue
        values[name] = raw
    return values, problems


def _by_username(lowered: set[str]) -> Any:
    """People whose username matches case-insensitively (an import says "Alice" for "alice")."""
    return User.objects.annotate(lower_name=Lower("username")).filter(lower_name__in=list(lowered))


def manager_cycles(managers: dict[str, str | None]) -> dict[str, list[str]]:
    """Every person on a circle of managers, with that circle in order from them (``a → b → c`` back to ``a``).

    One pass over the reporting lines (each person is walked once: white, on the current walk, done), so the check
    is linear in the number of people, however long the chains are."""
    on_cycle: dict[str, list[str]] = {}
    done: set[str] = set()
    for start in managers:
        if start in done:
            continue
        path: list[str] = []
        where: dict[str, int] = {}  # position on the current walk
        current: str | None = start
        while current is not None and current not in done and current not in where:
            where[current] = len(path)
            path.append(current)
            current = managers.get(current)
        if current is not None and current in where:  # the walk came back onto itself: a circle
            circle = path[where[current] :]
            for i, person in enumerate(circle):
                on_cycle[person] = circle[i:] + circle[:i]
        done.update(path)
    return on_cycle


def _circle_text(circle: list[str], names: dict[str, str]) -> str:
    shown = [names.get(p, p) for p in circle[:6]]
    more = f" … ({len(circle)} people)" if len(circle) > 6 else ""
    return " → ".join(shown) + more + f" → {names.get(circle[0], circle[0])}"


def people_import(*, data: bytes | str, by: Any = None, dry_run: bool = False) -> ImportResult:
    """Check every row first; if any is bad, report them all (with line numbers) and change nothing.

    ``by`` is checked with ``can_import_people`` (None only for the management command, run by an operator)."""
    if by is not None and not perm.can_import_people(by):
        raise PermissionDenied("Only administrators import people.")
    result = ImportResult(dry_run=dry_run)
    try:
        _names, rows = _read(data)
    except ValidationError as exc:
        result.errors.append((1 if "Line 1" in exc.messages[0] else 0, exc.messages[0]))
        return result
    planned: list[tuple[int, str, dict[str, str], str | None]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if "__error__" in row:
            result.errors.append((line, row["__error__"]))
            continue
        values, problems = _clean_row(row)
        username = row.get("username", "")
        key = username.lower()
        if key and key in seen:
            problems.append(f"“{username}” already appears on line {seen[key]}")
        seen.setdefault(key, line)
        manager = row.get("manager") or None  # an empty cell (or no column) keeps the current manager
        if manager and manager.lower() == key:
            problems.append("a person cannot be their own manager")
        for problem in problems:
            result.errors.append((line, problem))
        planned.append((line, username, values, manager))
    existing = {
        u.username.lower(): u for u in _by_username({u.lower() for _, u, _, _ in planned}).select_related("manager")
    }
    manager_names = {m.lower() for *_, m in planned if m}
    known_managers = {u.lower(): u for u in _by_username(manager_names).values_list("username", flat=True)}
    in_file = {u.lower() for _, u, _, _ in planned}
    # the reporting lines after the import, for the cycle check
    chain: dict[str, str | None] = {
        u.lower(): (m or "").lower() or None
        for u, m in User.objects.filter(manager__isnull=False).values_list("username", "manager__username")
    }
    for _, username, _, manager in planned:
        if manager is not None:
            chain[username.lower()] = manager.lower() or None
    cycles = manager_cycles(chain)
    display = {u.lower(): u for _, u, _, _ in planned}
    for line, username, values, manager in planned:
        if manager and manager.lower() not in known_managers and manager.lower() not in in_file:
            result.errors.append((line, f"manager “{manager}” is neither in Collab nor in this file"))
        elif manager and manager.lower() != username.lower() and username.lower() in cycles:
            circle = _circle_text(cycles[username.lower()], display)
            result.errors.append((line, f"managers would go round in a circle: {circle}"))
        user = existing.get(username.lower())
        if user is None:
            changes = {name: ("", value) for name, value in values.items()}
            if manager:
                changes["manager"] = ("", manager)
            result.rows.append(RowPlan(line=line, username=username, action="create", changes=changes))
            continue
        changes = {n: (str(getattr(user, n)), v) for n, v in values.items() if str(getattr(user, n)) != v}
        if manager is not None:
            current = user.manager.username if user.manager_id and user.manager else ""
            if current.lower() != manager.lower():
                changes["manager"] = (current, manager)
        result.rows.append(RowPlan(line=line, username=user.username, action="update" if changes else "unchanged",
                                   changes=changes))  # fmt: skip
    result.errors.sort()
    if result.errors or dry_run:
        return result
    _apply(result, planned, existing)
    result.saved = True
    return result


def _apply(result: ImportResult, planned: list[Any], existing: dict[str, User]) -> None:
    try:
        with transaction.atomic():
            people: dict[str, User] = {}
            for line, username, values, _manager in planned:
                user = existing.get(username.lower())
                if user is None:
                    user = User(username=username, **values)
                    user.set_unusable_password()  # they sign in by SSO or set a password by reset
                else:
                    for name, value in values.items():
                        setattr(user, name, value)
                try:
                    user.full_clean(exclude=["password", "manager"])
                    user.save()
                except ValidationError as exc:
                    raise _LineError(line, "; ".join(exc.messages)) from exc
                people[username.lower()] = user
            needed = {m.lower() for *_, m in planned if m} - set(people)
            for u in _by_username(needed):
                people.setdefault(u.username.lower(), u)
            for _line, username, _values, manager in planned:
                if manager is None:
                    continue
                user = people[username.lower()]
                boss = people.get(manager.lower()) if manager else None
                if (boss.pk if boss else None) != user.manager_id:
                    user.manager = boss
                    user.save(update_fields=["manager", "updated_at"])
    except _LineError as exc:
        result.errors.append((exc.line, exc.message))
        result.saved = False


class _LineError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message
