"""Joint projects in a real browser: the CMO and the CIO open the ranking, see who moved what and why,
reorder it by drag and drop and by keyboard, approve a change request from their side, and see a project
that lacks a sign-off blocked from approval."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import no_horizontal_scroll, run_axe, screenshot

PAGES = ["/projects/", "/projects/ranking/", "/changes/", "/projects/goals/", "/projects/goals/1/", "/projects/1/"]


@pytest.mark.parametrize("path", PAGES)
def test_project_pages_have_no_axe_violations_and_fit_a_phone(login, path):
    page = login("cmo")
    page.goto(path)
    assert run_axe(page) == []
    slug = "projects" + path.strip("/").replace("/", "-").removeprefix("projects")
    screenshot(page, f"{slug}-1280")
    phone = login("cio", width=375, height=800)
    phone.goto(path)
    screenshot(phone, f"{slug}-375")
    assert no_horizontal_scroll(phone), f"{path} scrolls sideways at 375 px"
    assert not page.console_errors, page.console_errors


def test_cio_sees_who_moved_what_and_why(login):
    page = login("cio")
    page.goto("/projects/ranking/")
    history = page.locator("#history")
    assert history.get_by_text("Regulator deadline moved forward.").is_visible()
    page.goto("/changes/")
    assert page.get_by_text(re.compile(r"Event registration platform \d+ → 2")).is_visible()


def test_cmo_moves_a_project_with_the_keyboard(login):
    page = login("cmo")
    page.goto("/projects/ranking/")
    item = page.locator(".ranking__item").nth(3)
    name = item.locator(".ranking__title a").inner_text()
    item.get_by_role("link", name=f"Move {name}").focus()
    page.keyboard.press("Enter")  # the move form opens on this row only
    item = page.locator(".ranking__item").nth(3)
    item.get_by_label("Reason").fill("E2E keyboard move")
    item.get_by_role("button", name="Move up").click()
    page.wait_for_function("() => document.body.innerText.includes('E2E keyboard move')")
    assert page.locator(".ranking__item").nth(2).locator(".ranking__title a").inner_text() == name
    assert not page.console_errors, page.console_errors


def test_cmo_reorders_by_drag_and_drop_with_a_reason(login):
    page = login("cmo")
    page.goto("/projects/ranking/")
    form = page.locator("#reorder-form")
    assert form.is_hidden()  # shown once something is dragged
    items = page.locator(".ranking__item")
    third = items.nth(2).locator(".ranking__title a").inner_text()
    items.first.scroll_into_view_if_needed()
    box_from = items.nth(2).locator(".ranking__rank").bounding_box()
    box_to = items.first.locator(".ranking__rank").bounding_box()
    page.mouse.move(box_from["x"] + 5, box_from["y"] + 5)
    page.mouse.down()
    page.mouse.move(box_to["x"] + 5, box_to["y"] + 2, steps=25)
    page.mouse.up()
    form.wait_for(state="visible")
    form.get_by_label("Why this order?").fill("E2E drag to the top")
    form.get_by_role("button", name="Save the new order").click()
    page.wait_for_function("() => document.body.innerText.includes('E2E drag to the top')")
    assert page.locator(".ranking__item").first.locator(".ranking__title a").inner_text() == third


def test_cio_approves_a_change_request_from_his_side(login):
    page = login("cio")
    page.goto("/projects/1/")
    request = page.locator(".change-request").filter(has_text="Include B2B accounts")
    request.get_by_role("button", name=re.compile("^Approve")).click()
    request = page.locator(".change-request").filter(has_text="Include B2B accounts")
    assert request.get_by_text("Approved").first.is_visible()
    page.goto("/changes/")
    assert page.get_by_text(re.compile("Include B2B accounts")).first.is_visible()


def test_project_lacking_a_sign_off_is_blocked_from_approval(login):
    page = login("cmo")
    page.goto("/projects/")
    page.get_by_role("link", name="Consent and preference centre").click()
    assert page.get_by_text(re.compile("Approval is blocked")).is_visible()
    page.get_by_role("button", name="Move to “Approved”").click()
    assert page.get_by_text(
        re.compile("Approval waits for sign-off of requirements v1 by: Customer service, IT")
    ).is_visible()


def test_cio_moves_a_project_and_the_cmo_sees_it_on_the_feed_and_in_her_bell(login):
    name = "Customer data platform"  # the CMO sponsors it (demo data)
    cio = login("cio")
    cio.goto("/projects/ranking/")
    item = cio.locator(".ranking__item").filter(has=cio.get_by_role("link", name=name, exact=True))
    item.get_by_role("link", name=f"Move {name}").click()
    item = cio.locator(".ranking__item").filter(has=cio.get_by_role("link", name=name, exact=True))
    item.get_by_label("Reason").fill("E2E: the CIO moves it down")
    with cio.expect_response(lambda r: "/move/" in r.url):
        item.get_by_role("button", name="Move down").click()
    cio.wait_for_function("() => document.body.innerText.includes('E2E: the CIO moves it down')")
    cmo = login("cmo")
    cmo.goto("/changes/")
    assert cmo.get_by_text("E2E: the CIO moves it down").first.is_visible()
    cmo.goto("/notifications/")
    assert cmo.get_by_text(re.compile(rf"{re.escape(name)} moved from rank \d+ to \d+")).first.is_visible()


def test_heads_sign_off_the_project_becomes_approvable_and_an_edit_resets_the_sign_offs(login):
    """Journey 5 on the demo's "Consent and preference centre" (v1 waits for customer service and IT)."""
    for username in ("cio", "julia.nowak"):
        head = login(username)
        head.goto("/projects/")
        head.get_by_role("link", name="Consent and preference centre").click()
        head.get_by_label("Signed off").check()
        head.get_by_role("button", name="Send my answer").click()
        head.wait_for_load_state()
    cmo = login("cmo")
    cmo.goto("/projects/")
    cmo.get_by_role("link", name="Consent and preference centre").click()
    assert cmo.get_by_text("Signed off by every affected head").is_visible()
    assert not cmo.get_by_text(re.compile("Approval is blocked")).is_visible()
    # an edit of the requirements makes v2 and the heads must sign again
    cmo.get_by_role("link", name="Edit the requirements").click()
    cmo.get_by_label("Requirements").fill("# Consent centre\n\nNow with double opt-in.")
    cmo.get_by_label("What changed").fill("Double opt-in")
    cmo.get_by_role("button", name=re.compile("Save as version")).click()
    assert cmo.get_by_text(re.compile("Approval is blocked: requirements v2")).is_visible()
