"""Staff watch the industry in a real browser (headless Debian Chromium through Playwright):
the monitoring dashboard with the lithium carbonate surge and fall drawn and flagged, an alert
acknowledged and resolved, a bulletin published that a member reads in English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from matchmaker.db import get_engine
from matchmaker.models import Offer
from matchmaker.services.monitoring_prices import seed_price_series
from tests.conftest import Factory
from tests.e2e.conftest import browser_app, log_in, log_out, serve

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """The app with the seeded price series, a cell maker, a carbonate seller asking +52 % over
    the reference price, and staff; CSRF switched on."""
    app = browser_app(tmp_path)
    with Session(get_engine(app), expire_on_commit=False) as db:
        factory = Factory(db, app)
        factory.catalogue()
        seed_price_series(db)
        seller = factory.org("宜春碳酸锂有限公司", region="jiangxi")
        factory.user(seller, "seller@example.cn")
        factory.user(factory.org("中国锂电产业协会", tiers=["system"]), "staff@example.cn", role="staff")
        db.add(Offer(org_id=seller.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=1000,
                     start="2027-02", end="2027-12", price=123456))
        db.commit()
    with serve(app) as url:
        yield url


def test_staff_dashboard_flags_alerts_and_bulletins(page):  # type: ignore[no-untyped-def]
    log_in(page, "staff@example.cn")
    page.click("text=监测预警")
    page.wait_for_url("**/monitoring/")
    assert page.locator("h1").inner_text() == "监测与预警"
    chart = page.locator("#price-overview svg.chart")
    assert chart.is_visible()
    assert chart.locator("circle.flag").count() == 10  # the surge (2021-22) and the fall (2023), rule by rule
    assert "2021-11-30" in chart.locator("circle.flag").first.locator("title").text_content()
    assert page.locator("#tier-balance table tbody tr").count() >= 15  # every product of every tier

    page.click("form[action='/monitoring/checks'] button")
    page.wait_for_url("**/monitoring/alerts")
    row = page.locator("#alerts tr", has_text="哄抬价格")
    assert "123,456" in row.inner_text() and "81,000" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_url("**/monitoring/alerts/*")
    page.click("button:has-text('确认')")
    page.wait_for_url("**/monitoring/alerts/*")
    assert "已确认" in page.locator("h1").inner_text()
    page.fill("#comment", "已约谈该企业,报价已下调。")
    page.click("button:has-text('办结')")
    page.wait_for_url("**/monitoring/alerts/*")
    assert "已办结" in page.locator("h1").inner_text()
    assert page.locator("#history tbody tr").count() == 3

    page.goto("/bulletins/new")
    page.fill("#title_zh", "碳酸锂价格风险提示")
    page.fill("#body_zh", "近期价格波动较大,请谨慎安排长协。")
    page.fill("#title_en", "Lithium carbonate price risk")
    page.fill("#body_en", "Prices swing widely: plan long-term contracts with care.")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/bulletins/1")
    log_out(page)

    log_in(page, "seller@example.cn")
    page.click("form.lang button")
    page.goto("/bulletins")
    page.click("text=Lithium carbonate price risk")
    assert "plan long-term contracts with care" in page.locator("article").inner_text()
    assert page.goto("/monitoring/").status == 403
