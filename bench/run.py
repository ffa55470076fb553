"""`make bench`: Collab at company scale, measured.

1. Two Postgres databases: ``<name>_1k`` (1,000 snags) and ``<name>`` (100,000 snags and the rest of
   ``seed_scale``); each is seeded once and reused until ``--fresh``.
2. Query counts per page on both (they must be identical) and HTML sizes, with Django's test client.
3. gunicorn serves the 100k database on localhost; wrk (Debian) hits every key page as a signed-in user:
   median, p95, requests/s, bytes — and the ratio of median and p95 to the baseline (``/healthz`` plus session).
4. The escalation and reminder sweeps over the 100k data set with 1% due.
5. 50 concurrent editors of the same snags and QBR agenda items for 30 s on the 1k database (``--editors``,
   ``--editors-seconds``; ``--only-editors`` runs just this): edits attempted, conflicts refused, silent
   overwrites (must be 0). The suite keeps a short lockstep run (tests/reliability/test_concurrent_edits.py).

Prints a table and writes ``bench/results.json`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RESULTS = ROOT / "bench" / "results.json"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/collab_bench"


def _with_db(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + name))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _check_signed_in(url: str, headers: dict[str, str]) -> None:
    """The page answers 200 to the load generator's session: a redirect to the login page would be measured as a
    fast page."""
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=30) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise SystemExit(f"{url} answered {status} to the bench session: nothing measured")


def _ensure_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin = _with_db(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(url: str, *args: str, capture: bool = False) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "development", "DEBUG": "false"}
    env.pop("COLLAB_TESTING", None)
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True, text=True, capture_output=capture
    )
    return done.stdout if capture else ""


def _seed(url: str, snags: int, fresh: bool) -> None:
    if fresh:
        _drop_database(url)
    _ensure_database(url)
    _manage(url, "migrate", "--noinput", "-v0")
    _manage(url, "seed_scale", "--snags", str(snags))


def _probe(url: str, *args: str) -> dict[str, Any]:
    out = _manage(url, "bench_probe", *args, capture=True)
    line = next(ln for ln in reversed(out.splitlines()) if ln.startswith("BENCH_PROBE "))
    return dict(json.loads(line.removeprefix("BENCH_PROBE ")))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> dict[str, Any]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(ROOT / "bench" / "report.lua")]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run([*cmd, url], check=True, text=True, capture_output=True).stdout  # noqa: S603
    line = next(ln for ln in out.splitlines() if ln.startswith("{"))
    return json.loads(line)


def markdown_row(sizes: tuple[int, ...] = (10_000, 100_000)) -> dict[str, Any]:
    """The worst of a set of pathological Markdown inputs (and the search snippet over it) at each size, as
    milliseconds per KB: flat between the sizes when rendering is linear. ``python bench/run.py --markdown``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from collab.lib import search
    from collab.lib.markdown import render_markdown

    inputs = {
        "brackets": lambda n: "[" * n,
        "emphasis": lambda n: "*" * (n // 2) + "a" + "_" * (n // 2),
        "backticks": lambda n: "`a``" * (n // 4),
        "links": lambda n: "[a](" * (n // 4),
        "lists": lambda n: "".join("  " * i + "- a\n" for i in range(300)) + "- a\n" * (n // 4),
        "quotes": lambda n: ">" * n,
        "raw html": lambda n: "<a " * (n // 3),
    }
    query = search.Query.parse("printer")
    row: dict[str, Any] = {}
    for n in sizes:
        worst = ("", 0.0)
        for name, make in inputs.items():
            text = make(n)
            started = time.perf_counter()
            render_markdown(text)
            search.snippet(query, text)
            per_kb = (time.perf_counter() - started) * 1000 / (len(text) / 1024)
            worst = max(worst, (name, per_kb), key=lambda w: w[1])
        row[f"{n // 1000}k"] = {"worst": worst[0], "ms_per_kb": round(worst[1], 2)}
    first, last = row[f"{sizes[0] // 1000}k"]["ms_per_kb"], row[f"{sizes[-1] // 1000}k"]["ms_per_kb"]
    row["ratio"] = round(last / first, 2) if first else None
    print(
        "markdown (worst pathological input, render + snippet): "
        + "  ".join(f"{k} {v['ms_per_kb']} ms/KB ({v['worst']})" for k, v in row.items() if k != "ratio")
        + f"  ratio {row['ratio']}"
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snags", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="drop and seed the databases again")
    parser.add_argument(
        "--editors", type=int, default=50, help="concurrent editors of the same records (0: skip that run)"
    )
    parser.add_argument("--editors-seconds", type=int, default=30)
    parser.add_argument("--only-editors", action="store_true", help="run only the concurrent editors")
    parser.add_argument("--markdown", action="store_true", help="only the pathological Markdown row")
    args = parser.parse_args()
    if args.markdown:
        markdown_row()
        return 0

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = DEFAULT_DB
        print(f"DATABASE_URL is not Postgres; using {base}")
    name = urlparse(base).path.lstrip("/") or "collab_bench"
    big = _with_db(base, name if name != "collab" else "collab_bench")
    small = _with_db(base, urlparse(big).path.lstrip("/") + "_1k")
    if args.only_editors:
        _seed(small, 1_000, args.fresh)
        concurrent_editors(small, args.editors, args.editors_seconds)
        return 0
    if shutil.which("wrk") is None:
        print("wrk is missing: sudo apt-get install -y wrk (Debian's package), then make bench again.")
        return 2

    timings: dict[str, float] = {}
    for url, count in ((small, 1_000), (big, args.snags)):
        started = time.perf_counter()
        _seed(url, count, args.fresh)
        timings[f"seed {count}"] = round(time.perf_counter() - started, 1)
        print(f"seeded {count:,} snags in {timings[f'seed {count}']} s ({urlparse(url).path})")

    # query counts, sizes and the session cookie come from the app itself
    probe_small = _probe(small)
    probe_big = _probe(big, "--sweeps")
    pages = probe_big["pages"]

    port = _free_port()
    env = {**os.environ, "DATABASE_URL": big, "DEBUG": "false", "DJANGO_ENV": "development"}
    env.pop("COLLAB_TESTING", None)
    server = subprocess.Popen(  # noqa: S603
        [
            PY,
            "-m",
            "gunicorn",
            "collab.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        cookie = f"sessionid={probe_big['session']}"
        rows = []
        for page in pages:
            headers = {"Cookie": cookie}
            if page["htmx"]:
                headers["HX-Request"] = "true"
            _check_signed_in(f"http://127.0.0.1:{port}{page['path']}", headers)
            result = _wrk(f"http://127.0.0.1:{port}{page['path']}", headers, args.seconds, args.connections)
            small_q = next(p["queries"] for p in probe_small["pages"] if p["name"] == page["name"])
            rows.append({**page, **result, "queries_1k": small_q, "queries_100k": page["queries"]})
            print(f"  {page['name']:<28} median {result['median_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    baseline = rows[0]
    for row in rows:
        row["median_x"] = round(row["median_ms"] / baseline["median_ms"], 2) if baseline["median_ms"] else None
        row["p95_x"] = round(row["p95_ms"] / baseline["p95_ms"], 2) if baseline["p95_ms"] else None

    header = f"{'page':<28} {'median ms':>9} {'p95 ms':>8} {'req/s':>7} {'KB':>6} {'q 1k':>5} {'q 100k':>6} {'med×':>5} {'p95×':>5}"
    print()
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['name']:<28} {r['median_ms']:>9.1f} {r['p95_ms']:>8.1f} {r['rps']:>7.1f} {r['bytes'] / 1024:>6.1f} "
            f"{r['queries_1k']:>5} {r['queries_100k']:>6} {r['median_x']:>5} {r['p95_x']:>5}"
        )
    sweeps = probe_big.get("sweeps", {})
    print()
    for key, value in sweeps.items():
        print(f"{key}: {value}")
    for key, value in timings.items():
        print(f"{key}: {value} s")
    editors = concurrent_editors(small, args.editors, args.editors_seconds) if args.editors else {}
    RESULTS.write_text(
        json.dumps(
            {
                "machine": f"{platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores",
                "python": platform.python_version(),
                "pages": rows,
                "sweeps": sweeps,
                "seed_seconds": timings,
                "counts": probe_big.get("counts", {}),
                "concurrent_editors": editors,
                "markdown": markdown_row(),
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


def concurrent_editors(url: str, editors: int, seconds: int) -> dict[str, Any]:
    """``editors`` people edit the same five snags and five QBR agenda items for ``seconds`` (on the 1k database;
    the run removes what it made): every save applies on the version it read or is refused, never lost."""
    code = (
        "import json; from tests.reliability.editors import for_seconds; "
        f"r = for_seconds(editors={int(editors)}, seconds={int(seconds)}); "
        "print('BENCH_EDITORS ' + json.dumps({'editors': "
        f"{int(editors)}, 'seconds': {int(seconds)}, "
        "'edits_attempted': r.attempted, 'saves_applied': r.saves, 'conflicts_refused': r.conflicts, "
        "'silent_overwrites': r.silent_overwrites, 'errors': r.errors[:3]}))"
    )
    out = _manage(url, "shell", "-c", code, capture=True)
    line = next(ln for ln in reversed(out.splitlines()) if ln.startswith("BENCH_EDITORS "))
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH_EDITORS "))
    print(
        f"\nconcurrent editors: {result['editors']} for {result['seconds']} s → {result['edits_attempted']} edits "
        f"attempted, {result['saves_applied']} applied, {result['conflicts_refused']} conflicts refused, "
        f"{result['silent_overwrites']} silent overwrites"
    )
    if result["errors"] or result["silent_overwrites"]:
        print(f"  FAILED: {result['errors']}")
    return result


if __name__ == "__main__":
    raise SystemExit(main())
