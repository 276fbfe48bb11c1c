"""The market view kept for a few seconds: never shown to another organisation, language or
filter, dropped at once when listings change in this process, and at most
``MARKET_CACHE_SECONDS`` old when they change elsewhere."""

import time

import pytest
from sqlalchemy import text

from matchmaker.models import Offer


@pytest.fixture
def market(factory, db):
    """Two member organisations, each with one open offer, and one staff user."""
    factory.catalogue()
    ganzhou, ningde = factory.org("Ganzhou Lithium"), factory.org("Ningde Cells", region="fujian")
    factory.user(ganzhou, "a@example.cn")
    factory.user(ningde, "b@example.cn")
    factory.user(factory.org("Association"), "staff@example.cn", role="staff")
    db.add(Offer(org_id=ganzhou.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=340, start="2027-02", end="2028-11", price=74000))
    db.add(Offer(org_id=ningde.id, product_id="lfp-cathode", region="fujian", monthly_qty=25, start="2027-03", end="2028-12", price=41000))
    db.commit()
    return ganzhou, ningde


def rows(page: str) -> int:
    return page.count('class="badge offer"') + page.count('class="badge demand"')


def market_as(client, auth, email: str, query: str = "") -> str:
    auth.login(email)
    page = client.get("/market" + query).get_data(as_text=True)
    auth.logout()
    return page


def test_each_organisation_gets_its_own_page_within_the_same_seconds(client, auth, market):
    a, b = market_as(client, auth, "a@example.cn"), market_as(client, auth, "b@example.cn")
    assert "<td>磷酸铁锂正极材料</td>" in a and "<td>电池级碳酸锂</td>" not in a  # B's offer, not its own
    assert "<td>电池级碳酸锂</td>" in b and "<td>磷酸铁锂正极材料</td>" not in b
    assert rows(market_as(client, auth, "staff@example.cn")) == 2  # staff see both


def test_filters_and_pages_are_kept_apart(client, auth, market):
    assert rows(market_as(client, auth, "staff@example.cn")) == 2
    assert rows(market_as(client, auth, "staff@example.cn", "?region=fujian")) == 1
    assert rows(market_as(client, auth, "staff@example.cn", "?tier=cell")) == 0
    assert rows(market_as(client, auth, "staff@example.cn", "?page=2")) == 0
    assert rows(market_as(client, auth, "staff@example.cn")) == 2


def test_a_listing_saved_in_this_process_shows_at_once(client, auth, market, db):
    ganzhou, _ = market
    assert rows(market_as(client, auth, "b@example.cn")) == 1
    db.add(Offer(org_id=ganzhou.id, product_id="lithium-carbonate", region="qinghai", monthly_qty=90, start="2027-04", end="2028-04", price=73000))
    db.commit()
    assert rows(market_as(client, auth, "b@example.cn")) == 2


def test_a_withdrawal_in_this_process_shows_at_once(client, auth, market):
    assert rows(market_as(client, auth, "a@example.cn")) == 1
    auth.login("b@example.cn")
    assert client.post("/offers/2/withdraw").status_code == 302
    auth.logout()
    assert rows(market_as(client, auth, "a@example.cn")) == 0


@pytest.mark.app_config(MARKET_CACHE_SECONDS=0.3)
def test_a_change_made_elsewhere_shows_once_the_seconds_are_up(client, auth, market, db):
    """Another gunicorn worker's change is not seen by this one's cache: it must expire."""
    assert rows(market_as(client, auth, "b@example.cn")) == 1
    db.execute(text("UPDATE offer SET status = 'withdrawn' WHERE id = 1"))  # plain SQL: no ORM event
    db.commit()
    assert rows(market_as(client, auth, "b@example.cn")) == 1  # still the kept page
    time.sleep(0.4)
    assert rows(market_as(client, auth, "b@example.cn")) == 0


@pytest.mark.app_config(MARKET_CACHE_SECONDS=0)
def test_zero_seconds_turns_the_cache_off(client, auth, market, db):
    assert rows(market_as(client, auth, "b@example.cn")) == 1
    db.execute(text("UPDATE offer SET status = 'withdrawn' WHERE id = 1"))
    db.commit()
    assert rows(market_as(client, auth, "b@example.cn")) == 0
