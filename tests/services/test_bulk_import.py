"""Importing listings from CSV and XLSX: every row checked first, all or nothing."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from matchmaker.models import Demand, Offer
from matchmaker.services.bulk_export import export_listings, import_template
from matchmaker.services.bulk_import import ImportRefused, import_listings
from matchmaker.services.errors import PermissionDenied
from matchmaker.services.spreadsheet import UnreadableFile
from matchmaker.services.viewer import Viewer
from tests.conftest import TEST_TODAY

TODAY = __import__("datetime").date.fromisoformat(TEST_TODAY)
EN_HEADER = ["Product ID", "Region", "Monthly quantity", "Start month", "End month", "Price basis", "Price (CNY)",
             "Delivery terms", "Certifications"]
GOOD = ["lithium-carbonate", "jiangxi", "500", "2027-02", "2029-12", "fixed", "74000", "DAP", "ISO9001"]


@pytest.fixture
def seller(factory):
    factory.catalogue()
    org = factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"})
    user = factory.user(org, "seller@example.cn")
    return Viewer(user_id=user.id, org_id=org.id, role="member", org_status="approved")


def csv_bytes(header, rows, encoding="utf-8-sig"):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(header, rows):
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def count(db, model):
    return db.exec(select(func.count()).select_from(model)).one()


def test_a_thousand_rows_with_three_bad_ones_write_nothing_and_name_the_three(db, seller):
    rows = [list(GOOD) for _ in range(1000)]
    rows[9][2] = "-5"           # data row 10 is spreadsheet row 11: monthly quantity
    rows[499][1] = "atlantis"   # row 501: region
    rows[998][4] = "2026-13"    # row 1000: end month
    with pytest.raises(ImportRefused) as refused:
        import_listings(db, seller, "offer", csv_bytes(EN_HEADER, rows), "offers.csv", TODAY)
    assert refused.value.rows == [11, 501, 1000]
    assert {(p.row, p.field) for p in refused.value.problems} == {(11, "monthly_qty"), (501, "region"), (1000, "end")}
    assert count(db, Offer) == 0


def test_a_valid_file_writes_every_row(db, seller):
    created = import_listings(db, seller, "offer", csv_bytes(EN_HEADER, [GOOD, GOOD]), "offers.csv", TODAY)
    assert len(created) == 2 and count(db, Offer) == 2
    offer = db.get(Offer, created[0].id)
    assert (offer.org_id, offer.monthly_qty, offer.price, offer.certifications, offer.status) == (
        seller.org_id, 500, 74000, ["ISO9001"], "open")


def test_chinese_headers_and_gbk_csv_are_read(db, seller):
    header = ["产品编号", "交付省份", "月度数量", "起始月份", "结束月份", "定价方式", "单价(元)", "交货条款"]
    row = ["lithium-carbonate", "jiangxi", "320", "2027-03", "2028-02", "fixed", "75000", "DAP"]
    import_listings(db, seller, "demand", csv_bytes(header, [row], encoding="gb18030"), "需求.csv", TODAY)
    assert db.exec(select(Demand.monthly_qty, Demand.price)).one() == (320, 75000)


def test_xlsx_with_numbers_and_dates_in_cells(db, seller):
    from datetime import datetime

    row = ["lithium-carbonate", "jiangxi", 500, datetime(2027, 2, 1), datetime(2029, 12, 1), "fixed", 74000.0, "DAP", "ISO9001"]
    import_listings(db, seller, "offer", xlsx_bytes(EN_HEADER, [row]), "offers.xlsx", TODAY)
    assert db.exec(select(Offer.start, Offer.end, Offer.price)).one() == ("2027-02", "2029-12", 74000)


def test_unknown_and_missing_columns_are_refused_on_row_one(db, seller):
    header = ["Product ID", "Regoin", "Monthly quantity", "Start month", "End month", "Price basis", "Delivery terms"]
    with pytest.raises(ImportRefused) as refused:
        import_listings(db, seller, "offer", csv_bytes(header, [GOOD[:7]]), "offers.csv", TODAY)
    assert {(p.row, p.field) for p in refused.value.problems} == {(1, "Regoin"), (1, "region")}


def test_blank_rows_are_skipped_and_an_empty_file_is_refused(db, seller):
    with pytest.raises(ImportRefused):
        import_listings(db, seller, "offer", csv_bytes(EN_HEADER, [[""] * 9]), "offers.csv", TODAY)
    with pytest.raises(UnreadableFile):
        import_listings(db, seller, "offer", b"", "offers.csv", TODAY)


@pytest.mark.parametrize("content,name", [(b"\x00\x01\x02binary", "x.csv"), (b"PK\x03\x04broken zip", "x.xlsx"),
                                          (b"\xff\xfe\xfa\xfb" * 3, "x.csv")])
def test_unreadable_files_are_refused(db, seller, content, name):
    with pytest.raises(UnreadableFile):
        import_listings(db, seller, "offer", content, name, TODAY)


def test_pending_organisation_may_not_import(db, factory, seller):
    user = factory.user(factory.org("Pending", status="pending"), "p@example.cn")
    pending = Viewer(user_id=user.id, org_id=user.org_id, role="member", org_status="pending")
    with pytest.raises(PermissionDenied):
        import_listings(db, pending, "offer", csv_bytes(EN_HEADER, [GOOD]), "offers.csv", TODAY)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_can_be_imported_again(db, seller, fmt):
    import_listings(db, seller, "offer", csv_bytes(EN_HEADER, [GOOD]), "offers.csv", TODAY)
    exported = export_listings(db, seller, "offer", fmt, "zh", TODAY)
    import_listings(db, seller, "offer", exported, f"again.{fmt}", TODAY)
    assert count(db, Offer) == 2


def test_export_holds_only_the_organisations_own_listings(db, factory, seller):
    import_listings(db, seller, "offer", csv_bytes(EN_HEADER, [GOOD]), "offers.csv", TODAY)
    other = factory.user(factory.org("Other Co"), "o@example.cn")
    viewer = Viewer(user_id=other.id, org_id=other.org_id, role="member", org_status="approved")
    text = export_listings(db, viewer, "offer", "csv", "en", TODAY).decode("utf-8-sig")
    assert text.splitlines()[1:] == [] and "Ganzhou" not in text and "74000" not in text


def test_template_has_both_languages_headers(db, seller):
    assert import_template(db, "offer", "csv", "zh").decode("utf-8-sig").startswith("产品编号,交付省份,月度数量")
    book = load_workbook(io.BytesIO(import_template(db, "demand", "xlsx", "en")))
    assert [c.value for c in book["data"][1]][:3] == ["Product ID", "Region", "Monthly quantity"]
    assert "lithium-carbonate" in [row[0] for row in book["notes"].iter_rows(values_only=True)]


def test_export_cells_that_look_like_formulas_are_quoted(db, seller):
    row = GOOD[:8] + ["ISO9001"]
    header = EN_HEADER + ["Delivery notes"]
    import_listings(db, seller, "offer", csv_bytes(header, [row + ["=HYPERLINK(1)"]]), "o.csv", TODAY)
    assert "'=HYPERLINK(1)" in export_listings(db, seller, "offer", "csv", "en", TODAY).decode("utf-8-sig")
