"""The staff freight page: rate, lane figures, the lane checker; members are kept out."""

from __future__ import annotations

import pytest
from sqlmodel import select

from matchmaker.models import FreightOverride, Product


@pytest.fixture
def people(factory):
    factory.catalogue()
    factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")
    factory.user(factory.org("Ganzhou Lithium"), "member@example.cn")


def test_members_get_403_and_visitors_the_login_page(client, auth, people):
    assert client.get("/freight").status_code == 302
    auth.login("member@example.cn")
    assert client.get("/freight").status_code == 403
    assert client.post("/freight/rate", data={"rate": "9"}).status_code == 403
    assert client.post("/freight/lanes", data={"region_a": "jiangxi", "region_b": "sichuan", "cny_per_tonne": "1"}).status_code == 403
    assert "/freight" not in client.get("/").get_data(as_text=True)


def test_staff_reach_the_page_from_the_navigation(client, auth, people):
    auth.login("staff@example.cn")
    assert 'href="/freight"' in client.get("/").get_data(as_text=True)
    page = client.get("/freight").get_data(as_text=True)
    assert "运费" in page and 'value="0.35"' in page


def test_a_bad_rate_comes_back_with_a_message_beside_the_field(client, auth, people):
    auth.login("staff@example.cn")
    response = client.post("/freight/rate", data={"rate": "-1"}, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="rate-error"' in page and 'value="-1"' in page
    assert client.post("/freight/rate", data={"rate": "abc"}).status_code == 400


def test_staff_set_the_rate_and_a_lane_and_check_it(client, auth, people, db):
    auth.login("staff@example.cn")
    assert client.post("/freight/rate", data={"rate": "0.5"}).status_code == 303
    response = client.post("/freight/lanes", data={"region_a": "sichuan", "region_b": "jiangxi",
                                                    "cny_per_tonne": "420", "note": "carrier quote"})
    assert response.status_code == 303
    page = client.get("/freight").get_data(as_text=True)
    assert 'value="0.5"' in page and "carrier quote" in page
    # Jiangxi -> Hunan by distance: 289.79 km x 1.25 x 0.5 = 181.12 CNY per tonne
    check = client.get("/freight?from=jiangxi&to=hunan").get_data(as_text=True)
    assert "181.12" in check
    # the lane figure wins: 420 per tonne, x 5,500 t per GWh of LFP cells = 2,310,000
    check = client.get("/freight?from=jiangxi&to=sichuan").get_data(as_text=True)
    assert "420" in check and "2,310,000" in check


def test_a_bad_lane_names_each_field_and_saves_nothing(client, auth, people, db):
    auth.login("staff@example.cn")
    response = client.post("/freight/lanes", data={"region_a": "atlantis", "region_b": "", "cny_per_tonne": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("region_a", "region_b", "cny_per_tonne"):
        assert f'id="{field}-error"' in page
    assert db.exec(select(FreightOverride)).all() == []


def test_removing_a_lane_figure(client, auth, people, db):
    auth.login("staff@example.cn")
    client.post("/freight/lanes", data={"region_a": "jiangxi", "region_b": "sichuan", "cny_per_tonne": "420"})
    row = db.exec(select(FreightOverride)).one()
    assert client.post(f"/freight/lanes/{row.id}/remove").status_code == 303
    assert db.exec(select(FreightOverride)).all() == []
    assert client.post(f"/freight/lanes/{row.id}/remove").status_code == 404


def test_products_without_weight_are_named_on_the_page(client, auth, people, db):
    db.add(Product(id="bms", name_zh="电池管理系统", name_en="Battery management system", tier="system", unit="t"))
    db.commit()
    auth.login("staff@example.cn")
    page = client.get("/freight?from=jiangxi&to=sichuan").get_data(as_text=True)
    assert 'id="unweighted"' in page and "电池管理系统" in page
    assert "不计运费" in page  # the checker says it is not charged


@pytest.mark.app_config(MATCHING_EXECUTOR="inline")
def test_freight_shows_on_the_run_page_and_is_in_the_price_the_parties_see(client, auth, db, factory):
    from matchmaker.models import Contract, Proposal
    from tests.matching_market import seed_market

    market = seed_market(db, factory)
    for row in db.exec(select(FreightOverride)):  # the helper's zero figure: back to the distance estimate
        db.delete(row)
    db.commit()
    auth.login("staff@example.cn")
    client.post("/matching/runs", data={"request_key": "freight-run", "time_limit": "10"})
    page = client.get("/matching/runs/1").get_data(as_text=True)
    # Jiangxi -> Fujian 195.31 CNY/t; O1 -> D1: margin 76,000 - 71,000 - 195.31 = 4,804.69,
    # price 71,000 + 195.31 + 2,402.345 = 73,597.655 (shown 73,597.66 or 73,597.65 by float rounding)
    assert "195.31" in page and "73,597.6" in page
    p = db.exec(select(Proposal).where(Proposal.demand_id == market.demand.id)).one()
    assert client.post(f"/matching/proposals/{p.id}/approve").status_code == 303
    auth.logout()
    auth.login("buyer@example.cn")
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "73,597.6" in page and "195.31" not in page  # the price includes freight; the split is not shown
    client.post(f"/proposals/{p.id}/accept")
    auth.logout()
    auth.login("seller@example.cn")
    assert client.post(f"/proposals/{p.id}/accept").status_code == 303
    contract = db.exec(select(Contract)).one()
    assert contract.proposal_id == p.id and contract.unit_price == pytest.approx(73_597.655)
