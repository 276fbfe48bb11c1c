"""The LP path: the whole model at once, formulation and algorithm chosen by size."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .arrays import MarketArrays
from .backend import EngineResult, solve_model
from .model_load import build_load_model
from .outcome import finish, infeasible_result
from .progress import ProgressTracker
from .result import Result, SolveOptions

# Above this many eligible pairs interior point with crossover beats simplex (docs/benchmarks.md).
BARRIER_PAIRS = 30000
LP_ENGINE = "highs"


def lp_strategy(pairs: int, engine: str) -> tuple[str, str]:
    """Formulation and algorithm, chosen by measurement (docs/benchmarks.md).

    Always the load form, whose size grows with pairs and listing-months, never pairs x months.
    Dual simplex on small markets; HiGHS's interior point with crossover on national ones, several
    times faster there. Engines without an interior point keep their simplex.
    """
    if engine == "highs" and pairs > BARRIER_PAIRS:
        return "load", "barrier"
    return "load", "dual_simplex"


def run_lp(data: MarketArrays, locked: dict[int, float], seconds: float, engine: str | None = None,
           threads: int = 1, stats: dict[str, Any] | None = None,
           banned: np.ndarray | None = None, tracker: ProgressTracker | None = None) -> EngineResult:
    """Build and solve the LP over every eligible pair except `banned` ones (held at zero);
    `stats` receives the model's size; `tracker` hears the engine's progress."""
    columns = np.arange(len(data.pairs))
    engine = engine or LP_ENGINE
    form, algorithm = lp_strategy(len(columns), engine)
    t0 = time.perf_counter()
    model = build_load_model(data, columns, locked)
    if banned is not None:
        model.upper[: len(columns)][banned] = 0.0
    build_seconds = time.perf_counter() - t0
    on_log = tracker.listener(engine, data.obj_scale, mip=False) if tracker else None
    run = solve_model(model, engine, seconds - build_seconds, 1e-4, threads, algorithm=algorithm,
                      on_log=on_log)
    if stats is not None:
        stats.update(build_seconds=build_seconds, solve_seconds=run.seconds, form=form,
                     algorithm=algorithm, rows=model.num_rows, columns=len(model.cost),
                     nonzeros=len(model.vals))
    if run.x is not None:
        run.x = run.x[: len(columns)]
    return run


def solve_lp(data: MarketArrays, locked: dict[int, float], options: SolveOptions, started: float,
             deadline: float, stats: dict[str, Any], tracker: ProgressTracker | None) -> Result:
    run = run_lp(data, locked, deadline - time.perf_counter(), options.engine, options.threads, stats,
                 tracker=tracker)
    if run.status == "infeasible":
        return infeasible_result(data, locked, started, stats)
    if run.x is None:
        return Result("no_solution", 0.0, float("inf"), time.perf_counter() - started, stats=stats)
    bound = run.primal_bound if run.status == "optimal" else run.dual_bound
    return finish(data, np.arange(len(data.pairs)), run, bound, started, stats, options.gap)
