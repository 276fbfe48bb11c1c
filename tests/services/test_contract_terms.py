"""A contract's unit price each month: half the seller's ask, half the buyer's bid, half the freight,
each leg on its own index with its own adjustment, floor and ceiling."""

from datetime import date

import pytest
from flask_babel import force_locale

from matchmaker.i18n import price_unit
from matchmaker.models import Contract, ScheduleLine
from matchmaker.services.contract_terms import (
    Leg,
    contract_price,
    leg_columns,
    monthly_prices,
    split_price,
)
from matchmaker.services.pricing import MissingIndex

# ask = index x (1 - 5 %), floor 70,000; bid = index + 2,000, ceiling 90,000; freight 300
ASK = Leg("index", index_name="gfex-lc", index_adjustment=-5, index_adjustment_kind="percent", price_floor=70_000)
BID = Leg("index", index_name="gfex-lc", index_adjustment=2_000, index_adjustment_kind="amount", price_ceiling=90_000)


def test_at_index_80000_both_legs_are_inside_their_bounds():
    # (76,000 + 82,000 + 300) / 2
    assert split_price(ASK, BID, 300, {"gfex-lc": 80_000}) == 79_150


def test_at_index_100000_the_buyers_ceiling_holds_the_bid():
    # ask 95,000; bid 102,000 capped at 90,000: (95,000 + 90,000 + 300) / 2
    assert split_price(ASK, BID, 300, {"gfex-lc": 100_000}) == 92_650


def test_at_index_60000_the_sellers_floor_holds_the_ask():
    # ask 57,000 raised to 70,000; bid 62,000: (70,000 + 62,000 + 300) / 2
    assert split_price(ASK, BID, 300, {"gfex-lc": 60_000}) == 66_150


def test_a_buyers_floor_and_a_sellers_ceiling_bind_too():
    ask = Leg("index", index_name="gfex-lc", index_adjustment=0, index_adjustment_kind="amount", price_ceiling=75_000)
    bid = Leg("index", index_name="gfex-lc", index_adjustment=-10, index_adjustment_kind="percent", price_floor=58_000)
    # at 60,000: ask 60,000; bid 54,000 raised to 58,000: (60,000 + 58,000 + 300) / 2
    assert split_price(ask, bid, 300, {"gfex-lc": 60_000}) == 59_150
    # at 100,000: ask capped at 75,000; bid 90,000: (75,000 + 90,000 + 300) / 2
    assert split_price(ask, bid, 300, {"gfex-lc": 100_000}) == 82_650


def test_fixed_ask_and_fixed_bid_split_the_margin_as_the_market_file_does():
    # the spec's example: ask 74,000, bid 80,000, freight 180 -> 74,000 + 180 + 5,820 / 2
    assert split_price(Leg("fixed", 74_000), Leg("fixed", 80_000), 180, {}) == 77_090


def test_a_fixed_ask_with_an_index_linked_bid():
    # (74,000 + (80,000 + 2,000) + 300) / 2
    assert split_price(Leg("fixed", 74_000), BID, 300, {"gfex-lc": 80_000}) == 78_150


def test_an_index_linked_ask_with_a_fixed_bid():
    # (76,000 + 80,000 + 300) / 2
    assert split_price(ASK, Leg("fixed", 80_000), 300, {"gfex-lc": 80_000}) == 78_150


def test_each_leg_reads_its_own_index():
    ask = Leg("index", index_name="smm-lc", index_adjustment=-5, index_adjustment_kind="percent")
    # ask 0.95 x 78,000 = 74,100; bid 80,000 + 2,000: (74,100 + 82,000 + 300) / 2
    assert split_price(ask, BID, 300, {"smm-lc": 78_000, "gfex-lc": 80_000}) == 78_200


def test_a_missing_index_value_is_an_error_not_a_zero():
    with pytest.raises(MissingIndex):
        split_price(ASK, BID, 300, {"smm-lc": 80_000})


def contract(**terms) -> Contract:  # type: ignore[no-untyped-def]
    return Contract(id=1, proposal_id=1, offer_id=1, demand_id=1, supplier_org_id=1, buyer_org_id=2,
                    product_id="lithium-carbonate", origin_region="jiangxi", delivery_region="fujian",
                    delivery_terms="DAP", monthly_qty=100, start="2025-10", end="2025-12", **terms)


def lines() -> list[ScheduleLine]:
    return [ScheduleLine(contract_id=1, month=m, qty=100) for m in ("2025-10", "2025-11", "2025-12")]


def split_contract() -> Contract:
    return contract(price_basis="split", unit_price=79_150, freight=300, **leg_columns("ask", ASK),
                    **leg_columns("bid", BID))


def test_a_split_contract_is_priced_from_its_stored_legs():
    assert contract_price(split_contract(), {"gfex-lc": 100_000}) == 92_650


def test_a_contract_signed_before_the_split_follows_the_sellers_formula_plus_its_premium():
    old = contract(price_basis="premium", unit_price=73_500, premium=3_500, **leg_columns("ask", ASK))
    # 0.95 x 80,000 + 3,500
    assert contract_price(old, {"gfex-lc": 80_000}) == 79_500


def test_each_month_takes_the_newest_index_value_published_by_its_end():
    history = {"gfex-lc": [(date(2025, 10, 27), 80_000.0), (date(2025, 11, 3), 100_000.0)]}
    months = monthly_prices(split_contract(), lines(), history)
    assert [(m.month, m.price, m.kind, m.as_of) for m in months] == [
        ("2025-10", 79_150, "index", date(2025, 10, 27)),
        ("2025-11", 92_650, "index", date(2025, 11, 3)),
        ("2025-12", 92_650, "estimate", date(2025, 11, 3)),  # not published yet: latest value
    ]


def test_a_month_before_the_first_index_value_has_no_price_yet():
    months = monthly_prices(split_contract(), lines(), {"gfex-lc": [(date(2025, 11, 3), 100_000.0)]})
    assert (months[0].price, months[0].kind) == (None, "pending")


def test_a_fixed_contract_has_the_same_price_every_month():
    months = monthly_prices(contract(price_basis="fixed", unit_price=77_090), lines(), {})
    assert {(m.price, m.kind) for m in months} == {(77_090, "fixed")}


@pytest.mark.parametrize(("lang", "unit", "shown"), [
    ("zh", "t", "元/吨"), ("zh", "GWh", "元/GWh"), ("zh", "pcs", "元/件"),
    ("en", "t", "CNY/t"), ("en", "GWh", "CNY/GWh"), ("en", "Mm2", "CNY/million m²"),
])
def test_a_price_is_stated_per_unit_of_its_product(app, lang, unit, shown):
    with app.test_request_context(), force_locale(lang):
        assert price_unit(unit) == shown


def test_a_unit_without_a_label_of_its_own_is_shown_as_its_code(app):
    with app.test_request_context():
        assert price_unit("barrel") == "元/barrel"
