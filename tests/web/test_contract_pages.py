"""The contract page (also the printable page) and its CSV state the price terms both parties signed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from matchmaker.models import Contract, MatchingRun
from matchmaker.services import acceptance
from tests.matching_market import add_proposal, seed_market

TODAY = date(2027, 1, 15)


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


def sign(db, market, proposal) -> Contract:  # type: ignore[no-untyped-def]
    acceptance.respond(db, market.buyer, proposal.id, True, TODAY)
    acceptance.respond(db, market.seller, proposal.id, True, TODAY)
    return db.exec(select(Contract)).one()


@pytest.fixture
def split(db, market) -> Contract:
    """Seller: GFEX x (1 - 5 %), floor 70,000; buyer: GFEX + 2,000, ceiling 90,000; freight 300."""
    proposal = add_proposal(db, market, market.demand, 300, state="approved")
    proposal.freight, proposal.price = 300.0, 79_150.0
    offer, demand = market.offer, market.demand
    offer.price_basis, offer.price, offer.index_name = "index", None, "gfex-lc"
    offer.index_adjustment, offer.index_adjustment_kind, offer.price_floor = -5, "percent", 70_000
    demand.price_basis, demand.price, demand.index_name = "index", None, "gfex-lc"
    demand.index_adjustment, demand.index_adjustment_kind, demand.price_ceiling = 2_000, "amount", 90_000
    run = db.get(MatchingRun, proposal.run_id)
    run.market = json.dumps({"offers": [{"id": f"O{offer.id}", "price": 76_000}],
                             "demands": [{"id": f"D{demand.id}", "price": 82_000}]})
    db.add_all([proposal, offer, demand, run])
    db.commit()
    return sign(db, market, proposal)


@pytest.mark.app_config(PRICE_INDEX_VALUES={"gfex-lc": 100_000})
def test_both_parties_see_the_formula_both_legs_and_each_months_price(client, auth, split):
    for who in ("buyer@example.cn", "seller@example.cn"):
        auth.login(who)
        page = client.get(f"/contracts/{split.id}").get_data(as_text=True)
        assert "单价 = ½ × 卖方报价公式 + ½ × 买方出价公式 + ½ × 运费" in page
        # prices in CNY per tonne, the product's unit, with two decimals; Chinese punctuation
        assert "卖方报价：" in page and "-5 %，下限 70,000.00 元/吨" in page
        assert "买方出价：" in page and "+2,000.00 元/吨，上限 90,000.00 元/吨" in page
        assert "运费：300.00 元/吨" in page and "签约时单价：79,150.00 元/吨。" in page
        assert "元/单位" not in page and "每单位" not in page
        # at 100,000 (configured, so an estimate): (95,000 + 90,000 + 300) / 2 = 92,650, every month
        assert page.count("92,650.00 *") == 12 and "单价（元/吨）" in page and 'id="estimate-note"' in page
        auth.logout()


@pytest.mark.app_config(PRICE_INDEX_VALUES={"gfex-lc": 100_000})
def test_the_terms_in_english(client, auth, split):
    auth.login("buyer@example.cn")
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/contracts/{split.id}").get_data(as_text=True)
    assert "Unit price = ½ × seller's ask formula + ½ × buyer's bid formula + ½ × freight" in page
    assert "Seller's ask" in page and "Buyer's bid" in page and "Estimated at the latest index value" in page
    assert "ceiling 90,000.00 CNY/t" in page
    assert "Freight: 300.00 CNY/t" in page and "At signing: 79,150.00 CNY/t." in page and "Unit price (CNY/t)" in page


def test_without_an_index_value_the_page_says_the_price_is_set_monthly(client, auth, split):
    auth.login("buyer@example.cn")
    page = client.get(f"/contracts/{split.id}").get_data(as_text=True)
    assert page.count("<td class=\"num\">—</td>") == 12 and "每月按指数确定" in page


def test_the_csv_carries_both_legs_and_the_months_price(client, auth, split):
    auth.login("seller@example.cn")
    rows = client.get(f"/contracts/{split.id}.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    header, first = rows[0].split(","), dict(zip(rows[0].split(","), rows[1].split(","), strict=True))
    assert "ask_floor_cny" in header and "bid_ceiling_cny" in header
    assert (first["price_basis"], first["ask_adjustment"], first["bid_adjustment"], first["freight_cny"]) == (
        "split", "-5", "2000", "300")
    assert (first["month_price_cny"], first["month_price_kind"]) == ("", "pending")


def test_a_fixed_contract_shows_one_price_and_no_legs(client, auth, db, market):
    contract = sign(db, market, add_proposal(db, market, market.demand, 300, state="approved"))
    auth.login("seller@example.cn")
    page = client.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert "固定价格：73,500.00 元/吨，含运费" in page
    assert "76,000" not in page and 'id="bid-leg"' not in page  # the buyer's fixed bid stays private


def test_an_outsider_cannot_open_the_contract(client, auth, split):
    auth.login("outsider@example.cn")
    assert client.get(f"/contracts/{split.id}").status_code == 404
    assert client.get(f"/contracts/{split.id}.csv").status_code == 404


def test_before_accepting_a_party_learns_the_price_is_index_linked_but_not_the_other_formula(client, auth, db, market):
    proposal = add_proposal(db, market, market.demand, 300, state="approved")
    offer = market.offer
    offer.price_basis, offer.price, offer.index_name, offer.price_floor = "index", None, "gfex-lc", 69_876
    db.add(offer)
    db.commit()
    auth.login("buyer@example.cn")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert 'id="price-terms"' in page and "按月" in page
    assert "69,876" not in page and "GFEX" not in page and "广期所" not in page


def test_the_agreed_price_is_in_cny_per_unit_of_the_product(client, auth, db, market):
    proposal = add_proposal(db, market, market.demand, 300, state="approved")
    auth.login("buyer@example.cn")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    # 71,000 + (76,000 - 71,000) / 2, freight 0
    assert '<dd id="agreed-price">73,500.00 元/吨</dd>' in page and "约定单价（含运费）" in page


def test_a_fixed_proposal_says_nothing_about_an_index(client, auth, db, market):
    proposal = add_proposal(db, market, market.demand, 300, state="approved")
    auth.login("buyer@example.cn")
    assert 'id="price-terms"' not in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_the_contract_list_marks_an_index_linked_contract(client, auth, split):
    auth.login("buyer@example.cn")
    page = client.get("/contracts").get_data(as_text=True)
    assert "79,150" in page and "挂钩指数" in page


@pytest.mark.app_config(PRICE_INDEX_VALUES={"gfex-lc": 80_000})
def test_a_contract_signed_before_the_split_still_reads_as_sellers_formula_plus_premium(client, auth, db, market):
    contract = sign(db, market, add_proposal(db, market, market.demand, 300, state="approved"))
    contract.price_basis, contract.ask_basis, contract.ask_index = "premium", "index", "gfex-lc"
    contract.ask_adjustment, contract.ask_adjustment_kind, contract.premium = -8, "percent", 3_500
    db.add(contract)
    db.commit()
    auth.login("buyer@example.cn")
    page = client.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert "另加 3,500.00 元/吨（运费及毛利分成）" in page
    assert page.count("77,100.00 *") == 12  # 0.92 x 80,000 + 3,500
