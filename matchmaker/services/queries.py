"""Reading listings: full rows for their owner and staff, an anonymous market view for the rest.

The market view selects only product, region, volume and window columns and turns the volume into
a band before returning, so price, organisation and exact volume never leave this module for
another organisation's listing.

Speed: with 100,000 listings a page must come back in well under 100 ms, so the counted and
paged queries touch one listing table only. Conditions on products (tier, search text) and on
organisation names become ``IN`` lists first, the order (newest first) follows an index, and
product and organisation names for the page's rows are looked up afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, false, func, or_
from sqlmodel import Session, select

from matchmaker.domain import TIERS
from matchmaker.models import Demand, Offer, Organisation, Product
from matchmaker.regions import PROVINCES
from matchmaker.services.fields import MONTH_RE, current_month
from matchmaker.services.listings import effective_status, model_for
from matchmaker.services.viewer import Viewer

STATUS_FILTERS = ("open", "expired", "withdrawn", "all")
# Counting stops here: an exact count of 100,000 rows costs more than the page itself, and
# "more than 10,000" tells the reader to filter just as well.
COUNT_CAP = 10_000


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
    """One page of results; ``total`` is exact unless ``more`` (then there are more than that)."""

    items: list[Any]
    page: int
    page_size: int
    total: int
    more: bool = False
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / self.page_size))
        if self.more:
            self.pages += 1


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


def _like(q: str) -> str:
    return "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _text_condition(q: str, *columns: Any) -> Any:
    return or_(*(func.lower(col).like(_like(q), escape="\\") for col in columns))


def _products(session: Session) -> dict[str, Product]:
    return {p.id: p for p in session.exec(select(Product))}


def _product_ids(products: dict[str, Product], filters: ListingFilters) -> set[str] | None:
    """Products the tier, product and text filters allow; None when they allow every product."""
    if not (filters.product_id or filters.tier or filters.q):
        return None
    q = filters.q.lower()
    return {
        p.id for p in products.values()
        if (not filters.product_id or p.id == filters.product_id)
        and (not filters.tier or p.tier == filters.tier)
        and (not q or q in p.id.lower() or q in p.name_zh.lower() or q in p.name_en.lower())
    }


def _window_conditions(model: Any, filters: ListingFilters) -> list[Any]:
    conditions = []
    if filters.region:
        conditions.append(model.region == filters.region)
    if filters.window_from:
        conditions.append(model.end >= filters.window_from)
    if filters.window_to:
        conditions.append(model.start <= filters.window_to)
    return conditions


def _status_condition(model: Any, status: str, month: str) -> Any:
    if status == "open":
        return and_(model.status == "open", model.end >= month)
    if status == "expired":
        return or_(model.status == "expired", and_(model.status == "open", model.end < month))
    if status == "withdrawn":
        return model.status == "withdrawn"
    return None


def _newest_first(model: Any) -> tuple[Any, Any]:
    return model.created_at.desc(), model.id.desc()


def search_listings(
    session: Session, viewer: Viewer, kind: str, filters: ListingFilters, today: date, page_size: int = 25
) -> Page:
    """The viewer's own organisation's listings (all organisations' for staff), newest first."""
    model = model_for(kind)
    products = _products(session)
    conditions: list[Any] = _window_conditions(model, filters)
    if not viewer.is_staff:
        conditions.append(model.org_id == viewer.org_id)
    status = _status_condition(model, filters.status, current_month(today))
    if status is not None:
        conditions.append(status)
    allowed = _product_ids(products, ListingFilters(product_id=filters.product_id, tier=filters.tier))
    if allowed is not None:
        conditions.append(model.product_id.in_(sorted(allowed)) if allowed else false())
    if filters.q:
        text_matches = [model.delivery_notes.like(_like(filters.q), escape="\\")]
        by_name = _product_ids(products, ListingFilters(q=filters.q))
        if by_name:
            text_matches.append(model.product_id.in_(sorted(by_name)))
        if viewer.is_staff:
            orgs = select(Organisation.id).where(_text_condition(filters.q, Organisation.name))
            text_matches.append(model.org_id.in_(orgs))
        conditions.append(or_(*text_matches))

    total = _capped_count(session, model, conditions)
    rows = list(session.exec(
        select(model).where(*conditions).order_by(*_newest_first(model))
        .offset((filters.page - 1) * page_size).limit(page_size)
    ))
    org_ids = {row.org_id for row in rows}
    names: dict[int, str] = {}
    if org_ids:
        query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
        names = {org_id: name for org_id, name in session.exec(query).all()}
    items = [ListingRow(row, products[row.product_id], names.get(row.org_id, ""), effective_status(row, today)) for row in rows]
    return Page(items=items, page=filters.page, page_size=page_size, total=min(total, COUNT_CAP), more=total > COUNT_CAP)


def _capped_count(session: Session, model: Any, conditions: list[Any]) -> int:
    """Matching rows, counted up to COUNT_CAP + 1."""
    limited = select(model.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    return int(session.exec(select(func.count()).select_from(limited)).one())


def market_view(
    session: Session, viewer: Viewer, filters: ListingFilters, today: date, page_size: int = 25
) -> Page:
    """Open listings of other organisations (of all, for staff) as anonymous MarketRows, newest first."""
    month = current_month(today)
    products = _products(session)
    allowed = _product_ids(products, filters)
    offset = (filters.page - 1) * page_size
    total = 0
    candidates: list[tuple[Any, ...]] = []
    for side, model in (("offer", Offer), ("demand", Demand)):
        if filters.side and filters.side != side:
            continue
        conditions: list[Any] = [model.status == "open", model.end >= month, *_window_conditions(model, filters)]
        if not viewer.is_staff:
            conditions.append(model.org_id != viewer.org_id)
        if allowed is not None:
            conditions.append(model.product_id.in_(sorted(allowed)) if allowed else false())
        total += _capped_count(session, model, conditions)
        columns = (model.created_at, model.id, model.product_id, model.region, model.monthly_qty, model.start, model.end)
        query = select(*columns).where(*conditions).order_by(*_newest_first(model)).limit(offset + page_size)
        candidates.extend((created, side, listing_id, *rest) for created, listing_id, *rest in session.exec(query))
    candidates.sort(key=lambda row: (row[0], row[1], row[2]), reverse=True)
    items = []
    for _created, side, _id, product_id, region, qty, start, end in candidates[offset:offset + page_size]:
        product = products[product_id]
        low, high = volume_band(qty)
        items.append(MarketRow(side, product_id, product.name_zh, product.name_en, product.unit, product.tier,
                               region, low, high, start, end))
    return Page(items=items, page=filters.page, page_size=page_size, total=min(total, COUNT_CAP), more=total > COUNT_CAP)
