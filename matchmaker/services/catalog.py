"""The product catalogue: seeding from ``solver/data/products.csv`` and staff edits."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlmodel import Session, select

from matchmaker.domain import TIERS, UNITS
from matchmaker.models import BomLine, Product
from matchmaker.models.base import utcnow
from matchmaker.services import audit
from matchmaker.services.errors import NotFound, PermissionDenied
from matchmaker.services.fields import FormReader
from matchmaker.services.viewer import Viewer

PRODUCTS_CSV = Path(__file__).resolve().parents[2] / "solver" / "data" / "products.csv"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def seed_catalogue(session: Session, csv_path: Path = PRODUCTS_CSV) -> int:
    """Insert or refresh every product of the CSV with its bill of materials; returns the count.

    Running it twice changes nothing: products are upserted and their BOM lines replaced.
    """
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        product = session.get(Product, row["id"]) or Product(id=row["id"])
        product.name_en = row["name_en"]
        product.name_zh = row["name_zh"]
        product.tier = row["tier"]
        product.unit = row["unit"]
        product.reference_price = float(row["reference_price_cny"]) if row["reference_price_cny"] else None
        product.tonnes_per_unit = float(row["tonnes_per_unit"]) if row["tonnes_per_unit"] else None
        product.updated_at = utcnow()
        session.add(product)
    session.flush()
    for row in rows:
        session.exec(delete(BomLine).where(BomLine.product_id == row["id"]))  # type: ignore[call-overload]
        for input_id, qty in _parse_bom(row["inputs_per_unit"]):
            session.add(BomLine(product_id=row["id"], input_id=input_id, qty_per_unit=qty))
    session.commit()
    return len(rows)


def _parse_bom(text: str) -> list[tuple[str, float]]:
    lines = []
    for part in (text or "").split(";"):
        part = part.strip()
        if part:
            input_id, qty = part.split(":")
            lines.append((input_id.strip(), float(qty)))
    return lines


def list_products(session: Session, tier: str | None = None) -> list[Product]:
    query = select(Product)
    if tier:
        query = query.where(Product.tier == tier)
    products = list(session.exec(query))
    order = list(TIERS)
    products.sort(key=lambda p: (order.index(p.tier) if p.tier in order else 99, p.id))
    return products


def get_product(session: Session, product_id: str) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(product_id)
    return product


def bom_of(session: Session, product_id: str) -> list[BomLine]:
    return list(session.exec(select(BomLine).where(BomLine.product_id == product_id).order_by(BomLine.id)))


def bom_text(session: Session, product_id: str) -> str:
    """The BOM in the CSV's own notation, ``input:qty; input:qty``, for the edit form."""
    return "; ".join(f"{line.input_id}:{line.qty_per_unit:g}" for line in bom_of(session, product_id))


def snapshot(session: Session, product: Product) -> dict[str, Any]:
    """A product as its audit record keeps it: every field staff edit, the BOM as input -> qty."""
    return {"name_zh": product.name_zh, "name_en": product.name_en, "tier": product.tier, "unit": product.unit,
            "reference_price": product.reference_price, "tonnes_per_unit": product.tonnes_per_unit,
            "bom": {line.input_id: line.qty_per_unit for line in bom_of(session, product.id)}}


def save_product(
    session: Session, viewer: Viewer, data: Mapping[str, Any], product_id: str | None = None
) -> Product:
    """Create (``product_id`` None) or edit a product. Staff only. Audited (``product_added`` /
    ``product_edited``, keyed by the product's id) in the same commit as the change.

    Raises PermissionDenied, NotFound or ValidationError (an id already taken included).
    """
    if not viewer.is_staff:
        raise PermissionDenied()
    form = FormReader(data)
    before: dict[str, Any] | None = None
    if product_id is None:
        new_id = form.raw("id").lower()
        if not SLUG_RE.match(new_id):
            form.error("id", _l("Lowercase letters, digits and hyphens, 2 to 63 characters."))
        elif session.get(Product, new_id) is not None:
            form.error("id", _l("A product with this id exists."))
        product = Product(id=new_id)
    else:
        existing = session.get(Product, product_id)
        if existing is None:
            raise NotFound(product_id)
        before = snapshot(session, existing)
        product = existing
    product.name_zh = form.text("name_zh", max_len=200)
    product.name_en = form.text("name_en", max_len=200)
    product.tier = form.choice("tier", TIERS)
    product.unit = form.choice("unit", UNITS)
    product.reference_price = form.number("reference_price", required=False, ge=0)
    product.tonnes_per_unit = form.number("tonnes_per_unit", required=False, gt=0)
    bom = _read_bom(session, form, product.id)
    form.raise_if_errors()
    product.updated_at = utcnow()
    session.add(product)
    session.flush()
    session.exec(delete(BomLine).where(BomLine.product_id == product.id))  # type: ignore[call-overload]
    for input_id, qty in bom:
        session.add(BomLine(product_id=product.id, input_id=input_id, qty_per_unit=qty))
    session.flush()
    audit.record(session, viewer.user_id, "product_added" if before is None else "product_edited", "product",
                 product.id, before, snapshot(session, product))
    session.commit()
    return product


def _read_bom(session: Session, form: FormReader, product_id: str) -> list[tuple[str, float]]:
    text = form.raw("bom")
    if len(text) > 2000:
        form.error("bom", _l("At most %(n)s characters.", n=2000))
        return []
    lines: list[tuple[str, float]] = []
    for part in text.replace("；", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        input_id, _, qty_text = part.partition(":")
        input_id = input_id.strip()
        try:
            qty = float(qty_text)
        except ValueError:
            form.error("bom", _l("Write each line as product-id:quantity, separated by semicolons."))
            return []
        if not (qty > 0 and qty < 1e12):
            form.error("bom", _l("Quantities must be greater than 0."))
            return []
        if input_id == product_id or session.get(Product, input_id) is None:
            form.error("bom", _l("Unknown input product: %(id)s", id=input_id))
            return []
        if any(existing == input_id for existing, _ in lines):
            form.error("bom", _l("Each input at most once."))
            return []
        lines.append((input_id, qty))
    return lines

