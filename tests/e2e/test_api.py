"""The API journey in a real browser and a real server: a person makes a token on their settings page, a script
logs a snag with it over HTTP, the person sees it in the parking lot; the Swagger docs run under our CSP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.e2e.conftest import run_axe, screenshot


def _script(base_url: str, token: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """What a user's script does: plain HTTP with the bearer token."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - our own localhost server
        base_url + path,
        data=data,
        method="POST" if body is not None else "GET",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_script_logs_a_snag_with_a_token_made_on_the_settings_page(login, base_url):
    page = login("member")
    page.goto("/settings/notifications/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("e2e script")
    page.get_by_role("button", name="Make token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("collab_")
    assert run_axe(page) == []
    screenshot(page, "api-token-made")

    status, body = _script(base_url, token, "/api/snags", {"title": "Logged by the e2e script", "impact": "high"})
    assert status == 201, body
    code = body["code"]
    page.goto(f"/snags/{code}/")
    assert page.get_by_role("heading", name="Logged by the e2e script").is_visible()

    # shown once: the page no longer has it; revoking it turns the script away
    page.goto("/settings/tokens/")
    assert token not in page.content()
    page.get_by_role("button", name="Revoke e2e script").click()
    status, body = _script(base_url, token, "/api/snags")
    assert status == 401 and body == {"detail": "This token was revoked."}
    assert not page.console_errors, page.console_errors


def test_the_swagger_docs_run_under_our_csp(login):
    page = login("member")
    page.goto("/api/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Collab API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-summary-path", has_text="/api/snags").first.is_visible()
    screenshot(page, "api-docs")
    csp_errors = [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]
    assert csp_errors == [], csp_errors
