"""Locked means locked (issue #23, part 3), in a real browser: once the agenda is locked nobody — the CMO
included — sees a control to change it or gets a change past the server, until the facilitator unlocks it with
a reason the history shows; published minutes are final and corrected by a dated addendum; a team's input is
offered to that team only."""

from __future__ import annotations

import re

from tests.e2e.conftest import manage, no_horizontal_scroll, run_axe, screenshot


def _review(server_env, year: int, quarter: int, facilitator: str, items: list[str]) -> None:
    manage(
        server_env,
        "shell",
        "-c",
        "from datetime import datetime, UTC; from collab.accounts.models import User; from reviews import services;"
        "u = {x.username: x for x in User.objects.filter(username__in=['cmo', 'cio', 'liaison', 'member'])};"
        f"r = services.review_create(by=u['cmo'], year={year}, quarter={quarter},"
        f" scheduled_at=datetime({year}, {quarter * 3}, 10, 12, 0, tzinfo=UTC), length_minutes=90, location='Board room',"
        f" facilitator=u['{facilitator}'], attendees=[u['cmo'], u['cio'], u['member'], u['liaison']]);"
        f"[services.item_add(review=r, by=u['cmo'], title=t, kind='update', team='joint', presenter=None,"
        f" time_box_minutes=15, notes='') for t in {items!r}];"
        "services.review_transition(review=r, by=u['cmo'], to='collecting_input')",
    )


def _titles(page) -> list[str]:
    return page.locator("#agenda-list .agenda__title strong").all_inner_texts()


def test_a_locked_agenda_changes_for_nobody_until_it_is_unlocked_with_a_reason(login, server_env):
    order = ["Campaign results", "Platform roadmap", "Snags that cost us days"]
    _review(server_env, 2028, 1, "liaison", order)
    url = "/reviews/2028/q1/"
    facilitator = login("liaison")
    facilitator.goto(url)
    assert facilitator.get_by_role("button", name=re.compile(r"^Move up\s*:\s*Platform roadmap")).is_visible()
    facilitator.get_by_role("button", name="Lock the agenda").click()
    facilitator.locator("#lock-notice").wait_for()
    assert "The agenda is locked." in facilitator.locator("#lock-notice").inner_text()

    cmo = login("cmo")
    cmo.goto(url)
    agenda = cmo.locator("#agenda")
    assert _titles(cmo) == order
    assert agenda.get_by_role("button", name=re.compile("^Move (up|down)")).count() == 0
    assert agenda.get_by_role("link", name=re.compile("^Edit")).count() == 0
    assert agenda.get_by_role("button", name=re.compile("^Remove")).count() == 0
    assert cmo.locator("[data-sortable]").count() == 0 and cmo.locator("details.add-item form[hx-post]").count() == 0
    assert cmo.get_by_text("The agenda is locked: its items and their order are frozen.").is_visible()
    # the server refuses what the page no longer offers: the CMO posting a new order by hand
    token = cmo.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    ids = cmo.locator("#agenda-list li").evaluate_all("items => items.map(i => i.dataset.id)")
    refused = cmo.request.post(url + "items/reorder/", form={"order": ids[-1], "csrfmiddlewaretoken": token})
    assert refused.status == 403
    cmo.reload()
    assert _titles(cmo) == order
    assert run_axe(cmo) == []
    screenshot(cmo, "qbr-locked-cmo")
    cmo.set_viewport_size({"width": 375, "height": 800})
    assert no_horizontal_scroll(cmo)
    screenshot(cmo, "qbr-locked-cmo-375")

    # unlocking needs a reason, and the history shows it
    facilitator.reload()
    unlock = facilitator.locator("#unlock")
    unlock.locator("summary").click()
    unlock.get_by_role("button", name="Unlock the agenda").click()
    assert facilitator.get_by_text("Say why the agenda is unlocked").first.is_visible()  # 422, still locked
    assert facilitator.locator("#lock-notice").is_visible()
    unlock = facilitator.locator("#unlock")
    unlock.get_by_label("Why unlock the agenda?").fill("The CRM figures for November were restated.")
    unlock.get_by_role("button", name="Unlock the agenda").click()
    facilitator.get_by_text("is unlocked; the reason is in the history").wait_for()
    assert facilitator.locator("#lock-notice").count() == 0
    assert facilitator.get_by_text("The CRM figures for November were restated.").is_visible()
    with facilitator.expect_response(lambda r: "/move/" in r.url):
        facilitator.get_by_role("button", name=re.compile(r"^Move up\s*:\s*Snags that cost us days")).click()
    assert _titles(facilitator) == [order[0], order[2], order[1]]


def test_published_minutes_are_final_and_a_team_input_is_offered_to_that_team_only(login, server_env):
    _review(server_env, 2028, 2, "cmo", ["Campaign results"])
    url = "/reviews/2028/q2/"
    cio = login("cio")
    cio.goto(url)
    inputs = cio.locator("#inputs")
    assert inputs.get_by_role("button", name="Submit IT input").is_visible()
    assert inputs.get_by_role("button", name="Submit Marketing input").count() == 0  # not the CIO's to write
    member = login("member")
    member.goto(url)
    member.get_by_label("Your team's input").fill("Leads from the new landing pages are up 12%.")
    member.get_by_role("button", name="Submit Marketing input").click()
    member.get_by_text("Marketing input saved.").wait_for()
    cio.reload()
    assert "by Max Berger" in cio.locator("#inputs article").nth(1).inner_text()

    cmo = login("cmo")
    cmo.goto(url)
    cmo.get_by_role("button", name="Lock the agenda").click()
    cmo.get_by_role("button", name="Mark as held").click()
    minutes = cmo.locator("#minutes")
    minutes.get_by_label("Minutes summary").fill("Both teams agreed to keep the replatform **first**.")
    with cmo.expect_response(lambda r: r.url.endswith("/minutes/")):
        minutes.get_by_role("button", name="Save the minutes").click()
    minutes.locator("strong", has_text="first").wait_for()  # the fragment came back, rendered
    cmo.get_by_role("button", name="Publish the minutes (final)").click()
    cmo.get_by_text("The minutes are published and final.").wait_for()
    for gone in ("Save the minutes", "Record the decision", "Add the action item"):
        assert cmo.get_by_role("button", name=gone).count() == 0, gone
    minutes = cmo.locator("#minutes")
    minutes.get_by_label("Correction").fill("The replatform budget is 40k, not 45k.")
    with cmo.expect_response(lambda r: r.url.endswith("/minutes/corrections/")):
        minutes.get_by_role("button", name="Add a dated correction").click()
    addendum = cmo.locator(".addendum").first
    addendum.wait_for()
    assert re.search(r"Addendum of \d{1,2} \w{3} \d{4}, \d\d:\d\d by Claire Moreau", addendum.inner_text())
    assert "40k, not 45k" in addendum.inner_text()
    assert "keep the replatform" in minutes.inner_text()  # the published text is still there, unchanged
    assert run_axe(cmo) == []
    screenshot(cmo, "qbr-minutes-published")
    member.reload()
    assert member.get_by_text("The replatform budget is 40k, not 45k.").is_visible()
    assert member.get_by_role("button", name="Add a dated correction").count() == 0
