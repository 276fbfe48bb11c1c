"""``make bench-web``: the listing pages and the market view under 50 concurrent users.

For each database (SQLite file, PostgreSQL schema) a fresh database is seeded with 100,000
listings (``benchmarks/web_seed.py``), the app is served by gunicorn on 127.0.0.1 and a member
and a staff user log in through the login form. Each page then gets two loads:

- ``50 conn``: wrk keeps 50 requests in flight without pause, for ``--seconds``: the strictest
  reading of "50 concurrent users", and the throughput of the stack;
- ``50 users``: 50 people who each read a page for 0.5-1.5 s before the next request
  (``benchmarks/web_users.py``): the latency a person sees when 50 are working at once.

The bare Flask page of ``benchmarks/bare_app.py``, served the same way, gets the same loads: the
ceiling of the stack on this machine. The markdown table (exact command on top) goes to
standard output and ``--out``; the figures also to the JSON file next to it. The exit code is 1
when a page answered anything but 200 during the runs, or did not show listings beforehand.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import shlex
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.web_load import LoadResult, run_wrk, wrk_script
from benchmarks.web_server import Gunicorn, get, login
from benchmarks.web_users import run_users

TARGET_P95_MS = 100.0
THINK_S = (0.5, 1.5)
WARM_UP_SECONDS = 3


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    who: str  # "member", "staff" or "" (no login)


PAGES = (
    Page("member: own offers", "/offers", "member"),
    Page("staff: all offers", "/offers", "staff"),
    Page("market view (member)", "/market", "member"),
    Page("market view, filtered", "/market?tier=material2&region=jiangxi", "member"),
)
BARE = Page("bare Flask page", "/", "")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.web_bench", description=__doc__.split("\n", 1)[0])
    p.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both (default both)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
                   help="PostgreSQL server; the benchmark works in a schema it creates and drops")
    p.add_argument("--listings", type=int, default=100_000, help="offers and demands together (default 100000)")
    p.add_argument("--orgs", type=int, default=3000, help="generated organisations (default 3000)")
    p.add_argument("--seconds", type=int, default=20, help="length of each measured load, s (default 20, at most 30)")
    p.add_argument("--users", type=int, default=50, help="concurrent users / connections (default 50)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, one per core)")
    p.add_argument("--threads", type=int, default=4,
                   help="gunicorn threads per worker (default 4, gthread; 1 = sync workers)")
    p.add_argument("--loads", default="conn,users", help="conn (wrk, no pause), users (paced), or both")
    p.add_argument("--out", type=Path, default=Path("bench-out/web.md"),
                   help="markdown table (default bench-out/web.md); JSON rows go next to it")
    return p


def _environment(args: argparse.Namespace) -> str:
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    threads = f", {args.threads} threads each (gthread)" if args.threads > 1 else " (sync)"
    return (f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs ({cpu}); "
            f"Python {platform.python_version()}, gunicorn {version('gunicorn')}, Flask {version('flask')}, "
            f"SQLAlchemy {version('sqlalchemy')}; gunicorn -w {args.workers}{threads} --timeout 30 on 127.0.0.1; "
            f"wrk -t 2 -c {args.users} -d {args.seconds}s; paced users think {THINK_S[0]:g}-{THINK_S[1]:g} s")


def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def measure(
    args: argparse.Namespace, directory: Path, server: Gunicorn, path: str, cookie: str
) -> dict[str, LoadResult]:
    """A short warm-up (not counted), then each chosen load on one URL, with the server's CPU per request."""
    url = server.base_url + path
    script = directory / f"load-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(wrk_script(cookie), encoding="utf-8")
    run_wrk(url, script, connections=8, seconds=WARM_UP_SECONDS)
    results: dict[str, LoadResult] = {}
    loads = {
        "conn": lambda: run_wrk(url, script, connections=args.users, seconds=args.seconds),
        "users": lambda: run_users(url, cookie, users=args.users, seconds=args.seconds, think_s=THINK_S),
    }
    for name, run in loads.items():
        if name in args.loads:
            cpu_before = server.worker_cpu_seconds()
            result = run()
            cpu = server.worker_cpu_seconds() - cpu_before
            results[name] = replace(result, cpu_ms=round(cpu * 1000 / result.requests, 2) if result.requests else None)
    script.unlink()
    return results


def _rows(database: str, page: Page, results: dict[str, LoadResult]) -> list[dict[str, Any]]:
    return [{"database": database, "page": page.label, "path": page.path, "load": load, **result.as_dict()}
            for load, result in results.items()]


def check_page(base_url: str, page: Page, cookie: str) -> str | None:
    """A problem with the page before loading it (not 200, or no listing rows), else None."""
    answer = get(base_url + page.path, cookie)
    if answer.status != 200:
        return f"{page.label}: HTTP {answer.status} before the load ({answer.headers.get('location', [''])[0]})"
    if page.who and answer.body.count("<tr") < 6:
        return f"{page.label}: fewer than 5 listing rows on the page"
    return None


def bench_bare(args: argparse.Namespace, directory: Path) -> list[dict[str, Any]]:
    print("bare Flask page", file=sys.stderr, flush=True)
    with Gunicorn("benchmarks.bare_app:app", workers=args.workers, threads=args.threads,
                  log_path=directory / "bare.log") as server:
        return _rows("-", BARE, measure(args, directory, server, BARE.path, ""))


@contextmanager
def database(backend: str, args: argparse.Namespace, directory: Path) -> Iterator[dict[str, str]]:
    """Settings (app config names) of an empty database that is removed afterwards."""
    if backend == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{directory / 'bench.db'}"}
        return
    from sqlalchemy import text

    from matchmaker.config import normalise_database_url
    from matchmaker.db import make_engine

    schema = "mm_bench_" + uuid.uuid4().hex[:10]
    engine = make_engine(normalise_database_url(args.pg_url))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"DATABASE_URL": args.pg_url, "DATABASE_SCHEMA": schema}
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def bench_backend(
    args: argparse.Namespace, directory: Path, backend: str, problems: list[str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from benchmarks.web_seed import seed_database
    from matchmaker import create_app
    from matchmaker.db import get_engine

    print(f"{backend}: seeding {args.listings} listings", file=sys.stderr, flush=True)
    secret = "bench-" + secrets.token_urlsafe(24)
    rows: list[dict[str, Any]] = []
    with database(backend, args, directory) as settings:
        app = create_app({**settings, "SECRET_KEY": secret})
        began = time.monotonic()
        summary = seed_database(app, listings=args.listings, orgs=args.orgs)
        data = {"database": backend, "seed_seconds": round(time.monotonic() - began, 1), **summary.__dict__}
        data.pop("password")
        get_engine(app).dispose()
        env = {"DATABASE_URL": settings["DATABASE_URL"], "MATCHMAKER_SECRET_KEY": secret}
        if "DATABASE_SCHEMA" in settings:
            env["MATCHMAKER_DATABASE_SCHEMA"] = settings["DATABASE_SCHEMA"]
        with Gunicorn("wsgi:app", env=env, workers=args.workers, threads=args.threads,
                      log_path=directory / f"{backend}.log") as server:
            cookies = {"member": login(server.base_url, summary.member_email, summary.password),
                       "staff": login(server.base_url, summary.staff_email, summary.password)}
            for page in PAGES:
                print(f"  {page.label}", file=sys.stderr, flush=True)
                problem = check_page(server.base_url, page, cookies[page.who])
                if problem:
                    problems.append(f"{backend}: {problem}")
                    continue
                rows += _rows(backend, page, measure(args, directory, server, page.path, cookies[page.who]))
    return rows, data


LEGEND = """\
Loads: *N conn* wrk keeps N requests in flight without pause (closed loop: latency = N / throughput,
so this is the throughput test); *N users* N people each pausing 0.5-1.5 s between pages (the latency
a person sees while N work at once). Latencies from sending the request to the last byte; errors are
failed connections and answers other than 200. *server CPU ms/req*: user + system CPU of the gunicorn
master and workers during the load, per request (what a page costs the server whatever else the
machine runs; 2 cores serve at most 2000 / that many requests a second)."""


def table(rows: list[dict[str, Any]], users: int) -> str:
    names = {"conn": f"{users} conn", "users": f"{users} users"}
    header = ("| database | page | URL | load | req/s | p50 ms | p95 ms | p99 ms | max ms | errors "
              "| server CPU ms/req | p95 ≤ 100 ms |")
    lines = [header, "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        ok = "yes" if r["p95_ms"] <= TARGET_P95_MS else f"no (+{r['p95_ms'] - TARGET_P95_MS:.0f} ms)"
        lines.append(
            f"| {r['database']} | {r['page']} | `{r['path']}` | {names.get(r['load'], r['load'])} | {r['rps']:.0f} "
            f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} | {r['errors']} "
            f"| {'' if r.get('cpu_ms') is None else format(r['cpu_ms'], '.1f')} | {ok} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    if not 1 <= args.seconds <= 30:
        print("--seconds must be between 1 and 30 (the machine is shared)", file=sys.stderr)
        return 2
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if any(b not in ("sqlite", "postgresql") for b in backends):
        print(f"unknown backend in {args.backends!r}", file=sys.stderr)
        return 2
    command = shlex.join(["python", "-m", "benchmarks.web_bench", *argv])
    load_before = _load_average()
    rows: list[dict[str, Any]] = []
    data: list[dict[str, Any]] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="web-bench-") as tmp:
        directory = Path(tmp)
        rows += bench_bare(args, directory)
        for backend in backends:
            backend_rows, backend_data = bench_backend(args, directory, backend, problems)
            rows += backend_rows
            data.append(backend_data)
    problems += [f"{r['database']} {r['page']} ({r['load']}): {r['errors']} errors" for r in rows if r["errors"]]
    sizes = "; ".join(
        f"{d['database']}: {d['organisations']} organisations, {d['offers']} offers + {d['demands']} demands "
        f"(seeded in {d['seed_seconds']:g} s), the member's organisation has {d['member_org_listings']}"
        for d in data
    )
    text = "\n\n".join([
        f"`{command}`",
        f"{_environment(args)}; load average before {load_before}, after {_load_average()}.",
        sizes,
        table(rows, args.users),
        LEGEND,
        *(["Problems:\n\n" + "\n".join(f"- {p}" for p in problems)] if problems else []),
    ]) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(
        json.dumps({"command": command, "data": data, "rows": rows, "problems": problems}, indent=1) + "\n",
        encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
