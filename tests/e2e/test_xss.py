"""Stored XSS in the browser: payloads saved in a snag, a comment and a meeting agenda show as text, and no
script runs (no dialog opens) on the pages that show them."""

from __future__ import annotations

from tests.e2e.conftest import manage
from tests.security.xss import PAYLOADS


def test_payloads_open_no_dialog_in_the_browser(login, server_env):
    payloads = PAYLOADS[:40]
    out = manage(
        server_env,
        "shell",
        "-c",
        "import json, sys; from collab.accounts.models import User; from parkinglot import services;"
        f"p = json.loads({__import__('json').dumps(__import__('json').dumps(payloads))});"
        "m = User.objects.get(username='member');"
        "s = services.snag_create(raised_by=m, title=p[0][:200], details='\\n\\n'.join(p));"
        "[services.comment_add(snag=s, author=m, body=x) for x in p[1:20]];"
        "print(s.code)",
    )
    code = out.strip().splitlines()[-1]
    page = login("liaison")
    dialogs: list[str] = []

    def seen(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    for path in (f"/snags/{code}/", "/snags/?status=all&sort=newest", "/snags/board/", "/snags/review/", "/"):
        page.goto(path)
        page.wait_for_timeout(300)
    assert dialogs == [], dialogs
