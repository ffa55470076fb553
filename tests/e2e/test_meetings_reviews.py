"""Meetings and QBRs in a real browser: the CMO schedules the lapsed monthly sync and finds last month's open
action items on its agenda; both teams build a QBR agenda, reorder it, lock it and export the PDF; two people
editing the same agenda item get a conflict instead of a lost edit."""

from __future__ import annotations

import re

from tests.e2e.conftest import manage, run_axe, screenshot


def test_cmo_schedules_the_monthly_sync_with_last_months_open_actions_and_downloads_the_ics(login):
    page = login("cmo")
    panel = page.locator("#panel-relationship")
    assert panel.get_by_text("More than a month").is_visible()  # the demo's sync has lapsed
    panel.get_by_role("link", name="Schedule the next sync").click()
    page.get_by_label("Starts").fill("2026-12-15T10:00")
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    agenda = page.locator("#agenda")
    # the demo's open CMO–CIO actions from the last sync are carried over
    assert agenda.get_by_text("Agree the data platform budget").first.is_visible()
    assert run_axe(page) == []
    screenshot(page, "meeting-sync-agenda")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    body = download.value.path().read_text()
    assert "BEGIN:VEVENT" in body and "DTSTART:20261215T090000Z" in body  # 10:00 in Berlin is 09:00 UTC in December


def _new_review(server_env) -> None:
    manage(
        server_env,
        "shell",
        "-c",
        "from datetime import datetime, UTC; from collab.accounts.models import User; from reviews import services;"
        "u = {x.username: x for x in User.objects.filter(username__in=['cmo', 'cio', 'liaison', 'member'])};"
        "services.review_create(by=u['cmo'], year=2027, quarter=2, scheduled_at=datetime(2027, 6, 10, 12, 0, tzinfo=UTC),"
        " length_minutes=60, location='Board room', facilitator=u['cmo'], attendees=[u['cio'], u['member'], u['liaison']])",
    )


def _add_item(page, title: str, minutes: str) -> None:
    adder = page.locator("details.add-item")
    if adder.get_attribute("open") is None:
        adder.get_by_text("Add an agenda item").click()
    form = adder.locator("form")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Time box (minutes)").fill(minutes)
    form.get_by_role("button", name="Add to the agenda").click()
    page.locator("#agenda-list").get_by_text(title, exact=True).wait_for()


def test_both_teams_build_the_qbr_agenda_reorder_lock_and_export_the_pdf(login, server_env):
    _new_review(server_env)
    cio = login("cio")
    cio.goto("/reviews/2027/q2/")
    _add_item(cio, "Data platform: what shipped", "20")
    cmo = login("cmo")
    cmo.goto("/reviews/2027/q2/")
    _add_item(cmo, "Campaign results with the new CDP", "25")
    _add_item(cmo, "Decision: second liaison", "30")
    status = cmo.get_by_role("status").filter(has_text="minutes planned")
    assert "75 of 60 minutes planned" in status.inner_text()
    assert "exceed the meeting by 15 minutes" in status.inner_text()
    # reorder with the keyboard alternative: move the decision up
    with cmo.expect_response(lambda r: "/move/" in r.url):
        cmo.get_by_role("button", name=re.compile(r"^Move up\s*:\s*Decision: second liaison")).click()
    titles = cmo.locator("#agenda-list .agenda__title strong").all_inner_texts()
    assert titles == ["Data platform: what shipped", "Decision: second liaison", "Campaign results with the new CDP"]
    assert run_axe(cmo) == []
    cmo.get_by_role("button", name=re.compile("Collecting input")).click()
    cmo.get_by_role("button", name="Lock the agenda").click()
    cmo.locator(".badge").get_by_text("Agenda locked").wait_for()
    assert cmo.get_by_text("Frozen when the agenda was locked").is_visible()
    screenshot(cmo, "qbr-locked")
    response = cmo.request.get("/reviews/2027/q2/export.pdf")
    assert response.status == 200 and response.body()[:5] == b"%PDF-"


def test_two_people_editing_the_same_agenda_item_get_a_conflict_not_a_lost_edit(login, server_env):
    manage(
        server_env,
        "shell",
        "-c",
        "from datetime import datetime, UTC; from collab.accounts.models import User; from reviews import services;"
        "u = {x.username: x for x in User.objects.filter(username__in=['cmo', 'cio', 'member'])};"
        "r = services.review_create(by=u['cmo'], year=2027, quarter=3, scheduled_at=datetime(2027, 9, 9, 12, 0, tzinfo=UTC),"
        " length_minutes=60, location='', facilitator=u['cmo'], attendees=[u['cio'], u['member']]);"
        "services.item_add(review=r, by=u['cmo'], title='Shared item', kind='update', team='joint', presenter=None,"
        " time_box_minutes=10, notes='')",
    )
    first, second = login("cmo"), login("cio")
    for page in (first, second):
        page.goto("/reviews/2027/q3/")
        page.get_by_role("link", name=re.compile(r"^Edit\s*:\s*Shared item")).click()
    first.get_by_label("Title").fill("Shared item — CMO's wording")
    first.get_by_role("button", name="Save").click()
    first.wait_for_url(re.compile(r"/reviews/2027/q3/"))
    second.get_by_label("Title").fill("Shared item — CIO's wording")
    second.get_by_role("button", name="Save").click()
    assert second.get_by_text("Someone else changed this item while you were editing.").is_visible()
    assert second.get_by_text("Shared item — CMO's wording").first.is_visible()  # theirs is shown
    assert second.get_by_label("Title").input_value() == "Shared item — CIO's wording"  # mine is not lost
    second.goto("/reviews/2027/q3/")
    assert second.locator("#agenda-list").get_by_text("Shared item — CMO's wording", exact=True).is_visible()
