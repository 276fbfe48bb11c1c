"""The `lithium-matches/1` result and the options of a solve."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .market import RESULT_FORMAT


@dataclass(frozen=True)
class Progress:
    """A snapshot reported while solving, so a web page can show state and the best so far."""

    phase: str
    seconds: float
    objective: float | None
    bound: float | None

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return (self.bound - self.objective) / max(abs(self.objective), 1e-9)


# What the LP and MIP paths call with (phase, objective, bound) in scaled units.
Reporter = Callable[[str, float | None, float | None], None]


@dataclass
class SolveOptions:
    time_limit: float = 60.0
    gap: float = 1e-4
    threads: int = 1
    engine: str | None = None  # None: the engine chosen by measurement (docs/benchmarks.md)
    progress: Callable[[Progress], None] | None = None


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
