"""The API has no session: its language (the OpenAPI document's summaries and descriptions, error
messages) is ``?lang=zh|en``, else ``Accept-Language``, else Chinese; the reference page offers both."""

import pytest

POST_OFFER = ("/api/v1/offers", "post")


def summary(doc, path, method):
    return doc["paths"][path][method]["summary"]


def test_the_document_is_chinese_by_default(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert summary(doc, *POST_OFFER) == "发布挂牌"


@pytest.mark.parametrize(("query", "headers", "expected"), [
    ("?lang=en", {}, "Post a listing"),
    ("?lang=zh", {"Accept-Language": "en"}, "发布挂牌"),
    ("", {"Accept-Language": "en-GB,en;q=0.8"}, "Post a listing"),
    ("", {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}, "发布挂牌"),
    ("?lang=xx", {}, "发布挂牌"),
])
def test_lang_or_accept_language_chooses_the_documents_language(client, query, headers, expected):
    doc = client.get("/api/v1/openapi.json" + query, headers=headers).get_json()
    assert summary(doc, *POST_OFFER) == expected


def test_descriptions_of_answers_and_fields_are_translated_too(client):
    en = client.get("/api/v1/openapi.json?lang=en").get_json()
    zh = client.get("/api/v1/openapi.json?lang=zh").get_json()
    path, method = POST_OFFER
    assert en["paths"][path][method]["responses"]["422"]["description"] == "A field or row was refused"
    assert zh["paths"][path][method]["responses"]["422"]["description"] != "A field or row was refused"
    price = "Required when price_basis is fixed"
    assert en["components"]["schemas"]["OfferIn"]["properties"]["price"]["description"] == price
    assert zh["components"]["schemas"]["OfferIn"]["properties"]["price"]["description"] == "price_basis 为 fixed 时必填"


def test_the_session_language_does_not_reach_the_api(client):
    client.post("/language", data={"lang": "en"})
    assert summary(client.get("/api/v1/openapi.json").get_json(), *POST_OFFER) == "发布挂牌"


def test_the_reference_page_offers_both_languages(client):
    chinese = client.get("/api-docs").get_data(as_text=True)
    assert "发布挂牌" in chinese and 'href="/api-docs?lang=en"' in chinese and "/api/v1/openapi.json?lang=zh" in chinese
    english = client.get("/api-docs?lang=en").get_data(as_text=True)
    assert "Post a listing" in english and "发布挂牌" not in english
    assert 'href="/api-docs?lang=zh"' in english and "/api/v1/openapi.json?lang=en" in english
    assert "<h1>API 参考</h1>" in english  # the page around the document keeps the reader's language


STAFF_DESCRIPTIONS = [  # (schema, property or None for the schema's own description, Chinese, English)
    ("AlertOut", "state", "open（待处理）、acknowledged（已确认）或 resolved（已解决）", "open, acknowledged or resolved"),
    ("PricePointIn", None, "同一天再提交的价格点替换已存的价格点。",
     "A second point on a day already stored replaces the first."),
    ("RelaxedFamily", None,
     "假设分析（what-if）运行可放开的规则类别：supplier_counts（供应商数量）、shares（份额）或 min_volumes（最小数量）。",
     "The rule families a what-if run may leave out: supplier_counts, shares or min_volumes."),
]


@pytest.mark.parametrize(("schema", "field", "chinese", "english"), STAFF_DESCRIPTIONS)
def test_staff_schema_descriptions_are_chinese_by_default_and_english_on_request(client, schema, field, chinese, english):
    def description(doc):
        node = doc["components"]["schemas"][schema]
        return (node["properties"][field] if field else node)["description"]

    assert description(client.get("/api/v1/openapi.json").get_json()) == chinese
    assert description(client.get("/api/v1/openapi.json?lang=en").get_json()) == english
