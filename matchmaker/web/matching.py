"""Staff pages of the matching workflow: start runs, follow them, review their proposals."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

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
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlmodel import select

from matchmaker import jobs
from matchmaker.db import get_session
from matchmaker.models import Organisation
from matchmaker.services import catalog, explain, review, review_pages, runs
from matchmaker.services.errors import Conflict, ValidationError
from matchmaker.web.errors import render_error
from matchmaker.web.users import staff_required, today, viewer

bp = Blueprint("matching", __name__, url_prefix="/matching")


RUN_STATES = {"queued": _l("queued"), "running": _l("running"), "finished": _l("finished"), "failed": _l("failed")}
SOLVE_STATUSES = {"optimal": _l("optimal"), "feasible": _l("feasible (time limit reached)"),
                  "infeasible": _l("infeasible: the locked matches conflict"),
                  "no_solution": _l("no solution within the time limit")}
# What solver/progress.py reports as a run's phase: the path ("lp", "mip"), then ": " and the stage.
SOLVER_PATHS = {"lp": lazy_pgettext("solver phase", "LP"), "mip": lazy_pgettext("solver phase", "MIP")}
SOLVER_STAGES = {"presolve": lazy_pgettext("solver phase", "presolve"),
                 "simplex": lazy_pgettext("solver phase", "simplex"),
                 "interior point": lazy_pgettext("solver phase", "interior point"),
                 "crossover": lazy_pgettext("solver phase", "crossover"),
                 "search": lazy_pgettext("solver phase", "search")}


def solver_phase(phase: str | None) -> str:
    """A run's phase in the page's language ("mip: search" -> "MIP: search" / "整数模型：分支定界搜索");
    a phase from a newer solver that has no label yet is shown as it came, not hidden."""
    if not phase:
        return "—"
    path, _sep, stage = phase.partition(": ")
    path_label = str(SOLVER_PATHS.get(path, path))
    if not stage:
        return path_label
    return _("%(path)s: %(stage)s", path=path_label, stage=SOLVER_STAGES.get(stage, stage))


@bp.before_app_request
def start_sweeper() -> None:
    """The web process's sweep timer (stale runs, reminders, expiries) starts with its first request."""
    jobs.ensure_sweeper(current_app)


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {"run_state": lambda s: RUN_STATES.get(s, s), "solve_status": lambda s: SOLVE_STATUSES.get(s, s),
            "solver_phase": solver_phase}


def _index_values() -> dict[str, float]:
    return runs.current_index_values(get_session(), current_app.config.get("PRICE_INDEX_VALUES") or {})


@bp.get("")
@staff_required
def index():  # type: ignore[no-untyped-def]
    db = get_session()
    return render_template("matching/index.html", runs=runs.list_runs(db, viewer()), products=catalog.list_products(db),
                           request_key=uuid.uuid4().hex, errors={}, form={})


def _time_limit(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValidationError({"time_limit": _("Enter a number.")}) from None


def _start(locked_from: int | None = None):  # type: ignore[no-untyped-def]
    db = get_session()
    run, created = runs.start_run(
        db, viewer(), request_key=request.form.get("request_key", ""), products=request.form.getlist("products"),
        time_limit=_time_limit(request.form.get("time_limit", "30")), today=today(), index_values=_index_values(),
        locked_from_run_id=locked_from,
    )
    if created:
        jobs.submit(current_app, run.id, run.time_limit)  # type: ignore[arg-type]
        flash(_("Matching run #%(id)s started.", id=run.id), "info")
    return redirect(url_for("matching.show", run_id=run.id), code=303)


@bp.post("/runs")
@staff_required
def start():  # type: ignore[no-untyped-def]
    try:
        return _start()
    except ValidationError as error:
        db = get_session()
        return render_template("matching/index.html", runs=runs.list_runs(db, viewer()),
                               products=catalog.list_products(db), request_key=uuid.uuid4().hex,
                               errors=error.errors, form=request.form), 400


@bp.post("/runs/<id:run_id>/rerun")
@staff_required
def rerun(run_id: int):  # type: ignore[no-untyped-def]
    runs.get_run(get_session(), viewer(), run_id)
    return _start(locked_from=run_id)


def _names(db, org_ids: set[int]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    query = select(Organisation).where(Organisation.id.in_(org_ids or {0}))  # type: ignore[union-attr]
    return {o.id: o.name for o in db.exec(query)}  # type: ignore[misc]


@dataclass(frozen=True)
class ProposalFilter:
    """The review page's state filter, as the pager macro wants it (``query_args``)."""

    state: str = ""

    def query_args(self, **overrides: Any) -> dict[str, Any]:
        return {**({"state": self.state} if self.state else {}), **overrides}


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 else 1


@bp.get("/runs/<id:run_id>")
@staff_required
def show(run_id: int):  # type: ignore[no-untyped-def]
    """The run and one page of its proposals; ``?state=`` shows the proposals in one state only,
    ``?page=`` the page. The per-product summary and the counts per state cover the whole run."""
    db = get_session()
    run = runs.get_run(db, viewer(), run_id)
    counts = review_pages.state_counts(db, viewer(), run_id)
    state = request.args.get("state", "")
    state = state if state in review.STATES else ""
    page = review_pages.proposal_page(db, viewer(), run_id, state, _page_number(request.args.get("page")),
                                      current_app.config["PAGE_SIZE"], counts)
    proposals = page.items
    names = _names(db, {p.supplier_org_id for p in proposals} | {p.buyer_org_id for p in proposals})
    products = {p.id: p for p in catalog.list_products(db)}
    reasons, summary = review_pages.explained(run)
    return render_template("matching/run.html", run=run, proposals=proposals, page=page, filters=ProposalFilter(state),
                           names=names, products=products, states=review.STATES, request_key=uuid.uuid4().hex,
                           reasons=reasons, summary=summary, relaxable=explain.RELAXABLE,
                           approved_count=counts["approved"], counts=counts, state_filter=state,
                           total=sum(counts.values()), runs=runs.list_runs(db, viewer()),
                           overlaps=review.pending_overlaps(db, viewer(), proposals), superseded=counts["superseded"])


@bp.post("/runs/<id:run_id>/what-if")
@staff_required
def what_if(run_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    run, created = runs.start_what_if(db, viewer(), request_key=request.form.get("request_key", ""),
                                      baseline_run_id=run_id, family=request.form.get("relax", ""))
    if created:
        jobs.submit(current_app, run.id, run.time_limit)  # type: ignore[arg-type]
        flash(_("Matching run #%(id)s started.", id=run.id), "info")
    return redirect(url_for("matching.show", run_id=run.id), code=303)


@bp.get("/compare")
@staff_required
def compare():  # type: ignore[no-untyped-def]
    """Two finished runs side by side: surplus and volume per product and per pair."""
    db = get_session()
    all_runs = runs.list_runs(db, viewer())
    a_id, b_id = request.args.get("a", type=int), request.args.get("b", type=int)
    context: dict = {"runs": all_runs, "a": None, "b": None}
    if a_id and b_id:
        a, b = runs.get_run(db, viewer(), a_id), runs.get_run(db, viewer(), b_id)
        if a.result and b.result:
            ra, rb = json.loads(a.result), json.loads(b.result)
            sa = {r.product: r for r in explain.product_summary(json.loads(a.market), ra)}
            sb = {r.product: r for r in explain.product_summary(json.loads(b.market), rb)}
            offers = json.loads(a.market)["offers"] + json.loads(b.market)["offers"]
            context.update(a=a, b=b, pairs=explain.compare(ra, rb), products={p.id: p for p in catalog.list_products(db)},
                           offer_products={o["id"]: o["product"] for o in offers},
                           by_product=[(pid, sa.get(pid), sb.get(pid)) for pid in sorted(set(sa) | set(sb))])
    return render_template("matching/compare.html", relaxable=explain.RELAXABLE, **context)


@bp.get("/runs/<id:run_id>/market.json")
@staff_required
def market_file(run_id: int):  # type: ignore[no-untyped-def]
    run = runs.get_run(get_session(), viewer(), run_id)
    return Response(run.market, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="matching-run-{run_id}-market.json"'})


@bp.get("/runs/<id:run_id>/result.json")
@staff_required
def result_file(run_id: int):  # type: ignore[no-untyped-def]
    run = runs.get_run(get_session(), viewer(), run_id)
    if not run.result:
        return render_error(404)
    return Response(run.result, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="matching-run-{run_id}-result.json"'})


@bp.post("/proposals/<id:proposal_id>/<any(approve, reject, forbid, reduce):action>")
@staff_required
def act(proposal_id: int, action: str):  # type: ignore[no-untyped-def]
    db = get_session()
    form = request.form
    try:
        if action == "approve":
            proposal = review.approve(db, viewer(), proposal_id, today(), current_app.config.get("ACCEPTANCE_DAYS", 7))
        elif action == "reject":
            proposal = review.reject(db, viewer(), proposal_id, form.get("reason", ""))
        elif action == "forbid":
            proposal = review.forbid(db, viewer(), proposal_id, form.get("reason", ""))
        else:
            try:
                qty = float(form.get("monthly_qty", ""))
            except ValueError:
                raise ValidationError({"monthly_qty": _("Enter a number.")}) from None
            proposal = review.reduce(db, viewer(), proposal_id, qty)
    except Conflict as error:
        return render_error(409, str(error.args[0]) if error.args else None)
    flash(_("Proposal #%(id)s: %(state)s.", id=proposal_id, state=review.STATES[proposal.state]), "info")
    page = review_pages.page_of(db, proposal, current_app.config["PAGE_SIZE"])
    return redirect(url_for("matching.show", run_id=proposal.run_id, **({"page": page} if page > 1 else {}),
                            _anchor=f"p{proposal_id}"), code=303)


@bp.post("/runs/<id:run_id>/approve")
@staff_required
def approve_many(run_id: int):  # type: ignore[no-untyped-def]
    """Approves the proposals ticked on the page the form was sent from, nothing else: a row on
    another page, or hidden by the filter, is never approved unseen. Returns to that page."""
    db = get_session()
    runs.get_run(db, viewer(), run_id)
    ticked = [int(v) for v in request.form.getlist("proposal_ids") if v.isdigit() and len(v) < 12]
    ids = review_pages.ids_in_run(db, viewer(), run_id, ticked)
    approved, refused = review.approve_many(db, viewer(), ids, today(), current_app.config.get("ACCEPTANCE_DAYS", 7))
    flash(_("%(n)s proposals approved.", n=len(approved)), "info")
    for proposal_id, message in refused.items():
        flash(_("Proposal #%(id)s not approved: %(why)s", id=proposal_id, why=message), "warning")
    state = request.form.get("state", "")
    back = ProposalFilter(state if state in review.STATES else "").query_args()
    page = _page_number(request.form.get("page"))
    if page > 1:
        back["page"] = page
    return redirect(url_for("matching.show", run_id=run_id, **back), code=303)
