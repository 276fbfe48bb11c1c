"""API of monitoring: reference price series, alerts and the rules' thresholds for association
staff, bulletins for every member. The same services as the pages, so the same rules: price pages are staff only
(they set reference prices beside platform contract prices), bulletins are published to all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from matchmaker.api import bp, schemas_staff
from matchmaker.api.auth import api_viewer
from matchmaker.api.body import form_values, json_body
from matchmaker.api.errors import BadRequest, api_error
from matchmaker.api.openapi import operation
from matchmaker.db import get_session
from matchmaker.i18n import current_language, product_name
from matchmaker.models import Alert, Bulletin, Organisation, User
from matchmaker.services import catalog
from matchmaker.services import monitoring_alerts as alerts
from matchmaker.services import monitoring_bulletins as bulletins
from matchmaker.services import monitoring_prices as prices
from matchmaker.services.errors import PermissionDenied, ValidationError
from matchmaker.services.monitoring_settings import save_thresholds, thresholds
from matchmaker.web.monitoring_text import describe
from matchmaker.web.users import today

DATE = {"type": "string", "format": "date"}
POINT_QUERY = (("from", DATE), ("to", DATE))
ALERT_QUERY = (("state", {"type": "string", "enum": list(alerts.STATES)}),
               ("kind", {"type": "string", "enum": list(alerts.KINDS)}))


def require_staff() -> None:
    """Before reading a staff-only body: a member gets 403, not a 422 about the body."""
    if not api_viewer().is_staff:
        raise PermissionDenied()


def _day(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: _l("Enter the date as YYYY-MM-DD.")}) from None


def _choice(name: str, choices: dict[str, object]) -> str | None:
    value = request.args.get(name) or None
    if value is not None and value not in choices:
        raise ValidationError({name: _l("Not one of the choices.")})
    return value


# Reference prices ---------------------------------------------------------------------------


@bp.get("/prices")
@operation(_l("Reference price series with their extent and latest price (staff)"),
           response=schemas_staff.PriceSeriesList, errors=(403,))
def price_series():  # type: ignore[no-untyped-def]
    db = get_session()
    units = {p.id: p.unit for p in catalog.list_products(db)}
    items = [{
        "product_id": s.product_id, "unit": units.get(s.product_id, ""), "source": s.source, "points": len(points),
        "first_day": points[0].day.isoformat() if points else None,
        "last_day": points[-1].day.isoformat() if points else None,
        "latest_price": points[-1].price if points else None,
    } for s, points in prices.list_series(db, api_viewer())]
    return jsonify({"items": items})


@bp.get("/prices/<product_id>")
@operation(_l("A product's reference price points, abnormal moves and platform contract prices (staff); "
              "from and to (YYYY-MM-DD) limit the days"), response=schemas_staff.PriceSeriesDetail,
           query=POINT_QUERY, errors=(403, 404, 422))
def price_points(product_id: str):  # type: ignore[no-untyped-def]
    view = prices.read_series(get_session(), api_viewer(), product_id, _day("from"), _day("to"))
    return jsonify({
        "product_id": view.product.id, "unit": view.product.unit, "source": view.source,
        "points": [{"day": p.day.isoformat(), "price": p.price, "note": p.note} for p in view.points],
        "moves": [{"rule": m.rule, "rule_name": str(alerts.RULE_NAMES[m.rule]), "day": m.day.isoformat(),
                   "price": m.price, "reference": m.reference, "change_pct": m.change_pct,
                   "reference_day": m.reference_day.isoformat() if m.reference_day else None,
                   "threshold_pct": m.threshold_pct} for m in view.moves],
        "contract_prices": [{"month": month, "price": price} for month, price in view.contract_prices],
    })


@bp.post("/prices/<product_id>/points")
@operation(_l("Add a reference price point (staff); a second point on the same day replaces the first"),
           body=schemas_staff.PricePointIn, response=schemas_staff.PricePointOut, status=201, errors=(404, 422))
def price_point_add(product_id: str):  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.PricePointIn)
    prices.add_point(get_session(), api_viewer(), product_id, form_values(body))
    response = jsonify({"day": body.day.isoformat(), "price": body.price, "note": body.note.strip()})
    response.status_code = 201
    return response


@bp.post("/prices/<product_id>/import")
@operation(_l("Import reference price points from CSV (date,price,note; staff): all rows or none"),
           response=schemas_staff.PriceImportResult, status=201, upload=True, errors=(404, 422))
def price_import(product_id: str):  # type: ignore[no-untyped-def]
    """A UTF-8 CSV as multipart field ``file``, or as the raw body."""
    require_staff()
    sent = request.files.get("file")
    content = sent.read(prices.MAX_IMPORT_BYTES + 1) if sent else request.get_data()
    if not content:
        raise BadRequest("file", _l("Choose a CSV file."))
    try:
        count = prices.import_csv(get_session(), api_viewer(), product_id, content)
    except ValidationError as error:
        problem = error.errors.get("file")
        if not isinstance(problem, list):
            raise
        lines = [str(p) for p in problem]  # one line per refused row
        return api_error(422, lines[0], "file", fields={"file": "\n".join(lines)})
    response = jsonify({"product_id": product_id, "imported": count})
    response.status_code = 201
    return response


# Alerts -------------------------------------------------------------------------------------


def alert_json(alert: Alert, names: dict[str, str]) -> dict[str, Any]:
    db = get_session()
    evidence = alerts.evidence_of(alert)
    owner = db.get(User, alert.owner_id) if alert.owner_id else None
    org = db.get(Organisation, alert.org_id) if alert.org_id else None
    return {
        "id": alert.id, "kind": alert.kind, "rule": alert.rule, "rule_name": str(alerts.RULE_NAMES.get(alert.rule, alert.rule)),
        "description": describe(alert.rule, evidence, names), "product_id": alert.product_id, "org_id": alert.org_id,
        "org": org.name if org else None, "state": alert.state, "owner_id": alert.owner_id,
        "owner": owner.name if owner else None, "comment": alert.comment, "evidence": evidence,
        "created_at": alert.created_at.isoformat(), "updated_at": alert.updated_at.isoformat(),
    }


def _product_names() -> dict[str, str]:
    return {p.id: product_name(p) for p in catalog.list_products(get_session())}


def _alert_detail(alert_id: int) -> dict[str, Any]:
    db, viewer = get_session(), api_viewer()
    data = alert_json(alerts.get_alert(db, viewer, alert_id), _product_names())
    steps = alerts.history(db, viewer, alert_id)
    users = {u.id: u.name for u in db.exec(select(User).where(User.id.in_({s["user_id"] for s in steps} or {0})))}  # type: ignore[union-attr]
    data["history"] = [{
        "at": s["at"].isoformat(), "user_id": s["user_id"], "user": users.get(s["user_id"]), "action": s["action"],
        "state": s["after"].get("state"), "owner_id": s["after"].get("owner_id"), "comment": s["after"].get("comment"),
    } for s in steps]
    return data


@bp.get("/alerts")
@operation(_l("Monitoring alerts, newest first (staff); filter by state and kind"),
           response=schemas_staff.AlertList, query=ALERT_QUERY, errors=(403, 422))
def alert_list():  # type: ignore[no-untyped-def]
    state, kind = _choice("state", alerts.STATES), _choice("kind", alerts.KINDS)
    rows = alerts.list_alerts(get_session(), api_viewer(), state, kind)
    names = _product_names()
    return jsonify({"items": [alert_json(row, names) for row in rows]})


@bp.get("/alerts/<id:alert_id>")
@operation(_l("One alert with its evidence and history (staff)"), response=schemas_staff.AlertDetail,
           errors=(403, 404))
def alert_show(alert_id: int):  # type: ignore[no-untyped-def]
    return jsonify(_alert_detail(alert_id))


@bp.post("/alerts/<id:alert_id>/owner")
@operation(_l("Give an alert an owner (staff); without owner_id the caller takes it"),
           body=schemas_staff.AlertOwnerIn, body_required=False, response=schemas_staff.AlertDetail,
           errors=(404, 422))
def alert_owner(alert_id: int):  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.AlertOwnerIn, required=False)
    owner_id = body.owner_id or api_viewer().user_id
    alerts.assign(get_session(), api_viewer(), alert_id, {"owner_id": str(owner_id)})
    return jsonify(_alert_detail(alert_id))


@bp.post("/alerts/<id:alert_id>/<any(acknowledge, resolve):step>")
@operation(_l("Acknowledge an alert (taking it when it has no owner) or resolve it with a comment (staff)"),
           body=schemas_staff.AlertStepIn, body_required=False, response=schemas_staff.AlertDetail,
           errors=(404, 409, 422))
def alert_step(alert_id: int, step: str):  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.AlertStepIn, required=False)
    alerts.transition(get_session(), api_viewer(), alert_id, step, form_values(body))
    return jsonify(_alert_detail(alert_id))


@bp.post("/alerts/check")
@operation(_l("Run every monitoring rule now (staff); new findings become alerts"), response=schemas_staff.ChecksRun)
def alert_checks():  # type: ignore[no-untyped-def]
    return jsonify({"raised": alerts.run_checks(get_session(), api_viewer(), today())})


@bp.get("/thresholds")
@operation(_l("The thresholds of the monitoring rules (staff)"), response=schemas_staff.Thresholds, errors=(403,))
def threshold_values():  # type: ignore[no-untyped-def]
    require_staff()
    return jsonify(thresholds(get_session()))


@bp.patch("/thresholds")
@operation(_l("Change thresholds of the monitoring rules (staff): only the values sent change; each change is audited"),
           body=schemas_staff.ThresholdsPatch, response=schemas_staff.Thresholds, errors=(422,))
def threshold_update():  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.ThresholdsPatch)
    db = get_session()
    form = {key: repr(value) for key, value in thresholds(db).items()}
    form.update({name: repr(getattr(body, name)) for name in body.model_fields_set if getattr(body, name) is not None})
    return jsonify(save_thresholds(db, api_viewer(), form))


# Bulletins ----------------------------------------------------------------------------------


def bulletin_json(b: Bulletin) -> dict[str, Any]:
    zh = current_language().startswith("zh")
    return {"id": b.id, "title": b.title_zh if zh else b.title_en, "body": b.body_zh if zh else b.body_en,
            "title_zh": b.title_zh, "title_en": b.title_en, "body_zh": b.body_zh, "body_en": b.body_en,
            "published_at": b.published_at.isoformat()}


@bp.get("/bulletins")
@operation(_l("Bulletins to the industry, newest first"), response=schemas_staff.BulletinList)
def bulletin_list():  # type: ignore[no-untyped-def]
    return jsonify({"items": [bulletin_json(b) for b in bulletins.list_bulletins(get_session())]})


@bp.get("/bulletins/<id:bulletin_id>")
@operation(_l("One bulletin"), response=schemas_staff.BulletinOut, errors=(404,))
def bulletin_show(bulletin_id: int):  # type: ignore[no-untyped-def]
    return jsonify(bulletin_json(bulletins.get_bulletin(get_session(), bulletin_id)))


@bp.post("/bulletins")
@operation(_l("Publish a bulletin in both languages (staff)"), body=schemas_staff.BulletinIn,
           response=schemas_staff.BulletinOut, status=201, errors=(422,))
def bulletin_publish():  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.BulletinIn)
    response = jsonify(bulletin_json(bulletins.publish(get_session(), api_viewer(), form_values(body))))
    response.status_code = 201
    return response
