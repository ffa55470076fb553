"""Search in a real browser: "/" jumps to the header box, suggestions come as you type, Enter opens the results
grouped by kind, the page passes axe and fits a phone; without JavaScript the box is a plain form."""

from __future__ import annotations

from tests.e2e.conftest import no_horizontal_scroll, run_axe, screenshot


def test_slash_focuses_the_box_and_suggestions_come_as_you_type(login):
    page = login("cmo")
    page.goto("/snags/")
    page.locator("main").click()
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "site-search-q"
    page.keyboard.type("crm export problem")
    suggestions = page.locator("#site-search-suggestions")
    suggestions.get_by_role("link", name="All results for").wait_for()
    text = suggestions.inner_text()
    assert "Snags" in text and "Projects" in text and "QBR agenda items" in text
    page.keyboard.press("Escape")
    assert suggestions.inner_html().strip() == ""
    assert page.locator("#site-search-q").input_value() == "crm export problem"  # the query stays
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=crm+export+problem")
    for heading in ("Snags", "Projects", "QBR agenda items"):
        assert page.get_by_role("heading", name=heading, level=2).is_visible()
    assert run_axe(page) == []
    assert not page.console_errors, page.console_errors


def test_slash_types_normally_inside_a_form_field(login):
    page = login("member")
    page.goto("/snags/new/")
    field = page.get_by_label("Title")
    field.click()
    page.keyboard.type("a/b")
    assert field.input_value() == "a/b"


def test_the_search_page_fits_a_phone_and_works_without_javascript(login):
    phone = login("member", width=375, height=800)
    phone.goto("/search/?q=crm+export")
    screenshot(phone, "search-375")
    assert no_horizontal_scroll(phone)
    no_js = login("member", javascript=False)
    no_js.goto("/")
    no_js.get_by_role("searchbox", name="Search").fill("consent banner")
    no_js.get_by_role("searchbox", name="Search").press("Enter")
    no_js.wait_for_url("**/search/?q=consent+banner")
    assert no_js.get_by_role("heading", name="Snags", level=2).is_visible()
