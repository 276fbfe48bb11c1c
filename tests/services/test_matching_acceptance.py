"""Parties answer approved proposals; both accepting makes a contract with a monthly schedule."""

from __future__ import annotations

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
    assert len(rows) == 13 and rows[1].endswith("fixed,73500.00,,,,,,,2027-01,300")


def test_review_then_acceptance_end_to_end(db, market):
    p = add_proposal(db, market, market.demand, 300)
    review.approve(db, market.staff, p.id, TODAY)
    acceptance.respond(db, market.seller, p.id, True, TODAY)
    acceptance.respond(db, market.buyer, p.id, True, TODAY)
    assert p.state == "contracted"


def test_an_index_linked_offer_makes_an_index_linked_contract(db, market, approved):
    from matchmaker.models import MatchingRun

    offer = market.offer
    offer.price_basis, offer.price, offer.index_name = "index", None, "gfex-lc"
    offer.index_adjustment, offer.index_adjustment_kind, offer.price_floor = -8, "percent", 50_000
    run = db.get(MatchingRun, approved.run_id)
    run.market = json.dumps({"offers": [{"id": f"O{offer.id}", "price": 70_000}]})  # the ask the run priced
    db.add_all([offer, run])
    db.commit()
    acceptance.respond(db, market.buyer, approved.id, True, TODAY)
    acceptance.respond(db, market.seller, approved.id, True, TODAY)
    contract = db.exec(select(Contract)).one()
    # agreed 73,500 = the seller's formula at signing (70,000) + a fixed premium of 3,500
    assert (contract.price_basis, contract.index_name, contract.index_adjustment, contract.index_adjustment_kind,
            contract.price_floor, contract.premium, contract.unit_price) == (
        "index", "gfex-lc", -8, "percent", 50_000, 3_500, 73_500)
    assert ",gfex-lc,-8,percent,50000,,3500,2027-01,300" in contracts.contracts_csv(db, market.buyer)
