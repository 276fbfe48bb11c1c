"""Effective prices of fixed and index-linked listings."""

import pytest

from matchmaker.models import Offer
from matchmaker.services.pricing import MissingIndex, effective_price

INDEX = {"gfex-lc": 80_000.0}


def offer(**fields):
    return Offer(org_id=1, product_id="lithium-carbonate", region="jiangxi", monthly_qty=100, start="2027-01", end="2027-12", **fields)


def test_fixed_price_is_the_price():
    assert effective_price(offer(price_basis="fixed", price=74_000), INDEX) == 74_000


def test_index_plus_amount_premium():
    assert effective_price(offer(price_basis="index", index_name="gfex-lc", index_adjustment=1_500, index_adjustment_kind="amount"), INDEX) == 81_500


def test_index_with_percentage_discount():
    # 80,000 * (1 - 9/100) = 72,800: the 2025 long-term discount to spot
    assert effective_price(offer(price_basis="index", index_name="gfex-lc", index_adjustment=-9, index_adjustment_kind="percent"), INDEX) == pytest.approx(72_800)


def test_floor_and_ceiling_clamp():
    low = offer(price_basis="index", index_name="gfex-lc", index_adjustment=-20, index_adjustment_kind="percent", price_floor=70_000)
    high = offer(price_basis="index", index_name="gfex-lc", index_adjustment=10_000, index_adjustment_kind="amount", price_ceiling=85_000)
    assert effective_price(low, INDEX) == 70_000  # 64,000 raised to the floor
    assert effective_price(high, INDEX) == 85_000  # 90,000 capped at the ceiling


def test_missing_index_value_is_an_error():
    with pytest.raises(MissingIndex):
        effective_price(offer(price_basis="index", index_name="smm-lc", index_adjustment_kind="amount"), INDEX)
