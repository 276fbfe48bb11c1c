"""Independent check of a ``lithium-matches/1`` result against its ``lithium-market/1`` file.

Written from the spec, never from the solver: every rule of "Eligible pairs", "The optimum" and
"Result file" is recomputed here from the raw market dict, so a solver that builds a wrong model
cannot also grade itself. Tolerances are relative, scaled to the quantity compared (never below an
absolute ``tol``), because volumes run from fractions of a GWh to thousands of tonnes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tests.solver.spec_reference import Pair, RefMarket, month_name, read_market

STATUSES = {"optimal", "feasible", "infeasible", "no_solution"}
MATCH_FIELDS = ("offer", "demand", "monthly_qty", "start", "end", "months", "unit_margin",
                "price", "surplus")


def _close(got: float, want: float, tol: float) -> bool:
    return abs(got - want) <= tol * max(1.0, abs(want), abs(got))


def _within(lhs: float, rhs: float, tol: float) -> bool:
    """lhs <= rhs up to a tolerance relative to the larger side."""
    return lhs <= rhs + tol * max(1.0, abs(lhs), abs(rhs))


def check_result(market: dict[str, Any], result: dict[str, Any], tol: float = 1e-6,
                 gap: float | None = None) -> list[str]:
    """Every way ``result`` breaks the spec for ``market``; an empty list means valid.

    ``gap``, when given, also requires an ``optimal`` result to be proved within that relative gap.
    """
    problems: list[str] = []
    if result.get("format") != "lithium-matches/1":
        problems.append(f"format is {result.get('format')!r}, not 'lithium-matches/1'")
    seconds = result.get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not seconds >= 0:
        problems.append(f"seconds {seconds!r} is not a number >= 0")
    status = result.get("status")
    if status not in STATUSES:
        return problems + [f"status {status!r} is not one of {sorted(STATUSES)}"]
    if status == "infeasible":
        if not isinstance(result.get("reason"), str) or not result["reason"].strip():
            problems.append("infeasible result without a reason naming a constraint")
        return problems
    if status == "no_solution":
        return problems

    ref = read_market(market)
    pairs = ref.eligible_pairs()
    volumes = _check_matches(ref, pairs, result.get("matches", []), tol, problems)
    _check_capacity_and_demand(ref, pairs, volumes, tol, problems)
    _check_shares_and_counts(ref, volumes, tol, problems)
    _check_chain_links(ref, pairs, volumes, tol, problems)
    _check_locked(ref, volumes, tol, problems)
    _check_objective(result, pairs, volumes, status, tol, gap, problems)
    return problems


def _check_matches(ref: RefMarket, pairs: dict[tuple[str, str], Pair], matches: list[dict],
                   tol: float, problems: list[str]) -> dict[tuple[str, str], float]:
    """Field-by-field check of each match; returns the volume of each valid pair."""
    volumes: dict[tuple[str, str], float] = {}
    for i, m in enumerate(matches):
        missing = [f for f in MATCH_FIELDS if f not in m]
        if missing:
            problems.append(f"matches[{i}]: missing fields {missing}")
            continue
        key = (m["offer"], m["demand"])
        where = f"match {key[0]}->{key[1]}"
        if key in volumes:
            problems.append(f"{where}: pair listed twice")
            continue
        if key not in pairs:
            problems.append(f"{where}: pair is not eligible (or unknown offer/demand)")
            continue
        p, q = pairs[key], float(m["monthly_qty"])
        volumes[key] = q
        if not q > 0:
            problems.append(f"{where}: monthly_qty must be > 0 in a listed match, got {q}")
        if q < p.min_qty and not _close(q, p.min_qty, tol):
            problems.append(f"{where}: monthly_qty {q} below minimum volume {p.min_qty}")
        expected = {
            "start": month_name(p.start),
            "end": month_name(p.end),
            "months": p.months,
            "unit_margin": p.margin,
            "price": p.unit_price(ref.offers[p.offer].price),
            "surplus": q * p.months * p.margin,
        }
        for name, want in expected.items():
            got = m[name]
            ok = got == want if isinstance(want, str) else (
                isinstance(got, (int, float)) and _close(float(got), float(want), tol))
            if name == "months" and ok and not float(got).is_integer():
                ok = False
            if not ok:
                problems.append(f"{where}: {name} is {got!r}, expected {want!r}")
    return volumes


def _check_capacity_and_demand(ref: RefMarket, pairs: dict[tuple[str, str], Pair],
                               volumes: dict[tuple[str, str], float], tol: float,
                               problems: list[str]) -> None:
    """Per month, the running matches of each offer (demand) fit in what is free that month."""
    offer_load: dict[tuple[str, int], float] = defaultdict(float)
    demand_load: dict[tuple[str, int], float] = defaultdict(float)
    for key, q in volumes.items():
        p = pairs[key]
        for t in range(p.start, p.end + 1):
            offer_load[(p.offer, t)] += q
            demand_load[(p.demand, t)] += q
    for label, sides, load in (("offer", ref.offers, offer_load),
                               ("demand", ref.demands, demand_load)):
        for (side_id, t), used in sorted(load.items()):
            free = sides[side_id].free(t)
            if not _within(used, free, tol):
                problems.append(f"{label} {side_id} in {month_name(t)}: matched {used} > free {free}")


def _check_shares_and_counts(ref: RefMarket, volumes: dict[tuple[str, str], float], tol: float,
                             problems: list[str]) -> None:
    """Supplier share, buyer share (summed over all months' matches) and supplier counts."""
    by_demand_supplier: dict[tuple[str, str], float] = defaultdict(float)
    by_offer_buyer: dict[tuple[str, str], float] = defaultdict(float)
    for (oid, did), q in volumes.items():
        by_demand_supplier[(did, ref.offers[oid].org)] += q
        by_offer_buyer[(oid, ref.demands[did].org)] += q
    for (did, org), total in sorted(by_demand_supplier.items()):
        d = ref.demands[did]
        if d.max_share is not None and not _within(total, d.max_share * d.monthly_qty, tol):
            problems.append(f"demand {did}: supplier {org} provides {total} > "
                            f"{d.max_share} * {d.monthly_qty}")
    for (oid, org), total in sorted(by_offer_buyer.items()):
        o = ref.offers[oid]
        if o.max_share is not None and not _within(total, o.max_share * o.monthly_qty, tol):
            problems.append(f"offer {oid}: buyer {org} takes {total} > "
                            f"{o.max_share} * {o.monthly_qty}")
    for did, d in sorted(ref.demands.items()):
        if d.max_suppliers is None:
            continue
        orgs = {org for (dd, org), total in by_demand_supplier.items()
                if dd == did and total > tol * max(1.0, d.monthly_qty)}
        if len(orgs) > d.max_suppliers:
            problems.append(f"demand {did}: {len(orgs)} supplier orgs {sorted(orgs)} > "
                            f"max_suppliers {d.max_suppliers}")


def _check_chain_links(ref: RefMarket, pairs: dict[tuple[str, str], Pair],
                       volumes: dict[tuple[str, str], float], tol: float,
                       problems: list[str]) -> None:
    """ratio * sales of linked offers <= purchases of the input demand + own_supply, every month
    (months outside the input demand's window included, where it buys nothing)."""
    sold: dict[tuple[str, int], float] = defaultdict(float)
    bought: dict[tuple[str, int], float] = defaultdict(float)
    for key, q in volumes.items():
        p = pairs[key]
        for t in range(p.start, p.end + 1):
            sold[(p.offer, t)] += q
            bought[(p.demand, t)] += q
    for did, links in sorted(ref.linked_offers().items()):
        d = ref.demands[did]
        months = {t for oid, _ in links for t in ref.offers[oid].months()}
        for t in sorted(months):
            need = sum(ratio * sold[(oid, t)] for oid, ratio in links)
            have = bought[(did, t)] + d.own_supply
            if not _within(need, have, tol):
                problems.append(f"chain link {did} in {month_name(t)}: inputs needed {need} > "
                                f"bought {bought[(did, t)]} + own_supply {d.own_supply}")


def _check_locked(ref: RefMarket, volumes: dict[tuple[str, str], float], tol: float,
                  problems: list[str]) -> None:
    for (oid, did), qty in sorted(ref.locked.items()):
        got = volumes.get((oid, did), 0.0)
        if not _close(got, qty, tol):
            problems.append(f"locked {oid}->{did}: monthly_qty {got}, must be exactly {qty}")


def _check_objective(result: dict[str, Any], pairs: dict[tuple[str, str], Pair],
                     volumes: dict[tuple[str, str], float], status: str, tol: float,
                     gap: float | None, problems: list[str]) -> None:
    """The objective is the surplus of the listed matches; the bound is not below it."""
    surplus = sum(q * pairs[k].months * pairs[k].margin for k, q in volumes.items())
    objective, bound = result.get("objective"), result.get("bound")
    if not isinstance(objective, (int, float)):
        problems.append(f"objective {objective!r} is not a number")
        return
    if not _close(float(objective), surplus, tol):
        problems.append(f"objective {objective} != total surplus of the matches {surplus}")
    if not isinstance(bound, (int, float)):
        problems.append(f"bound {bound!r} is not a number")
        return
    if not _within(float(objective), float(bound), tol):
        problems.append(f"bound {bound} < objective {objective}")
    slack = gap * max(1.0, abs(float(bound))) if gap is not None else 0.0
    if gap is not None and status == "optimal" and not _within(
            float(bound) - float(objective), slack, tol):
        problems.append(f"optimal but bound {bound} - objective {objective} exceeds gap {gap}")
