"""The skeleton in a real browser: log in, the nav, the bell, settings, accessibility, phone width."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import manage, no_horizontal_scroll, run_axe, screenshot

MAIN_PAGES = [
    "/",
    "/snags/",
    "/snags/board/",
    "/snags/new/",
    "/pulse/",
    "/projects/",
    "/liaisons/",
    "/meetings/",
    "/reviews/",
    "/notifications/",
    "/settings/notifications/",
]


def test_cmo_logs_in_and_sees_the_nav(login):
    page = login("cmo")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Dashboard", "Parking lot", "Projects", "Liaisons", "Meetings", "Reviews"):
        assert nav.get_by_role("link", name=name).is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.get_by_role("link", name="Claire Moreau").is_visible()
    assert not page.console_errors, page.console_errors  # no CSP violations, no script errors


def test_log_out(login, base_url):
    page = login("member")
    page.get_by_role("button", name="Log out").click()
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_skip_link_is_the_first_tab_stop(login):
    page = login("member")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_bell_counts_a_test_message_and_marking_read_updates_it(login, server_env):
    manage(
        server_env,
        "shell",
        "-c",
        "from collab.accounts.models import User; from collab.notifications.services import notify;"
        "u = User.objects.get(username='liaison');"
        "notify(kind='test', obj=u, recipient_ids=[u.pk], title='E2E bell check', link='/notifications/')",
    )
    page = login("liaison")
    bell = page.get_by_role("link", name=re.compile(r"Notifications: \d+ unread"))
    before = int(re.search(r"(\d+) unread", bell.get_attribute("aria-label")).group(1))
    bell.click()
    item = page.get_by_role("listitem").filter(has_text="E2E bell check")
    item.get_by_role("button", name=re.compile("Mark read")).click()
    page.wait_for_function(
        "n => { const b = document.getElementById('bell'); return b && !b.getAttribute('aria-label').includes(n + ' unread'); }",
        arg=before,
    )
    label = page.locator("#bell").get_attribute("aria-label")
    assert label == "Notifications" if before == 1 else f"{before - 1} unread" in label


def test_preferences_save_with_a_clear_message(login):
    page = login("member")
    page.goto("/settings/notifications/")
    page.get_by_label("Send the digest at").select_option("07:00")
    page.get_by_role("button", name="Save settings").click()
    assert page.get_by_text("Your notification settings are saved.").is_visible()


@pytest.mark.parametrize("user", ["cmo", "cio", "liaison", "member"])
def test_main_pages_have_no_axe_violations(login, user):
    """Every main page as each persona: one signed-in page walks them all."""
    page = login(user)
    found = {}
    for path in MAIN_PAGES:
        page.goto(path)
        violations = run_axe(page)
        if violations:
            found[path] = violations
    print(f"FIGURE axe as {user}: {len(MAIN_PAGES)} pages, {sum(len(v) for v in found.values())} violations")
    assert found == {}, found


def test_main_pages_fit_a_phone_and_are_screenshotted(login):
    desktop = login("cmo")
    phone = login("cmo", width=375, height=800)
    wide = []
    for path in MAIN_PAGES:
        slug = path.strip("/").replace("/", "-") or "dashboard"
        desktop.goto(path)
        screenshot(desktop, f"{slug}-1280")
        phone.goto(path)
        screenshot(phone, f"{slug}-375")
        if not no_horizontal_scroll(phone):
            wide.append(path)
    assert wide == [], f"these pages scroll sideways at 375 px: {wide}"


def test_login_page_has_no_axe_violations(browser, base_url):
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/accounts/login/")
    assert run_axe(page) == []
    context.close()
