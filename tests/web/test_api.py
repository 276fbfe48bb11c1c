"""JSON API v1: same rules as the pages, errors name the field."""

import pytest

from tests.web.test_listing_views import OFFER


@pytest.fixture
def seller(client, auth, factory):
    factory.catalogue()
    org = factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"})
    factory.user(org, "seller@example.cn")
    auth.login("seller@example.cn")
    return org


def test_anonymous_calls_get_401_json(client):
    response = client.get("/api/v1/market")
    assert response.status_code == 401 and response.is_json


def test_create_and_read_an_offer(client, seller):
    body = {**OFFER, "monthly_qty": 500, "price": 74000}
    created = client.post("/api/v1/offers", json=body)
    assert created.status_code == 201
    offer = created.get_json()
    assert (offer["monthly_qty"], offer["price"], offer["status"], offer["certifications"]) == (500, 74000, "open", ["ISO9001"])
    listed = client.get("/api/v1/offers").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == offer["id"]
    assert client.get(f"/api/v1/offers/{offer['id']}").get_json()["org"] == "Ganzhou Lithium"


def test_validation_error_names_each_field(client, seller):
    response = client.post("/api/v1/offers", json={**OFFER, "monthly_qty": -5, "max_buyer_share": 2})
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"monthly_qty", "max_buyer_share"}
    assert client.get("/api/v1/offers").get_json()["total"] == 0


def test_non_object_body_is_400(client, seller):
    assert client.post("/api/v1/offers", json=[1, 2]).status_code == 400


def test_pending_organisation_gets_403(client, auth, factory):
    factory.catalogue()
    factory.user(factory.org("Pending", status="pending"), "p@example.cn")
    auth.login("p@example.cn")
    assert client.post("/api/v1/offers", json=OFFER).status_code == 403


def test_market_json_has_no_price_or_organisation(client, auth, factory, seller):
    client.post("/api/v1/offers", json=OFFER)
    auth.logout()
    factory.user(factory.org("Buyer Co"), "buyer@example.cn")
    auth.login("buyer@example.cn")
    market = client.get("/api/v1/market").get_json()
    assert market["total"] == 1
    assert set(market["items"][0]) == {"side", "product_id", "unit", "tier", "region", "band_low", "band_high", "start", "end"}
    assert client.get("/api/v1/offers/1").status_code == 404
