"""The QBR PDF reads its stylesheet from disk and fetches nothing: no request to the site itself (two exports
used to hold both workers while each fetched /static/css/print.css from the other), and no URL a user typed."""

from __future__ import annotations

import io
import socket
from typing import Any

import pytest

from collab.lib import pdf as pdfs
from reviews import services

pytestmark = pytest.mark.django_db
URL = "/reviews/2026/q4/"


@pytest.fixture(autouse=True)
def _weasyprint():
    pytest.importorskip("weasyprint", reason="WeasyPrint is an optional extra")
    try:
        pdfs.html_to_pdf("<p>probe</p>")
    except pdfs.PdfUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open an internet socket fails the test (unix sockets, e.g. a database's, still work)."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise AssertionError(f"the PDF export opened a connection to {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def _fonts(content: bytes) -> set[str]:
    from pypdf import PdfReader

    fonts: set[str] = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])  # without the subset prefix
    return fonts


def _text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_has_the_print_stylesheet_without_any_http_request(
    client_as, review, member, settings, no_network, httpserver
):
    settings.SITE_URL = f"http://127.0.0.1:{httpserver.port}"  # were it fetched over HTTP, it would arrive here
    httpserver.expect_request("/static/css/print.css").respond_with_data("body { font-family: serif }")
    services.item_add(
        review=review, by=member, title="Lead scoring rollout", kind="update", team="joint", presenter=None,
        time_box_minutes=10, notes="",
    )  # fmt: skip
    response = client_as(member).get(URL + "export.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "Lead scoring rollout" in _text(response.content)
    assert _fonts(response.content) == {"DejaVu-Sans", "DejaVu-Sans-Bold"}  # print.css's
    assert no_network == [] and httpserver.log == []


def test_without_the_stylesheet_the_font_differs(settings):
    """The check above means something: the same page with its stylesheet refused falls back to a serif font."""
    with_css = pdfs.html_to_pdf('<link rel="stylesheet" href="/static/css/print.css"><p>Hello</p>')
    without = pdfs.html_to_pdf('<link rel="stylesheet" href="/static/css/missing.css"><p>Hello</p>')
    assert _fonts(with_css) == {"DejaVu-Sans"}
    assert _fonts(without) == {"DejaVu-Serif"}


def test_images_in_user_markdown_are_never_fetched(client_as, review, member, httpserver, no_network):
    httpserver.expect_request("/x.png").respond_with_data(b"\x89PNG", content_type="image/png")
    services.item_add(
        review=review, by=member, title="Pictures", kind="update", team="joint", presenter=None,
        time_box_minutes=10,
        notes=f"![x]({httpserver.url_for('/x.png')}) ![p](file:///etc/passwd) <img src=\"{httpserver.url_for('/y.png')}\">",
    )  # fmt: skip
    response = client_as(member).get(URL + "export.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert httpserver.log == [] and no_network == []


@pytest.mark.parametrize(
    "resource",
    [
        '<img src="{server}/x.png">',
        '<link rel="stylesheet" href="{server}/evil.css">',
        "<style>@import url('{server}/imported.css'); p {{ background: url('{server}/bg.png') }}</style>",
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<img src="/static/../../../../etc/passwd">',
        '<img src="/static/%2e%2e/%2e%2e/etc/passwd">',
        '<link rel="stylesheet" href="/static/css/print.css?x=1">',
        '<img src="/media/secret.png">',
    ],
)
def test_the_fetcher_refuses_every_url_but_our_static_files(resource, httpserver, monkeypatch):
    httpserver.expect_request("/x.png").respond_with_data(b"", status=200)
    server = f"http://127.0.0.1:{httpserver.port}"
    fetched: list[str] = []
    real = pdfs.static_path

    def spy(url):
        found = real(url)
        if found is not None:
            fetched.append(url)
        return found

    monkeypatch.setattr(pdfs, "static_path", spy)
    assert pdfs.html_to_pdf(resource.format(server=server) + "<p>x</p>").startswith(b"%PDF")
    assert httpserver.log == [] and fetched == []


def test_static_path_maps_only_our_static_files(settings):
    settings.SITE_URL = "https://collab.example.com"
    assert pdfs.static_path("https://collab.example.com/static/css/print.css").name == "print.css"
    for url in (
        "https://other.example.com/static/css/print.css",
        "http://collab.example.com/static/css/print.css",  # another origin (scheme)
        "https://collab.example.com/static/js/app.js",  # not a kind of file a PDF embeds
        "https://collab.example.com/static/../manage.py",
        "https://collab.example.com/static/css/../../manage.py",
        "https://collab.example.com/css/print.css",
        "file:///etc/passwd",
        "data:text/css,p{color:red}",
    ):
        assert pdfs.static_path(url) is None, url
