"""One solver run per fresh process, so that each run's peak memory is its own.

A long-lived benchmark process would report the high-water mark of its largest run for every
later one, and HiGHS keeps a global thread pool between solves; a spawned child starts clean.
The child reads the market from a JSON file (as ``matchmaker solve`` would), records its peak
resident memory (``VmHWM``) right after solving, and only then grades the result with the
independent checker, so that checking never inflates the measured peak or time.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import sys
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

MB = 1024 * 1024


def peak_mb() -> float:
    """High-water mark of this process's resident memory, in MB (Linux ``VmHWM``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / MB
    except OSError:  # not Linux: ru_maxrss is in kilobytes on Linux/BSD, bytes on macOS
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / MB if sys.platform == "darwin" else maxrss * 1024 / MB


def _read(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def ours(path: str, time_limit: float, gap: float, threads: int) -> dict[str, Any]:
    """Parse and solve with the Matchmaker solver; the result graded by the checker."""
    from solver import SolveOptions, parse_market, solve
    from tests.solver.checker import check_result

    data = _read(path)
    base = peak_mb()
    t0 = time.perf_counter()
    market = parse_market(data)
    t1 = time.perf_counter()
    result = solve(market, SolveOptions(time_limit=time_limit, gap=gap, threads=threads))
    t2 = time.perf_counter()
    peak = peak_mb()
    out = result.to_dict()
    problems = check_result(data, out, gap=gap)
    return {
        "status": out["status"], "objective": out["objective"], "bound": out["bound"],
        "reason": out.get("reason"), "matches": len(out["matches"]),
        "seconds": t2 - t0, "parse_seconds": t1 - t0, "solver_seconds": result.seconds,
        "stats": dict(result.stats), "peak_mb": peak, "base_mb": base,
        "violations": len(problems), "problems": problems[:5],
        "check_seconds": time.perf_counter() - t2,
    }


def peer(path: str, time_limit: float, gap: float, threads: int) -> dict[str, Any]:
    """Solve with the plain HiGHS peer model; its solution graded by the same checker."""
    from benchmarks.peer import result_dict, solve_peer
    from tests.solver.checker import check_result

    data = _read(path)
    base = peak_mb()
    t0 = time.perf_counter()
    run = solve_peer(data, time_limit=time_limit, threads=threads, gap=gap)
    t1 = time.perf_counter()
    peak = peak_mb()
    problems = check_result(data, result_dict(data, run))
    return {
        "status": run.status, "objective": run.objective, "bound": run.bound,
        "matches": len(run.q), "seconds": t1 - t0, "build_seconds": run.build_seconds,
        "solve_seconds": run.seconds, "rows": run.rows, "columns": run.cols,
        "peak_mb": peak, "base_mb": base, "violations": len(problems), "problems": problems[:5],
        "check_seconds": time.perf_counter() - t1,
    }


RUNS: dict[str, Callable[..., dict[str, Any]]] = {"ours": ours, "peer": peer}


def _child(conn: Connection, name: str, kwargs: dict[str, Any]) -> None:
    os.dup2(2, 1)  # engine banners and logs to stderr: standard output carries the table
    try:
        conn.send(RUNS[name](**kwargs))
    except Exception as exc:  # noqa: BLE001 - any failure becomes a row of the table
        conn.send({"status": "error", "error": f"{type(exc).__name__}: {exc}",
                   "traceback": traceback.format_exc()})
    finally:
        conn.close()


def in_fresh_process(name: str, timeout: float, **kwargs: Any) -> dict[str, Any]:
    """Run ``RUNS[name](**kwargs)`` in a spawned child; kill it after ``timeout`` seconds.

    The timeout only guards against a hung engine: it must exceed the solver's own time limit
    plus model building and checking.
    """
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(sender, name, kwargs), daemon=True)
    started = time.perf_counter()
    child.start()
    sender.close()
    try:
        if receiver.poll(timeout):
            out = receiver.recv()
        else:
            out = {"status": "killed", "error": f"no answer within {timeout:.0f} s"}
    except EOFError:  # the child died without answering (e.g. out of memory)
        out = {"status": "crashed", "error": "child exited without a result"}
    finally:
        receiver.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    if out.get("status") == "crashed":
        out["error"] += f" (exit code {child.exitcode})"
    out["wall_seconds"] = time.perf_counter() - started
    return out
