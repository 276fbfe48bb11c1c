"""Reading listings: full rows for their owner and staff, an anonymous market view for the rest.

The market view selects only product, region, volume and window columns and turns the volume into
a band before returning, so price, organisation and exact volume never leave this module for
another organisation's listing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, func, literal, or_, union_all
from sqlmodel import Session, select

from matchmaker.domain import TIERS
from matchmaker.models import Demand, Offer, Organisation, Product
from matchmaker.regions import PROVINCES
from matchmaker.services.fields import MONTH_RE, current_month
from matchmaker.services.listings import effective_status, model_for
from matchmaker.services.viewer import Viewer

STATUS_FILTERS = ("open", "expired", "withdrawn", "all")


@dataclass
class ListingFilters:
    """Search and filter values from a query string; unusable values are dropped, not errors."""

    q: str = ""
    product_id: str = ""
    tier: str = ""
    region: str = ""
    window_from: str = ""
    window_to: str = ""
    status: str = "open"
    side: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> ListingFilters:
        def get(name: str) -> str:
            return str(args.get(name, "") or "").strip()[:100]

        status = get("status") or "open"
        page_text = get("page")
        return cls(
            q=get("q"),
            product_id=get("product_id"),
            tier=get("tier") if get("tier") in TIERS else "",
            region=get("region") if get("region") in PROVINCES else "",
            window_from=get("window_from") if MONTH_RE.match(get("window_from")) else "",
            window_to=get("window_to") if MONTH_RE.match(get("window_to")) else "",
            status=status if status in STATUS_FILTERS else "open",
            side=get("side") if get("side") in ("offer", "demand") else "",
            page=int(page_text) if page_text.isdigit() and 0 < int(page_text) < 100000 else 1,
        )

    def query_args(self, **overrides: Any) -> dict[str, Any]:
        """The filters as query-string arguments (for pagination links), blanks left out."""
        values = {k: v for k, v in self.__dict__.items() if v not in ("", None)}
        values.update(overrides)
        return values


@dataclass
class Page:
    items: list[Any]
    page: int
    page_size: int
    total: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / self.page_size))


@dataclass(frozen=True)
class ListingRow:
    """A listing in full with what its owner (or staff) needs beside it."""

    listing: Offer | Demand
    product: Product
    org_name: str
    status: str


@dataclass(frozen=True)
class MarketRow:
    """One anonymous line of the market view: nothing that identifies or prices the listing."""

    side: str
    product_id: str
    product_name_zh: str
    product_name_en: str
    unit: str
    tier: str
    region: str
    band_low: float
    band_high: float
    start: str
    end: str


def volume_band(qty: float) -> tuple[float, float]:
    """The decade a monthly volume falls in: 340 -> (100, 1000), 0.5 -> (0.1, 1)."""
    exponent = math.floor(math.log10(qty)) if qty > 0 else 0
    low = 10.0**exponent
    return low, low * 10


def _product_conditions(filters: ListingFilters, product_col: Any) -> list[Any]:
    conditions: list[Any] = []
    if filters.product_id:
        conditions.append(product_col == filters.product_id)
    if filters.tier:
        conditions.append(Product.tier == filters.tier)
    return conditions


def _text_condition(q: str, *columns: Any) -> Any:
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(func.lower(col).like(pattern.lower(), escape="\\") for col in columns))


def search_listings(
    session: Session, viewer: Viewer, kind: str, filters: ListingFilters, today: date, page_size: int = 25
) -> Page:
    """The viewer's own organisation's listings (all organisations' for staff), newest first."""
    model = model_for(kind)
    month = current_month(today)
    conditions: list[Any] = _product_conditions(filters, model.product_id)
    if not viewer.is_staff:
        conditions.append(model.org_id == viewer.org_id)
    if filters.region:
        conditions.append(model.region == filters.region)
    if filters.window_from:
        conditions.append(model.end >= filters.window_from)
    if filters.window_to:
        conditions.append(model.start <= filters.window_to)
    if filters.status == "open":
        conditions.append(and_(model.status == "open", model.end >= month))
    elif filters.status == "expired":
        conditions.append(or_(model.status == "expired", and_(model.status == "open", model.end < month)))
    elif filters.status == "withdrawn":
        conditions.append(model.status == "withdrawn")
    if filters.q:
        columns = [Product.name_zh, Product.name_en, Product.id, model.delivery_notes]
        if viewer.is_staff:
            columns.append(Organisation.name)
        conditions.append(_text_condition(filters.q, *columns))

    base = (
        select(model, Product, Organisation.name)
        .join(Product, model.product_id == Product.id)
        .join(Organisation, model.org_id == Organisation.id)
        .where(*conditions)
    )
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        base.order_by(model.created_at.desc(), model.id.desc())  # type: ignore[attr-defined]
        .offset((filters.page - 1) * page_size)
        .limit(page_size)
    ).all()
    items = [ListingRow(listing, product, org_name, effective_status(listing, today)) for listing, product, org_name in rows]
    return Page(items=items, page=filters.page, page_size=page_size, total=int(total))


def market_view(
    session: Session, viewer: Viewer, filters: ListingFilters, today: date, page_size: int = 25
) -> Page:
    """Open listings of other organisations (of all, for staff) as anonymous MarketRows."""
    month = current_month(today)
    selects = []
    for side, model in (("offer", Offer), ("demand", Demand)):
        if filters.side and filters.side != side:
            continue
        conditions: list[Any] = [model.status == "open", model.end >= month]
        if not viewer.is_staff:
            conditions.append(model.org_id != viewer.org_id)
        if filters.region:
            conditions.append(model.region == filters.region)
        if filters.product_id:
            conditions.append(model.product_id == filters.product_id)
        if filters.window_from:
            conditions.append(model.end >= filters.window_from)
        if filters.window_to:
            conditions.append(model.start <= filters.window_to)
        selects.append(
            select(
                literal(side).label("side"),
                model.product_id.label("product_id"),  # type: ignore[attr-defined]
                model.region.label("region"),  # type: ignore[attr-defined]
                model.monthly_qty.label("monthly_qty"),  # type: ignore[attr-defined]
                model.start.label("start"),  # type: ignore[attr-defined]
                model.end.label("end"),  # type: ignore[attr-defined]
                model.id.label("listing_id"),  # type: ignore[union-attr]
            ).where(*conditions)
        )
    listings = union_all(*selects).subquery()
    conditions = []
    if filters.tier:
        conditions.append(Product.tier == filters.tier)
    if filters.q:
        conditions.append(_text_condition(filters.q, Product.name_zh, Product.name_en, Product.id))
    base = (
        select(
            listings.c.side, listings.c.product_id, listings.c.region, listings.c.monthly_qty,
            listings.c.start, listings.c.end, Product.name_zh, Product.name_en, Product.unit, Product.tier,
        )
        .join(Product, listings.c.product_id == Product.id)
        .where(*conditions)
    )
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        base.order_by(listings.c.start, listings.c.product_id, listings.c.region, listings.c.side, listings.c.listing_id)
        .offset((filters.page - 1) * page_size)
        .limit(page_size)
    ).all()
    items = []
    for side, product_id, region, qty, start, end, name_zh, name_en, unit, tier in rows:
        low, high = volume_band(qty)
        items.append(MarketRow(side, product_id, name_zh, name_en, unit, tier, region, low, high, start, end))
    return Page(items=items, page=filters.page, page_size=page_size, total=int(total))
