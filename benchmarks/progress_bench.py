"""What progress reporting costs a solve: the same generated market solved with and without a
progress callback, each run in a fresh process, the runs alternated so machine load falls on both.

Besides wall and CPU seconds, a run with progress records how many engine log lines were parsed
and the time spent parsing them (the only work done on the engines' threads), and how many
reports reached the callback. Results go to standard output as a markdown table.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shlex
import sys
import time
from typing import Any


def _run(orgs: int, lp: bool, time_limit: float, threads: int, progress: bool) -> dict[str, Any]:
    from solver import Progress, SolveOptions, parse_market, solve
    from solver.generate import generate_market
    from solver.progress import ProgressTracker

    parsed = {"lines": 0, "seconds": 0.0}
    listener = ProgressTracker.listener

    def timed_listener(self, engine, scale, mip):  # type: ignore[no-untyped-def]
        inner = listener(self, engine, scale, mip)
        if inner is None:
            return None

        def on_lines(lines: list[str]) -> None:
            t0 = time.perf_counter()
            inner(lines)
            parsed["seconds"] += time.perf_counter() - t0
            parsed["lines"] += len(lines)

        return on_lines

    ProgressTracker.listener = timed_listener  # type: ignore[method-assign]
    market = parse_market(generate_market(orgs, 1, lp=lp))
    reports: list[Progress] = []
    options = SolveOptions(time_limit=time_limit, threads=threads,
                           progress=reports.append if progress else None)
    wall, cpu = time.perf_counter(), time.process_time()
    result = solve(market, options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"status": result.status, "objective": result.objective, "bound": result.bound,
            "wall": wall, "cpu": cpu, "reports": len(reports), **parsed}


def _child(conn: Any, kwargs: dict[str, Any]) -> None:
    conn.send(_run(**kwargs))
    conn.close()


def in_child(**kwargs: Any) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(sender, kwargs), daemon=True)
    child.start()
    sender.close()
    out = receiver.recv()
    child.join()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.progress_bench", description=__doc__.split("\n")[0])
    p.add_argument("--orgs", type=int, default=300)
    p.add_argument("--variants", default="lp,mip", help="lp, mip or both (default lp,mip)")
    p.add_argument("--repeat", type=int, default=2, help="runs with and without progress each (default 2)")
    p.add_argument("--time-limit", type=float, default=30.0)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    print(f"`python -m benchmarks.progress_bench {shlex.join(argv if argv is not None else sys.argv[1:])}`\n")
    print("| market | progress | status | objective | bound | wall s | CPU s | reports | lines parsed | parsing s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for variant in args.variants.split(","):
        for _ in range(args.repeat):
            for progress in (False, True):
                r = in_child(orgs=args.orgs, lp=variant == "lp", time_limit=args.time_limit,
                             threads=args.threads, progress=progress)
                print(f"| {variant.upper()} {args.orgs} | {'on' if progress else 'off'} | {r['status']} "
                      f"| {r['objective']:.7e} | {r['bound']:.7e} | {r['wall']:.2f} | {r['cpu']:.2f} "
                      f"| {r['reports']} | {r['lines']} | {r['seconds']:.4f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
