"""The import page, the template downloads and the export links."""

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from matchmaker.models import Offer
from tests.services.test_bulk_import import EN_HEADER, GOOD, csv_bytes


@pytest.fixture
def seller(client, auth, factory):
    factory.catalogue()
    factory.user(factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"}), "seller@example.cn")
    auth.login("seller@example.cn")


def upload(client, content, name="offers.csv"):
    return client.post("/offers/import", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def test_a_valid_upload_saves_and_returns_to_the_list(client, db, seller):
    response = upload(client, csv_bytes(EN_HEADER, [GOOD, GOOD, GOOD]))
    assert response.status_code == 302 and response.headers["Location"] == "/offers"
    assert "已导入 3 条挂牌。" in client.get("/offers").get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(Offer)).one() == 3


def test_a_refused_upload_lists_each_row_and_saves_nothing(client, db, seller):
    rows = [list(GOOD) for _ in range(5)]
    rows[1][2], rows[3][0] = "lots", "unobtainium"
    response = upload(client, csv_bytes(EN_HEADER, rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "未保存任何数据:2 个问题。" in page
    assert "<td>3</td><td>monthly_qty</td>" in page and "<td>5</td><td>product_id</td>" in page
    assert db.exec(select(func.count()).select_from(Offer)).one() == 0


def test_no_file_and_a_broken_file_are_400(client, seller):
    assert client.post("/offers/import", data={}, content_type="multipart/form-data").status_code == 400
    assert upload(client, b"PK\x03\x04nonsense", "x.xlsx").status_code == 400


def test_template_downloads(client, seller):
    csv = client.get("/demands/import/template.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.get_data().decode("utf-8-sig").startswith("产品编号,交付省份")
    xlsx = client.get("/offers/import/template.xlsx")
    assert 'filename="offers-template.xlsx"' in xlsx.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.get_data()))["data"]["A1"].value == "产品编号"


def test_export_in_english_after_switching_language(client, seller):
    upload(client, csv_bytes(EN_HEADER, [GOOD]))
    client.post("/language", data={"lang": "en"})
    text = client.get("/offers/export.csv").get_data().decode("utf-8-sig")
    header, row = text.splitlines()
    assert header.startswith("ID,Status,Organisation,Product ID")
    assert row.startswith("1,open,Ganzhou Lithium,lithium-carbonate,jiangxi,500")


def test_import_page_is_for_trading_members_only(client, auth, factory):
    factory.catalogue()
    factory.user(factory.org("Pending", status="pending"), "p@example.cn")
    auth.login("p@example.cn")
    assert client.get("/offers/import").status_code == 403
    assert upload(client, csv_bytes(EN_HEADER, [GOOD])).status_code == 403


def test_list_page_links_import_and_export(client, seller):
    page = client.get("/offers").get_data(as_text=True)
    assert 'href="/offers/import"' in page and 'href="/offers/export.xlsx"' in page
