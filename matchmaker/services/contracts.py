"""Reading contracts: parties see their own, staff see all; CSV export of the schedules.

Both parties of a contract see all of its price terms, both legs included (see
``contract_terms`` for why that does not break the rule that members never see each other's
prices); nobody else sees the contract at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from sqlalchemy import or_
from sqlmodel import Session, select

from matchmaker.models import Contract, Organisation, Product, ScheduleLine
from matchmaker.services.contract_terms import (
    LEG_COLUMNS,
    MonthPrice,
    index_history,
    indices,
    monthly_prices,
)
from matchmaker.services.errors import NotFound
from matchmaker.services.viewer import Viewer

LEG_HEADER = ["basis", "price_cny", "index", "adjustment", "adjustment_kind", "floor_cny", "ceiling_cny"]
# ``qty`` is in the product's ``unit``; every ``*_cny`` column is CNY per that unit.
CSV_HEADER = ["contract", "supplier", "buyer", "product", "unit", "origin_region", "delivery_region", "delivery_terms",
              "price_basis", "unit_price_at_signing_cny", "freight_cny", "premium_cny",
              *(f"ask_{name}" for name in LEG_HEADER), *(f"bid_{name}" for name in LEG_HEADER),
              "month", "qty", "month_price_cny", "month_price_kind"]


def _visible(viewer: Viewer):  # type: ignore[no-untyped-def]
    if viewer.is_staff:
        return True
    return or_(Contract.supplier_org_id == viewer.org_id, Contract.buyer_org_id == viewer.org_id)


def list_contracts(session: Session, viewer: Viewer) -> list[Contract]:
    return list(session.exec(select(Contract).where(_visible(viewer)).order_by(Contract.id.desc())))  # type: ignore[union-attr]


def get_contract(session: Session, viewer: Viewer, contract_id: int) -> Contract:
    """Raises NotFound for another organisation's contract."""
    contract = session.get(Contract, contract_id)
    if contract is None or not (viewer.is_staff or viewer.org_id in (contract.supplier_org_id, contract.buyer_org_id)):
        raise NotFound(contract_id)
    return contract


def schedule(session: Session, contract_id: int) -> list[ScheduleLine]:
    return list(session.exec(select(ScheduleLine).where(ScheduleLine.contract_id == contract_id)
                             .order_by(ScheduleLine.month)))


def org_names(session: Session, contracts: list[Contract]) -> dict[int, str]:
    ids = {c.supplier_org_id for c in contracts} | {c.buyer_org_id for c in contracts}
    if not ids:
        return {}
    return {o.id: o.name for o in session.exec(select(Organisation).where(Organisation.id.in_(ids)))}  # type: ignore[union-attr, misc]


def product_units(session: Session, contracts: list[Contract]) -> dict[str, str]:
    """Product id -> its unit, for the products of ``contracts``."""
    ids = {c.product_id for c in contracts}
    if not ids:
        return {}
    return {p.id: p.unit for p in session.exec(select(Product).where(Product.id.in_(ids)))}  # type: ignore[attr-defined, misc]


def month_prices(session: Session, contract: Contract, configured: Mapping[str, float] | None = None) -> list[MonthPrice]:
    """The schedule with each month's unit price (``contract_terms.monthly_prices``)."""
    history = index_history(session, indices(contract), configured or {})
    return monthly_prices(contract, schedule(session, contract.id), history)  # type: ignore[arg-type]


def contracts_csv(
    session: Session, viewer: Viewer, contract_id: int | None = None, configured: Mapping[str, float] | None = None
) -> str:
    """One row per schedule line of the viewer's contracts (or of one contract), with the price
    terms and each month's price; ``configured``: index values set in the configuration."""
    contracts = [get_contract(session, viewer, contract_id)] if contract_id else list_contracts(session, viewer)
    names = org_names(session, contracts)
    units = product_units(session, contracts)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for c in contracts:
        terms = [c.id, names.get(c.supplier_org_id, ""), names.get(c.buyer_org_id, ""), c.product_id,
                 units.get(c.product_id, ""), c.origin_region, c.delivery_region, c.delivery_terms, c.price_basis, f"{c.unit_price:.2f}",
                 _opt(c.freight), _opt(c.premium)]
        for side in ("ask", "bid"):
            terms += [_opt(getattr(c, f"{side}_{suffix}")) for suffix in LEG_COLUMNS.values()]
        for line in month_prices(session, c, configured):
            price = "" if line.price is None else f"{line.price:.2f}"
            writer.writerow([*terms, line.month, f"{line.qty:g}", price, line.kind])
    return out.getvalue()


def _opt(value: float | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else f"{value:g}"
