"""Hand a `LinearModel` to an OR-Tools solver through MathOpt's model proto.

The proto is filled from numpy arrays in bulk: building MathOpt expressions term by term in Python
would cost more than solving the restricted models this package produces.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.math_opt import (
    callback_pb2,
    model_parameters_pb2,
    model_pb2,
    parameters_pb2,
    result_pb2,
    solution_pb2,
)
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.python import mathopt

from .model import LinearModel

LP_ONLY_ENGINES = frozenset({"glop", "pdlp"})
ENGINES = {
    "highs": mathopt.SolverType.HIGHS,
    "glop": mathopt.SolverType.GLOP,
    "scip": mathopt.SolverType.GSCIP,
    "pdlp": mathopt.SolverType.PDLP,
}


@dataclass
class EngineResult:
    status: str  # optimal | feasible | infeasible | no_solution
    x: np.ndarray | None
    duals: np.ndarray | None
    primal_bound: float  # scaled objective of x (solver's view)
    dual_bound: float
    seconds: float


def to_proto(model: LinearModel) -> model_pb2.ModelProto:
    proto = model_pb2.ModelProto()
    n = len(model.cost)
    var = proto.variables
    var.ids.extend(range(n))
    var.lower_bounds.extend(model.lower.tolist())
    var.upper_bounds.extend(model.upper.tolist())
    integer = model.integer if len(model.integer) == n else np.zeros(n, bool)
    var.integers.extend(integer.tolist())
    proto.objective.maximize = True
    nz = np.nonzero(model.cost)[0]
    proto.objective.linear_coefficients.ids.extend(nz.tolist())
    proto.objective.linear_coefficients.values.extend(model.cost[nz].tolist())
    m = model.num_rows
    rhs = np.concatenate([f.rhs for f in model.families]) if model.families else np.zeros(0)
    cons = proto.linear_constraints
    cons.ids.extend(range(m))
    lower = np.concatenate([f.rhs if f.equality else np.full(len(f.rhs), -np.inf)
                            for f in model.families]) if model.families else np.zeros(0)
    cons.lower_bounds.extend(lower.tolist())
    cons.upper_bounds.extend(rhs.tolist())
    order = np.lexsort((model.cols, model.rows))
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(model.rows[order].tolist())
    matrix.column_ids.extend(model.cols[order].tolist())
    matrix.coefficients.extend(model.vals[order].tolist())
    return proto


def _parameters(engine: str, time_limit: float, gap: float, threads: int, lp: bool,
                algorithm: str = "dual_simplex"):
    params = parameters_pb2.SolveParametersProto()
    params.time_limit.FromNanoseconds(int(max(time_limit, 0.001) * 1e9))
    if engine != "highs":  # HiGHS through MathOpt takes its thread count from a global only
        params.threads = threads
    if not lp:
        params.relative_gap_tolerance = gap
        params.absolute_gap_tolerance = 1e-12  # 0 would read as unset: HiGHS default 1e-6
    if lp and engine in ("highs", "glop"):
        params.lp_algorithm = getattr(parameters_pb2, f"LP_ALGORITHM_{algorithm.upper()}")
    return params


def solve_model(
    model: LinearModel, engine: str = "highs", time_limit: float = 60.0, gap: float = 1e-4,
    threads: int = 1, algorithm: str = "dual_simplex",
    on_log: Callable[[list[str]], None] | None = None,
) -> EngineResult:
    """Solve; an LP returns row duals too (for pricing columns). `on_log` receives the engine's
    log lines as they are written (solver/progress.py); without it the engine logs nothing."""
    started = time.perf_counter()
    lp = not model.integer.any() if len(model.integer) else True
    result: result_pb2.SolveResultProto = core_solver.solve(
        to_proto(model),
        ENGINES[engine].value,
        parameters_pb2.SolverInitializerProto(),
        _parameters(engine, time_limit, gap, threads, lp, algorithm),
        model_parameters_pb2.ModelSolveParametersProto(),
        on_log,
        callback_pb2.CallbackRegistrationProto(),
        None,
        None,
    )
    seconds = time.perf_counter() - started
    return _read(result, len(model.cost), model.num_rows, seconds)


def _read(result: result_pb2.SolveResultProto, n: int, m: int, seconds: float) -> EngineResult:
    reason = result.termination.reason
    bounds = result.termination.objective_bounds
    x = duals = None
    for solution in result.solutions:
        if solution.HasField("primal_solution") and x is None:
            primal = solution.primal_solution
            if primal.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE:
                x = np.zeros(n)
                x[np.asarray(primal.variable_values.ids, np.int64)] = primal.variable_values.values
        if solution.HasField("dual_solution") and duals is None:
            dual = solution.dual_solution.dual_values
            duals = np.zeros(m)
            duals[np.asarray(dual.ids, np.int64)] = dual.values
    if reason == result_pb2.TERMINATION_REASON_OPTIMAL:
        status = "optimal"
    elif reason == result_pb2.TERMINATION_REASON_INFEASIBLE:
        status = "infeasible"
    elif x is not None:
        status = "feasible"
    else:
        status = "no_solution"
    return EngineResult(status, x, duals, bounds.primal_bound, bounds.dual_bound, seconds)
