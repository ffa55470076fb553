"""The parking lot in a real browser: quick add from the dashboard, review mode, the board by drag and drop and by
keyboard, escalation reaching the bell, and the whole thing without JavaScript."""

from __future__ import annotations

import re
import time
import uuid

from tests.e2e.conftest import manage, run_axe, screenshot


def _make_old_snag(server_env, title: str, *, days: int = 400, impact: str = "critical") -> str:
    """A snag the member raised long ago, escalated, so it comes first in review mode. Returns its code."""
    out = manage(
        server_env,
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone;"
        "from collab.accounts.models import User; from parkinglot import services;"
        f"s = services.snag_create(raised_by=User.objects.get(username='member'), title={title!r},"
        f" impact={impact!r}, now=timezone.now() - timedelta(days={days}));"
        "services.snags_escalate(); print(s.code)",
    )
    return out.strip().splitlines()[-1]


def test_member_logs_a_snag_from_the_dashboard_in_under_ten_seconds(login):
    page = login("member")
    title = f"Cannot export the webinar leads {uuid.uuid4().hex[:6]}"
    started = time.monotonic()
    page.get_by_role("link", name="Log a snag").click()
    dialog = page.get_by_role("dialog", name="Log a snag")
    dialog.get_by_label("Title").fill(title)
    dialog.get_by_label("Impact").select_option("high")
    dialog.get_by_role("button", name="Log the snag").click()
    confirmation = dialog.get_by_role("status")
    confirmation.wait_for()
    elapsed = time.monotonic() - started
    code = re.search(r"SNAG-\d+", confirmation.inner_text()).group(0)
    assert elapsed < 10, f"quick add took {elapsed:.1f} s"
    print(f"FIGURE quick add from the dashboard: {elapsed:.2f} s")
    screenshot(page, "snag-quick-add-done")
    page.goto("/snags/")
    page.get_by_label("Search snags").fill(code)
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_role("link", name=code).first.is_visible()
    assert page.get_by_role("link", name=title).is_visible()
    assert not page.console_errors, page.console_errors


def test_quick_add_by_keyboard_only(login):
    page = login("member")
    page.get_by_role("link", name="Log a snag").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Log a snag")
    dialog.get_by_label("Title").wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'title'")
    page.keyboard.type("Keyboard-only snag")
    page.keyboard.press("Enter")  # submits the form
    dialog.get_by_role("status").wait_for()
    assert "Logged SNAG-" in dialog.get_by_role("status").inner_text()


def test_liaison_answers_in_review_mode_parks_another_and_member_confirms(login, server_env):
    code = _make_old_snag(server_env, "Oldest e2e snag: the CRM export times out", days=900)
    _make_old_snag(server_env, "Second e2e snag: consent banner", days=899)
    liaison = login("liaison")
    liaison.goto("/snags/review/")
    card = liaison.locator("#review-card")
    assert code in card.get_by_role("heading", level=2).inner_text()
    assert run_axe(liaison) == []
    card.get_by_label("Answer or reason").fill("Raised the timeout to 10 minutes; try again.")
    card.get_by_role("button", name="Answer").click()
    liaison.get_by_text(f"{code} answered.").wait_for()
    current = card.get_by_role("heading", level=2).inner_text()
    assert "Second e2e snag" in current
    card.get_by_label("Answer or reason").fill("Needs both sponsors: to the next QBR.")
    card.get_by_label("Park for").select_option(label="The next QBR")
    card.get_by_role("button", name="Park").click()
    liaison.get_by_text("parked.").wait_for()
    screenshot(liaison, "snag-review-mode")

    member = login("member")
    member.goto(f"/snags/{code}/")
    assert member.locator("#comments").get_by_text("Raised the timeout to 10 minutes").is_visible()
    member.get_by_label("Confirm the answer").check()
    member.get_by_role("button", name="Save the move").click()
    member.get_by_text(f"{code} is now resolved.").wait_for()
    assert member.get_by_text("Resolved", exact=True).first.is_visible()


def test_board_moves_a_card_by_drag_and_drop_and_by_keyboard(login, server_env):
    code = _make_old_snag(server_env, "Board e2e snag one", days=951)
    other = _make_old_snag(server_env, "Board e2e snag two", days=950)
    page = login("liaison")
    page.goto("/snags/board/?department=marketing")
    card = page.locator(f"[data-code='{code}']")
    target = page.get_by_role("list", name="In review")
    box_from, box_to = card.bounding_box(), target.bounding_box()
    page.mouse.move(box_from["x"] + 20, box_from["y"] + 10)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(
            box_from["x"] + 20 + (box_to["x"] - box_from["x"]) * step / 15,
            box_from["y"] + 10 + (box_to["y"] + 30 - box_from["y"]) * step / 15,
        )
        page.wait_for_timeout(30)
    with page.expect_response(lambda r: r.url.endswith(f"/snags/{code}/move/")):
        page.mouse.up()
    page.wait_for_function(
        "code => { const c = document.querySelector(`[data-code='${code}']`);"
        " return c && c.closest('[data-status]').dataset.status === 'in_review'; }",
        arg=code,
    )
    # the keyboard alternative: the card's own Move menu
    page.locator(f"[data-code='{other}'] summary").focus()  # the disclosure "Move SNAG-…"
    page.keyboard.press("Enter")
    page.get_by_label(f"Move {other} to").select_option(label="Start review")
    page.get_by_label(f"Move {other} to").press("Tab")
    with page.expect_response(lambda r: r.url.endswith(f"/snags/{other}/move/")):
        page.locator(f"[data-code='{other}']").get_by_role("button", name="Move").click()
    page.wait_for_function(
        "code => { const c = document.querySelector(`[data-code='${code}']`);"
        " return c && c.closest('[data-status]').dataset.status === 'in_review'; }",
        arg=other,
    )
    screenshot(page, "snag-board")
    assert not page.console_errors, page.console_errors


def test_an_overdue_critical_snag_reaches_the_executives_bell(login, server_env):
    code = _make_old_snag(server_env, "Bell e2e: ad platform token expired", days=5)
    manage(server_env, "send_reminders")
    page = login("cio")
    page.goto("/notifications/")
    assert page.get_by_text(f"Escalated: {code} has had no answer for two periods").first.is_visible()


def test_without_javascript_logging_commenting_and_moving_still_work(login):
    member = login("member", javascript=False)
    member.goto("/snags/new/")
    member.get_by_label("Title").fill("No-JS snag: the DAM upload fails")
    member.get_by_role("button", name="Log the snag").click()
    assert member.get_by_text(re.compile(r"Logged SNAG-\d+")).is_visible()
    code = re.search(r"/snags/(SNAG-\d+)/", member.url).group(1)
    member.get_by_label("Comment").fill("It fails above 2 GB.")
    member.get_by_role("button", name="Add comment").click()
    assert member.get_by_text("It fails above 2 GB.").is_visible()

    liaison = login("liaison", javascript=False)
    liaison.goto(f"/snags/{code}/")
    liaison.get_by_label("Start review").check()
    liaison.get_by_role("button", name="Save the move").click()
    assert liaison.get_by_text(f"{code} is now in review.").is_visible()
    liaison.goto(f"/snags/?status=in_review&q={code}")
    assert liaison.get_by_role("link", name=code).is_visible()
