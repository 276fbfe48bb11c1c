"""The whole loop through the API: a seller's script posts an offer, staff run and approve the
match, both parties accept, and the buyer reads the contract schedule."""

import pytest

from matchmaker.models import Offer
from matchmaker.services import tokens
from tests.matching_market import seed_market
from tests.web.api_helpers import bearer

pytestmark = pytest.mark.app_config(MATCHING_EXECUTOR="inline")


def token(db, viewer, scope="read-write"):  # type: ignore[no-untyped-def]
    return bearer(tokens.create_token(db, viewer, {"name": "script", "scope": scope})[1])


@pytest.fixture
def market(db, factory):
    m = seed_market(db, factory)
    m.offer.status = "withdrawn"  # the seller's offer comes from the script instead
    db.add(m.offer)
    db.commit()
    return m


def test_script_posts_offer_staff_match_and_approve_parties_accept(client, db, market):
    seller, buyer, staff = token(db, market.seller), token(db, market.buyer), token(db, market.staff)
    posted = client.post("/api/v1/offers", headers=seller, json={
        "product_id": "lithium-carbonate", "region": "jiangxi", "monthly_qty": 400, "start": "2027-01",
        "end": "2027-12", "price_basis": "fixed", "price": 71000, "delivery_terms": "DAP",
    }).get_json()

    started = client.post("/api/v1/runs", headers=staff, json={"request_key": "erp-1", "time_limit": 10})
    assert started.status_code == 201
    run = client.get(f"/api/v1/runs/{started.get_json()['id']}", headers=staff).get_json()
    assert run["state"] == "finished"
    ours = [p for p in run["proposals"] if p["offer_id"] == posted["id"] and p["demand_id"] == market.demand.id]
    assert len(ours) == 1 and ours[0]["supplier"] == "Ganzhou Lithium"
    # Same request_key: the same run, not a second one.
    assert client.post("/api/v1/runs", headers=staff, json={"request_key": "erp-1"}).status_code == 200

    approved = client.post(f"/api/v1/proposals/{ours[0]['id']}/approve", headers=staff, json={})
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"
    assert client.post(f"/api/v1/proposals/{ours[0]['id']}/accept", headers=seller).status_code == 200
    assert client.post(f"/api/v1/proposals/{ours[0]['id']}/accept", headers=buyer).get_json()["state"] == "contracted"
    contract = client.get("/api/v1/contracts", headers=buyer).get_json()["items"][0]
    schedule = client.get(f"/api/v1/contracts/{contract['id']}", headers=buyer).get_json()["schedule"]
    assert len(schedule) == 12 and schedule[0] == {"month": "2027-01", "qty": ours[0]["monthly_qty"],
                                                   "price": ours[0]["price"], "price_kind": "fixed"}
    assert db.get(Offer, posted["id"]).status == "open"


def test_members_cannot_use_the_staff_routes(client, db, market):
    seller = token(db, market.seller)
    assert client.get("/api/v1/runs", headers=seller).status_code == 403
    assert client.post("/api/v1/runs", headers=seller, json={"request_key": "x"}).status_code == 403
    assert client.post("/api/v1/proposals/1/approve", headers=seller, json={}).status_code == 403


def test_bad_run_requests_name_the_field(client, db, market):
    staff = token(db, market.staff)
    response = client.post("/api/v1/runs", headers=staff, json={"request_key": "k", "time_limit": "fast"})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "time_limit"
    response = client.post("/api/v1/runs", headers=staff, json={"request_key": "k", "products": ["unobtainium"]})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "products"
    assert client.post("/api/v1/runs", headers=staff, data="[]", content_type="application/json").status_code == 400
