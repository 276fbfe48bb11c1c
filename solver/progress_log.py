"""Reading progress out of the solvers' own log lines.

MathOpt's callbacks give nothing here: SCIP refuses the MIP event and fails on the node and
solution events, and HiGHS accepts them but never calls back (OR-Tools 9.15). The message callback
does deliver every log line as it is written, so each engine's progress table is parsed instead.

Every parser returns an `Observation` in the engine's own objective units and the model's sense
(maximise), or None for a line that carries no figures. A line in an unexpected shape is simply
not an observation: parsing must never fail a solve.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# An interior point iterate's objective counts once its primal infeasibility, its dual objective
# once its dual infeasibility, is below this (HiGHS's default feasibility tolerance).
FEASIBLE = 1e-7


@dataclass(frozen=True)
class Observation:
    objective: float | None = None  # value of a solution (MIP: a proven incumbent)
    bound: float | None = None  # no solution can be better than this
    stage: str | None = None  # what the engine is doing: presolve, simplex, interior point, search


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class HighsLog:
    """HiGHS, LP and MIP.

    The simplex and interior point logs show HiGHS's internal problem, a minimisation of the
    negated objective, so their values change sign; the branch-and-bound table shows the model's
    own (maximised) objective. The simplex prints a line every 5 s only (hard-wired in HiGHS).
    In branch and bound only the table is read: an LP line there would be a node's relaxation.
    """

    def __init__(self, mip: bool = False) -> None:
        self.mip = mip

    _STAGES = (("Presolving model", "presolve"), ("Using EKK", "simplex"),
               ("Interior point solve", "interior point"), ("Crossover", "crossover"),
               ("Solving MIP model", "search"))
    # "   11293    -9.0164542207e+01 Pr: 1731(2550.38); Du: 0(3.09812e-06) 6s"
    _SIMPLEX = re.compile(r"^\s*\d+\s+(\S+)\s+(Ph1|Pr): (\d+)\([^)]*\)(?:; Du: (\d+)\([^)]*\))?")
    # "   14   -2.41556528e+01  -5.16870207e+01   4.75e-06   1.43e-07  7.07e-01       1s"
    _IPX = re.compile(r"^\s*\d+\*?\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+\s+\d+s\s*$")

    def parse(self, line: str) -> Observation | None:
        for marker, stage in self._STAGES:
            if line.startswith(marker):
                return Observation(stage=stage)
        if self.mip:
            return self._mip_row(line)
        simplex = self._SIMPLEX.match(line)
        if simplex:
            value, phase, primal_infeasible, dual_infeasible = simplex.groups()
            v = _number(value)
            if phase != "Pr" or dual_infeasible is None or v is None:
                return Observation(stage="simplex")
            # Without dual infeasibilities the objective bounds the LP (dual simplex); without
            # primal ones it is the value of a solution (primal simplex); with neither, both.
            return Observation(objective=-v if primal_infeasible == "0" else None,
                               bound=-v if dual_infeasible == "0" else None, stage="simplex")
        ipx = self._IPX.match(line)
        if ipx:
            primal, dual, pinf, dinf = (_number(x) for x in ipx.groups())
            if None in (primal, dual, pinf, dinf):
                return None
            # A (nearly) dual feasible iterate's dual objective bounds the LP; a primal feasible
            # one's objective is what a solution is worth. Far from feasible, neither means much.
            return Observation(objective=-primal if pinf <= FEASIBLE else None,  # type: ignore[operator]
                               bound=-dual if dinf <= FEASIBLE else None,  # type: ignore[operator]
                               stage="interior point")
        return None

    @staticmethod
    def _mip_row(line: str) -> Observation | None:
        # " R       0       0         0   0.00%   17038.810664    15413.500079      10.54%  ...  0.1s"
        tokens = line.split()
        if tokens and len(tokens[0]) == 1 and tokens[0].isalpha():
            tokens = tokens[1:]
        if len(tokens) != 12 or not tokens[3].endswith("%") or not tokens[-1].endswith("s"):
            return None
        if not all(t.isdigit() for t in tokens[:3]):
            return None
        return Observation(objective=_number(tokens[5]), bound=_number(tokens[4]), stage="search")


class ScipLog:
    """SCIP's node table, in the original objective. Columns are found by the table's header,
    which SCIP repeats every few dozen rows, so added or reordered columns do not matter."""

    def __init__(self) -> None:
        self.columns: dict[str, int] = {}

    def parse(self, line: str) -> Observation | None:
        if line.startswith("presolving"):
            return Observation(stage="presolve")
        if "|" not in line:
            return None
        cells = [c.strip() for c in line.split("|")]
        if "dualbound" in cells and "primalbound" in cells:
            self.columns = {name: i for i, name in enumerate(cells)}
            return Observation(stage="search")
        dual, primal = self.columns.get("dualbound"), self.columns.get("primalbound")
        if dual is None or primal is None or len(cells) != len(self.columns):
            return None
        return Observation(objective=_number(cells[primal]), bound=_number(cells[dual]), stage="search")


def parser_for(engine: str, mip: bool) -> HighsLog | ScipLog | None:
    """A fresh parser for one solve by `engine`; None when its log is not understood (GLOP, PDLP,
    SCIP on an LP): the solve then reports its phase and elapsed time only."""
    if engine == "highs":
        return HighsLog(mip)
    if engine == "scip" and mip:
        return ScipLog()
    return None
