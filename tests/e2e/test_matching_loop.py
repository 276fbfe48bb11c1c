"""The whole matching loop in a real browser (headless Debian Chromium through Playwright):
a supplier posts an offer, a cell maker posts a demand, staff run matching (solved in a
background thread while the page refreshes) and approve, both parties accept, and the contract
shows its monthly schedule to both of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from matchmaker.db import get_engine
from tests.conftest import Factory
from tests.e2e.conftest import browser_app, log_in, log_out, serve

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    app = browser_app(tmp_path, REDIS_URL="")
    with Session(get_engine(app), expire_on_commit=False) as db:
        factory = Factory(db, app)
        factory.catalogue()
        factory.user(factory.org("中国锂电产业协会", tiers=["system"]), "staff@example.cn", role="staff")
        factory.user(factory.org("湖南正极材料有限公司", region="hunan", tiers=["material1"]), "cathode@example.cn")
        factory.user(factory.org("宁德电芯制造有限公司", region="fujian", tiers=["cell"]), "cells@example.cn")
    with serve(app) as url:
        yield url


def post_listing(page, kinds: str, region: str, qty: str, price: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/{kinds}/new")
    page.select_option("#product_id", "lfp-cathode")
    page.select_option("#region", region)
    page.fill("#monthly_qty", qty)
    page.fill("#start", "2027-02")
    page.fill("#end", "2027-07")
    page.fill("#price", price)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"**/{kinds}/1")


def accept(page, email: str) -> None:  # type: ignore[no-untyped-def]
    log_in(page, email)
    page.click("nav a[href='/proposals']")
    page.click("table.proposals a")
    assert "37,147.20 元/吨" in page.locator("#agreed-price").inner_text()
    page.click("button.accept")
    page.wait_for_selector(".flash")


def test_offer_demand_run_approve_accept_contract(page):  # type: ignore[no-untyped-def]
    log_in(page, "cathode@example.cn")
    post_listing(page, "offers", "hunan", "500", "35000")
    log_out(page)
    log_in(page, "cells@example.cn")
    post_listing(page, "demands", "fujian", "300", "39000")
    log_out(page)

    log_in(page, "staff@example.cn")
    page.click("nav a[href='/matching']")
    page.fill("#time_limit", "10")
    page.click("#start-run button[type=submit]")
    page.wait_for_url("**/matching/runs/1")
    page.wait_for_selector("#run-state:has-text('已完成')")  # the page refreshes itself while the run is solved
    row = page.locator("table.proposals tbody tr").first
    # freight Hunan -> Fujian 294.4 CNY/t; margin 39,000 - 35,000 - 294.4 = 3,705.6,
    # price 35,000 + 294.4 + 3,705.6 / 2 = 37,147.2; surplus 300 t x 6 months x 3,705.6 = 6,670,080
    assert "湖南正极材料有限公司" in row.inner_text() and "37,147.20" in row.inner_text()
    assert "294.40" in row.inner_text() and "6,670,080" in row.inner_text()
    row.locator("button.approve").click()
    page.wait_for_selector("table.proposals .badge.approved")
    log_out(page)

    accept(page, "cathode@example.cn")
    assert "39,000" not in page.content()  # the supplier never sees the buyer's bid
    log_out(page)
    accept(page, "cells@example.cn")
    page.click("a[href='/contracts']")
    page.click("table.contracts a")
    schedule = page.locator("table.schedule tbody tr")
    assert schedule.count() == 6 and "2027年2月" in schedule.first.inner_text() and "300 吨" in schedule.first.inner_text()
    assert all("37,147.20" in row for row in schedule.all_inner_texts())  # each month's price, fixed
    assert "固定价格" in page.locator("#price-terms").inner_text() and "37,147.20 元/吨" in page.locator("#price-terms").inner_text()
    log_out(page)

    log_in(page, "cathode@example.cn")
    unread = page.locator("#unread")  # approved, contract created: readable on the dark top bar
    colour, background = unread.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert unread.inner_text() == "2" and colour != background and colour != "rgb(255, 255, 255)"
    page.click("nav a[href='/inbox']")
    assert "合同已生成" in page.locator("ul.notices").inner_text()
    page.click("ul.notices a[href^='/contracts/']")
    assert page.locator("table.schedule tbody tr").count() == 6
    page.click("form.lang button")
    page.wait_for_url("**/contracts/1")
    assert "Delivery schedule" in page.content() and "Feb 2027" in page.locator("table.schedule").inner_text()
    assert "300 t" in page.locator("table.schedule tbody tr").first.inner_text()
    assert "Fixed price: 37,147.20 CNY/t, freight included" in page.locator("#price-terms").inner_text()
