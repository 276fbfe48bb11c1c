"""The `lithium-matches/1` result and the options of a solve."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .market import RESULT_FORMAT


@dataclass(frozen=True)
class Progress:
    """A snapshot reported while solving, so a web page can show state and the best so far.

    `phase` is "lp" or "mip", with what the engine is doing after a colon while it solves
    ("mip: search"); figures are in CNY, None while unknown. On a MIP `objective` is the best
    solution found and `bound` the best proven; on an LP they are the latest iterate's values
    (the dual simplex gives a bound only). The last report carries the result's own figures.
    """

    phase: str
    seconds: float
    objective: float | None
    bound: float | None

    @property
    def gap(self) -> float | None:
        """Relative to the objective; None before there are both, or while the best solution is
        worth nothing (the trivial empty one), where no ratio means anything."""
        if self.objective is None or self.bound is None or abs(self.objective) < 1e-6:
            return None
        return max(0.0, self.bound - self.objective) / abs(self.objective)


@dataclass
class SolveOptions:
    time_limit: float = 60.0
    gap: float = 1e-4
    threads: int = 1
    engine: str | None = None  # None: the engine chosen by measurement (docs/benchmarks.md)
    progress: Callable[[Progress], None] | None = None
    progress_interval: float = 1.0  # seconds between reports while solving (solver/progress.py)


@dataclass(frozen=True)
class Match:
    offer: str
    demand: str
    monthly_qty: float
    start: str
    end: str
    months: int
    unit_margin: float
    price: float
    surplus: float


@dataclass
class Result:
    status: str  # optimal | feasible | infeasible | no_solution
    objective: float
    bound: float
    seconds: float
    matches: list[Match] = field(default_factory=list)
    reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return {"optimal": 0, "feasible": 0, "infeasible": 1, "no_solution": 3}[self.status]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": RESULT_FORMAT,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound if math.isfinite(self.bound) else None,
            "seconds": round(self.seconds, 3),
            "matches": [asdict(m) for m in self.matches],
        }
        if self.reason is not None:
            out["reason"] = self.reason
        return out
