"""Every page that shows a price states it in CNY per unit of the product (元/吨, CNY/t; 元/百万平方米
for separator film in million m²), and every quantity carries its unit. The market view shows no
price at all."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlmodel import select

from matchmaker import i18n
from matchmaker.models import Demand, Offer
from matchmaker.services import contract_terms
from tests.matching_market import add_proposal, seed_market

pytestmark = pytest.mark.app_config(MATCHING_EXECUTOR="inline")

SIGNS = {"zh": ("元/吨", "元/百万平方米", "吨"), "en": ("CNY/t", "CNY/million m²", "t")}


@pytest.fixture
def market(db, factory):
    """Seller (Jiangxi) offers 400 t/month of lithium carbonate at 71,000.00; buyers bid 76,000.00
    and 75,000.00. The seller also offers separator film at 1,200,000.00 per million m², and the
    buyer wants lithium carbonate at the GFEX price + 1,500.00, floor 60,000.00, ceiling 90,000.00."""
    m = seed_market(db, factory)
    db.add(Offer(org_id=m.seller.org_id, product_id="separator", region="jiangxi", monthly_qty=35,
                 start="2027-01", end="2027-12", price=1_200_000))
    db.add(Demand(org_id=m.buyer.org_id, product_id="lithium-carbonate", region="fujian", monthly_qty=120,
                  start="2027-01", end="2027-12", price_basis="index", index_name="gfex-lc", index_adjustment=1_500,
                  index_adjustment_kind="amount", price_floor=60_000, price_ceiling=90_000))
    db.commit()
    return m


def page(client, auth, who: str, path: str, lang: str) -> str:
    auth.login(f"{who}@example.cn")
    client.post("/language", data={"lang": lang})
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_own_offers_list_prices_each_offer_per_unit_of_its_product(client, auth, market, lang):
    tonne, million_m2, _ = SIGNS[lang]
    html = page(client, auth, "seller", "/offers", lang)
    assert f"71,000.00 {tonne}" in html and f"1,200,000.00 {million_m2}" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_staff_list_prices_every_offer_per_unit_of_its_product(client, auth, market, lang):
    tonne, million_m2, _ = SIGNS[lang]
    html = page(client, auth, "staff", "/offers", lang)
    assert f"71,000.00 {tonne}" in html and f"1,200,000.00 {million_m2}" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_listing_detail_states_an_index_formula_per_unit(client, auth, market, db, lang):
    tonne, _, _ = SIGNS[lang]
    indexed = db.exec(select(Demand).where(Demand.price_basis == "index")).one()
    html = page(client, auth, "buyer", f"/demands/{indexed.id}", lang)
    # premium, floor and ceiling are each a price per tonne
    floor, ceiling = ("下限", "上限") if lang == "zh" else ("floor", "ceiling")
    assert f"+1,500.00 {tonne}" in html
    assert f"{floor} 60,000.00 {tonne}" in html and f"{ceiling} 90,000.00 {tonne}" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_run_review_page_prices_and_freight_per_unit_and_quantities_with_theirs(client, auth, market, db, lang):
    tonne, _, t = SIGNS[lang]
    # 71,000 + (76,000 - 71,000) / 2 = 73,500.00 per tonne, no freight; 100 t a month, proposed 300 t
    proposal = add_proposal(db, market, market.demand, 100)
    proposal.proposed_qty = 300
    db.add(proposal)
    db.commit()
    html = page(client, auth, "staff", f"/matching/runs/{proposal.run_id}", lang)
    assert f"73,500.00 {tonne}" in html and f"0.00 {tonne}" in html
    assert f"300 {t}</small>" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_catalogue_states_each_reference_price_per_unit_of_its_product(client, auth, market, lang):
    tonne, million_m2, _ = SIGNS[lang]
    html = page(client, auth, "seller", "/catalogue/", lang)
    assert f"75,000.00 {tonne}" in html and f"1,000,000.00 {million_m2}" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_market_view_still_shows_no_price(client, auth, market, lang):
    tonne, million_m2, _ = SIGNS[lang]
    html = page(client, auth, "buyer", "/market", lang)
    assert "71,000" not in html and tonne not in html and million_m2 not in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_cached_label_is_the_translated_label(app, lang):
    """``i18n.price_unit`` caches each language's labels; they must read as the lazy ones do."""
    with app.test_request_context(), force_locale(lang):
        for unit, label in contract_terms.PRICE_UNITS.items():
            assert i18n.price_unit(unit) == str(label)
        assert i18n.price_unit("barrel") == ("元/barrel" if lang == "zh" else "CNY/barrel")
