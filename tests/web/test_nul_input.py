"""NUL characters: PostgreSQL text cannot hold them, so any input carrying one is refused with a
400 naming where it was, before a view or a query sees it (Schemathesis found a 500 here)."""

from __future__ import annotations

import pytest

from tests.web.api_helpers import bearer, create_token


@pytest.fixture
def token(client, auth, factory):  # type: ignore[no-untyped-def]
    factory.catalogue()
    factory.user(factory.org("赣州锂业有限公司"), "li@example.cn")
    auth.login("li@example.cn")
    return create_token(client)


def test_a_nul_in_an_api_path_is_a_400_naming_the_path(client, token):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/products/%00", headers=bearer(token))
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "path"


def test_a_nul_in_a_json_body_is_a_400_naming_the_body(client, token):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/offers", headers=bearer(token),
                           data='{"product_id": "lithium-carbonate\\u0000"}',
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "body"


def test_a_nul_in_a_query_string_is_refused_on_pages(client):  # type: ignore[no-untyped-def]
    response = client.get("/market?product=%00")
    assert response.status_code == 400
