"""The OpenAPI document: valid, complete, public, and the answers match it."""

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from matchmaker.api.openapi import _expansions
from tests.web.api_helpers import bearer, create_token
from tests.web.test_listing_views import OFFER


@pytest.fixture
def doc(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def conforms(doc, schema_name, body):
    Draft202012Validator({**doc, "$ref": f"#/components/schemas/{schema_name}"}).validate(body)


def test_the_document_is_valid_openapi(doc):
    validate(doc)
    assert doc["openapi"].startswith("3.")


def test_every_api_route_and_method_is_documented(app, doc):
    expected = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            for path, _fixed in _expansions(rule.rule):
                expected |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == expected
    assert ("/api/v1/offers", "post") in documented and ("/api/v1/demands/{listing_id}", "put") in documented


def test_bounds_of_optional_numbers_use_json_schema_words(doc):
    """An alert's owner is an optional id of at least 1: ``minimum``, never Pydantic's ``ge``."""
    def keys(node):
        if isinstance(node, dict):
            yield from node
            for value in node.values():
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not {"ge", "le", "gt", "lt"} & set(keys(doc))
    owner = doc["components"]["schemas"]["AlertOwnerIn"]["properties"]["owner_id"]["anyOf"][0]
    assert owner["minimum"] == 1 and owner["maximum"] == 2**31 - 1


def test_each_side_has_its_own_body_schema(doc):
    offer = doc["paths"]["/api/v1/offers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    demand = doc["paths"]["/api/v1/demands"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert offer == {"$ref": "#/components/schemas/OfferIn"} and demand == {"$ref": "#/components/schemas/DemandIn"}
    assert "max_buyer_share" in doc["components"]["schemas"]["OfferIn"]["properties"]
    assert "own_supply" in doc["components"]["schemas"]["DemandIn"]["properties"]


def test_every_error_answer_is_the_error_shape(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for code, answer in op["responses"].items():
                if int(code) >= 400:
                    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (path, method, code)


def test_answers_match_the_document(client, auth, factory, doc):
    factory.catalogue()
    factory.user(factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"}), "s@example.cn")
    auth.login("s@example.cn")
    token = bearer(create_token(client))
    auth.logout()
    created = client.post("/api/v1/offers", json={**OFFER, "monthly_qty": 500, "price": 74000}, headers=token)
    conforms(doc, "Offer", created.get_json())
    conforms(doc, "OfferPage", client.get("/api/v1/offers", headers=token).get_json())
    conforms(doc, "MarketPage", client.get("/api/v1/market", headers=token).get_json())
    conforms(doc, "Error", client.post("/api/v1/offers", json={**OFFER, "monthly_qty": -1}, headers=token).get_json())
    conforms(doc, "Error", client.get("/api/v1/offers").get_json())


def test_the_document_needs_no_token_but_the_rest_does(client, doc):
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert client.get("/api/v1/offers").status_code == 401


def test_the_reference_page_lists_every_operation_in_chinese_by_default(client, doc):
    page = client.get("/api-docs").get_data(as_text=True)
    assert "<h1>API 参考</h1>" in page and "发布挂牌" in page
    for path, ops in doc["paths"].items():
        for method in ops:
            assert f"<code>{method.upper()} {path}</code>" in page
    assert 'id="schema-OfferIn"' in page and "<code>max_buyer_share</code>" in page


def test_the_reference_page_and_document_in_english(client):
    client.post("/language", data={"lang": "en"})
    assert "Post a listing" in client.get("/api-docs").get_data(as_text=True)
    assert client.get("/api/v1/openapi.json?lang=en").get_json()["paths"]["/api/v1/offers"]["post"]["summary"] == "Post a listing"
