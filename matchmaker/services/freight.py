"""Freight settings staff keep: the rate per tonne-km and per-tonne figures for particular lanes.

Every change is audited like the monitoring thresholds (``services.monitoring_settings``): one
record per changed value, written in the change's own transaction. What the settings mean, and
how a lane is priced without an override, is ``matchmaker.freight``; docs/freight.md explains it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from matchmaker.freight import DEFAULT_RATE_CNY_PER_TONNE_KM, FreightRates, lane, road_km
from matchmaker.models import FreightOverride, FreightSetting, Product
from matchmaker.models.base import utcnow
from matchmaker.regions import PROVINCES
from matchmaker.services import audit
from matchmaker.services.capacity import begin_immediate
from matchmaker.services.errors import Conflict, NotFound, PermissionDenied
from matchmaker.services.fields import FormReader
from matchmaker.services.viewer import Viewer

RATE_KEY = "rate"
# Bounds that catch a slipped decimal point without judging the market: road haulage costs
# tenths of a yuan per tonne-km, and no lane within China costs 20,000 CNY per tonne.
MAX_RATE = 20.0
MAX_PER_TONNE = 20_000.0
NOTE_MAX = 200


@dataclass(frozen=True)
class LaneView:
    """An override as the staff page shows it, beside what the distance alone would give."""

    override: FreightOverride
    road_km: float
    computed_per_tonne: float


def current_rates(session: Session) -> FreightRates:
    """The rate and overrides now in force; the default rate when staff never set one."""
    setting = session.get(FreightSetting, RATE_KEY)
    rate = setting.value if setting is not None else DEFAULT_RATE_CNY_PER_TONNE_KM
    overrides = {(o.region_a, o.region_b): o.cny_per_tonne for o in session.exec(select(FreightOverride))}
    return FreightRates(rate=rate, overrides=overrides)


def list_overrides(session: Session) -> list[LaneView]:
    rates = current_rates(session)
    rows = session.exec(select(FreightOverride).order_by(FreightOverride.region_a, FreightOverride.region_b))
    return [LaneView(row, road_km(row.region_a, row.region_b), road_km(row.region_a, row.region_b) * rates.rate)
            for row in rows]


def products_without_weight(session: Session) -> list[Product]:
    """Products with no tonnes per unit: freight is not charged on them (see docs/freight.md)."""
    query = select(Product).where(Product.tonnes_per_unit.is_(None)).order_by(Product.id)  # type: ignore[union-attr]
    return list(session.exec(query))


def _require_staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise PermissionDenied()


def save_rate(session: Session, viewer: Viewer, data: Mapping[str, Any]) -> float:
    """Sets the rate (field ``rate``, CNY per tonne-km); audited when it changes.
    Raises PermissionDenied or ValidationError."""
    _require_staff(viewer)
    form = FormReader(data)
    rate = form.number(RATE_KEY, ge=0, le=MAX_RATE)
    form.raise_if_errors()
    assert rate is not None
    begin_immediate(session)  # the audit chain is appended to under the write lock
    before = current_rates(session).rate
    if rate != before:
        row = session.get(FreightSetting, RATE_KEY) or FreightSetting(key=RATE_KEY, value=rate)
        row.value, row.updated_at, row.updated_by = rate, utcnow(), viewer.user_id
        session.add(row)
        audit.record(session, viewer.user_id, "freight_rate_set", "freight_setting", None,
                     {RATE_KEY: before}, {RATE_KEY: rate})
    session.commit()
    return rate


def save_override(session: Session, viewer: Viewer, data: Mapping[str, Any]) -> FreightOverride:
    """Sets the freight of a lane (fields ``region_a``, ``region_b``, ``cny_per_tonne``, ``note``),
    both directions; replaces the lane's earlier figure. Audited when anything changes.
    Raises PermissionDenied, ValidationError or Conflict (the lane was saved at the same moment)."""
    _require_staff(viewer)
    form = FormReader(data)
    a = form.choice("region_a", PROVINCES, _l("Choose a province."))
    b = form.choice("region_b", PROVINCES, _l("Choose a province."))
    cost = form.number("cny_per_tonne", ge=0, le=MAX_PER_TONNE)
    note = form.text("note", max_len=NOTE_MAX, required=False)
    form.raise_if_errors()
    assert cost is not None
    a, b = lane(a, b)
    begin_immediate(session)
    row = session.exec(select(FreightOverride).where(FreightOverride.region_a == a, FreightOverride.region_b == b)).first()
    before = None if row is None else _summary(row)
    if row is None:
        row = FreightOverride(region_a=a, region_b=b, cny_per_tonne=cost)
    elif (row.cny_per_tonne, row.note) == (cost, note):
        session.commit()
        return row
    row.cny_per_tonne, row.note, row.updated_at, row.updated_by = cost, note, utcnow(), viewer.user_id
    session.add(row)
    try:
        session.flush()
        audit.record(session, viewer.user_id, "freight_override_set", "freight_override", row.id, before, _summary(row))
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(_l("This lane was saved by someone else at the same moment; reload the page.")) from None
    return row


def remove_override(session: Session, viewer: Viewer, override_id: int) -> None:
    """Removes a lane's figure: the lane is priced by distance again. Audited.
    Raises PermissionDenied or NotFound."""
    _require_staff(viewer)
    begin_immediate(session)
    row = session.get(FreightOverride, override_id)
    if row is None:
        session.rollback()
        raise NotFound(override_id)
    audit.record(session, viewer.user_id, "freight_override_removed", "freight_override", row.id, _summary(row), None)
    session.delete(row)
    session.commit()


def _summary(row: FreightOverride) -> dict[str, object]:
    return {"region_a": row.region_a, "region_b": row.region_b, "cny_per_tonne": row.cny_per_tonne, "note": row.note}
