"""Freight in a whole matching run: it decides who supplies, which pairs clear, and the price.

The market of tests/matching_market.py with its zero-freight lane figure removed, so freight is
estimated by distance: Jiangxi (Nanchang) -> Fujian (Fuzhou) 446.42 km x 1.25 x 0.35 = 195.31 CNY/t,
Qinghai (Xining) -> Fujian 2,029.66 km x 1.25 x 0.35 = 887.98 CNY/t.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from matchmaker import jobs
from matchmaker.db import get_engine
from matchmaker.models import FreightOverride, Offer, Proposal
from matchmaker.services import runs
from tests.matching_market import Market, seed_market

TODAY = date(2027, 1, 15)


@pytest.fixture
def market(db, factory) -> Market:
    m = seed_market(db, factory)
    for row in db.exec(select(FreightOverride)):
        db.delete(row)
    m.demand_b.status = "withdrawn"  # one buyer: 300 t/month at 76,000 in Fujian
    db.add(m.demand_b)
    db.commit()
    return m


def far_offer(db, factory, price: float) -> Offer:
    miner = factory.org("Xining Lithium", region="qinghai")
    offer = Offer(org_id=miner.id, product_id="lithium-carbonate", region="qinghai", monthly_qty=400,
                  start="2027-01", end="2027-12", price=price)
    db.add(offer)
    db.commit()
    return offer


def solve_run(app, db, market: Market) -> list[Proposal]:
    run, _ = runs.start_run(db, market.staff, request_key="freight-1", products=[], time_limit=10.0, today=TODAY,
                            index_values={})
    assert jobs.execute_run(get_engine(app), run.id) == "finished"  # type: ignore[arg-type]
    db.refresh(run)
    assert run.status == "optimal"
    return list(db.exec(select(Proposal).where(Proposal.run_id == run.id)))


def test_a_far_supplier_loses_to_a_nearer_one_of_equal_ask(app, db, factory, market):
    far = far_offer(db, factory, price=71_000)  # the same ask as the Jiangxi seller
    proposals = solve_run(app, db, market)
    transport = json.loads(runs.get_run(db, market.staff, proposals[0].run_id).market)["transport"]
    assert {(t["from"], t["to"], t["cost"]) for t in transport} == {("fujian", "jiangxi", 195.31),
                                                                   ("fujian", "qinghai", 887.98)}
    # Without freight both pairs have margin 5,000 and tie. With it, Jiangxi clears 76,000 - 71,000 - 195.31
    # = 4,804.69 and Qinghai 4,112.02: the 300 t all come from Jiangxi.
    [p] = proposals
    assert p.offer_id == market.offer.id and p.offer_id != far.id
    assert p.monthly_qty == pytest.approx(300)
    assert p.freight == pytest.approx(195.31)
    assert p.unit_margin == pytest.approx(4_804.69)
    # price = ask + freight + margin / 2 = 71,000 + 195.31 + 2,402.345 = 73,597.655
    assert p.price == pytest.approx(73_597.655)
    assert p.surplus == pytest.approx(300 * 12 * 4_804.69)


def test_freight_can_leave_a_pair_without_margin(app, db, factory, market):
    market.offer.status = "withdrawn"
    db.add(market.offer)
    db.commit()
    far_offer(db, factory, price=75_500)  # 500 below the bid, but 887.98 of freight to Fujian
    assert solve_run(app, db, market) == []


def test_a_lane_figure_staff_set_decides_the_price(app, db, factory, market):
    db.add(FreightOverride(region_a="fujian", region_b="jiangxi", cny_per_tonne=1_000))
    db.commit()
    [p] = solve_run(app, db, market)
    # margin 76,000 - 71,000 - 1,000 = 4,000; price 71,000 + 1,000 + 2,000 = 74,000
    assert p.freight == pytest.approx(1_000) and p.price == pytest.approx(74_000)
