"""A script with a token: post an offer, find it proposed, accept it, read the contract schedule."""

import pytest

from matchmaker.models import Offer
from matchmaker.services import tokens
from tests.matching_market import add_proposal, seed_market
from tests.web.api_helpers import bearer


def token(db, viewer, scope="read-write"):  # type: ignore[no-untyped-def]
    return bearer(tokens.create_token(db, viewer, {"name": "script", "scope": scope})[1])


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


def test_post_offer_accept_proposal_and_read_the_schedule(client, db, market):
    seller, buyer = token(db, market.seller), token(db, market.buyer)
    posted = client.post("/api/v1/offers", headers=seller, json={
        "product_id": "lithium-carbonate", "region": "jiangxi", "monthly_qty": 400, "start": "2027-01",
        "end": "2027-12", "price_basis": "fixed", "price": 71000, "delivery_terms": "DAP",
    })
    assert posted.status_code == 201
    market.offer = db.get(Offer, posted.get_json()["id"])
    # A finished, staff-approved run proposes 300 t/month at 73,500 (margin 5,000 split in half).
    proposal = add_proposal(db, market, market.demand, 300, state="approved")

    listed = client.get("/api/v1/proposals", headers=seller).get_json()["items"]
    assert [(p["id"], p["role"], p["counterparty"], p["price"]) for p in listed] == [
        (proposal.id, "supplier", "Ningde Cathode", 73500)]
    first = client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=seller).get_json()
    assert (first["own_response"], first["state"]) == ("accepted", "approved")
    second = client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=buyer).get_json()
    assert second["state"] == "contracted"

    contracts = client.get("/api/v1/contracts", headers=seller).get_json()["items"]
    assert len(contracts) == 1 and (contracts[0]["supplier"], contracts[0]["buyer"]) == ("Ganzhou Lithium", "Ningde Cathode")
    detail = client.get(f"/api/v1/contracts/{contracts[0]['id']}", headers=buyer).get_json()
    assert detail["unit_price"] == 73500
    assert [line["month"] for line in detail["schedule"]] == [f"2027-{m:02d}" for m in range(1, 13)]
    assert {(line["qty"], line["price"], line["price_kind"]) for line in detail["schedule"]} == {(300, 73500, "fixed")}
    assert (detail["price_basis"], detail["ask"], detail["bid"]) == ("fixed", None, None)


def test_an_index_linked_contract_states_both_legs_and_each_months_price(client, app, db, market):
    import json

    from matchmaker.models import MatchingRun

    # seller: GFEX x (1 - 5 %), floor 70,000; buyer: fixed 76,000; freight 300
    proposal = add_proposal(db, market, market.demand, 300, state="approved")
    proposal.freight = 300.0
    offer = market.offer
    offer.price_basis, offer.price, offer.index_name = "index", None, "gfex-lc"
    offer.index_adjustment, offer.index_adjustment_kind, offer.price_floor = -5, "percent", 70_000
    run = db.get(MatchingRun, proposal.run_id)
    run.market = json.dumps({"offers": [{"id": f"O{offer.id}", "price": 71_000}],
                             "demands": [{"id": f"D{market.demand.id}", "price": 76_000}]})
    db.add_all([offer, run, proposal])
    db.commit()
    seller, buyer = token(db, market.seller), token(db, market.buyer)
    client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=seller)
    client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=buyer)
    app.config["PRICE_INDEX_VALUES"] = {"gfex-lc": 80_000}
    contract_id = client.get("/api/v1/contracts", headers=buyer).get_json()["items"][0]["id"]
    detail = client.get(f"/api/v1/contracts/{contract_id}", headers=buyer).get_json()
    assert (detail["price_basis"], detail["freight"]) == ("split", 300)
    assert detail["ask"] == {"basis": "index", "price": None, "index": "gfex-lc", "adjustment": -5,
                             "adjustment_kind": "percent", "floor": 70_000, "ceiling": None}
    assert detail["bid"] == {"basis": "fixed", "price": 76_000, "index": None, "adjustment": None,
                             "adjustment_kind": None, "floor": None, "ceiling": None}
    # no series, so the configured 80,000 is the latest value: (76,000 + 76,000 + 300) / 2
    assert {(line["price"], line["price_kind"]) for line in detail["schedule"]} == {(76_150, "estimate")}


def test_answering_twice_is_409_and_outsiders_get_404(client, db, market):
    proposal = add_proposal(db, market, market.demand, 300, state="approved")
    seller = token(db, market.seller)
    assert client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=seller).status_code == 200
    again = client.post(f"/api/v1/proposals/{proposal.id}/decline", headers=seller)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    outsider = token(db, market.outsider)
    assert client.get(f"/api/v1/proposals/{proposal.id}", headers=outsider).status_code == 404
    assert client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=outsider).status_code == 404
    assert client.get("/api/v1/proposals", headers=outsider).get_json() == {"items": []}


def test_a_proposal_not_yet_approved_is_invisible(client, db, market):
    proposal = add_proposal(db, market, market.demand, 300, state="proposed")
    assert client.get(f"/api/v1/proposals/{proposal.id}", headers=token(db, market.seller)).status_code == 404


def test_a_read_token_cannot_accept(client, db, market):
    proposal = add_proposal(db, market, market.demand, 300, state="approved")
    response = client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=token(db, market.seller, "read"))
    assert response.status_code == 403
    assert client.get(f"/api/v1/proposals/{proposal.id}", headers=token(db, market.seller)).get_json()["own_response"] == "pending"


def test_contract_schedules_export_as_xlsx_and_csv(client, db, market):
    import io

    from openpyxl import load_workbook

    seller = token(db, market.seller)
    proposal = add_proposal(db, market, market.demand, 300, state="approved")
    client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=seller)
    client.post(f"/api/v1/proposals/{proposal.id}/accept", headers=token(db, market.buyer))
    book = load_workbook(io.BytesIO(client.get("/api/v1/contracts/export.xlsx", headers=seller).get_data()))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1 + 12  # header and one line per month of 2027
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["month"], first["qty"], first["month_price_cny"], first["month_price_kind"]) == ("2027-01", 300, 73500, "fixed")
    assert first["unit_price_at_signing_cny"] == 73500 and first["unit"] == "t"
    csv_text = client.get("/api/v1/contracts/export.csv", headers=seller).get_data().decode("utf-8-sig")
    assert len(csv_text.splitlines()) == 13
    assert client.get("/api/v1/contracts/export.csv", headers=token(db, market.outsider)).get_data().decode("utf-8-sig").count("\n") == 1
