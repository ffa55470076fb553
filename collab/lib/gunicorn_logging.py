"""gunicorn's access log without secrets: the request line, path, query and referer of each line go through
``collab.lib.logging.redact_secrets`` (calendar feed tokens, password-reset tokens). ``gunicorn.conf.py`` names it."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from collab.lib.logging import redact_secrets


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact_secrets(v) if isinstance(v, str) else v for k, v in atoms.items()}
