"""Offer and demand pages: forms, lists, withdraw, expiry (today is 2027-01-15 in tests)."""

import re

import pytest
from sqlmodel import select

from matchmaker.models import Offer


@pytest.fixture
def seller(client, auth, factory):
    factory.catalogue()
    org = factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"})
    factory.user(org, "seller@example.cn")
    auth.login("seller@example.cn")
    return org


OFFER = {
    "product_id": "lithium-carbonate", "region": "jiangxi", "monthly_qty": "500", "start": "2027-02",
    "end": "2029-12", "min_term_months": "12", "price_basis": "fixed", "price": "74000",
    "delivery_terms": "DAP", "certifications": ["ISO9001"],
}


def post_offer(client, **overrides):
    return client.post("/offers/new", data={**OFFER, **overrides})


def test_posted_offer_is_listed_with_its_price(client, seller):
    response = post_offer(client)
    assert response.status_code == 302 and response.headers["Location"].startswith("/offers/")
    page = client.get("/offers").get_data(as_text=True)
    assert "电池级碳酸锂" in page and "74,000" in page and "500" in page


def test_bad_volume_and_window_come_back_beside_their_fields(client, seller):
    response = post_offer(client, monthly_qty="-5", start="2027-06", end="2027-05")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="monthly_qty-error"' in page and 'id="end-error"' in page
    assert 'value="-5"' in page
    assert client.get("/offers").get_data(as_text=True).count("/offers/1") == 0


def test_html_in_notes_is_escaped(client, seller):
    post_offer(client, delivery_notes='<script>alert("x")</script>')
    page = client.get("/offers/1").get_data(as_text=True)
    assert "&lt;script&gt;" in page and '<script>alert("x")</script>' not in page


def test_edit_form_is_prefilled_and_saves(client, seller, db):
    post_offer(client)
    form = client.get("/offers/1/edit").get_data(as_text=True)
    assert 'value="74000"' in form and 'value="2029-12"' in form
    assert client.post("/offers/1/edit", data={**OFFER, "monthly_qty": "650"}).status_code == 302
    db.expire_all()
    assert db.get(Offer, 1).monthly_qty == 650


def test_withdraw_is_a_post_and_closes_the_offer(client, seller):
    post_offer(client)
    assert client.get("/offers/1/withdraw").status_code == 405
    assert client.post("/offers/1/withdraw").status_code == 302
    assert "/offers/1" not in client.get("/offers").get_data(as_text=True)
    assert "/offers/1" in client.get("/offers?status=withdrawn").get_data(as_text=True)
    assert client.post("/offers/1/withdraw").status_code == 409


def test_demand_with_index_price(client, seller):
    response = client.post("/demands/new", data={
        "product_id": "spodumene-sc6", "region": "jiangxi", "monthly_qty": "4000", "start": "2027-01",
        "end": "2029-12", "price_basis": "index", "index_name": "smm-spodumene", "index_adjustment": "-5",
        "index_adjustment_kind": "percent", "price_floor": "5000", "delivery_terms": "EXW",
    })
    assert response.status_code == 302
    assert "-5%" in client.get("/demands/1").get_data(as_text=True)


def test_filters_and_pages(client, seller, app):
    app.config["PAGE_SIZE"] = 2
    for region in ("jiangxi", "sichuan", "qinghai"):
        post_offer(client, region=region)
    first = client.get("/offers").get_data(as_text=True)
    assert "/offers?status=open&amp;page=2" in first
    rows = lambda url: len(re.findall(r'href="/offers/\d+"', client.get(url).get_data(as_text=True)))
    assert (rows("/offers"), rows("/offers?page=2"), rows("/offers?region=sichuan")) == (2, 1, 1)


@pytest.mark.app_config(TODAY="2030-01-01")
def test_listing_shows_expired_after_its_window(client, auth, factory, db):
    factory.catalogue()
    org = factory.org()
    factory.user(org, "seller@example.cn")
    db.add(Offer(org_id=org.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=10, start="2028-01", end="2029-12", price=1))
    db.commit()
    auth.login("seller@example.cn")
    assert "/offers/1" not in client.get("/offers").get_data(as_text=True)
    assert 'class="badge expired"' in client.get("/offers/1").get_data(as_text=True)
    assert client.post("/offers/1/withdraw").status_code == 409


def test_offer_names_its_inputs_among_own_demands(client, seller, factory, db):
    from matchmaker.models import Demand, OfferInput

    other = factory.org("Other Co")
    db.add(Demand(org_id=seller.id, product_id="spodumene-sc6", region="jiangxi", monthly_qty=4000, start="2027-01", end="2029-12", price=6500))
    db.add(Demand(org_id=other.id, product_id="spodumene-sc6", region="jiangxi", monthly_qty=10, start="2027-01", end="2029-12", price=1))
    db.commit()
    form = client.get("/offers/new").get_data(as_text=True)
    assert '<option value="1"' in form and '<option value="2"' not in form  # only own demands offered
    refused = post_offer(client, input_demand=["2", ""], input_ratio=["7.96", ""])
    assert refused.status_code == 400 and 'id="inputs-error"' in refused.get_data(as_text=True)
    assert post_offer(client, input_demand=["1", ""], input_ratio=["7.96", ""]).status_code == 302
    assert [(link.demand_id, link.ratio) for link in db.exec(select(OfferInput)).all()] == [(1, 7.96)]
    assert "7.96 ×" in client.get("/offers/1").get_data(as_text=True)
    edit = client.get("/offers/1/edit").get_data(as_text=True)
    assert 'value="7.96"' in edit
    client.post("/offers/1/edit", data={**OFFER, "input_demand": [""], "input_ratio": [""]})
    db.expire_all()
    assert db.exec(select(OfferInput)).all() == []
