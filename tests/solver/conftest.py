"""Fixtures of the solver tests: every solved result is graded by the independent checker."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.solver.checker import check_result

# Hand-worked optima are exact, so the rule tests ask for proofs far tighter than the 1e-4 default.
EXACT = {"time_limit": 30.0, "gap": 1e-9, "threads": 1}


def solve_dict(data: dict[str, Any], **options: Any) -> dict[str, Any]:
    """Parse and solve a raw market through the public API; the result as its JSON dict."""
    from solver import SolveOptions, parse_market, solve

    result = solve(parse_market(data), SolveOptions(**{**EXACT, **options})).to_dict()
    assert json.loads(json.dumps(result, allow_nan=False)) == result, "result must be strict JSON"
    return result


@pytest.fixture
def solve_checked() -> Callable[..., dict[str, Any]]:
    """Solve and fail the test on any checker violation, so no rule test skips the full check."""

    def run(data: dict[str, Any], **options: Any) -> dict[str, Any]:
        result = solve_dict(data, **options)
        assert check_result(data, result, gap={**EXACT, **options}["gap"]) == []
        return result

    return run
