"""Concurrent acceptances never promise an offer's capacity twice.

Twenty approved proposals of 50 t/month each against one 400 t/month offer, the buyer side
already accepted; the supplier's twenty acceptances race in threads, each with its own
connection. Exactly 400 / 50 = 8 become contracts, the other 12 get a capacity conflict, and
remaining + contracted = capacity afterwards. Runs on SQLite (immediate transactions) and, with
TEST_DATABASE_URL, on PostgreSQL (row locks).
"""

from __future__ import annotations

import threading
from datetime import date

from sqlmodel import Session, select

from matchmaker.db import get_engine
from matchmaker.models import Contract, Demand, ScheduleLine
from matchmaker.services import acceptance, audit
from matchmaker.services.capacity import remaining_by_month
from matchmaker.services.review import CapacityConflict
from tests.conftest import Factory
from tests.matching_market import add_proposal, seed_market

TODAY = date(2027, 1, 15)


def test_racing_acceptances_never_exceed_the_offer(shared_app):
    engine = get_engine(shared_app)
    with Session(engine, expire_on_commit=False) as db:
        market = seed_market(db, Factory(db, shared_app))
        big = Demand(org_id=market.buyer.org_id, product_id="lithium-carbonate", region="fujian", monthly_qty=5000,
                     start="2027-01", end="2027-12", price=76_000)
        db.add(big)
        db.commit()
        ids = [add_proposal(db, market, big, 50, state="approved", deadline=date(2027, 1, 22),
                            buyer_response="accepted").id for _ in range(20)]
    outcomes: list[str] = []
    start = threading.Barrier(len(ids))

    def accept(proposal_id: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                acceptance.respond(session, market.seller, proposal_id, True, TODAY)
                outcomes.append("contract")
            except CapacityConflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=accept, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with Session(engine) as db:
        contracted = sum(line.qty for line in db.exec(select(ScheduleLine).where(ScheduleLine.month == "2027-06")))
        offer = db.get(type(market.offer), market.offer.id)
        assert sorted(outcomes) == ["conflict"] * 12 + ["contract"] * 8
        assert len(db.exec(select(Contract)).all()) == 8 and contracted == 400
        assert remaining_by_month(db, "offer", offer)["2027-06"] + contracted == offer.monthly_qty
        assert audit.verify_chain(db) == []
