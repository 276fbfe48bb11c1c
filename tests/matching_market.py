"""A small lithium carbonate market for the matching workflow tests.

Seller (Jiangxi) offers 400 t/month over 2027 at 71,000 CNY/t; buyer A (Fujian) wants 300 t/month
at 76,000 and buyer B (Fujian) 300 t/month at 75,000. Staff have set the freight of the
Jiangxi-Fujian lane to 0 (a ``FreightOverride``, without the audit record the freight page would
add), so the worked numbers carry no freight: O1->D1 has margin 5,000 and price 73,500, O1->D2
margin 4,000 and price 73,000. Freight itself is tested in tests/services/test_freight_matching.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from matchmaker.models import Demand, FreightOverride, MatchingRun, Offer, Proposal
from matchmaker.services.viewer import Viewer


@dataclass
class Market:
    staff: Viewer
    seller: Viewer
    buyer: Viewer
    buyer_b: Viewer
    outsider: Viewer
    offer: Offer
    demand: Demand
    demand_b: Demand


def seed_market(db: Session, factory) -> Market:  # type: ignore[no-untyped-def]
    factory.catalogue()
    association = factory.org("中国锂电产业协会", tiers=["system"])
    seller = factory.org("Ganzhou Lithium", region="jiangxi")
    buyer = factory.org("Ningde Cathode", region="fujian", tiers=["material1"])
    buyer_b = factory.org("Xiamen Cathode", region="fujian", tiers=["material1"])
    outsider = factory.org("Other Co", region="hunan")
    users = {
        "staff": factory.user(association, "staff@example.cn", role="staff"),
        "seller": factory.user(seller, "seller@example.cn"),
        "buyer": factory.user(buyer, "buyer@example.cn"),
        "buyer_b": factory.user(buyer_b, "buyer-b@example.cn"),
        "outsider": factory.user(outsider, "outsider@example.cn"),
    }
    offer = Offer(org_id=seller.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=400,
                  start="2027-01", end="2027-12", price=71_000)
    demand = Demand(org_id=buyer.id, product_id="lithium-carbonate", region="fujian", monthly_qty=300,
                    start="2027-01", end="2027-12", price=76_000)
    demand_b = Demand(org_id=buyer_b.id, product_id="lithium-carbonate", region="fujian", monthly_qty=300,
                      start="2027-01", end="2027-12", price=75_000)
    db.add_all([offer, demand, demand_b, FreightOverride(region_a="fujian", region_b="jiangxi", cny_per_tonne=0)])
    db.commit()

    def v(name: str) -> Viewer:
        user = users[name]
        return Viewer(user_id=user.id, org_id=user.org_id, role=user.role, org_status="approved")

    return Market(v("staff"), v("seller"), v("buyer"), v("buyer_b"), v("outsider"), offer, demand, demand_b)


def add_proposal(db: Session, m: Market, demand: Demand, qty: float, state: str = "proposed", **extra) -> Proposal:  # type: ignore[no-untyped-def]
    """A proposal written directly, as a finished run would, for review and acceptance tests."""
    run = MatchingRun(request_key=uuid.uuid4().hex,
                      created_by=m.staff.user_id, state="finished", market="{}")
    db.add(run)
    db.flush()
    margin = demand.price - m.offer.price  # type: ignore[operator]
    proposal = Proposal(
        run_id=run.id, offer_id=m.offer.id, demand_id=demand.id, supplier_org_id=m.offer.org_id,  # type: ignore[arg-type]
        buyer_org_id=demand.org_id, product_id="lithium-carbonate", monthly_qty=qty, proposed_qty=qty,
        start="2027-01", end="2027-12", months=12, unit_margin=margin, price=m.offer.price + margin / 2,  # type: ignore[operator]
        freight=0.0, surplus=qty * 12 * margin, state=state, **extra,
    )
    db.add(proposal)
    db.commit()
    return proposal
