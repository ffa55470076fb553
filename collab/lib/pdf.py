"""HTML → PDF with WeasyPrint, which reads our own static files from disk and fetches nothing else.

WeasyPrint's default fetcher loads every stylesheet, image and font over HTTP (or ``file:``): the QBR pack's
``/static/css/print.css`` came from the site itself, holding a worker while another one served it, and any URL in
user text would be fetched by the server. ``StaticFilesOnly`` answers a URL under ``STATIC_URL`` of our base URL
from the collected files (``STATIC_ROOT``, where the manifest's hashed names live) or, before ``collectstatic``,
from the staticfiles finders; every other URL (another host, ``file:``, ``data:``, a path outside static) is
refused, and WeasyPrint renders on without it.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

log = logging.getLogger(__name__)

#: the only kinds of file a PDF may embed from static
ALLOWED_TYPES = {"text/css", "image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp", "font/woff",
                 "font/woff2", "font/ttf", "font/otf"}  # fmt: skip


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (Pango) are not installed here."""


def base_url() -> str:
    """The base every relative URL of a PDF's HTML is joined to: the site (links in the PDF point there)."""
    return settings.SITE_URL.rstrip("/") + "/"


def static_path(url: str) -> Path | None:
    """The file on disk for ``url`` if it names one of our static files at our base URL, else None."""
    parts, base = urlsplit(url), urlsplit(base_url())
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.query:
        return None
    prefix = urlsplit(settings.STATIC_URL).path
    prefix = "/" + prefix.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    name = posixpath.normpath(path.removeprefix(prefix))
    if name.startswith(("/", "..")) or "\\" in name or "\0" in name:
        return None
    mime, _ = mimetypes.guess_type(name)
    if mime not in ALLOWED_TYPES:
        return None
    if settings.STATIC_ROOT:  # collected: the manifest's hashed names are only here
        root = Path(settings.STATIC_ROOT).resolve()
        file = (root / name).resolve()
        if file.is_relative_to(root) and file.is_file():
            return file
    try:
        found = finders.find(name)  # the app and project static folders (safe_join inside)
    except SuspiciousFileOperation:
        return None
    return Path(found) if isinstance(found, str) else None


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):  # type: ignore[misc]
        """Our static files from disk; every other URL refused (WeasyPrint logs it and renders without)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            file = static_path(url)
            if file is None:
                log.info("pdf refused a resource", extra={"scheme": urlsplit(url).scheme})
                raise ValueError("Only Collab's own static files are used in a PDF.")
            mime, _ = mimetypes.guess_type(file.name)
            return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": mime or "application/octet-stream"})

    return StaticFilesOnly


def html_to_pdf(html: str) -> bytes:
    """A PDF of ``html`` (relative URLs are the site's); no network and no file outside static is read."""
    try:
        from weasyprint import HTML  # imported on demand: optional system libraries
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(f"PDF export needs WeasyPrint and Pango: {exc}") from exc
    fetcher = _fetcher_class()()
    return bytes(HTML(string=html, base_url=base_url(), url_fetcher=fetcher).write_pdf())
