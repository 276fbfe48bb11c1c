"""JSON bodies are checked against the schemas the OpenAPI document shows (``json_body``): every
kind of refusal names the field, in the request's language; unknown fields are refused; numbers
may come as numeric text; nothing is written when anything is refused; the services' own
cross-field checks still apply after the schema's."""

import json

import pytest

from matchmaker.services import tokens
from matchmaker.services.viewer import Viewer
from tests.web.api_helpers import bearer

OFFER = {
    "product_id": "lithium-carbonate", "region": "jiangxi", "monthly_qty": 500, "start": "2027-02",
    "end": "2029-12", "min_term_months": 12, "price_basis": "fixed", "price": 74000,
    "delivery_terms": "DAP", "certifications": ["ISO9001"],
}


@pytest.fixture
def seller(factory):
    factory.catalogue()
    org = factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"})
    user = factory.user(org, "seller@example.cn")
    viewer = Viewer(user_id=user.id, org_id=org.id, role="member", org_status="approved")
    return bearer(tokens.create_token(factory.db, viewer, {"name": "erp", "scope": "read-write"})[1])


@pytest.fixture
def staff(factory):
    org = factory.org("Battery Association")
    user = factory.user(org, "staff@example.cn", role="staff")
    viewer = Viewer(user_id=user.id, org_id=org.id, role="staff", org_status="approved")
    return bearer(tokens.create_token(factory.db, viewer, {"name": "ops", "scope": "read-write"})[1])


def refused(response):
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation" and error["fields"][error["field"]] == error["message"]
    return error


def offers_saved(client, seller):
    return client.get("/api/v1/offers", headers=seller).get_json()["total"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"region": None}, "region", "region 为必填项。"),
    ({"monthly_qty": "many"}, "monthly_qty", "monthly_qty 必须是数字。"),
    ({"monthly_qty": True}, "monthly_qty", "monthly_qty 必须是数字。"),
    ({"min_term_months": 1.5}, "min_term_months", "min_term_months 必须是整数。"),
    ({"product_id": 5}, "product_id", "product_id 必须是文本。"),
    ({"monthly_qty": 0}, "monthly_qty", "monthly_qty 必须大于 0。"),
    ({"price": -1}, "price", "price 不能小于 0。"),
    ({"max_buyer_share": 2}, "max_buyer_share", "max_buyer_share 不能大于 1。"),
    ({"start": "2027/02"}, "start", "start 必须是 YYYY-MM 格式的月份。"),
    ({"price_basis": "auction"}, "price_basis", "price_basis 必须是以下之一：'fixed' or 'index'。"),
    ({"delivery_notes": "x" * 501}, "delivery_notes", "delivery_notes 最多 500 个字符。"),
    ({"certifications": "ISO9001"}, "certifications", "certifications 必须是列表。"),
    ({"certifications": ["ISO9001", "ISO-nothing"]}, "certifications", "certifications[1] 必须是以下之一："),
    ({"colour": "red"}, "colour", "colour 不是已知字段。"),
])
def test_each_kind_of_refusal_names_the_field_and_saves_nothing(client, seller, change, field, message):
    body = {k: v for k, v in {**OFFER, **change}.items() if v is not None}
    error = refused(client.post("/api/v1/offers", json=body, headers=seller))
    assert error["field"] == field and error["message"].startswith(message)
    assert offers_saved(client, seller) == 0


def test_every_refused_field_is_listed_once(client, seller):
    body = {**OFFER, "monthly_qty": -5, "start": "soon", "colour": "red", "certifications": [1, 2]}
    del body["region"]
    error = refused(client.post("/api/v1/offers", json=body, headers=seller))
    assert set(error["fields"]) == {"monthly_qty", "start", "colour", "certifications", "region"}


@pytest.mark.parametrize("headers", [{"Accept-Language": "en-US,en;q=0.9"}, {}])
def test_messages_follow_the_requests_language(client, seller, headers):
    url = "/api/v1/offers" if headers else "/api/v1/offers?lang=en"
    error = refused(client.post(url, json={**OFFER, "monthly_qty": 0}, headers={**seller, **headers}))
    assert error["message"] == "monthly_qty must be greater than 0."


def test_chinese_is_the_default_and_wins_over_an_unknown_language(client, seller):
    error = refused(client.post("/api/v1/offers", json={**OFFER, "monthly_qty": 0},
                                headers={**seller, "Accept-Language": "fr-FR"}))
    assert error["message"] == "monthly_qty 必须大于 0。"


def test_a_number_sent_as_text_is_taken_as_that_number(client, seller):
    created = client.post("/api/v1/offers", json={**OFFER, "monthly_qty": "512.5", "price": "74000"}, headers=seller)
    assert created.status_code == 201
    assert (created.get_json()["monthly_qty"], created.get_json()["price"]) == (512.5, 74000)


def test_the_services_cross_field_checks_still_apply(client, seller):
    window = refused(client.post("/api/v1/offers", json={**OFFER, "start": "2029-12", "end": "2027-02"}, headers=seller))
    assert (window["field"], window["message"]) == ("end", "结束月份不能早于起始月份。")
    no_price = refused(client.post("/api/v1/offers", json={k: v for k, v in OFFER.items() if k != "price"}, headers=seller))
    assert no_price["field"] == "price"
    assert offers_saved(client, seller) == 0


def test_an_update_is_checked_the_same_way_and_changes_nothing_when_refused(client, seller):
    offer = client.post("/api/v1/offers", json=OFFER, headers=seller).get_json()
    error = refused(client.put(f"/api/v1/offers/{offer['id']}", json={**OFFER, "monthly_qty": 650, "colour": "red"}, headers=seller))
    assert error["field"] == "colour"
    assert client.get(f"/api/v1/offers/{offer['id']}", headers=seller).get_json()["monthly_qty"] == 500


def test_nested_garbage_is_a_422_naming_the_fields(client, seller):
    body = {**OFFER, "region": {"a": [1, {"b": None}]}, "certifications": [[["ISO9001"]]], "price": {"cny": 74000}}
    error = refused(client.post("/api/v1/offers", json=body, headers=seller))
    assert set(error["fields"]) == {"region", "certifications", "price"}


def test_deeply_nested_json_is_an_unreadable_body_not_a_server_error(client, seller):
    body = '{"region": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/offers", data=body, content_type="application/json", headers=seller)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "body"


def test_a_body_of_nearly_one_megabyte_is_refused_field_by_field(client, seller):
    body = json.dumps({**OFFER, "delivery_notes": "矿" * 340_000}, ensure_ascii=False)  # 3 bytes each: 1,020,000 bytes, under 1 MiB
    assert 1_000_000 < len(body.encode()) < 1024 * 1024
    error = refused(client.post("/api/v1/offers", data=body, content_type="application/json", headers=seller))
    assert error["field"] == "delivery_notes"


def test_a_body_over_one_megabyte_is_413_in_the_error_shape(client, seller):
    body = json.dumps({**OFFER, "delivery_notes": "x" * (1024 * 1024)})
    response = client.post("/api/v1/offers", data=body, content_type="application/json", headers=seller)
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_a_body_that_is_not_json_typed_is_400(client, seller):
    response = client.post("/api/v1/offers", data=json.dumps(OFFER), content_type="text/plain", headers=seller)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "body"


def test_run_bodies_are_checked_before_anything_starts(client, staff):
    error = refused(client.post("/api/v1/runs", json={"request_key": "k", "time_limit": True}, headers=staff))
    assert error["field"] == "time_limit"
    error = refused(client.post("/api/v1/runs", json={"request_key": "", "products": "all"}, headers=staff))
    assert set(error["fields"]) == {"request_key", "products"}
    assert client.get("/api/v1/runs", headers=staff).get_json()["items"] == []


def test_review_bodies_are_checked_and_may_be_left_out_for_approve(client, staff):
    assert refused(client.post("/api/v1/proposals/7/reduce", json={}, headers=staff))["field"] == "monthly_qty"
    assert refused(client.post("/api/v1/proposals/7/reject", json={"reason": "x", "why": "y"}, headers=staff))["field"] == "why"
    assert client.post("/api/v1/proposals/7/approve", headers=staff).status_code == 404  # no body: the proposal is looked up


def test_the_document_lists_413_for_every_operation_with_a_body(client):
    doc = client.get("/api/v1/openapi.json?lang=en").get_json()
    with_body = [op for ops in doc["paths"].values() for op in ops.values() if "requestBody" in op]
    assert len(with_body) >= 8
    assert all(op["responses"]["413"]["description"] == "The body is over 1 MB" for op in with_body)


def test_an_offers_chain_links_are_sent_as_inputs_and_read_back(client, seller, factory):
    demand = client.post("/api/v1/demands", json={**{k: v for k, v in OFFER.items() if k != "certifications"},
                                                  "product_id": "lithium-hydroxide"}, headers=seller).get_json()
    body = {**OFFER, "inputs": [{"demand_id": demand["id"], "ratio": 0.6}]}
    created = client.post("/api/v1/offers", json=body, headers=seller)
    assert created.status_code == 201 and created.get_json()["inputs"] == [{"demand_id": demand["id"], "ratio": 0.6}]
    assert client.get("/api/v1/offers", headers=seller).get_json()["items"][0]["inputs"] == [{"demand_id": demand["id"], "ratio": 0.6}]


@pytest.mark.parametrize(("inputs", "message"), [
    ([{"demand_id": 1, "ratio": 0}], "inputs[0].ratio 必须大于 0。"),
    ([{"demand_id": 1, "ratio": 0.5, "note": "x"}], "inputs[0].note 不是已知字段。"),
    ([{"demand_id": 999, "ratio": 0.5}], "请选择本单位的一条需求。"),
])
def test_a_bad_chain_link_is_refused_under_inputs(client, seller, inputs, message):
    error = refused(client.post("/api/v1/offers", json={**OFFER, "inputs": inputs}, headers=seller))
    assert (error["field"], error["message"]) == ("inputs", message)


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/offers/1134055426966"), ("put", "/api/v1/offers/1134055426966"),
    ("post", "/api/v1/offers/1134055426966/withdraw"), ("put", "/api/v1/offers/0"),
])
def test_an_id_out_of_range_is_404_whatever_the_method(client, seller, method, path):
    response = client.open(path, method=method, json=OFFER, headers=seller)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
