"""Exporting listings, and the empty import template, as CSV or XLSX.

A member exports its own organisation's listings; staff export every organisation's (for their
own analysis). Headers are in the reader's language; the import accepts either language.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from matchmaker.domain import DELIVERY_TERMS, PRICE_INDICES
from matchmaker.models import Organisation, Product
from matchmaker.regions import PROVINCES
from matchmaker.services import listings
from matchmaker.services.spreadsheet import (
    EXPORT_ONLY,
    LIST_FIELDS,
    columns,
    list_cell,
    write_csv,
    write_xlsx,
)
from matchmaker.services.viewer import Viewer

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _headers(cols: tuple[tuple[str, str, str], ...], lang: str) -> list[str]:
    return [zh if lang.startswith("zh") else en for _name, zh, en in cols]


def export_listings(session: Session, viewer: Viewer, kind: str, fmt: str, lang: str, today: Any) -> bytes:
    model = listings.model_for(kind)
    query = select(model, Organisation.name).join(Organisation, model.org_id == Organisation.id)
    if not viewer.is_staff:
        query = query.where(model.org_id == viewer.org_id)
    cols = EXPORT_ONLY + columns(kind)
    rows = []
    for listing, org_name in session.exec(query.order_by(model.id)):
        values = {"id": listing.id, "status": listings.effective_status(listing, today), "org": org_name}
        row = []
        for name, _zh, _en in cols:
            value = values[name] if name in values else getattr(listing, name)
            row.append(list_cell(value) if name in LIST_FIELDS else value)
        rows.append(row)
    header = _headers(cols, lang)
    return write_xlsx(header, rows) if fmt == "xlsx" else write_csv(header, rows)


def import_template(session: Session, kind: str, fmt: str, lang: str) -> bytes:
    """Headers only; the XLSX has a second sheet listing the accepted codes."""
    header = _headers(columns(kind), lang)
    if fmt == "csv":
        return write_csv(header, [])
    zh = lang.startswith("zh")
    notes: list[list[Any]] = [["产品编号" if zh else "Product ID", "产品" if zh else "Product"]]
    for product in session.exec(select(Product).order_by(Product.id)):
        notes.append([product.id, product.name_zh if zh else product.name_en])
    notes.append([])
    notes.append(["交付省份" if zh else "Region", ""])
    notes.extend([rid, names[0] if zh else names[1]] for rid, names in PROVINCES.items())
    notes.append([])
    notes.append(["定价方式" if zh else "Price basis", "fixed / index"])
    notes.append(["价格指数" if zh else "Price index", " / ".join(PRICE_INDICES)])
    notes.append(["升贴水类型" if zh else "Adjustment kind", "amount / percent"])
    notes.append(["交货条款" if zh else "Delivery terms", " / ".join(DELIVERY_TERMS)])
    notes.append(["月份格式" if zh else "Months", "YYYY-MM"])
    return write_xlsx(header, [], notes)


def export_contracts(session: Session, viewer: Viewer, fmt: str) -> bytes:
    """One row per schedule line of the viewer's contracts (staff: all), as the contracts CSV;
    in XLSX the numbers are numbers."""
    import csv
    import io

    from matchmaker.services.contracts import contracts_csv

    header, *rows = list(csv.reader(io.StringIO(contracts_csv(session, viewer))))
    if fmt == "csv":
        return write_csv(header, rows)
    return write_xlsx(header, [[_number_or_text(cell) for cell in row] for row in rows])


def _number_or_text(cell: str) -> Any:
    try:
        return float(cell) if cell[:1].isdigit() and "-" not in cell else cell
    except ValueError:
        return cell
