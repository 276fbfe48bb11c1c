"""Own lists with filters and pages; the anonymous market view."""

from datetime import date

import pytest

from matchmaker.services import listings
from matchmaker.services.queries import (
    ListingFilters,
    MarketRow,
    market_view,
    search_listings,
    volume_band,
)
from matchmaker.services.viewer import Viewer
from tests.services.test_listings import demand_form, offer_form

TODAY = date(2027, 1, 15)


@pytest.fixture
def market(db, factory):
    factory.catalogue()
    a = Viewer(1, factory.org("Alpha Lithium", region="jiangxi").id, "member", "approved")
    b = Viewer(2, factory.org("Beta Cathode", region="fujian").id, "member", "approved")
    listings.create_listing(db, a, "offer", offer_form(certifications=[], monthly_qty="500"), TODAY)
    listings.create_listing(db, a, "offer", offer_form(certifications=[], product_id="lithium-hydroxide", start="2028-01", end="2028-12", min_term_months="1"), TODAY)
    listings.create_listing(db, b, "demand", demand_form(required_certifications=[]), TODAY)
    listings.create_listing(db, b, "offer", offer_form(certifications=[], product_id="lfp-cathode", region="fujian", monthly_qty="2000"), TODAY)
    return a, b


def test_volume_bands_are_decades():
    assert volume_band(340) == (100, 1000)
    assert volume_band(1000) == (1000, 10000)
    assert volume_band(0.5) == (0.1, 1)


def test_members_list_only_their_own(db, market):
    a, b = market
    page = search_listings(db, a, "offer", ListingFilters(), TODAY)
    assert page.total == 2 and {row.org_name for row in page.items} == {"Alpha Lithium"}
    assert search_listings(db, b, "offer", ListingFilters(), TODAY).total == 1


def test_staff_list_everyone(db, market):
    staff = Viewer(3, market[0].org_id, "staff", "approved")
    assert search_listings(db, staff, "offer", ListingFilters(), TODAY).total == 3
    assert search_listings(db, staff, "offer", ListingFilters(q="beta"), TODAY).total == 1


def test_filters_product_tier_region_window_and_search(db, market):
    staff = Viewer(3, market[0].org_id, "staff", "approved")
    total = lambda **f: search_listings(db, staff, "offer", ListingFilters(**f), TODAY).total
    assert total(product_id="lithium-hydroxide") == 1
    assert total(tier="material1") == 1
    assert total(region="fujian") == 1
    assert total(window_to="2027-06") == 2  # the hydroxide offer starts in 2028
    assert total(window_from="2030-01") == 0
    assert total(q="碳酸锂") == 1


def test_status_filter_separates_withdrawn(db, market):
    a, _ = market
    first = search_listings(db, a, "offer", ListingFilters(), TODAY).items[0].listing
    listings.withdraw_listing(db, a, "offer", first.id, TODAY)
    assert search_listings(db, a, "offer", ListingFilters(), TODAY).total == 1
    assert search_listings(db, a, "offer", ListingFilters(status="withdrawn"), TODAY).total == 1
    assert search_listings(db, a, "offer", ListingFilters(status="all"), TODAY).total == 2


def test_expired_listings_leave_open_lists_without_any_write(db, market):
    a, _ = market
    later = date(2030, 1, 1)  # every window in the fixture has ended
    assert search_listings(db, a, "offer", ListingFilters(), later).total == 0
    expired = search_listings(db, a, "offer", ListingFilters(status="expired"), later)
    assert expired.total == 2 and {row.status for row in expired.items} == {"expired"}
    assert market_view(db, a, ListingFilters(), later).total == 0


def test_pages(db, market):
    staff = Viewer(3, market[0].org_id, "staff", "approved")
    first = search_listings(db, staff, "offer", ListingFilters(page=1), TODAY, page_size=2)
    second = search_listings(db, staff, "offer", ListingFilters(page=2), TODAY, page_size=2)
    assert (first.pages, len(first.items), len(second.items)) == (2, 2, 1)
    assert {r.listing.id for r in first.items}.isdisjoint({r.listing.id for r in second.items})


def test_market_view_shows_others_anonymously(db, market):
    a, _ = market
    page = market_view(db, a, ListingFilters(), TODAY)
    assert page.total == 2  # Beta's demand and offer; Alpha's own are not in its market view
    assert all(isinstance(row, MarketRow) for row in page.items)
    fields = set(MarketRow.__dataclass_fields__)
    assert not fields & {"price", "org_id", "org_name", "monthly_qty", "listing_id", "id"}
    lfp = next(row for row in page.items if row.product_id == "lfp-cathode")
    assert (lfp.side, lfp.region, lfp.band_low, lfp.band_high) == ("offer", "fujian", 1000, 10000)


def test_market_view_filters(db, market):
    a, _ = market
    assert market_view(db, a, ListingFilters(side="demand"), TODAY).total == 1
    assert market_view(db, a, ListingFilters(tier="material1"), TODAY).total == 1
    assert market_view(db, a, ListingFilters(q="cathode"), TODAY).total == 1


def test_filters_from_query_string_drop_bad_values():
    filters = ListingFilters.from_args({"tier": "gold", "region": "atlantis", "window_from": "soon", "page": "-3", "status": "x"})
    assert (filters.tier, filters.region, filters.window_from, filters.page, filters.status) == ("", "", "", 1, "open")


def test_counts_stop_at_the_cap(db, market, monkeypatch):
    from matchmaker.services import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 1)
    page = market_view(db, market[0], ListingFilters(), TODAY, page_size=1)
    assert (page.total, page.more, page.pages) == (1, True, 2)
    assert len(page.items) == 1
