"""A member's first session in a real browser (headless Debian Chromium through Playwright):
register, wait for staff approval, log in, post an offer, see it listed, switch to English."""

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
    app = browser_app(tmp_path)
    with Session(get_engine(app), expire_on_commit=False) as db:
        factory = Factory(db, app)
        factory.catalogue()
        factory.user(factory.org("中国锂电产业协会", tiers=["system"]), "staff@example.cn", role="staff")
    with serve(app) as url:
        yield url


def test_register_post_an_offer_and_switch_language(page):  # type: ignore[no-untyped-def]
    page.goto("/register")
    assert page.locator("h1").inner_text() == "注册单位"
    page.fill("#name", "赣州锂业测试有限公司")
    page.fill("#credit_code", "91350100M000100Y43")
    page.select_option("#region", "jiangxi")
    page.check("input[name=tiers][value=material2]")
    page.fill("#contact_name", "李伟")
    page.fill("#contact_phone", "0797-1234567")
    page.fill("#contact_email", "sales@ganzhou.example.cn")
    page.locator("select[name=cert_name]").first.select_option("ISO9001")
    page.locator("input[name=cert_number]").first.fill("CN-9001-77")
    page.locator("input[name=cert_expiry]").first.fill("2030-06-30")
    page.fill("#user_name", "李伟")
    page.fill("#email", "li.wei@ganzhou.example.cn")
    page.fill("#password", "a long password")
    page.fill("#password_confirm", "a long password")
    page.click("form[action='/register'] button[type=submit]")
    page.wait_for_url("**/")
    assert "审核" in page.locator(".flash").first.inner_text()
    log_out(page)

    log_in(page, "staff@example.cn")
    page.goto("/admin/organisations")
    page.locator("tr", has_text="赣州锂业测试有限公司").locator("button[value=approved]").click()
    page.wait_for_url("**/admin/organisations")
    log_out(page)

    log_in(page, "li.wei@ganzhou.example.cn", "a long password")
    page.goto("/offers/new")
    page.select_option("#product_id", "lithium-carbonate")
    page.select_option("#region", "jiangxi")
    page.fill("#monthly_qty", "500")
    page.fill("#start", "2027-02")
    page.fill("#end", "2029-12")
    page.fill("#min_term_months", "12")
    page.fill("#price", "74000")
    page.check("input[name=certifications][value=ISO9001]")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/offers/1")

    page.goto("/offers")
    row = page.locator("table.listings tbody tr").first
    assert "电池级碳酸锂" in row.inner_text() and "74,000" in row.inner_text()
    assert "2027年2月" in row.inner_text()

    page.click("form.lang button")
    page.wait_for_url("**/offers*")
    assert page.locator("h1").inner_text() == "Our offers"
    row = page.locator("table.listings tbody tr").first
    assert "Battery-grade lithium carbonate" in row.inner_text() and "Feb 2027" in row.inner_text()
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_pages_heading_keeps_its_buttons_together_at_the_right(page):  # type: ignore[no-untyped-def]
    log_in(page, "staff@example.cn")
    page.goto("/contracts")
    heading = page.locator(".heading").bounding_box()
    csv, xlsx = (page.locator(".heading a.button").nth(i).bounding_box() for i in (0, 1))
    # 1rem (15 px) apart, the second flush with the heading's right edge
    assert xlsx["x"] - (csv["x"] + csv["width"]) == pytest.approx(15, abs=1)
    assert xlsx["x"] + xlsx["width"] == pytest.approx(heading["x"] + heading["width"], abs=1)
