"""``make bench``: generated national markets solved by Matchmaker and by a plain HiGHS peer model.

Each market of ``solver.generate`` (LP and MIP variants, 100 to 3000 organisations) is solved in
a fresh process by our solver and then by the peer model of ``benchmarks/peer.py``, both graded
by the independent checker. The table (markdown, with the exact command line on top) goes to
standard output and ``--out``; every figure, including all solver stats, goes to the JSON file
next to it. The exit code is 1 when a run failed or a result broke the spec, so ``make bench``
fails loudly rather than recording a wrong table.

``--reference FILE`` is JSON mapping ``"mip-300-s1"`` (variant-orgs-s<seed>) to the best
objective known from longer runs; it only raises the "best known" the MIP rows are measured by.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._measure import in_fresh_process
from benchmarks._report import LEGEND, compare, errors, table

VARIANTS = ("lp", "mip")
# Guards against a hung engine only; each solver stops at its own time limit well before.
TIMEOUT_SLACK = 900.0


def _ints(text: str) -> list[int]:
    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"sizes must be integers: {text!r}") from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be >= 1: {text!r}")
    return sizes


def _variants(text: str) -> list[str]:
    chosen = [x.strip().lower() for x in text.split(",") if x.strip()]
    unknown = [x for x in chosen if x not in VARIANTS]
    if not chosen or unknown:
        raise argparse.ArgumentTypeError(f"variants are {','.join(VARIANTS)}, got {text!r}")
    return chosen


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.solver_bench",
                                description=__doc__.split("\n", 1)[0])
    p.add_argument("--sizes", type=_ints, default=[100, 300, 1000, 3000],
                   help="organisation counts, comma separated (default 100,300,1000,3000)")
    p.add_argument("--variants", type=_variants, default=list(VARIANTS),
                   help="lp (generate --lp), mip, or both (default lp,mip)")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument("--time-limit", type=float, default=60.0, help="our limit, s (default 60)")
    p.add_argument("--peer-time-limit", type=float, default=300.0,
                   help="the peer model's limit, s (default 300)")
    p.add_argument("--gap", type=float, default=1e-4, help="relative gap, both (default 1e-4)")
    p.add_argument("--threads", type=int, default=2, help="threads, both (default 2)")
    p.add_argument("--skip-peer", action="store_true", help="solve with our solver only")
    p.add_argument("--reference", type=Path, help="JSON of best known objectives (see above)")
    p.add_argument("--out", type=Path, default=Path("bench-out/solver.md"),
                   help="markdown table (default bench-out/solver.md); JSON rows go next to it")
    return p


def _environment() -> str:
    from importlib.metadata import version

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs "
            f"({cpu}); Python {platform.python_version()}, OR-Tools {version('ortools')}, "
            f"highspy {version('highspy')}")


def _market_file(directory: str, variant: str, orgs: int, seed: int) -> tuple[str, dict]:
    """Write the generated market as JSON (children read it like `matchmaker solve` would)."""
    from solver.generate import generate_market

    market = generate_market(orgs, seed, lp=variant == "lp")
    path = os.path.join(directory, f"{variant}-{orgs}-s{seed}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(market, f, ensure_ascii=False)
    sizes = {"offers": len(market.get("offers", [])), "demands": len(market.get("demands", [])),
             "bytes": os.path.getsize(path)}
    return path, sizes


def _log(run: dict[str, Any], who: str) -> None:
    shown = {k: v for k, v in run.items() if k not in ("problems", "traceback")}
    print(f"  {who}: {json.dumps(shown, default=str)}", file=sys.stderr, flush=True)
    if "traceback" in run:
        print(run["traceback"], file=sys.stderr, flush=True)


def bench_market(args: argparse.Namespace, directory: str, variant: str,
                 orgs: int) -> dict[str, Any]:
    print(f"{variant.upper()} {orgs} orgs, seed {args.seed}", file=sys.stderr, flush=True)
    path, sizes = _market_file(directory, variant, orgs, args.seed)
    common = {"path": path, "gap": args.gap, "threads": args.threads}
    row: dict[str, Any] = {"variant": variant, "orgs": orgs, "seed": args.seed, "market": sizes}
    row["ours"] = in_fresh_process("ours", args.time_limit + TIMEOUT_SLACK,
                                   time_limit=args.time_limit, **common)
    _log(row["ours"], "ours")
    row["peer"] = None
    if not args.skip_peer:
        row["peer"] = in_fresh_process("peer", args.peer_time_limit + TIMEOUT_SLACK,
                                       time_limit=args.peer_time_limit, **common)
        _log(row["peer"], "peer")
    os.remove(path)
    return row


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    reference: dict[str, float] = {}
    if args.reference:
        reference = json.loads(args.reference.read_text(encoding="utf-8"))
    command = shlex.join(["python", "-m", "benchmarks.solver_bench", *argv])

    rows = []
    with tempfile.TemporaryDirectory(prefix="solver-bench-") as directory:
        for variant in args.variants:
            for orgs in args.sizes:
                row = bench_market(args, directory, variant, orgs)
                compare(row, reference)
                rows.append(row)

    problems = errors(rows)
    settings = (f"{_environment()}; seed {args.seed}; time limit ours {args.time_limit:g} s, "
                f"peer {args.peer_time_limit:g} s; gap {args.gap:g}; {args.threads} threads")
    text = "\n\n".join([
        f"`{command}`",
        settings,
        table(rows),
        LEGEND.strip(),
        *(["Problems:\n\n" + "\n".join(f"- {p}" for p in problems)] if problems else []),
    ]) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(
        json.dumps({"command": command, "rows": rows}, indent=1, default=str) + "\n",
        encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
