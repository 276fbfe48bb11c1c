"""Staff review: every action, every illegal transition, and capacity re-checked on approval."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from matchmaker.models import Contract, ForbiddenPair, Notification, ScheduleLine
from matchmaker.services import review
from matchmaker.services.errors import PermissionDenied, ValidationError
from matchmaker.services.review import CapacityConflict, IllegalTransition
from tests.matching_market import add_proposal, seed_market

TODAY = date(2027, 1, 15)
ALL_STATES = list(review.STATES)


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


def act(db, market, action, proposal_id):
    staff = market.staff
    if action == "approve":
        return review.approve(db, staff, proposal_id, TODAY)
    if action == "reject":
        return review.reject(db, staff, proposal_id, "price too far from the index")
    if action == "forbid":
        return review.forbid(db, staff, proposal_id, "sanctioned")
    if action == "reduce":
        return review.reduce(db, staff, proposal_id, 100)
    raise AssertionError(action)


def test_approve_sets_a_deadline_and_tells_both_parties(db, market):
    p = add_proposal(db, market, market.demand, 300)
    review.approve(db, market.staff, p.id, TODAY)
    assert p.state == "approved" and p.deadline == date(2027, 1, 22)  # 7 days to answer
    notified = sorted(n.org_id for n in db.exec(select(Notification)))
    assert notified == sorted([market.offer.org_id, market.demand.org_id])


def test_reject_needs_a_reason(db, market):
    p = add_proposal(db, market, market.demand, 300)
    with pytest.raises(ValidationError):
        review.reject(db, market.staff, p.id, "  ")
    review.reject(db, market.staff, p.id, "buyer under investigation")
    assert (p.state, p.reason) == ("rejected", "buyer under investigation")


def test_forbid_rules_the_pair_out_once(db, market):
    p = add_proposal(db, market, market.demand, 300)
    review.forbid(db, market.staff, p.id, "conflict of interest")
    q = add_proposal(db, market, market.demand, 200, state="rejected")
    review.forbid(db, market.staff, q.id, "again")
    pairs = db.exec(select(ForbiddenPair)).all()
    assert p.state == "forbidden" and [(f.offer_id, f.demand_id) for f in pairs] == [(market.offer.id, market.demand.id)]


def test_reduce_recomputes_the_surplus(db, market):
    p = add_proposal(db, market, market.demand, 300)
    review.reduce(db, market.staff, p.id, 120)
    # 120 t x 12 months x 5,000 CNY margin
    assert p.monthly_qty == 120 and p.proposed_qty == 300 and p.surplus == 7_200_000


@pytest.mark.parametrize("qty", [0, -5, 300, 301])
def test_reduce_must_reduce(db, market, qty):
    p = add_proposal(db, market, market.demand, 300)
    with pytest.raises(ValidationError):
        review.reduce(db, market.staff, p.id, qty)


def test_reduce_respects_the_minimum_monthly_volume(db, market):
    market.demand.min_monthly_qty = 150
    db.add(market.demand)
    db.commit()
    p = add_proposal(db, market, market.demand, 300)
    with pytest.raises(ValidationError):
        review.reduce(db, market.staff, p.id, 100)


ILLEGAL = [(a, s) for a in ("approve", "reject", "forbid", "reduce") for s in ALL_STATES if s not in review.TRANSITIONS[a]]


@pytest.mark.parametrize(("action", "state"), ILLEGAL)
def test_every_illegal_staff_transition_is_refused(db, market, action, state):
    p = add_proposal(db, market, market.demand, 300, state=state)
    with pytest.raises(IllegalTransition):
        act(db, market, action, p.id)
    db.refresh(p)
    assert p.state == state


@pytest.mark.parametrize("action", ["approve", "reject", "forbid", "reduce"])
def test_members_cannot_review(db, market, action):
    p = add_proposal(db, market, market.demand, 300)
    market.staff = market.seller
    with pytest.raises(PermissionDenied):
        act(db, market, action, p.id)


def _contract(db, market, demand, qty):
    p = add_proposal(db, market, demand, qty, state="contracted")
    c = Contract(proposal_id=p.id, offer_id=market.offer.id, demand_id=demand.id, supplier_org_id=market.offer.org_id,
                 buyer_org_id=demand.org_id, product_id="lithium-carbonate", origin_region="jiangxi",
                 delivery_region="fujian", delivery_terms="DAP", monthly_qty=qty, start="2027-01", end="2027-12",
                 unit_price=73_500)
    db.add(c)
    db.flush()
    db.add_all(ScheduleLine(contract_id=c.id, month=f"2027-{m:02d}", qty=qty) for m in range(1, 13))
    db.commit()


def test_approval_rechecks_what_contracts_left(db, market):
    _contract(db, market, market.demand_b, 250)  # the offer has 400 - 250 = 150 t left each month
    p = add_proposal(db, market, market.demand, 200)
    with pytest.raises(CapacityConflict) as error:
        review.approve(db, market.staff, p.id, TODAY)
    assert "2027-01" in str(error.value.args[0]) and "150" in str(error.value.args[0])
    review.reduce(db, market.staff, p.id, 150)
    review.approve(db, market.staff, p.id, TODAY)
    assert p.state == "approved"


def test_bulk_approval_reports_the_ones_that_do_not_fit(db, market):
    _contract(db, market, market.demand_b, 250)
    fits = add_proposal(db, market, market.demand, 100)
    too_big = add_proposal(db, market, market.demand, 200)
    done = add_proposal(db, market, market.demand, 100, state="rejected")
    approved, refused = review.approve_many(db, market.staff, [fits.id, too_big.id, done.id], TODAY)
    assert approved == [fits.id] and set(refused) == {too_big.id, done.id}
