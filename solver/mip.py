"""The MIP path: branch and bound, with a repaired LP optimum beside it on national markets.

Members of the portfolio run side by side, one core each (OR-Tools' SCIP and HiGHS use one core
for branch and bound): the best solution and the tightest bound win. The LP optimum is also an
upper bound for the MIP, since the MIP only adds rules.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .arrays import MarketArrays
from .backend import EngineResult, solve_model
from .integer import add_integer_rules
from .lp import run_lp
from .model import build_model
from .outcome import finish, infeasible_result
from .progress import ProgressTracker
from .repair import repair
from .result import Result, SolveOptions

# One member per thread the caller allows: SCIP first (it led at 300 orgs), then the repaired LP
# optimum (the only useful solution within a minute at 1000 orgs), then HiGHS.
MIP_MEMBERS = ["scip", "lp-repair", "highs"]
# Branch and bound prunes nodes on absolute objective differences (about 1e-6): an objective near
# 1 would make a gap of 1e-7 relative invisible to it.
MIP_COST_FACTOR = 1e4


def _lp_repair(data: MarketArrays, seconds: float, tracker: ProgressTracker | None = None) -> EngineResult:
    """The LP optimum with volumes lowered until every integer rule holds; while time remains, the
    LP is solved again without the pairs the repair had to drop, and the best repair is kept.
    `tracker` hears each repaired solution and the LP bound (the LP's own log is no MIP news)."""
    deadline = time.perf_counter() + seconds
    banned = np.zeros(len(data.pairs), bool)
    best = EngineResult("no_solution", None, None, -np.inf, np.inf, 0.0)
    last = 0.0
    while time.perf_counter() + last < deadline:
        started = time.perf_counter()
        run = run_lp(data, {}, deadline - started, banned=banned)
        last = time.perf_counter() - started
        if run.x is None:
            break
        q_lp = run.x * data.pair_scale
        q = repair(data, q_lp)
        x = q / data.pair_scale
        value = float(np.dot(data.cost, x)) * MIP_COST_FACTOR
        if best.x is None or value > best.primal_bound:
            best = EngineResult("feasible", x, None, value, best.dual_bound, 0.0)
        if not banned.any() and run.status == "optimal":  # the unrestricted LP bounds the MIP
            best.dual_bound = run.primal_bound * MIP_COST_FACTOR
        if tracker is not None:
            bound = best.dual_bound if np.isfinite(best.dual_bound) else None
            scale = data.obj_scale / MIP_COST_FACTOR
            tracker.observe(value * scale, None if bound is None else bound * scale)
        dropped = (q_lp > 0) & (q == 0) & ~banned
        if not dropped.any():
            break
        banned |= dropped
    return best


def _portfolio(tasks: dict[str, Callable[[], EngineResult]]) -> EngineResult:
    runs: dict[str, EngineResult] = {}

    def run(name: str) -> None:
        runs[name] = tasks[name]()

    threads = [threading.Thread(target=run, args=(name,)) for name in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = [runs[name] for name in tasks if name in runs]
    infeasible = [r for r in results if r.status == "infeasible"]
    if infeasible:
        return infeasible[0]
    solved = [r for r in results if r.x is not None]
    best = max(solved, key=lambda r: r.primal_bound) if solved else results[0]
    best.dual_bound = min(r.dual_bound for r in results)
    if any(r.status == "optimal" for r in results):  # `finish` re-checks the gap on the numbers
        best.status = "optimal"
    return best


def solve_mip(data: MarketArrays, locked: dict[int, float], options: SolveOptions, started: float,
              deadline: float, stats: dict[str, Any], tracker: ProgressTracker | None) -> Result:
    members = [options.engine] if options.engine else MIP_MEMBERS[: max(1, options.threads)]
    if locked:  # repairing only lowers volumes, and a locked volume must not move
        members = [m for m in members if m != "lp-repair"] or ["scip"]
    columns = np.arange(len(data.pairs))
    t0 = time.perf_counter()
    model = add_integer_rules(data, build_model(data, columns, locked), locked)
    model.cost *= MIP_COST_FACTOR
    stats["build_seconds"] = time.perf_counter() - t0
    seconds = deadline - time.perf_counter()
    # Headroom: the engine measures its gap on the scaled objective before volumes are cleaned.
    scale = data.obj_scale / MIP_COST_FACTOR  # engine objective -> CNY
    tasks = {
        m: (lambda: _lp_repair(data, seconds, tracker)) if m == "lp-repair"
        else (lambda m=m: solve_model(model, m, seconds, options.gap / 2, 1,
                                      on_log=tracker.listener(m, scale, mip=True) if tracker else None))
        for m in members
    }
    run = _portfolio(tasks)
    run.primal_bound /= MIP_COST_FACTOR
    run.dual_bound /= MIP_COST_FACTOR
    stats.update(solve_seconds=time.perf_counter() - t0 - stats["build_seconds"],
                 columns=len(model.cost), rows=model.num_rows, nonzeros=len(model.vals),
                 integers=int(model.integer.sum()), engines=members)
    if run.status == "infeasible":
        return infeasible_result(data, locked, started, stats)
    if run.x is None:
        return Result("no_solution", 0.0, run.dual_bound * data.obj_scale,
                      time.perf_counter() - started, stats=stats)
    run.x = run.x[: len(columns)]
    return finish(data, columns, run, run.dual_bound, started, stats, options.gap)
