"""API of staff's matching analysis, beside ``api.matching``: what-if runs (a run's own market
re-solved with one rule family left out), re-runs with the approved matches locked, approving
several proposals at once, a run's result file, and two runs compared. The same services as the
run and compare pages; members get 403 on every route here."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from matchmaker import jobs
from matchmaker.api import bp, schemas_staff
from matchmaker.api.auth import api_viewer
from matchmaker.api.body import json_body
from matchmaker.api.matching import run_json
from matchmaker.api.monitoring import require_staff
from matchmaker.api.openapi import operation
from matchmaker.db import get_session
from matchmaker.models import MatchingRun
from matchmaker.services import explain, review, runs
from matchmaker.services.errors import Conflict, ValidationError
from matchmaker.web.users import today

ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def staff_run_json(run: MatchingRun) -> dict[str, Any]:
    return {**run_json(run), "baseline_run_id": run.baseline_run_id, "relaxed": run.relaxed}


def _started(run: MatchingRun, created: bool) -> Response:
    """201 and the job submitted for a new run; 200 for the run an earlier request_key started."""
    if created:
        jobs.submit(current_app, run.id, run.time_limit)  # type: ignore[arg-type]
        get_session().refresh(run)
    response = jsonify(staff_run_json(run))
    response.status_code = 201 if created else 200
    return response


@bp.post("/runs/<id:run_id>/what-if")
@operation(_l("What-if run (staff): the run's own market re-solved with one rule family left out; "
              "its proposals are for comparison, never reviewed"),
           body=schemas_staff.WhatIfIn, response=schemas_staff.StaffRun, status=201, repeat=True, errors=(404, 422))
def run_what_if(run_id: int):  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.WhatIfIn)
    run, created = runs.start_what_if(get_session(), api_viewer(), request_key=body.request_key,
                                      baseline_run_id=run_id, family=body.relax.value)
    return _started(run, created)


@bp.post("/runs/<id:run_id>/rerun")
@operation(_l("Re-run (staff) on today's market with the run's approved matches locked"),
           body=schemas_staff.RerunIn, response=schemas_staff.StaffRun, status=201, repeat=True, errors=(404, 422))
def run_rerun(run_id: int):  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.RerunIn)
    db = get_session()
    base = runs.get_run(db, api_viewer(), run_id)
    run, created = runs.start_run(
        db, api_viewer(), request_key=body.request_key,
        products=base.products if body.products is None else body.products,
        time_limit=base.time_limit if body.time_limit is None else body.time_limit, today=today(),
        index_values=runs.current_index_values(db, current_app.config.get("PRICE_INDEX_VALUES") or {}),
        locked_from_run_id=run_id,
    )
    return _started(run, created)


@bp.post("/runs/<id:run_id>/approve")
@operation(_l("Approve several proposals of a run (staff): each that still fits is approved, "
              "the others are listed with the reason"),
           body=schemas_staff.ApproveManyIn, response=schemas_staff.ApproveManyOut, errors=(404, 422))
def run_approve_many(run_id: int):  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.ApproveManyIn)
    db, viewer = get_session(), api_viewer()
    runs.get_run(db, viewer, run_id)
    in_run = {p.id for p in review.proposals_of_run(db, viewer, run_id)}
    ids = list(dict.fromkeys(body.proposal_ids))
    approved, refused = review.approve_many(db, viewer, [i for i in ids if i in in_run], today(),
                                            current_app.config.get("ACCEPTANCE_DAYS", 7))
    outside = {i: str(_l("Not a proposal of this run.")) for i in ids if i not in in_run}
    return jsonify({"approved": approved, "refused": {str(k): v for k, v in {**refused, **outside}.items()}})


@bp.get("/runs/<id:run_id>/result.json")
@operation(_l("The solver's result file of a finished run (staff)"), errors=(403, 404, 409))
def run_result(run_id: int):  # type: ignore[no-untyped-def]
    run = runs.get_run(get_session(), api_viewer(), run_id)
    if not run.result:
        raise Conflict(_l("The run has no result yet: it has not finished."))
    return Response(run.result, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="matching-run-{run_id}-result.json"'})


@bp.get("/runs/<id:run_id>/explain")
@operation(_l("Why a finished run matched as it did (staff): per product the volume and surplus against the "
              "match by hand, per pair the constraints that keep it from being larger"),
           response=schemas_staff.RunExplanation, errors=(403, 404, 409))
def run_explain(run_id: int):  # type: ignore[no-untyped-def]
    run = runs.get_run(get_session(), api_viewer(), run_id)
    if not run.result:
        raise Conflict(_l("The run has no result yet: it has not finished."))
    market, result = json.loads(run.market), json.loads(run.result)
    products = [{"product_id": row.product, "unit": row.unit, **_summary(row)}  # type: ignore[dict-item]
                for row in explain.product_summary(market, result)]
    pairs = [{"offer_id": int(offer[1:]), "demand_id": int(demand[1:]), "reasons": [str(r) for r in reasons]}
             for (offer, demand), reasons in explain.binding(market, result).items()]
    return jsonify({"products": products, "pairs": pairs})


def _run_arg(name: str) -> int:
    raw = request.args.get(name, "")
    if not raw.isdigit() or not 1 <= int(raw) <= 2**31 - 1:
        raise ValidationError({name: _l("Choose a run.")})
    return int(raw)


def _summary(row: explain.ProductSummary | None) -> dict[str, float] | None:
    if row is None:
        return None
    return {"offered": row.offered, "demanded": row.demanded, "matched": row.matched, "surplus": row.surplus,
            "greedy_surplus": row.greedy_surplus}


@bp.get("/runs/compare")
@operation(_l("Two finished runs side by side (staff): surplus and volume per product and per pair"),
           response=schemas_staff.RunComparison, query=(("a", ID), ("b", ID)), errors=(403, 404, 409, 422))
def run_compare():  # type: ignore[no-untyped-def]
    require_staff()
    db, viewer = get_session(), api_viewer()
    a_id, b_id = _run_arg("a"), _run_arg("b")
    a, b = runs.get_run(db, viewer, a_id), runs.get_run(db, viewer, b_id)
    if not (a.result and b.result):
        raise Conflict(_l("The run has no result yet: it has not finished."))
    ra, rb = json.loads(a.result), json.loads(b.result)
    sa = {r.product: r for r in explain.product_summary(json.loads(a.market), ra)}
    sb = {r.product: r for r in explain.product_summary(json.loads(b.market), rb)}
    products = [{"product_id": pid, "unit": (sa.get(pid) or sb[pid]).unit, "a": _summary(sa.get(pid)),
                 "b": _summary(sb.get(pid))} for pid in sorted(set(sa) | set(sb))]
    pairs = [{"offer_id": int(p.offer[1:]), "demand_id": int(p.demand[1:]), "qty_a": p.qty_a, "qty_b": p.qty_b,
              "surplus_a": p.surplus_a, "surplus_b": p.surplus_b} for p in explain.compare(ra, rb)]
    surplus_a, surplus_b = a.objective or 0.0, b.objective or 0.0
    return jsonify({"a": staff_run_json(a), "b": staff_run_json(b), "surplus_a": surplus_a, "surplus_b": surplus_b,
                    "difference": surplus_b - surplus_a, "products": products, "pairs": pairs})
