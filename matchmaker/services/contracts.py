"""Reading contracts: parties see their own, staff see all; CSV export of the schedules."""

from __future__ import annotations

import csv
import io

from sqlalchemy import or_
from sqlmodel import Session, select

from matchmaker.models import Contract, Organisation, ScheduleLine
from matchmaker.services.errors import NotFound
from matchmaker.services.viewer import Viewer

CSV_HEADER = ["contract", "supplier", "buyer", "product", "origin_region", "delivery_region", "delivery_terms",
              "price_basis", "unit_price_cny", "index", "index_adjustment", "index_adjustment_kind",
              "price_floor", "price_ceiling", "premium_cny", "month", "qty"]


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


def contracts_csv(session: Session, viewer: Viewer, contract_id: int | None = None) -> str:
    """One row per schedule line of the viewer's contracts (or of one contract)."""
    contracts = [get_contract(session, viewer, contract_id)] if contract_id else list_contracts(session, viewer)
    names = org_names(session, contracts)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for c in contracts:
        for line in schedule(session, c.id):  # type: ignore[arg-type]
            writer.writerow([c.id, names.get(c.supplier_org_id, ""), names.get(c.buyer_org_id, ""), c.product_id,
                             c.origin_region, c.delivery_region, c.delivery_terms, c.price_basis,
                             f"{c.unit_price:.2f}", c.index_name or "", _opt(c.index_adjustment),
                             c.index_adjustment_kind or "", _opt(c.price_floor), _opt(c.price_ceiling),
                             _opt(c.premium), line.month, f"{line.qty:g}"])
    return out.getvalue()


def _opt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
