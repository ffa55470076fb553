"""People import: a CSV creates or updates people with department, title, role and manager; a dry run only
reports; a bad row is reported with its line number and nothing is imported."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from collab.accounts.models import User
from collab.accounts.people import people_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = """username,email,first_name,last_name,department,title,role,manager
dana,dana@example.com,Dana,Scully,Marketing,Head of brand,executive,
fox,FOX@example.com,Fox,Mulder,marketing,Campaign lead,Member,dana
walter,walter@example.com,Walter,Skinner,IT,Platform lead,member,
member,max@example.com,,,,Growth marketer,,dana
"""


def _snapshot():
    return sorted(User.objects.values_list("username", "email", "department", "job_title", "role", "manager__username"))


def test_a_csv_creates_and_updates_people_with_managers(admin_user, member):
    result = people_import(data=GOOD.encode(), by=admin_user)
    assert result.errors == [] and result.saved
    assert (result.count("create"), result.count("update")) == (3, 1)
    fox = User.objects.get(username="fox")
    assert (fox.email, fox.department, fox.job_title, fox.role, fox.manager.username) == (
        "fox@example.com", "marketing", "Campaign lead", "member", "dana"
    )  # fmt: skip
    assert not fox.has_usable_password()  # new people sign in by SSO or a password reset
    assert User.objects.get(username="dana").role == "executive"
    member.refresh_from_db()
    # empty cells leave the existing values alone
    assert (member.first_name, member.department, member.job_title, member.manager.username) == (
        "Max", "marketing", "Growth marketer", "dana"
    )  # fmt: skip
    again = people_import(data=GOOD.encode(), by=admin_user)
    assert again.count("unchanged") == 4 and again.count("create") == 0


def test_an_empty_manager_cell_keeps_the_current_manager(admin_user, member):
    """As the docstring and the README promise for every column: an empty cell leaves the value alone."""
    boss = UserFactory(username="boss")
    member.manager = boss
    member.save()
    csv_text = "username,title,manager\nmember,Growth marketer,\n"
    dry = people_import(data=csv_text, by=admin_user, dry_run=True)
    assert dry.errors == [] and dry.rows[0].changes == {"job_title": ("", "Growth marketer")}
    result = people_import(data=csv_text, by=admin_user)
    assert result.saved and result.errors == []
    member.refresh_from_db()
    assert (member.job_title, member.manager) == ("Growth marketer", boss)
    assert people_import(data=csv_text, by=admin_user).count("unchanged") == 1


def test_a_dry_run_reports_changes_and_saves_nothing(admin_user, member):
    before = _snapshot()
    result = people_import(data=GOOD, by=admin_user, dry_run=True)
    assert result.errors == [] and not result.saved
    assert _snapshot() == before
    changes = {row.username: row for row in result.rows}
    assert changes["dana"].action == "create"
    assert changes["member"].action == "update"
    assert changes["member"].changes["job_title"] == ("", "Growth marketer")
    assert changes["member"].changes["manager"] == ("", "dana")
    assert "3 people would be created, 1 would be updated" in result.summary


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(admin_user, member):
    UserFactory(username="boss", department="it")
    before = _snapshot()
    bad = """username,email,department,role,manager,title
ok.person,ok@example.com,IT,member,boss,Engineer
,nobody@example.com,IT,member,,
bad email,not-an-email,Space,wizard,,
"quoted, name",a@example.com,IT,member,ghost,
ok.person,dup@example.com,IT,member,,
loop.a,,IT,,loop.b,
loop.b,,IT,,loop.a,
self,,IT,,self,
"""
    result = people_import(data=bad.encode(), by=admin_user)
    assert not result.saved and _snapshot() == before
    by_line: dict[int, list[str]] = {}
    for line, message in result.errors:
        by_line.setdefault(line, []).append(message)
    assert 2 not in by_line  # the good row is fine, but still not imported
    assert by_line[3] == ["the username is empty"]
    assert any("not a valid username" in m for m in by_line[4])
    assert any("not an email address" in m for m in by_line[4])
    assert any("unknown department “Space”" in m for m in by_line[4])
    assert any("unknown role “wizard”" in m for m in by_line[4])
    assert any("manager “ghost”" in m for m in by_line[5])
    assert by_line[6] == ["“ok.person” already appears on line 2"]
    assert any("circle" in m for m in by_line[7]) and any("circle" in m for m in by_line[8])
    assert "a person cannot be their own manager" in by_line[9]
    assert "nothing was imported" in result.summary


def test_a_broken_file_is_a_clear_message(admin_user):
    for data, expected in (
        (b"", "empty"),
        (b"user,mail\nx,y\n", "unknown column"),
        ("username\n\u00e9\n".encode("latin-1"), "not UTF-8"),
        (b"username,email\nann,a@example.com,extra\n", "3 cells"),
    ):
        result = people_import(data=data, by=admin_user)
        assert result.errors and expected in result.errors[0][1], (data, result.errors)
    assert not User.objects.exclude(pk=admin_user.pk).exists()


def test_only_admins_import(member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        people_import(data=GOOD, by=member)
    assert not User.objects.filter(username="dana").exists()


def test_the_management_command(tmp_path, member):
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8-sig")  # Excel's "CSV UTF-8" has a BOM
    out = io.StringIO()
    call_command("import_people", str(path), "--dry-run", stdout=out)
    assert "Dry run: 3 people would be created" in out.getvalue()
    assert "line 2: create dana" in out.getvalue()
    assert not User.objects.filter(username="dana").exists()
    call_command("import_people", str(path), stdout=io.StringIO())
    assert User.objects.get(username="fox").manager.username == "dana"
    path.write_text("username,role\nzed,wizard\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_people", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 2: unknown role" in err.getvalue()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_people", str(tmp_path / "missing.csv"))


def test_the_admin_page_dry_runs_then_imports(client_as, admin_user, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(admin_user)
    assert "Import people (CSV)" in client.get("/admin/accounts/user/").content.decode()
    page = client.get("/admin/accounts/user/import/")
    assert page.status_code == 200 and 'name="file"' in page.content.decode()
    upload = SimpleUploadedFile("people.csv", GOOD.encode(), content_type="text/csv")
    dry = client.post("/admin/accounts/user/import/", {"file": upload, "dry_run": "on"})
    assert dry.status_code == 200 and "Dry run" in dry.content.decode()
    assert not User.objects.filter(username="dana").exists()
    upload = SimpleUploadedFile("people.csv", GOOD.encode(), content_type="text/csv")
    done = client.post("/admin/accounts/user/import/", {"file": upload})
    assert done.status_code == 200 and "Imported" in done.content.decode()
    assert User.objects.filter(username__in=["dana", "fox", "walter"]).count() == 3
    upload = SimpleUploadedFile("people.csv", b"username,role\n<script>x</script>,wizard\n", content_type="text/csv")
    bad = client.post("/admin/accounts/user/import/", {"file": upload})
    assert bad.status_code == 422 and "<script>x" not in bad.content.decode()
    assert client.post("/admin/accounts/user/import/", {}).status_code == 422  # no file: the form says so


def test_staff_without_user_rights_may_not_import(client_as, member):
    staff = UserFactory(username="helpdesk", is_staff=True)
    before = _snapshot()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("people.csv", GOOD.encode(), content_type="text/csv")
    assert client_as(staff).post("/admin/accounts/user/import/", {"file": upload}).status_code == 403
    assert client_as(member).get("/admin/accounts/user/import/").status_code == 302  # not staff: admin login
    assert _snapshot() == before


def _chain_csv(n: int, *, loop_at_end: bool) -> str:
    """``n`` people, each managed by the next; with ``loop_at_end`` the last one is managed by the one before it."""
    lines = ["username,department,manager"]
    for i in range(n):
        boss = f"p{i + 1}" if i + 1 < n else (f"p{i - 1}" if loop_at_end else "")
        lines.append(f"p{i},IT,{boss}")
    return "\n".join(lines) + "\n"


def test_a_long_chain_ending_in_a_circle_names_only_the_rows_on_the_circle(admin_user):
    n = 20_000
    result = people_import(data=_chain_csv(n, loop_at_end=True).encode(), by=admin_user, dry_run=True)
    # line 1 is the header: p{i} is on line i + 2; the circle is p19998 ↔ p19999
    assert result.errors == [
        (n, "managers would go round in a circle: p19998 → p19999 → p19998"),
        (n + 1, "managers would go round in a circle: p19999 → p19998 → p19999"),
    ]


def test_a_long_chain_without_a_circle_imports(admin_user):
    result = people_import(data=_chain_csv(300, loop_at_end=False).encode(), by=admin_user)
    assert result.errors == [] and result.saved
    assert User.objects.get(username="p0").manager.username == "p1"


def test_a_circle_through_people_already_in_collab_is_reported(admin_user):
    boss = UserFactory(username="boss")
    UserFactory(username="deputy", manager=boss)
    before = _snapshot()
    data = "username,manager\nboss,deputy\nnewbie,boss\n"
    result = people_import(data=data.encode(), by=admin_user)
    assert result.errors == [(2, "managers would go round in a circle: boss → deputy → boss")]
    assert not result.saved and _snapshot() == before  # newbie only leads into the circle: no error of its own


def test_a_long_circle_is_shortened_in_the_message(admin_user):
    data = "username,manager\n" + "".join(f"c{i},c{(i + 1) % 8}\n" for i in range(8))
    result = people_import(data=data.encode(), by=admin_user, dry_run=True)
    assert len(result.errors) == 8
    assert result.errors[0] == (2, "managers would go round in a circle: c0 → c1 → c2 → c3 → c4 → c5 … (8 people) → c0")


def test_manager_cycles_is_one_pass_over_every_shape():
    from collab.accounts.people import manager_cycles

    assert manager_cycles({}) == {}
    assert manager_cycles({"a": "b", "b": None}) == {}
    assert manager_cycles({"a": "a"}) == {"a": ["a"]}
    # a tail leading into a circle, a second tail joining the first, and a separate circle
    chain = {"t1": "t2", "t2": "x", "u": "t2", "x": "y", "y": "z", "z": "x", "m": "n", "n": "m"}
    assert manager_cycles(chain) == {
        "x": ["x", "y", "z"], "y": ["y", "z", "x"], "z": ["z", "x", "y"], "m": ["m", "n"], "n": ["n", "m"]
    }  # fmt: skip
