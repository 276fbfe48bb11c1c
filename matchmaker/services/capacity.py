"""Remaining capacity and demand per month, and the locks under which it is re-checked.

Remaining = declared ``monthly_qty`` minus what contracts already schedule in that month. Any
action that could promise volume (approve, accept, reduce) first takes ``lock_listings``: an
immediate transaction on SQLite, ``SELECT ... FOR UPDATE`` on the offer and demand rows on
PostgreSQL (always offer before demand, so two acceptances cannot deadlock).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from matchmaker.models import Contract, Demand, Offer, ScheduleLine

EPSILON = 1e-6


def begin_immediate(session: Session) -> None:
    """On SQLite, take the write lock now, before reading what the write depends on.

    Raises RuntimeError when the session has already written in this transaction: the check
    would then not be atomic with those writes.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_immediate after unflushed writes")
    connection = session.connection()
    raw: Any = connection.connection.dbapi_connection
    if raw.in_transaction:
        raise RuntimeError("begin_immediate inside a write transaction")
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_listings(session: Session, offer_id: int, demand_id: int) -> tuple[Offer, Demand]:
    """The offer and demand, freshly read and locked until the session commits or rolls back."""
    begin_immediate(session)
    offer = session.exec(
        select(Offer).where(Offer.id == offer_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    demand = session.exec(
        select(Demand).where(Demand.id == demand_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    return offer, demand


def contracted_by_month(session: Session, side: str, listing_ids: list[int] | None = None) -> dict[int, dict[str, float]]:
    """listing id -> month -> quantity already contracted; ``side`` is ``offer`` or ``demand``."""
    column = Contract.offer_id if side == "offer" else Contract.demand_id
    query = (
        select(column, ScheduleLine.month, func.sum(ScheduleLine.qty))
        .join(Contract, Contract.id == ScheduleLine.contract_id)  # type: ignore[arg-type]
        .group_by(column, ScheduleLine.month)
    )
    if listing_ids is not None:
        query = query.where(column.in_(listing_ids))  # type: ignore[attr-defined]
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for listing_id, month, qty in session.exec(query):  # type: ignore[call-overload]
        out[listing_id][month] = float(qty)
    return out


def remaining_by_month(session: Session, side: str, listing: Offer | Demand) -> dict[str, float]:
    """Only months with contracted volume appear; every other month has all of ``monthly_qty``."""
    used = contracted_by_month(session, side, [listing.id]).get(listing.id, {})  # type: ignore[list-item, arg-type]
    return {month: max(0.0, listing.monthly_qty - qty) for month, qty in used.items()}


def shortfall(session: Session, side: str, listing: Offer | Demand, qty: float, months: list[str]) -> str | None:
    """The first month in which ``qty`` more does not fit, with what is left, or None."""
    left = remaining_by_month(session, side, listing)
    for month in months:
        free = left.get(month, listing.monthly_qty)
        if qty > free + EPSILON:
            return f"{month}: {free:g}"
    return None
