"""Calendar feed tokens and password-reset tokens never reach a log line: Django's loggers (through the console
handler's filter) and gunicorn's access log (its logger class) alike."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.test import RequestFactory

from collab.lib.gunicorn_logging import RedactingLogger
from collab.lib.logging import JsonFormatter, RedactSecretsFilter

FEED = "/calendar/feed/s3cr3t-feed-token-abc123.ics"
RESET = "/accounts/reset/MTIz/c4x9kq-0f3b2a9d8e7c6b5a4/"
SECRETS = ("s3cr3t-feed-token-abc123", "MTIz", "c4x9kq-0f3b2a9d8e7c6b5a4", "hunter2")


def _through_handler(logger_name: str, msg: str, *args, **extra) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        logger.warning(msg, *args, extra=extra)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_django_request_lines_lose_their_tokens():
    line = _through_handler("django.server", '"%s" %s %s', f"GET {FEED} HTTP/1.1", 200, 512)
    line += _through_handler("django.request", "Not Found: %s", RESET, request=RequestFactory().get(RESET))
    line += _through_handler("collab.test", "callback %s", "/accounts/sso/callback/?code=hunter2&state=x")
    assert "/calendar/feed/[redacted].ics" in line and "/accounts/reset/[redacted]/[redacted]" in line
    for secret in SECRETS:
        assert secret not in line


def test_the_console_handler_filters_and_carries_the_development_server():
    logging_config: dict = settings.LOGGING
    assert "redact_secrets" in logging_config["handlers"]["console"]["filters"]
    assert logging_config["loggers"]["django.server"]["handlers"] == ["console"]


def test_gunicorn_access_lines_lose_their_tokens():
    stream = io.StringIO()
    cfg = SimpleNamespace(
        access_log_format='%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s', errorlog="-", accesslog="-", loglevel="info",
        syslog=False, logconfig=None, logconfig_dict={}, logconfig_json=None, capture_output=False,
        disable_redirect_access_to_syslog=False, user=0, group=0, statsd_host=None, dogstatsd_tags="",
        statsd_prefix="", env={}, secure_scheme_headers={}, forwarded_allow_ips=[],
    )  # fmt: skip
    log = RedactingLogger(cfg)
    log.access_log.handlers = [logging.StreamHandler(stream)]
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"{FEED}?token=hunter2", "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": RESET, "QUERY_STRING": "token=hunter2", "REMOTE_ADDR": "203.0.113.5",
        "HTTP_REFERER": f"https://collab.example.com{RESET}",
    }  # fmt: skip
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    log.access(resp, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    line = stream.getvalue()
    assert "203.0.113.5" in line and "/calendar/feed/[redacted].ics" in line, line
    for secret in SECRETS:
        assert secret not in line
