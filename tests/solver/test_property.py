"""Random small markets: every result holds under the checker and matches a second formulation.

The second formulation is the plain HiGHS peer model (benchmarks.peer), built from the spec
reference and never from ``solver``: on every generated market both must agree on the status and,
when optimal, on the objective to 1e-6 relative (mixed-integer files are run to optimality).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from pytest import approx

from benchmarks.peer import solve_peer
from tests.solver.checker import check_result
from tests.solver.conftest import solve_dict
from tests.solver.spec_reference import month_name, read_market

FIRST = 2027 * 12  # 2027-01
MONTHS = 18  # windows lie within 2027-01 .. 2028-06
TIERS = ["resource", "material2", "material1", "cell", "system", "recycling"]
CERTS = ["ISO9001", "IATF16949"]


@st.composite
def window(draw: st.DrawFn) -> dict[str, str]:
    """Mostly long windows (so that pairs overlap), sometimes any window at all."""
    if draw(st.booleans()):
        start, end = draw(st.integers(0, 5)), draw(st.integers(MONTHS - 7, MONTHS - 1))
    else:
        start = draw(st.integers(0, MONTHS - 1))
        end = draw(st.integers(start, MONTHS - 1))
    return {"start": month_name(FIRST + start), "end": month_name(FIRST + end)}


@st.composite
def listing(draw: st.DrawFn, kind: str, i: int, products: list[str], regions: list[str],
            orgs: list[str], mip: bool) -> dict[str, Any]:
    """An offer or demand with some of its optional fields."""
    qty = draw(st.sampled_from([5, 10, 20, 30, 40.5, 60, 100]))
    item: dict[str, Any] = {
        "id": f"{kind[0].upper()}{i}", "org": draw(st.sampled_from(orgs)),
        # one or two main products keep most listings comparable; the others are rarer
        "product": draw(st.sampled_from(products[:1]) | st.sampled_from(products[:2])
                        | st.sampled_from(products)),
        "region": draw(st.sampled_from(regions)),
        "monthly_qty": qty,
        "price": draw(st.integers(0, 60) if kind == "offer" else st.integers(20, 100)),
        **draw(window()),
    }
    if draw(st.integers(0, 2)) == 0:
        item["min_term_months"] = draw(st.integers(1, 6))
    if kind == "offer":
        certs = draw(st.lists(st.sampled_from(CERTS), unique=True, max_size=2))
    else:  # buyers rarely require a certification, so that most pairs stay eligible
        certs = draw(st.just([]) | st.lists(st.sampled_from(CERTS), unique=True, max_size=1))
    if certs:
        item["certifications" if kind == "offer" else "required_certifications"] = certs
    share_field = "max_buyer_share" if kind == "offer" else "max_supplier_share"
    if draw(st.integers(0, 3)) == 0:
        item[share_field] = draw(st.sampled_from([0.25, 0.5, 0.8, 1.0]))
    if draw(st.integers(0, 3)) == 0:
        month = st.integers(-1, MONTHS).map(lambda m: month_name(FIRST + m))
        item["remaining"] = draw(st.dictionaries(month, st.sampled_from([0, qty / 2, qty]),
                                                 min_size=1, max_size=2))
    if kind == "demand" and draw(st.booleans()):
        item["own_supply"] = draw(st.sampled_from([0, 5, 20, 50]))
    if mip and draw(st.integers(0, 2)) == 0:
        item["min_monthly_qty"] = draw(st.sampled_from([1, 2.5, 5, qty / 4]))
    if mip and kind == "demand" and draw(st.integers(0, 2)) == 0:
        item["max_suppliers"] = draw(st.integers(1, 2))
    return item


@st.composite
def markets(draw: st.DrawFn, max_listings: int = 6) -> dict[str, Any]:
    """A valid small lithium-market/1 file, linear or mixed-integer."""
    mip = draw(st.booleans())
    products = [f"p{i}" for i in range(draw(st.integers(2, 4)))]
    regions = [f"r{i}" for i in range(draw(st.integers(1, 3)))]
    orgs = [f"g{i}" for i in range(draw(st.integers(2, 4)))]
    transport = []
    for a in range(len(regions)):
        for b in range(a, len(regions)):  # a == b: an entry within one region
            ends = draw(st.permutations([regions[a], regions[b]]))
            for scope in draw(st.lists(st.sampled_from([None, *products]), unique=True,
                                       max_size=2)):
                entry = {"from": ends[0], "to": ends[1], "cost": draw(st.integers(0, 15))}
                if scope is not None:
                    entry["product"] = scope
                transport.append(entry)
    offers = [draw(listing("offer", i, products, regions, orgs, mip))
              for i in range(draw(st.integers(2, max_listings)))]
    demands = [draw(listing("demand", i, products, regions, orgs, mip))
               for i in range(draw(st.integers(2, max_listings)))]
    for o in offers:
        own = [d["id"] for d in demands if d["org"] == o["org"]]
        if own and draw(st.booleans()):
            linked = draw(st.lists(st.sampled_from(own), unique=True, min_size=1, max_size=2))
            o["inputs"] = [{"demand": d, "ratio": draw(st.sampled_from([0.5, 1, 2.5]))}
                           for d in linked]
    pairs = [(o["id"], d["id"]) for o in offers for d in demands]
    forbidden = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2))
    return {
        "format": "lithium-market/1", "currency": "CNY",
        "products": [{"id": p, "name": p, "tier": draw(st.sampled_from(TIERS)), "unit": "t",
                      "default_transport_cost": draw(st.sampled_from([0, 5, 20]))}
                     for p in products],
        "regions": regions, "transport": transport, "offers": offers, "demands": demands,
        "forbidden": [{"offer": o, "demand": d} for o, d in forbidden],
    }


def assert_agrees_with_peer(market: dict[str, Any]) -> dict[str, Any]:
    result = solve_dict(market)
    assert check_result(market, result, gap=1e-9) == []
    peer = solve_peer(market, time_limit=30.0, gap=1e-9)
    event(f"{'locked ' if market.get('locked') else ''}{'MIP' if read_market(market).is_mip() else 'LP'}"
          f" {result['status']}{' with matches' if result['matches'] else ''}")
    assert result["status"] == peer.status
    if peer.status == "optimal":
        assert result["objective"] == approx(peer.objective, rel=1e-6, abs=1e-6)
    return result


# No shrink phase: shrinking a failure here takes minutes, longer than the suite's budget; the
# failing market is printed whole instead.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(market=markets(), data=st.data())
def test_solver_holds_and_agrees_with_the_peer_model(market: dict[str, Any], data: st.DataObject):
    result = assert_agrees_with_peer(market)

    # Locks taken from the optimum (a subset of its matches) keep the market feasible.
    if result["status"] == "optimal" and result["matches"] and data.draw(st.booleans()):
        keep = data.draw(st.lists(st.sampled_from(result["matches"]), min_size=1,
                                  unique_by=lambda m: (m["offer"], m["demand"])))
        locked = copy.deepcopy(market)
        locked["locked"] = [{"offer": m["offer"], "demand": m["demand"],
                             "monthly_qty": m["monthly_qty"]} for m in keep]
        assert assert_agrees_with_peer(locked)["status"] == "optimal"

    # An arbitrary lock on an eligible pair: feasible or not, both formulations agree.
    eligible = sorted(read_market(market).eligible_pairs().values(),
                      key=lambda p: (p.offer, p.demand))
    if eligible and data.draw(st.booleans()):
        pair = data.draw(st.sampled_from(eligible))
        qty = data.draw(st.sampled_from([pair.max_qty / 3, pair.max_qty, pair.max_qty * 1.5]))
        locked = copy.deepcopy(market)
        locked["locked"] = [{"offer": pair.offer, "demand": pair.demand, "monthly_qty": qty}]
        assert_agrees_with_peer(locked)


@pytest.mark.slow
@pytest.mark.parametrize("orgs, seed", [(40, 0), (80, 0), (80, 1), (80, 2)])
@pytest.mark.parametrize("lp", [True, False], ids=["LP", "MIP"])
def test_generated_national_markets_agree_with_the_peer(orgs: int, seed: int, lp: bool):
    """Realistic markets (chain links, freight tables, every rule) at a tight gap of 1e-7:
    optimal means proved within it, and both formulations reach the same optimum."""
    from solver.generate import generate_market

    market = generate_market(orgs=orgs, seed=seed, lp=lp)
    result = solve_dict(market, gap=1e-7, time_limit=60.0)
    assert check_result(market, result, gap=1e-7) == []
    peer = solve_peer(market, time_limit=60.0, gap=1e-7)
    assert result["status"] == peer.status == "optimal"
    assert result["objective"] == approx(peer.objective, rel=1e-6)
