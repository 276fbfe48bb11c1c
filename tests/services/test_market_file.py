"""Exporting the open listings as a lithium-market/1 file the solver accepts."""

from datetime import date

import pytest

from matchmaker.market_file import export_market
from matchmaker.models import Demand, Offer, OfferInput
from solver import parse_market, solve

TODAY = date(2027, 1, 15)


@pytest.fixture
def rows(db, factory):
    factory.catalogue()
    seller = factory.org("Seller", certifications={"ISO9001": "2030-01-01", "IATF16949": "2026-06-30"})
    buyer = factory.org("Buyer", region="fujian")
    common = {"product_id": "lithium-carbonate", "min_term_months": 12}
    db.add(Offer(org_id=seller.id, region="jiangxi", monthly_qty=500, start="2026-07", end="2028-06", price=74_000,
                 certifications=["ISO9001", "IATF16949"], max_buyer_share=0.5, **common))
    db.add(Demand(org_id=buyer.id, region="fujian", monthly_qty=300, start="2027-03", end="2028-02", price_basis="index",
                  index_name="gfex-lc", index_adjustment=-5, index_adjustment_kind="percent", **common))
    db.add(Demand(org_id=seller.id, product_id="spodumene-sc6", region="jiangxi", monthly_qty=4000, start="2027-01",
                  end="2028-12", price=6_500, own_supply=1000))
    db.add(Offer(org_id=seller.id, region="jiangxi", monthly_qty=10, start="2025-01", end="2026-12", price=1, **common))  # expired
    db.add(Offer(org_id=seller.id, region="jiangxi", monthly_qty=10, start="2027-01", end="2028-12", price=1, status="withdrawn", **common))
    db.commit()
    db.add(OfferInput(offer_id=1, demand_id=2, ratio=7.96))
    db.commit()


def test_export_is_a_valid_market_with_prices_evaluated(db, rows):
    snapshot = export_market(db, TODAY, {"gfex-lc": 80_000})
    market = snapshot.market
    assert snapshot.skipped == []
    assert [o["id"] for o in market["offers"]] == ["O1"]
    assert [d["id"] for d in market["demands"]] == ["D1", "D2"]
    offer = market["offers"][0]
    assert offer["start"] == "2027-01"  # the past is not for sale
    assert offer["certifications"] == ["ISO9001"]  # IATF 16949 expired 2026-06-30
    assert offer["inputs"] == [{"demand": "D2", "ratio": 7.96}]
    assert market["demands"][0]["price"] == pytest.approx(76_000)  # 80,000 x (1 - 5%)
    parse_market(market)


def test_the_exported_market_solves(db, rows):
    market = parse_market(export_market(db, TODAY, {"gfex-lc": 80_000}).market)
    result = solve(market).to_dict()
    # O1 (Jiangxi) -> D1 (Fujian): freight 195.31 CNY/t (Nanchang-Fuzhou 446.42 km x 1.25 x 0.35),
    # margin 76,000 - 74,000 - 195.31 = 1,804.69; 12 months 2027-03..2028-02; volume capped by the
    # buyer share 0.5 x 500 = 250 and by what own supply covers: 1000/7.96 = 125.6, plus D2 bought
    # from nobody -> 125.63 t a month.
    assert result["status"] == "optimal"
    assert result["objective"] == pytest.approx(1000 / 7.96 * 12 * 1804.69, rel=1e-6)


def test_listing_without_an_index_value_is_skipped_and_reported(db, rows):
    snapshot = export_market(db, TODAY, {})
    assert snapshot.skipped == ["D1: no value for index gfex-lc"]
    assert [d["id"] for d in snapshot.market["demands"]] == ["D2"]


# --- freight ---------------------------------------------------------------------------------


def test_freight_goes_in_per_product_for_the_lanes_its_listings_use_only(db, rows, factory):
    miner = factory.org("Chengdu Mining", region="sichuan")
    db.add(Offer(org_id=miner.id, product_id="spodumene-sc6", region="sichuan", monthly_qty=2000, start="2027-01",
                 end="2027-12", price=6_000))
    db.add(Demand(org_id=miner.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=50, start="2027-01",
                  end="2027-12", price=75_000))
    db.commit()
    transport = export_market(db, TODAY, {"gfex-lc": 80_000}).market["transport"]
    # lithium carbonate: offered in Jiangxi, demanded in Fujian and Jiangxi -> one lane (within Jiangxi: 0, no
    # entry); spodumene: offered in Sichuan, demanded in Jiangxi. Nanchang-Chengdu 1,158.43 km x 1.25 x 0.35
    # = 506.81 CNY/t; Nanchang-Fuzhou 446.42 km x 1.25 x 0.35 = 195.31 CNY/t. Nothing for the 29 other provinces.
    assert transport == [
        {"from": "fujian", "to": "jiangxi", "product": "lithium-carbonate", "cost": 195.31},
        {"from": "jiangxi", "to": "sichuan", "product": "spodumene-sc6", "cost": 506.81},
    ]
    market = parse_market(export_market(db, TODAY, {"gfex-lc": 80_000}).market)
    from solver.eligibility import Freight

    assert Freight(market).cost("spodumene-sc6", "sichuan", "jiangxi") == 506.81


def test_freight_per_unit_uses_the_products_tonnes_per_unit(db, factory):
    factory.catalogue()
    maker = factory.org("Yichun Cells", region="jiangxi", tiers=["cell"])
    buyer = factory.org("Chengdu Storage", region="sichuan", tiers=["system"])
    window = {"product_id": "lfp-cell", "monthly_qty": 1, "start": "2027-01", "end": "2027-12"}
    db.add(Offer(org_id=maker.id, region="jiangxi", price=3.2e8, **window))
    db.add(Demand(org_id=buyer.id, region="sichuan", price=3.4e8, **window))
    db.commit()
    # 506.8129... CNY/t x 5,500 t per GWh
    assert export_market(db, TODAY, {}).market["transport"] == [
        {"from": "jiangxi", "to": "sichuan", "product": "lfp-cell", "cost": 2_787_471.06}]


def test_the_rate_and_lane_figures_staff_set_are_used_in_both_directions(db, rows):
    from matchmaker.models import FreightOverride, FreightSetting

    db.add(FreightSetting(key="rate", value=0.5))
    db.add(FreightOverride(region_a="fujian", region_b="jiangxi", cny_per_tonne=150))
    db.add(FreightOverride(region_a="jiangxi", region_b="jiangxi", cny_per_tonne=40))
    db.add(Demand(org_id=2, product_id="lithium-carbonate", region="jiangxi", monthly_qty=50, start="2027-01",
                  end="2027-12", price=75_000))
    db.commit()
    transport = export_market(db, TODAY, {"gfex-lc": 80_000}).market["transport"]
    assert transport == [
        {"from": "fujian", "to": "jiangxi", "product": "lithium-carbonate", "cost": 150.0},  # the figure, not 0.5/t-km
        {"from": "jiangxi", "to": "jiangxi", "product": "lithium-carbonate", "cost": 40.0},  # within Jiangxi: set
    ]


def test_a_product_without_tonnes_per_unit_has_no_freight(db, rows):
    from matchmaker.models import Product

    carbonate = db.get(Product, "lithium-carbonate")
    carbonate.tonnes_per_unit = None  # type: ignore[union-attr]
    db.add(carbonate)
    db.commit()
    market = export_market(db, TODAY, {"gfex-lc": 80_000}).market
    assert market["transport"] == []
    assert all("default_transport_cost" not in p for p in market["products"])  # the spec's default, 0
