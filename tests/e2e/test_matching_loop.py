"""The whole matching loop in a real browser (headless Debian Chromium through Playwright):
a supplier posts an offer, a cell maker posts a demand, staff run matching (solved in a
background thread while the page refreshes) and approve, both parties accept, and the contract
shows its monthly schedule to both of them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel
from werkzeug.serving import make_server

from matchmaker import create_app
from matchmaker.db import get_engine
from tests.conftest import Factory, make_config
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, log_in, log_out, pytestmark  # noqa: F401


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    app = create_app(make_config(DATABASE_URL=f"sqlite:///{tmp_path}/loop.db", WTF_CSRF_ENABLED=True, REDIS_URL=""))
    SQLModel.metadata.create_all(get_engine(app))
    with Session(get_engine(app), expire_on_commit=False) as db:
        factory = Factory(db, app)
        factory.catalogue()
        factory.user(factory.org("中国锂电产业协会", tiers=["system"]), "staff@example.cn", role="staff")
        factory.user(factory.org("湖南正极材料有限公司", region="hunan", tiers=["material1"]), "cathode@example.cn")
        factory.user(factory.org("宁德电芯制造有限公司", region="fujian", tiers=["cell"]), "cells@example.cn")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(live_server: str):  # type: ignore[no-untyped-def]
    from playwright import sync_api
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server)
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
        context.close()
        browser.close()


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
    assert "37,000" in page.locator("#agreed-price").inner_text()
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
    # margin 39,000 - 35,000 = 4,000 (no freight in the snapshot), price 35,000 + 2,000 = 37,000;
    # surplus 300 t x 6 months x 4,000 = 7,200,000
    assert "湖南正极材料有限公司" in row.inner_text() and "37,000" in row.inner_text()
    assert "7,200,000" in row.inner_text()
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
    log_out(page)

    log_in(page, "cathode@example.cn")
    page.click("nav a[href='/inbox']")
    assert "合同已生成" in page.locator("ul.notices").inner_text()
    page.click("ul.notices a[href^='/contracts/']")
    assert page.locator("table.schedule tbody tr").count() == 6
    page.click("form.lang button")
    page.wait_for_url("**/contracts/1")
    assert "Delivery schedule" in page.content() and "Feb 2027" in page.locator("table.schedule").inner_text()
