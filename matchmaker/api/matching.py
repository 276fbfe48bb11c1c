"""API for association staff: start matching runs, follow their progress, read proposals and the
market file, and review proposals. Members get 403 on every route here."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask_babel import lazy_gettext as _l

from matchmaker import jobs
from matchmaker.api import bp, schemas
from matchmaker.api.auth import api_viewer
from matchmaker.api.body import json_body
from matchmaker.api.openapi import operation
from matchmaker.db import get_session
from matchmaker.models import MatchingRun, Organisation, Proposal
from matchmaker.services import review, runs
from matchmaker.services.errors import PermissionDenied, ValidationError
from matchmaker.web.users import today

RUN_FIELDS = ("id", "state", "products", "time_limit", "locked_from_run_id", "phase", "elapsed", "objective",
              "bound", "gap", "status", "error", "skipped")
PROPOSAL_FIELDS = ("id", "run_id", "offer_id", "demand_id", "product_id", "monthly_qty", "proposed_qty", "start",
                   "end", "months", "unit_margin", "price", "freight", "surplus", "locked", "state", "reason",
                   "supplier_response", "buyer_response")


def _staff() -> None:
    if not api_viewer().is_staff:
        raise PermissionDenied()


def run_json(run: MatchingRun) -> dict[str, Any]:
    data = {name: getattr(run, name) for name in RUN_FIELDS}
    for name in ("created_at", "started_at", "finished_at"):
        value = getattr(run, name)
        data[name] = value.isoformat() if value else None
    return data


def proposal_json(p: Proposal, names: dict[int, str]) -> dict[str, Any]:
    data = {name: getattr(p, name) for name in PROPOSAL_FIELDS}
    data["supplier"], data["buyer"] = names.get(p.supplier_org_id, ""), names.get(p.buyer_org_id, "")
    data["deadline"] = p.deadline.isoformat() if p.deadline else None
    return data


def _names(org_ids: set[int]) -> dict[int, str]:
    from sqlmodel import select

    query = select(Organisation).where(Organisation.id.in_(org_ids or {0}))  # type: ignore[union-attr]
    return {o.id: o.name for o in get_session().exec(query)}  # type: ignore[misc]


@bp.get("/runs")
@operation(_l("Matching runs, newest first (staff)"), response=schemas.RunList, errors=(403,))
def run_list():  # type: ignore[no-untyped-def]
    _staff()
    return jsonify({"items": [run_json(run) for run in runs.list_runs(get_session(), api_viewer())]})


@bp.post("/runs")
@operation(_l("Start a matching run (staff); the same request_key returns the same run"), body=schemas.RunIn,
           response=schemas.Run, status=201, repeat=True, errors=(400, 422))
def run_start():  # type: ignore[no-untyped-def]
    _staff()
    body = json_body(schemas.RunIn)
    db = get_session()
    run, created = runs.start_run(
        db, api_viewer(), request_key=body.request_key, products=body.products, time_limit=body.time_limit,
        today=today(),
        index_values=runs.current_index_values(db, current_app.config.get("PRICE_INDEX_VALUES") or {}),
    )
    if created:
        jobs.submit(current_app, run.id, run.time_limit)  # type: ignore[arg-type]
        db.refresh(run)
    response = jsonify(run_json(run))
    response.status_code = 201 if created else 200
    return response


@bp.get("/runs/<id:run_id>")
@operation(_l("A run's progress and its proposals (staff)"), response=schemas.RunDetail, errors=(403, 404))
def run_show(run_id: int):  # type: ignore[no-untyped-def]
    _staff()
    db = get_session()
    run = runs.get_run(db, api_viewer(), run_id)
    proposals = review.proposals_of_run(db, api_viewer(), run_id)
    names = _names({p.supplier_org_id for p in proposals} | {p.buyer_org_id for p in proposals})
    return jsonify({**run_json(run), "proposals": [proposal_json(p, names) for p in proposals]})


@bp.get("/runs/<id:run_id>/market.json")
@operation(_l("The market file the run solved (staff)"), errors=(403, 404))
def run_market(run_id: int):  # type: ignore[no-untyped-def]
    _staff()
    return Response(runs.get_run(get_session(), api_viewer(), run_id).market, mimetype="application/json")


@bp.post("/proposals/<id:proposal_id>/<any(approve, reject, forbid, reduce):action>")
@operation(_l("Review a proposal (staff): approve, reject or forbid (with reason), reduce (with monthly_qty)"),
           body=schemas.ReviewIn, body_required=False, response=schemas.ReviewedProposal, errors=(400, 404, 409, 422))
def review_action(proposal_id: int, action: str):  # type: ignore[no-untyped-def]
    """The body may be left out for approve (every field of ReviewIn is optional)."""
    _staff()
    body = json_body(schemas.ReviewIn, required=False)
    db, viewer = get_session(), api_viewer()
    if action == "approve":
        proposal = review.approve(db, viewer, proposal_id, today(), current_app.config.get("ACCEPTANCE_DAYS", 7))
    elif action in ("reject", "forbid"):
        act = review.reject if action == "reject" else review.forbid
        proposal = act(db, viewer, proposal_id, body.reason or "")
    else:
        if body.monthly_qty is None:
            raise ValidationError({"monthly_qty": _l("This field is required.")})
        proposal = review.reduce(db, viewer, proposal_id, body.monthly_qty)
    names = _names({proposal.supplier_org_id, proposal.buyer_org_id})
    return jsonify(proposal_json(proposal, names))
