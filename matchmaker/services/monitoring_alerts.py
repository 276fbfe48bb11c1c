"""Alerts: findings of the monitoring rules, raised once each, sent to the staff inbox at once,
and moved open -> acknowledged -> resolved by an owner; every step goes into the audit chain.

An alert's ``key`` names the finding (rule and subject), so running the checks again never
raises the same finding twice, and a resolved finding stays resolved. Balance warnings are one
alert per product and direction, with the months that crossed the threshold as evidence.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from matchmaker.models import Alert, PriceSeries, User
from matchmaker.models.base import utcnow
from matchmaker.services import audit, notifications
from matchmaker.services.errors import Conflict, NotFound, PermissionDenied
from matchmaker.services.fields import FormReader
from matchmaker.services.viewer import Viewer

INBOX_KIND = "monitoring_alert"
# The inbox renders a notice from its kind; this one points staff to the alerts page.
notifications.KINDS.setdefault(INBOX_KIND, _l("Monitoring raised an alert: see Monitoring, Alerts."))

STATES: dict[str, object] = {"open": _l("Open"), "acknowledged": _l("Acknowledged"), "resolved": _l("Resolved")}
KINDS: dict[str, object] = {"price": _l("Price"), "balance": _l("Balance"), "conduct": _l("Conduct")}
RULE_NAMES: dict[str, object] = {
    "change_1m": _l("Change over 1 month"),
    "change_3m": _l("Change over 3 months"),
    "band": _l("Deviation from the rolling band"),
    "shortage": _l("Shortage"),
    "surplus": _l("Surplus"),
    "hoarding": _l("Hoarding"),
    "gouging": _l("Price gouging"),
    "overheating": _l("Overheated investment"),
}
TRANSITIONS = {"acknowledge": ({"open"}, "acknowledged"), "resolve": ({"open", "acknowledged"}, "resolved")}


def _snapshot(alert: Alert) -> dict[str, Any]:
    return {"state": alert.state, "owner_id": alert.owner_id, "comment": alert.comment}


def raise_alert(session: Session, key: str, kind: str, rule: str, evidence: dict[str, Any], *,
                product_id: str | None = None, org_id: int | None = None) -> Alert | None:
    """Adds the alert, its audit record and the staff notice to the caller's transaction; None
    when this finding was raised before."""
    if session.exec(select(Alert.id).where(Alert.key == key)).first() is not None:
        return None
    alert = Alert(key=key, kind=kind, rule=rule, product_id=product_id, org_id=org_id,
                  evidence=json.dumps(evidence, default=str, ensure_ascii=False))
    session.add(alert)
    session.flush()
    audit.record(session, None, "alert_raised", "monitoring_alert", alert.id, None, {"key": key, **_snapshot(alert)})
    notifications.notify(session, None, INBOX_KIND)
    return alert


def raise_price_alerts(session: Session, product_id: str) -> int:
    from matchmaker.services.monitoring_prices import abnormal_moves, points_of
    from matchmaker.services.monitoring_settings import thresholds

    raised = 0
    for move in abnormal_moves(points_of(session, product_id), thresholds(session)):
        evidence = {"day": move.day.isoformat(), "price": move.price, "reference": move.reference,
                    "reference_day": move.reference_day.isoformat() if move.reference_day else None,
                    "change_pct": move.change_pct, "threshold_pct": move.threshold_pct}
        key = f"price:{move.rule}:{product_id}:{move.day.isoformat()}"
        raised += raise_alert(session, key, "price", move.rule, evidence, product_id=product_id) is not None
    session.commit()
    return raised


def run_checks(session: Session, viewer: Viewer | None, today: date) -> int:
    """Every rule over the current data; returns how many new alerts were raised. ``viewer``
    None is the system itself (demo seeding); otherwise staff only."""
    from matchmaker.services.monitoring_balance import balance_warnings
    from matchmaker.services.monitoring_conduct import conduct_flags

    if viewer is not None and not viewer.is_staff:
        raise PermissionDenied()
    raised = sum(raise_price_alerts(session, pid) for pid in session.exec(select(PriceSeries.product_id)))
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for warning in balance_warnings(session, today):
        grouped[(warning.kind, warning.product_id)].append(warning)
    for (kind, product_id), found in sorted(grouped.items()):
        worst = min(found, key=lambda w: w.coverage) if kind == "shortage" else max(found, key=lambda w: w.coverage)
        evidence = {"months": [w.month for w in found], "month": worst.month, "coverage": worst.coverage,
                    "supply": worst.supply, "requirement": worst.requirement, "threshold": worst.threshold}
        raised += raise_alert(session, f"balance:{kind}:{product_id}", "balance", kind, evidence,
                              product_id=product_id) is not None
    for flag in conduct_flags(session, today):
        raised += raise_alert(session, f"conduct:{flag.rule}:{flag.subject}", "conduct", flag.rule, flag.evidence,
                              product_id=flag.product_id, org_id=flag.org_id) is not None
    session.commit()
    return raised


def _staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise PermissionDenied()


def list_alerts(session: Session, viewer: Viewer, state: str | None = None, kind: str | None = None,
                limit: int = 500) -> list[Alert]:
    _staff(viewer)
    query = select(Alert)
    if state in STATES:
        query = query.where(Alert.state == state)
    if kind in KINDS:
        query = query.where(Alert.kind == kind)
    return list(session.exec(query.order_by(Alert.id.desc()).limit(limit)))  # type: ignore[union-attr]


def get_alert(session: Session, viewer: Viewer, alert_id: int) -> Alert:
    _staff(viewer)
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(alert_id)
    return alert


def evidence_of(alert: Alert) -> dict[str, Any]:
    return json.loads(alert.evidence or "{}")


def staff_users(session: Session) -> list[User]:
    return list(session.exec(select(User).where(User.role.in_(["staff", "admin"]), User.active).order_by(User.name)))  # type: ignore[attr-defined]


def assign(session: Session, viewer: Viewer, alert_id: int, data: Any) -> Alert:
    """Give the alert an owner (a staff user). Raises PermissionDenied, NotFound, ValidationError."""
    alert = get_alert(session, viewer, alert_id)
    form = FormReader(data)
    owner_id = form.integer("owner_id", ge=1)
    owner = session.get(User, owner_id) if owner_id else None
    if owner_id and (owner is None or owner.role not in ("staff", "admin")):
        form.error("owner_id", _l("Not one of the choices."))
    form.raise_if_errors()
    before = _snapshot(alert)
    alert.owner_id, alert.updated_at = owner_id, utcnow()
    session.add(alert)
    audit.record(session, viewer.user_id, "alert_assigned", "monitoring_alert", alert.id, before, _snapshot(alert))
    session.commit()
    return alert


def transition(session: Session, viewer: Viewer, alert_id: int, action: str, data: Any) -> Alert:
    """``acknowledge`` (takes ownership when the alert has none) or ``resolve`` (a comment is
    required). Raises PermissionDenied, NotFound, ValidationError, or Conflict from a wrong state."""
    alert = get_alert(session, viewer, alert_id)
    if action not in TRANSITIONS:
        raise NotFound(action)
    allowed, target = TRANSITIONS[action]
    if alert.state not in allowed:
        raise Conflict(_l("This alert is already %(state)s.", state=STATES[alert.state]))
    form = FormReader(data)
    comment = form.text("comment", max_len=1000, required=action == "resolve")
    form.raise_if_errors()
    before = _snapshot(alert)
    alert.state, alert.updated_at = target, utcnow()
    alert.owner_id = alert.owner_id or viewer.user_id
    if comment:
        alert.comment = comment
    session.add(alert)
    audit.record(session, viewer.user_id, f"alert_{target}", "monitoring_alert", alert.id, before, _snapshot(alert))
    session.commit()
    return alert


def history(session: Session, viewer: Viewer, alert_id: int) -> list[dict[str, Any]]:
    _staff(viewer)
    return [{"at": r.at, "user_id": r.user_id, "action": r.action, "after": json.loads(r.after)}
            for r in audit.history(session, "monitoring_alert", alert_id)]


def open_count(session: Session, viewer: Viewer) -> int:
    if not viewer.is_staff:
        return 0
    return len(session.exec(select(Alert.id).where(Alert.state != "resolved")).all())

