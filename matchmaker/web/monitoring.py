"""Staff monitoring pages: dashboard, balance (national and by province), prices, conduct flags,
alerts and thresholds. Every page is staff only: they show other organisations' prices."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from sqlmodel import select

from matchmaker.db import get_session
from matchmaker.i18n import fmt_month, fmt_number, product_name
from matchmaker.models import Organisation, Product, User
from matchmaker.regions import PROVINCES
from matchmaker.services import catalog
from matchmaker.services import monitoring_alerts as alerts
from matchmaker.services import monitoring_balance as balance_service
from matchmaker.services import monitoring_prices as prices
from matchmaker.services.errors import ValidationError
from matchmaker.services.monitoring_conduct import conduct_flags
from matchmaker.services.monitoring_settings import SETTINGS, save_thresholds, thresholds
from matchmaker.web.monitoring_svg import Chart, Line, Marker, render, sparse_ticks
from matchmaker.web.monitoring_text import describe
from matchmaker.web.users import staff_required, today, viewer

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


def _products() -> dict[str, Product]:
    return {p.id: p for p in catalog.list_products(get_session())}


def _names(products: dict[str, Product]) -> dict[str, str]:
    return {pid: product_name(p) for pid, p in products.items()}


def _org_names(ids: set[int]) -> dict[int, str]:
    db = get_session()
    return {oid: org.name for oid in ids if (org := db.get(Organisation, oid))}


@bp.app_context_processor
def monitoring_counts() -> dict[str, object]:
    def open_alerts() -> int:
        from flask_login import current_user

        if not current_user.is_authenticated or not current_user.is_staff:
            return 0
        return alerts.open_count(get_session(), viewer())

    return {"monitoring_open_alerts": open_alerts}


@bp.get("/")
@staff_required
def dashboard():  # type: ignore[no-untyped-def]
    db = get_session()
    products = _products()
    months, cells = balance_service.balance(db, today())
    limits = thresholds(db)
    warnings = balance_service.warnings(cells, limits)
    latest = alerts.list_alerts(db, viewer(), limit=8)
    return render_template(
        "monitoring/dashboard.html", products=products, months=months, cells=cells, limits=limits,
        warnings=warnings, alerts=latest, describe=_describer(products), price_chart=_price_chart("lithium-carbonate"),
        open_alerts=alerts.open_count(db, viewer()), rule_names=alerts.RULE_NAMES, states=alerts.STATES,
    )


def _describer(products: dict[str, Product]):  # type: ignore[no-untyped-def]
    names = _names(products)
    return lambda alert: describe(alert.rule, alerts.evidence_of(alert), names)


@bp.get("/balance")
@staff_required
def balance():  # type: ignore[no-untyped-def]
    """``?region=`` one province; ``?format=csv`` the table as CSV."""
    db = get_session()
    region = request.args.get("region") or None
    region = region if region in PROVINCES else None
    products = _products()
    months, cells = balance_service.balance(db, today(), region)
    if request.args.get("format") == "csv":
        text = balance_service.balance_csv(months, cells, list(products))
        name = f"balance-{region or 'china'}-{months[0]}.csv"
        return Response("\ufeff" + text, mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}"})
    limits = thresholds(db)
    return render_template("monitoring/balance.html", products=products, months=months, cells=cells, limits=limits,
                           region=region, regions=balance_service.regions_with_activity(db),
                           warnings=balance_service.warnings(cells, limits, region))


@bp.get("/balance/<product_id>")
@staff_required
def balance_product(product_id: str):  # type: ignore[no-untyped-def]
    db = get_session()
    product = catalog.get_product(db, product_id)
    region = request.args.get("region") or None
    region = region if region in PROVINCES else None
    months, cells = balance_service.balance(db, today(), region)
    rows = [cells.get((product_id, m)) or balance_service.Cell(product_id, m) for m in months]
    x = list(range(len(months)))
    chart = Chart(
        title=_("Balance of %(product)s", product=product_name(product)),
        lines=[Line(_("Supply (offers and projects)"), "supply", [(i, r.supply) for i, r in zip(x, rows, strict=True)]),
               Line(_("Requirement"), "requirement", [(i, r.requirement) for i, r in zip(x, rows, strict=True)]),
               Line(_("Derived demand"), "derived", [(i, r.derived) for i, r in zip(x, rows, strict=True)]),
               Line(_("Contracted"), "contracted", [(i, r.contracted) for i, r in zip(x, rows, strict=True)])],
        x_ticks=sparse_ticks([(i, fmt_month(m)) for i, m in zip(x, months, strict=True)], 6),
        y_format=lambda v: fmt_number(v, 0),
    )
    products = _products()
    return render_template("monitoring/balance_product.html", product=product, rows=rows, chart=render(chart),
                           limits=thresholds(db), region=region, names=_names(products),
                           bom=catalog.bom_of(db, product_id))


def _configured_index() -> dict[str, float]:
    """Index values set in the configuration: the contract pages price index-linked months with them too."""
    return current_app.config.get("PRICE_INDEX_VALUES") or {}


def _price_chart(product_id: str) -> Markup:
    db = get_session()
    points = prices.points_of(db, product_id)
    if not points:
        return Markup("")
    moves = prices.abnormal_moves(points, thresholds(db))
    contract = prices.contract_prices(db, product_id, _configured_index())
    origin = points[0].day.toordinal()
    years = sorted({p.day.year for p in points} | {int(m[:4]) for m, _ in contract})
    ticks = [(date(y, 1, 1).toordinal() - origin, str(y)) for y in years if date(y, 1, 1) >= points[0].day]
    lines = [Line(_("Reference price"), "reference", [(p.day.toordinal() - origin, p.price) for p in points], dots=True)]
    if contract:
        lines.append(Line(_("Platform contracts"), "contracts",
                          [(date(int(m[:4]), int(m[5:]), 15).toordinal() - origin, v) for m, v in contract], dots=True))
    markers = [Marker(m.day.toordinal() - origin, m.price, f"{m.day.isoformat()}: {alerts.RULE_NAMES[m.rule]} "
                      f"{m.change_pct:+.1f}%") for m in moves]
    product = get_session().get(Product, product_id)
    chart = Chart(_("Price of %(product)s (CNY per unit)", product=product_name(product)), lines, ticks, markers,
                  y_format=lambda v: fmt_number(v, 0))
    return render(chart)


@bp.get("/prices")
@staff_required
def price_index(errors: dict | None = None, form: dict | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    db = get_session()
    products = _products()
    product_id = request.args.get("product") or request.view_args.get("product_id") or "lithium-carbonate"  # type: ignore[union-attr]
    product_id = product_id if product_id in products else next(iter(products), "")
    points = prices.points_of(db, product_id)
    return render_template(
        "monitoring/prices.html", products=products, product=products.get(product_id), rows=prices.point_rows(db, product_id),
        moves=prices.abnormal_moves(points, thresholds(db)), chart=_price_chart(product_id),
        contract=prices.contract_prices(db, product_id, _configured_index()), rule_names=alerts.RULE_NAMES, errors=errors or {},
        form=form or {}, describe=describe,
    ), status


@bp.post("/prices/<product_id>/points")
@staff_required
def add_point(product_id: str):  # type: ignore[no-untyped-def]
    try:
        prices.add_point(get_session(), viewer(), product_id, request.form)
    except ValidationError as error:
        return price_index(error.errors, request.form, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("monitoring.price_index", product=product_id), code=303)


@bp.post("/prices/<product_id>/import")
@staff_required
def import_points(product_id: str):  # type: ignore[no-untyped-def]
    upload = request.files.get("file")
    try:
        count = prices.import_csv(get_session(), viewer(), product_id, upload.read(prices.MAX_IMPORT_BYTES + 1) if upload else b"")
    except ValidationError as error:
        return price_index(error.errors, {}, 400)
    flash(_("%(n)s price points imported.", n=count), "success")
    return redirect(url_for("monitoring.price_index", product=product_id), code=303)


@bp.get("/conduct")
@staff_required
def conduct():  # type: ignore[no-untyped-def]
    db = get_session()
    flags = conduct_flags(db, today())
    products = _products()
    return render_template("monitoring/conduct.html", flags=flags, products=products, describe=describe,
                           names=_names(products), orgs=_org_names({f.org_id for f in flags if f.org_id}),
                           rule_names=alerts.RULE_NAMES, limits=thresholds(db))


@bp.get("/alerts")
@staff_required
def alert_index():  # type: ignore[no-untyped-def]
    db = get_session()
    state, kind = request.args.get("state"), request.args.get("kind")
    rows = alerts.list_alerts(db, viewer(), state, kind)
    products = _products()
    return render_template("monitoring/alerts.html", alerts=rows, state=state, kind=kind, states=alerts.STATES,
                           kinds=alerts.KINDS, rule_names=alerts.RULE_NAMES, describe=_describer(products),
                           products=products, orgs=_org_names({a.org_id for a in rows if a.org_id}),
                           owners=_owners())


def _owners() -> dict[int, str]:
    return {u.id: u.name for u in alerts.staff_users(get_session())}  # type: ignore[misc]


@bp.get("/alerts/<id:alert_id>")
@staff_required
def alert_show(alert_id: int, errors: dict | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    db = get_session()
    alert = alerts.get_alert(db, viewer(), alert_id)
    products = _products()
    users = {u.id: u.name for u in db.exec(select(User))}
    return render_template("monitoring/alert.html", alert=alert, description=_describer(products)(alert),
                           history=alerts.history(db, viewer(), alert_id), users=users, owners=_owners(),
                           states=alerts.STATES, kinds=alerts.KINDS, rule_names=alerts.RULE_NAMES, products=products,
                           org=db.get(Organisation, alert.org_id) if alert.org_id else None, errors=errors or {}), status


@bp.post("/alerts/<id:alert_id>/<any(acknowledge, resolve):step>")
@staff_required
def alert_transition(alert_id: int, step: str):  # type: ignore[no-untyped-def]
    try:
        alerts.transition(get_session(), viewer(), alert_id, step, request.form)
    except ValidationError as error:
        return alert_show(alert_id, error.errors, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("monitoring.alert_show", alert_id=alert_id), code=303)


@bp.post("/alerts/<id:alert_id>/owner")
@staff_required
def alert_assign(alert_id: int):  # type: ignore[no-untyped-def]
    try:
        alerts.assign(get_session(), viewer(), alert_id, request.form)
    except ValidationError as error:
        return alert_show(alert_id, error.errors, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("monitoring.alert_show", alert_id=alert_id), code=303)


@bp.post("/checks")
@staff_required
def run_checks():  # type: ignore[no-untyped-def]
    raised = alerts.run_checks(get_session(), viewer(), today())
    flash(_("Checks run: %(n)s new alerts.", n=raised), "info")
    return redirect(url_for("monitoring.alert_index"), code=303)


@bp.route("/thresholds", methods=["GET", "POST"])
@staff_required
def threshold_form():  # type: ignore[no-untyped-def]
    db = get_session()
    errors: dict = {}
    status = 200
    if request.method == "POST":
        try:
            save_thresholds(db, viewer(), request.form)
        except ValidationError as error:
            errors, status = error.errors, 400
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("monitoring.threshold_form"), code=303)
    values = request.form if errors else {k: f"{v:g}" for k, v in thresholds(db).items()}
    return render_template("monitoring/thresholds.html", settings=SETTINGS, form=values, errors=errors), status


@bp.cli.command("check")
def check_command() -> None:
    """Run every monitoring rule once (for a periodic job): new findings become alerts in the staff inbox."""
    import click
    from sqlmodel import Session

    from matchmaker.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as session:
        raised = alerts.run_checks(session, None, today())
    click.echo(f"{raised} new alerts")
