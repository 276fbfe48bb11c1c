"""Thresholds of the monitoring rules: defaults here, staff overrides in ``monitoring_threshold``.

Every rule reads its numbers through ``thresholds()``, so what staff set is what fires; the rules
and their defaults are documented in docs/monitoring.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from matchmaker.models import MonitoringThreshold
from matchmaker.models.base import utcnow
from matchmaker.services import audit
from matchmaker.services.errors import PermissionDenied
from matchmaker.services.fields import FormReader
from matchmaker.services.viewer import Viewer


@dataclass(frozen=True)
class Setting:
    key: str
    default: float
    label: object
    low: float
    high: float


SETTINGS: tuple[Setting, ...] = (
    Setting("change_1m_pct", 15.0, _l("Price change over 1 month beyond (%)"), 1, 1000),
    Setting("change_3m_pct", 30.0, _l("Price change over 3 months beyond (%)"), 1, 1000),
    Setting("band_months", 6.0, _l("Rolling band: months averaged"), 2, 24),
    Setting("band_pct", 40.0, _l("Rolling band: deviation from the average beyond (%)"), 1, 1000),
    Setting("shortage_coverage", 0.9, _l("Shortage when supply covers less than this share of requirement"), 0.01, 1),
    Setting("surplus_coverage", 1.5, _l("Surplus when supply exceeds requirement by this factor"), 1, 100),
    Setting("hoarding_margin_pct", 20.0, _l("Hoarding: demand beyond usable input by more than (%)"), 0, 1000),
    Setting("gouging_band_pct", 25.0, _l("Gouging: ask above the reference price by more than (%)"), 0, 1000),
    Setting("overheating_pct", 50.0, _l("Overheating: capacity growth beyond requirement growth by (percentage points)"), 1, 10000),
)
BY_KEY = {s.key: s for s in SETTINGS}


def thresholds(session: Session) -> dict[str, float]:
    values = {s.key: s.default for s in SETTINGS}
    for row in session.exec(select(MonitoringThreshold)):
        if row.key in values:
            values[row.key] = row.value
    return values


def save_thresholds(session: Session, viewer: Viewer, data: Mapping[str, Any]) -> dict[str, float]:
    """Staff only; every changed value is audited. Raises PermissionDenied or ValidationError."""
    if not viewer.is_staff:
        raise PermissionDenied()
    form = FormReader(data)
    wanted: dict[str, float] = {}
    for s in SETTINGS:
        value = form.number(s.key, ge=s.low, le=s.high)
        if value is not None:
            wanted[s.key] = value
    if wanted.get("band_months", 6) != int(wanted.get("band_months", 6)):
        form.error("band_months", _l("Enter a whole number."))
    form.raise_if_errors()
    before = thresholds(session)
    for key, value in wanted.items():
        if before[key] == value:
            continue
        row = session.get(MonitoringThreshold, key) or MonitoringThreshold(key=key, value=value)
        row.value, row.updated_at, row.updated_by = value, utcnow(), viewer.user_id
        session.add(row)
        audit.record(session, viewer.user_id, "threshold_set", "monitoring_threshold", None,
                     {key: before[key]}, {key: value})
    session.commit()
    return thresholds(session)
