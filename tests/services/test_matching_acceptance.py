"""Parties answer approved proposals; both accepting makes a contract with a monthly schedule."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from datetime import date

import pytest
from sqlmodel import select

from matchmaker.market_file import export_market
from matchmaker.models import Contract, Notification, ScheduleLine
from matchmaker.services import acceptance, contracts, review
from matchmaker.services.errors import Conflict, NotFound
from matchmaker.services.review import CapacityConflict, IllegalTransition
from tests.matching_market import add_proposal, seed_market

TODAY = date(2027, 1, 15)


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


@pytest.fixture
def approved(db, market):
    return add_proposal(db, market, market.demand, 300, state="approved", deadline=date(2027, 1, 22))


def test_a_party_sees_only_its_own_approved_proposals(db, market, approved):
    add_proposal(db, market, market.demand_b, 100)  # still under review: nobody but staff sees it
    assert [p.id for p in acceptance.party_proposals(db, market.seller, TODAY)] == [approved.id]
    assert [p.id for p in acceptance.party_proposals(db, market.buyer, TODAY)] == [approved.id]
    assert acceptance.party_proposals(db, market.buyer_b, TODAY) == []
    with pytest.raises(NotFound):
        acceptance.party_proposal(db, market.outsider, approved.id, TODAY)


def test_the_party_view_has_the_agreed_price_but_no_bid_ask_or_margin(db, market, approved):
    view = asdict(acceptance.party_proposal(db, market.buyer, approved.id, TODAY))
    assert view["price"] == 73_500 and view["counterparty"] == "Ganzhou Lithium"
    text = json.dumps(view, default=str)
    assert "71000" not in text and "76000" not in text and "5000" not in text
    assert not {"unit_margin", "surplus", "freight", "bid", "ask"} & set(view)


def test_both_accepting_makes_a_contract_with_one_line_per_month(db, market, approved):
    acceptance.respond(db, market.buyer, approved.id, True, TODAY)
    assert approved.state == "approved" and approved.buyer_response == "accepted"
    acceptance.respond(db, market.seller, approved.id, True, TODAY)
    contract = db.exec(select(Contract)).one()
    lines = contracts.schedule(db, contract.id)
    assert approved.state == "contracted"
    assert (contract.monthly_qty, contract.unit_price, contract.delivery_region) == (300, 73_500, "fujian")
    assert [line.month for line in lines] == [f"2027-{m:02d}" for m in range(1, 13)]
    assert {line.qty for line in lines} == {300}


def test_notices_follow_the_answers(db, market, approved):
    acceptance.respond(db, market.buyer, approved.id, True, TODAY)
    acceptance.respond(db, market.seller, approved.id, True, TODAY)
    kinds = [(n.org_id, n.kind) for n in db.exec(select(Notification).order_by(Notification.id))]
    assert kinds == [(market.seller.org_id, "acceptance_needed"), (market.seller.org_id, "contract_created"),
                     (market.buyer.org_id, "contract_created")]


def test_a_decline_ends_the_proposal_and_tells_the_other_party_and_staff(db, market, approved):
    acceptance.respond(db, market.seller, approved.id, False, TODAY)
    assert approved.state == "declined"
    assert [(n.org_id, n.kind) for n in db.exec(select(Notification))] == [
        (market.buyer.org_id, "proposal_declined"), (None, "proposal_declined")]
    with pytest.raises(IllegalTransition):
        acceptance.respond(db, market.buyer, approved.id, True, TODAY)


def test_no_answer_after_the_deadline(db, market, approved):
    with pytest.raises(Conflict):
        acceptance.respond(db, market.buyer, approved.id, True, date(2027, 1, 23))
    assert acceptance.party_proposal(db, market.buyer, approved.id, date(2027, 1, 23)).expired


def test_answering_twice_is_refused(db, market, approved):
    acceptance.respond(db, market.buyer, approved.id, True, TODAY)
    with pytest.raises(Conflict):
        acceptance.respond(db, market.buyer, approved.id, False, TODAY)


@pytest.mark.parametrize("state", ["proposed", "rejected", "forbidden", "declined", "contracted"])
@pytest.mark.parametrize("accept", [True, False])
def test_every_illegal_party_transition_is_refused(db, market, state, accept):
    p = add_proposal(db, market, market.demand, 300, state=state)
    with pytest.raises((IllegalTransition, NotFound)):  # not yet approved: the party cannot even see it
        acceptance.respond(db, market.buyer, p.id, accept, TODAY)
    db.refresh(p)
    assert p.state == state


def test_staff_and_outsiders_cannot_answer(db, market, approved):
    for viewer in (market.staff, market.outsider):
        with pytest.raises(NotFound):
            acceptance.respond(db, viewer, approved.id, True, TODAY)


def test_the_second_acceptance_rechecks_capacity(db, market, approved):
    other = add_proposal(db, market, market.demand_b, 200, state="approved", deadline=date(2027, 1, 22))
    for p in (approved, other):
        acceptance.respond(db, market.buyer if p is approved else market.buyer_b, p.id, True, TODAY)
    acceptance.respond(db, market.seller, approved.id, True, TODAY)  # 300 of 400 t contracted
    with pytest.raises(CapacityConflict) as error:
        acceptance.respond(db, market.seller, other.id, True, TODAY)
    assert "100" in str(error.value.args[0])
    db.refresh(other)
    assert other.state == "approved" and other.supplier_response == "pending"
    assert len(db.exec(select(Contract)).all()) == 1


def test_contracted_volume_is_exported_as_remaining(db, market, approved):
    acceptance.respond(db, market.buyer, approved.id, True, TODAY)
    acceptance.respond(db, market.seller, approved.id, True, TODAY)
    data = export_market(db, TODAY, {}).market
    offer = next(o for o in data["offers"] if o["id"] == f"O{market.offer.id}")
    demand = next(d for d in data["demands"] if d["id"] == f"D{market.demand.id}")
    # 400 t offered - 300 t contracted = 100 t left each month of 2027; the demand is full
    assert offer["remaining"] == {f"2027-{m:02d}": 100 for m in range(1, 13)}
    assert demand["remaining"] == {f"2027-{m:02d}": 0 for m in range(1, 13)}


def test_remaining_plus_contracted_is_the_capacity(db, market, approved):
    acceptance.respond(db, market.buyer, approved.id, True, TODAY)
    acceptance.respond(db, market.seller, approved.id, True, TODAY)
    contracted = sum(line.qty for line in db.exec(select(ScheduleLine).where(ScheduleLine.month == "2027-05")))
    from matchmaker.services.capacity import remaining_by_month
    assert remaining_by_month(db, "offer", market.offer)["2027-05"] + contracted == market.offer.monthly_qty


def test_contracts_are_visible_to_their_parties_only(db, market, approved):
    acceptance.respond(db, market.buyer, approved.id, True, TODAY)
    acceptance.respond(db, market.seller, approved.id, True, TODAY)
    contract = db.exec(select(Contract)).one()
    for viewer in (market.seller, market.buyer, market.staff):
        assert contracts.get_contract(db, viewer, contract.id).id == contract.id
    with pytest.raises(NotFound):
        contracts.get_contract(db, market.buyer_b, contract.id)
    assert contracts.list_contracts(db, market.buyer_b) == []


def test_the_csv_export_has_one_row_per_month(db, market, approved):
    acceptance.respond(db, market.buyer, approved.id, True, TODAY)
    acceptance.respond(db, market.seller, approved.id, True, TODAY)
    rows = contracts.contracts_csv(db, market.buyer).splitlines()
    assert rows[0].startswith("contract,supplier,buyer,product")
    first = next(csv.DictReader(rows))
    assert len(rows) == 13
    assert {k: v for k, v in first.items() if v} == {
        "contract": "1", "supplier": "Ganzhou Lithium", "buyer": "Ningde Cathode", "product": "lithium-carbonate", "unit": "t",
        "origin_region": "jiangxi", "delivery_region": "fujian", "delivery_terms": "DAP", "price_basis": "fixed",
        "unit_price_at_signing_cny": "73500.00", "freight_cny": "0", "month": "2027-01", "qty": "300",
        "month_price_cny": "73500.00", "month_price_kind": "fixed"}


def test_review_then_acceptance_end_to_end(db, market):
    p = add_proposal(db, market, market.demand, 300)
    review.approve(db, market.staff, p.id, TODAY)
    acceptance.respond(db, market.seller, p.id, True, TODAY)
    acceptance.respond(db, market.buyer, p.id, True, TODAY)
    assert p.state == "contracted"


def index_linked(db, listing, run, priced, **formula):  # type: ignore[no-untyped-def]
    """Make ``listing`` index-linked, and record in ``run``'s market the price the run gave it."""
    listing.price_basis, listing.price = "index", None
    for name, value in formula.items():
        setattr(listing, name, value)
    market = json.loads(run.market or "{}")
    key = "offers" if listing.__tablename__ == "offer" else "demands"
    market.setdefault(key, []).append({"id": f"{key[0].upper()}{listing.id}", "price": priced})
    run.market = json.dumps(market)
    db.add_all([listing, run])
    db.commit()


def sign(db, market, proposal) -> Contract:  # type: ignore[no-untyped-def]
    acceptance.respond(db, market.buyer, proposal.id, True, TODAY)
    acceptance.respond(db, market.seller, proposal.id, True, TODAY)
    return db.exec(select(Contract)).one()


def test_fixed_ask_and_fixed_bid_make_a_fixed_contract_with_no_legs(db, market, approved):
    contract = sign(db, market, approved)
    assert (contract.price_basis, contract.unit_price, contract.ask_basis, contract.bid_basis) == ("fixed", 73_500, None, None)


def test_an_index_linked_offer_makes_a_split_contract_with_the_buyers_fixed_bid(db, market, approved):
    from matchmaker.models import MatchingRun
    from matchmaker.services.contract_terms import contract_price

    index_linked(db, market.offer, db.get(MatchingRun, approved.run_id), 71_000, index_name="gfex-lc",
                 index_adjustment=-8, index_adjustment_kind="percent", price_floor=50_000)
    contract = sign(db, market, approved)
    assert (contract.price_basis, contract.ask_basis, contract.ask_index, contract.ask_adjustment,
            contract.ask_adjustment_kind, contract.ask_floor) == ("split", "index", "gfex-lc", -8, "percent", 50_000)
    assert (contract.bid_basis, contract.bid_price, contract.freight, contract.unit_price) == ("fixed", 76_000, 0, 73_500)
    # at index 80,000: (0.92 x 80,000 + 76,000 + 0) / 2 = (73,600 + 76,000) / 2
    assert contract_price(contract, {"gfex-lc": 80_000}) == pytest.approx(74_800)


def test_an_index_linked_demand_puts_the_buyers_formula_in_the_contract(db, market, approved):
    from matchmaker.models import MatchingRun
    from matchmaker.services.contract_terms import contract_price

    index_linked(db, market.demand, db.get(MatchingRun, approved.run_id), 76_000, index_name="smm-lc",
                 index_adjustment=2_000, index_adjustment_kind="amount", price_ceiling=90_000)
    contract = sign(db, market, approved)
    assert (contract.price_basis, contract.ask_basis, contract.ask_price) == ("split", "fixed", 71_000)
    assert (contract.bid_basis, contract.bid_index, contract.bid_adjustment, contract.bid_ceiling) == (
        "index", "smm-lc", 2_000, 90_000)
    # at index 100,000 the bid is capped at 90,000: (71,000 + 90,000 + 0) / 2
    assert contract_price(contract, {"smm-lc": 100_000}) == 80_500
    first = next(csv.DictReader(contracts.contracts_csv(db, market.seller).splitlines()))
    assert {k: v for k, v in first.items() if k.startswith(("ask_", "bid_")) and v} == {
        "ask_basis": "fixed", "ask_price_cny": "71000", "bid_basis": "index", "bid_index": "smm-lc",
        "bid_adjustment": "2000", "bid_adjustment_kind": "amount", "bid_ceiling_cny": "90000"}


def test_a_contract_shows_each_month_at_the_latest_index_value(db, market, approved):
    from matchmaker.models import MatchingRun
    from matchmaker.services.monitoring_prices import seed_price_series

    index_linked(db, market.offer, db.get(MatchingRun, approved.run_id), 71_000, index_name="gfex-lc",
                 index_adjustment=-5, index_adjustment_kind="percent")
    contract = sign(db, market, approved)
    seed_price_series(db)  # the carbonate series; its newest point is 81,000 on 2025-11-03
    months = contracts.month_prices(db, contract)
    # every 2027 month is an estimate at 81,000: (0.95 x 81,000 + 76,000 + 0) / 2
    assert len(months) == 12
    assert {(round(m.price, 2), m.kind, m.as_of) for m in months} == {(76_475, "estimate", date(2025, 11, 3))}
