"""The technology register in a real browser: the register, a tool, the requests pass axe and fit a phone; the CMO
requests a tool and the CIO answers it with a reason before the deadline."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import manage, no_horizontal_scroll, run_axe, screenshot

# the demo objects by name (their ids depend on the seeding order); looked up in the server's own database
LOOKUP = """
from collab.projects.tools.models import Tool, ToolRequest
print(Tool.objects.get(name="HubSpot Marketing Hub").get_absolute_url())
print(Tool.objects.get(name="Salesforce Sales Cloud").get_absolute_url())
print(ToolRequest.objects.get(title="Social listening dashboard").get_absolute_url())
"""


@pytest.fixture(scope="module")
def pages(server_env, base_url) -> list[str]:
    out = manage(server_env, "shell", "-c", LOOKUP)
    hubspot, salesforce, request = [line.strip() for line in out.splitlines() if line.startswith("/tools/")]
    return ["/tools/", hubspot, salesforce, "/tools/requests/", "/tools/requests/?show=all", request,
            "/tools/requests/new/", "/tools/new/"]  # fmt: skip


@pytest.mark.parametrize("user", ["cio", "member"])
def test_tool_pages_have_no_axe_violations_and_fit_a_phone(login, pages, user):
    page = login(user)
    phone = login(user, width=375, height=800)
    found, wide = {}, []
    for path in pages:
        page.goto(path)
        violations = run_axe(page)
        if violations:
            found[path] = violations
        slug = "tools" + path.strip("/").replace("/", "-").replace("?show=", "-").removeprefix("tools")
        if user == "cio":
            screenshot(page, f"{slug}-1280")
        phone.goto(path)
        if not no_horizontal_scroll(phone):
            wide.append(path)
    assert found == {}, found
    assert wide == [], f"these pages scroll sideways at 375 px: {wide}"
    assert not page.console_errors, page.console_errors


def test_cmo_requests_a_tool_and_the_cio_decides_with_a_reason(login):
    cmo = login("cmo")
    cmo.goto("/tools/requests/new/")
    cmo.get_by_label("Tool or need, in a few words").fill("E2E podcast hosting")
    cmo.get_by_role("textbox", name="Need", exact=True).fill("Publish the customer podcast.")
    cmo.get_by_label("Category").select_option("marketing_automation")
    cmo.get_by_role("button", name="Send the request").click()
    assert cmo.get_by_text("Your request is in. IT answers by").is_visible()
    url = cmo.url
    cio = login("cio")
    cio.goto(url)
    cio.get_by_role("combobox", name="Decision", exact=True).select_option("reject")
    cio.get_by_role("button", name="Record the decision").click()
    assert cio.get_by_text("Give the reason for the decision.").is_visible()  # nothing saved without a reason
    cio.get_by_role("combobox", name="Decision", exact=True).select_option("trial")
    cio.get_by_role("textbox", name="Reason", exact=True).fill("A 60-day trial; EU hosting confirmed.")
    cio.get_by_role("button", name="Record the decision").click()
    assert cio.get_by_role("heading", name="Decision: Trial").is_visible()
    cmo.goto(url)
    assert cmo.get_by_text("A 60-day trial; EU hosting confirmed.").is_visible()
