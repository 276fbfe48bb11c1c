"""Listing columns in spreadsheets, and reading and writing CSV and XLSX files.

One column list serves the template, the import and the export, so an exported file can be
imported again. Headers are accepted in Chinese, in English or as the field name. Lists
(certifications) are written ``ISO9001;IATF16949`` and read split on ``;``, ``,`` or ``、``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from matchmaker.services.errors import DomainError

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel in China saves CSV as GBK by default
LIST_SPLIT = re.compile(r"[;,、；，]")

# (field, Chinese header, English header); shared columns first, then the side's own.
COMMON: tuple[tuple[str, str, str], ...] = (
    ("product_id", "产品编号", "Product ID"),
    ("region", "交付省份", "Region"),
    ("monthly_qty", "月度数量", "Monthly quantity"),
    ("start", "起始月份", "Start month"),
    ("end", "结束月份", "End month"),
    ("min_term_months", "最短期限(月)", "Minimum term (months)"),
    ("min_monthly_qty", "最小月度数量", "Minimum monthly quantity"),
    ("price_basis", "定价方式", "Price basis"),
    ("price", "单价(元)", "Price (CNY)"),
    ("index_name", "价格指数", "Price index"),
    ("index_adjustment", "指数升贴水", "Index adjustment"),
    ("index_adjustment_kind", "升贴水类型", "Adjustment kind"),
    ("price_floor", "价格下限", "Price floor"),
    ("price_ceiling", "价格上限", "Price ceiling"),
    ("delivery_terms", "交货条款", "Delivery terms"),
    ("delivery_notes", "交货说明", "Delivery notes"),
)
OWN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "offer": (
        ("certifications", "认证", "Certifications"),
        ("max_buyer_share", "单一采购方份额上限", "Maximum buyer share"),
    ),
    "demand": (
        ("required_certifications", "要求认证", "Required certifications"),
        ("max_supplier_share", "单一供应方份额上限", "Maximum supplier share"),
        ("max_suppliers", "供应方数量上限", "Maximum suppliers"),
        ("own_supply", "自供数量", "Own supply"),
    ),
}
LIST_FIELDS = {"certifications", "required_certifications"}
# Written by the export, ignored by the import: an exported file can be imported again.
EXPORT_ONLY: tuple[tuple[str, str, str], ...] = (
    ("id", "编号", "ID"),
    ("status", "状态", "Status"),
    ("org", "单位", "Organisation"),
)


class UnreadableFile(DomainError):
    """The upload is not a CSV or XLSX file this reader understands (400, field ``file``)."""

    status_code = 400

    def __init__(self, message: object):
        super().__init__(str(message))
        self.message = message


def columns(kind: str) -> tuple[tuple[str, str, str], ...]:
    return COMMON + OWN[kind]


def header_index(kind: str) -> dict[str, str]:
    """Every accepted spelling of a header (lower case, spaces squeezed) to its field."""
    index: dict[str, str] = {}
    for name, zh, en in columns(kind) + EXPORT_ONLY:
        for spelling in (name, zh, en):
            index[normalise_header(spelling)] = name
    return index


def normalise_header(header: str) -> str:
    """Case, spacing and full-width brackets do not matter in a header."""
    return " ".join(str(header).replace("（", "(").replace("）", ")").split()).lower()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text the form reader takes (dates become ``YYYY-MM``)."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    """(row number as the spreadsheet shows it, cells as text) for every row, header included."""
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        yield from _xlsx_rows(content)
    else:
        yield from _csv_rows(content)


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    for encoding in CSV_ENCODINGS:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(_l("The file is neither UTF-8 nor GB18030 text."))
    if "\x00" in text:
        raise UnreadableFile(_l("This is not a CSV or XLSX file."))
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, [cell.strip() for cell in row]
    except csv.Error as error:
        raise UnreadableFile(_l("The CSV file cannot be read: %(reason)s", reason=str(error))) from error


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        book.close()
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(_l("The XLSX file cannot be read.")) from error
    for number, row in enumerate(rows, start=1):
        yield number, [cell_text(cell) for cell in row]


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is written with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def write_csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(header: list[str], rows: Iterable[list[Any]], notes: list[list[Any]] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    if notes:
        extra = book.create_sheet("notes")
        for line in notes:
            extra.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def list_cell(values: list[str]) -> str:
    return ";".join(values)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT.split(text) if part.strip()]
