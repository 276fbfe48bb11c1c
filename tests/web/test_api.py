"""JSON API v1: same rules as the pages, errors name the field."""

import pytest

from tests.web.api_helpers import bearer, create_token
from tests.web.test_listing_views import OFFER


@pytest.fixture
def seller(client, auth, factory):
    """Ganzhou Lithium's read-write token; the session is logged out, so only the token speaks."""
    factory.catalogue()
    org = factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"})
    factory.user(org, "seller@example.cn")
    auth.login("seller@example.cn")
    token = create_token(client)
    auth.logout()
    return bearer(token)


def test_anonymous_calls_get_401_json(client):
    response = client.get("/api/v1/market")
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_create_and_read_an_offer(client, seller):
    body = {**OFFER, "monthly_qty": 500, "price": 74000}
    created = client.post("/api/v1/offers", json=body, headers=seller)
    assert created.status_code == 201
    offer = created.get_json()
    assert (offer["monthly_qty"], offer["price"], offer["status"], offer["certifications"]) == (500, 74000, "open", ["ISO9001"])
    listed = client.get("/api/v1/offers", headers=seller).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == offer["id"]
    assert client.get(f"/api/v1/offers/{offer['id']}", headers=seller).get_json()["org"] == "Ganzhou Lithium"


def test_update_and_withdraw_an_offer(client, seller):
    offer = client.post("/api/v1/offers", json=OFFER, headers=seller).get_json()
    updated = client.put(f"/api/v1/offers/{offer['id']}", json={**OFFER, "monthly_qty": 650}, headers=seller)
    assert updated.status_code == 200 and updated.get_json()["monthly_qty"] == 650
    assert client.post(f"/api/v1/offers/{offer['id']}/withdraw", headers=seller).get_json()["status"] == "withdrawn"
    again = client.post(f"/api/v1/offers/{offer['id']}/withdraw", headers=seller)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


def test_validation_error_names_each_field(client, seller):
    response = client.post("/api/v1/offers", json={**OFFER, "monthly_qty": -5, "max_buyer_share": 2}, headers=seller)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation" and error["field"] in {"monthly_qty", "max_buyer_share"}
    assert set(error["fields"]) == {"monthly_qty", "max_buyer_share"}
    assert client.get("/api/v1/offers", headers=seller).get_json()["total"] == 0


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json", b"", b'"text"'])
def test_unreadable_body_is_400_naming_the_body(client, seller, body):
    response = client.post("/api/v1/offers", data=body, content_type="application/json", headers=seller)
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "bad_request", "message": "请发送 JSON 对象。", "field": "body"}


def test_unknown_api_path_and_method_answer_in_the_error_shape(client, seller):
    missing = client.get("/api/v1/nothing-here", headers=seller)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/market", headers=seller)
    assert wrong.status_code == 405 and wrong.get_json()["error"]["code"] == "method_not_allowed"


def test_pending_organisation_gets_403(client, auth, factory):
    factory.catalogue()
    factory.user(factory.org("Pending", status="pending"), "p@example.cn")
    auth.login("p@example.cn")
    token = create_token(client)
    response = client.post("/api/v1/offers", json=OFFER, headers=bearer(token))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


def test_market_json_has_no_price_or_organisation(client, auth, factory, seller):
    client.post("/api/v1/offers", json=OFFER, headers=seller)
    factory.user(factory.org("Buyer Co"), "buyer@example.cn")
    auth.login("buyer@example.cn")
    buyer = bearer(create_token(client))
    market = client.get("/api/v1/market", headers=buyer).get_json()
    assert market["total"] == 1
    assert set(market["items"][0]) == {"side", "product_id", "unit", "tier", "region", "band_low", "band_high", "start", "end"}
    assert client.get("/api/v1/offers/1", headers=buyer).status_code == 404


def test_import_through_the_api_is_all_or_nothing(client, seller):
    from tests.services.test_bulk_import import EN_HEADER, GOOD, csv_bytes

    bad = list(GOOD)
    bad[2] = "-1"
    refused = client.post("/api/v1/offers/import?filename=o.csv", data=csv_bytes(EN_HEADER, [GOOD, bad]), headers=seller)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert (error["code"], error["field"]) == ("validation", "file")
    assert [(r["row"], r["field"]) for r in error["rows"]] == [(3, "monthly_qty")]
    assert client.get("/api/v1/offers", headers=seller).get_json()["total"] == 0
    created = client.post("/api/v1/offers/import", data={"file": (__import__("io").BytesIO(csv_bytes(EN_HEADER, [GOOD])), "o.csv")},
                          content_type="multipart/form-data", headers=seller)
    assert created.status_code == 201 and created.get_json()["created"] == 1
    exported = client.get("/api/v1/offers/export.csv?lang=en", headers=seller).get_data().decode("utf-8-sig")
    assert exported.splitlines()[1].startswith("1,open,Ganzhou Lithium,lithium-carbonate")


def test_import_without_a_file_is_400(client, seller):
    response = client.post("/api/v1/offers/import", headers=seller)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "file"


def test_own_organisation_and_the_catalogue(client, seller):
    org = client.get("/api/v1/organisation", headers=seller).get_json()
    assert (org["name"], org["status"], [c["name"] for c in org["certifications"]]) == ("Ganzhou Lithium", "approved", ["ISO9001"])
    products = {p["id"]: p for p in client.get("/api/v1/products", headers=seller).get_json()["items"]}
    assert products["lithium-carbonate"]["unit"] == "t" and products["lfp-cathode"]["bom"]
