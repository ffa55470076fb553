"""XSS payloads and a checker that finds executable markup in a rendered page, whatever the payload was.

The checker does not look for the payloads themselves: it parses the HTML and flags anything that would run —
a script that is not one of our static files, an event-handler attribute, a ``javascript:`` (or similar) URL,
an element that embeds active content — so a payload that sneaks through in a shape we did not foresee is
caught too.
"""

from __future__ import annotations

from html.parser import HTMLParser

VECTORS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>click</a>",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href=" javascript:alert(1)">space</a>',
    '<a href="JaVaScRiPt:alert(1)">case</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<button formaction=javascript:alert(1)>go</button>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<link rel=import href=//evil.example>",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](  javascript:alert(1)  )",
    "![img](javascript:alert(1))",
    '![img](x" onerror="alert(1))',
    "[a](data:text/html,<script>alert(1)</script>)",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
]
WRAPPERS = [
    "{}",
    "\"'>{}",
    "</textarea>{}",
    "</title>{}",
    'x" onmouseover="alert(1)" y="{}',
]
PAYLOADS = [w.format(v) for v in VECTORS for w in WRAPPERS][:150]

# our own scripts: only static files, never inline
ALLOWED_SCRIPT_PREFIX = "/static/"
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc", "ping"}
ACTIVE_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")


def _squash(value: str) -> str:
    return "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).lower()


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "script":
            src = values.get("src", "")
            if not src.startswith(ALLOWED_SCRIPT_PREFIX):
                self.problems.append(f"<script> not from our static files: {values}")
            self._in_script = True
        if tag in ACTIVE_TAGS:
            self.problems.append(f"active element <{tag}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append("meta refresh")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in URL_ATTRS and _squash(value).startswith(BAD_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and ("javascript:" in _squash(value) or "expression(" in _squash(value)):
                self.problems.append(f"style={value!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:60]!r}")


def executable_markup(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems
