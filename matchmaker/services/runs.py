"""Starting matching runs: the market snapshot a run solves, and what happens to runs that die.

A run is created with the exact ``lithium-market/1`` file it will solve, so staff can download
it and re-solve it by hand. The solve itself happens in ``matchmaker.jobs``, never in a request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from matchmaker.market_file import export_market
from matchmaker.models import ForbiddenPair, MatchingRun, Product, Proposal
from matchmaker.models.base import utcnow
from matchmaker.services import audit
from matchmaker.services.capacity import begin_immediate
from matchmaker.services.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.services.viewer import Viewer

MAX_TIME_LIMIT = 600.0
# A running job writes a heartbeat with every progress report; this long after its time limit
# without one (or, never started, after its creation), it is taken for dead (killed worker,
# crashed process). Configurable as MATCHING_STALE_SLACK_SECONDS.
STALE_GRACE = timedelta(seconds=120)


# Which reference price series stands for an index when no value is configured for it.
INDEX_PRODUCTS = {"gfex-lc": "lithium-carbonate", "smm-lc": "lithium-carbonate", "smm-lioh": "lithium-hydroxide",
                  "smm-spodumene": "spodumene-sc6", "smm-lfp": "lfp-cathode"}


def current_index_values(session: Session, configured: Mapping[str, float]) -> dict[str, float]:
    """Index values for pricing index-linked listings: the configured ones (``PRICE_INDEX_VALUES``),
    else the latest point of the product's reference price series (monitoring)."""
    from matchmaker.services.monitoring_prices import latest_price

    values = dict(configured)
    for index, product in INDEX_PRODUCTS.items():
        if index not in values:
            point = latest_price(session, product)
            if point is not None:
                values[index] = point.price
    return values


def _require_staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise PermissionDenied()


def run_summary(run: MatchingRun) -> dict[str, Any]:
    return {"state": run.state, "products": run.products, "time_limit": run.time_limit,
            "locked_from_run_id": run.locked_from_run_id, "status": run.status, "objective": run.objective}


def start_run(
    session: Session, viewer: Viewer, *, request_key: str, products: list[str], time_limit: float,
    today: date, index_values: Mapping[str, float], locked_from_run_id: int | None = None,
) -> tuple[MatchingRun, bool]:
    """The run for ``request_key`` and whether it was created now (False: the same form was
    sent twice, and the first run is returned). Raises PermissionDenied or ValidationError."""
    _require_staff(viewer)
    existing = session.exec(select(MatchingRun).where(MatchingRun.request_key == request_key)).first()
    if existing is not None:
        return existing, False
    errors: dict[str, object] = {}
    if not request_key or len(request_key) > 64:
        errors["request_key"] = _l("The form expired or was not sent from this site. Please try again.")
    if not 1 <= time_limit <= MAX_TIME_LIMIT:
        errors["time_limit"] = _l("Between %(low)s and %(high)s seconds.", low=1, high=int(MAX_TIME_LIMIT))
    known = set(session.exec(select(Product.id)))
    if any(p not in known for p in products):
        errors["products"] = _l("Unknown product.")
    if locked_from_run_id is not None and session.get(MatchingRun, locked_from_run_id) is None:
        raise NotFound(locked_from_run_id)
    if errors:
        raise ValidationError(errors)
    fail_stale_runs(session, utcnow(), configured_slack())
    market, skipped = build_market(session, today, index_values, products, locked_from_run_id)
    begin_immediate(session)  # the audit chain is appended to under the write lock
    run = MatchingRun(
        request_key=request_key, created_by=viewer.user_id, products=sorted(products), time_limit=time_limit,
        locked_from_run_id=locked_from_run_id, market=json.dumps(market, ensure_ascii=False, indent=1),
        skipped=skipped,
    )
    session.add(run)
    try:
        session.flush()
        audit.record(session, viewer.user_id, "start_run", "matching_run", run.id, None, run_summary(run))
        session.commit()
    except IntegrityError:
        session.rollback()
        return session.exec(select(MatchingRun).where(MatchingRun.request_key == request_key)).one(), False
    return run, True


def start_what_if(
    session: Session, viewer: Viewer, *, request_key: str, baseline_run_id: int, family: str,
) -> tuple[MatchingRun, bool]:
    """Re-solve a run's own market with one rule family left out, to show what the rule costs.
    Raises PermissionDenied, NotFound or ValidationError (unknown family)."""
    from matchmaker.services.explain import RELAXABLE, relax

    _require_staff(viewer)
    existing = session.exec(select(MatchingRun).where(MatchingRun.request_key == request_key)).first()
    if existing is not None:
        return existing, False
    base = get_run(session, viewer, baseline_run_id)
    if family not in RELAXABLE:
        raise ValidationError({"relax": _l("Choose a rule family.")})
    if not request_key or len(request_key) > 64:
        raise ValidationError({"request_key": _l("The form expired or was not sent from this site. Please try again.")})
    market = relax(json.loads(base.market), family)
    begin_immediate(session)
    run = MatchingRun(request_key=request_key, created_by=viewer.user_id, products=base.products,
                      time_limit=base.time_limit, baseline_run_id=base.id, relaxed=family,
                      market=json.dumps(market, ensure_ascii=False, indent=1), skipped=base.skipped)
    session.add(run)
    try:
        session.flush()
        audit.record(session, viewer.user_id, "start_what_if", "matching_run", run.id, None,
                     {**run_summary(run), "relaxed": family, "baseline_run_id": base.id})
        session.commit()
    except IntegrityError:
        session.rollback()
        return session.exec(select(MatchingRun).where(MatchingRun.request_key == request_key)).one(), False
    return run, True


def build_market(
    session: Session, today: date, index_values: Mapping[str, float], products: list[str],
    locked_from_run_id: int | None,
) -> tuple[dict[str, Any], list[str]]:
    """The snapshot: open listings (of ``products`` when given) with their remaining volume,
    the forbidden pairs among them, and the approved matches of ``locked_from_run_id`` locked."""
    snapshot = export_market(session, today, index_values)
    market = snapshot.market
    if products:
        wanted = set(products)
        market["offers"] = [o for o in market["offers"] if o["product"] in wanted]
        market["demands"] = [d for d in market["demands"] if d["product"] in wanted]
        market["transport"] = [t for t in market.get("transport", []) if t.get("product") in wanted]
        demand_ids = {d["id"] for d in market["demands"]}
        for offer in market["offers"]:
            if "inputs" in offer:
                offer["inputs"] = [i for i in offer["inputs"] if i["demand"] in demand_ids]
                if not offer["inputs"]:
                    del offer["inputs"]
    offers = {o["id"] for o in market["offers"]}
    demands = {d["id"] for d in market["demands"]}
    locked = []
    if locked_from_run_id is not None:
        approved = session.exec(select(Proposal).where(
            Proposal.run_id == locked_from_run_id, Proposal.state == "approved").order_by(Proposal.id))
        for p in approved:
            if f"O{p.offer_id}" in offers and f"D{p.demand_id}" in demands:
                locked.append({"offer": f"O{p.offer_id}", "demand": f"D{p.demand_id}", "monthly_qty": p.monthly_qty})
    locked_pairs = {(x["offer"], x["demand"]) for x in locked}
    forbidden = []
    for pair in session.exec(select(ForbiddenPair).order_by(ForbiddenPair.id)):
        key = (f"O{pair.offer_id}", f"D{pair.demand_id}")
        if key[0] in offers and key[1] in demands and key not in locked_pairs:
            forbidden.append({"offer": key[0], "demand": key[1]})
    market["locked"] = locked
    market["forbidden"] = forbidden
    return market, snapshot.skipped


ACTIVE_STATES = ("queued", "running")


def silence_limit(run: MatchingRun, slack: timedelta = STALE_GRACE) -> timedelta:
    """How long a run may go without a sign of life: its own time limit plus ``slack``."""
    return timedelta(seconds=run.time_limit) + slack


def last_sign_of_life(run: MatchingRun) -> datetime:
    """The job's last heartbeat; for a run never started, its creation."""
    beat = run.heartbeat_at or run.started_at or run.created_at
    return beat if beat.tzinfo is not None else beat.replace(tzinfo=UTC)


def looks_stale(run: MatchingRun, now: datetime, slack: timedelta = STALE_GRACE) -> bool:
    """A queued or running run silent for longer than ``silence_limit``."""
    return run.state in ACTIVE_STATES and now - last_sign_of_life(run) > silence_limit(run, slack)


def _stale_error(state: str, limit: timedelta) -> str:
    seconds = int(limit.total_seconds())
    if state == "queued":
        return (f"the job never started: queued for more than {seconds} s (time limit plus slack); "
                "no worker took it")
    return (f"the job stopped without finishing: no progress for more than {seconds} s (time limit plus "
            "slack); its process or worker probably died. No proposals were written.")


def fail_stale_runs(session: Session, now: datetime, slack: timedelta = STALE_GRACE) -> int:
    """Marks failed the queued or running runs that have been silent too long (``looks_stale``);
    returns how many. Their proposals were never written, since a run writes them all in its
    last transaction; a job that is in fact alive finds its run failed and writes nothing.

    Safe to run from several processes at once: each run is failed by a conditional UPDATE
    (still in the state it was read in, still silent), and only the sweep whose UPDATE changed
    the row writes the audit record.
    """
    active = select(MatchingRun).where(MatchingRun.state.in_(ACTIVE_STATES))  # type: ignore[attr-defined]
    stale = [run for run in session.exec(active) if looks_stale(run, now, slack)]
    if not stale:
        return 0
    begin_immediate(session)
    failed = 0
    beat = func.coalesce(MatchingRun.heartbeat_at, MatchingRun.started_at, MatchingRun.created_at)
    for run in stale:
        run_id, state, limit = run.id, run.state, silence_limit(run, slack)
        error = _stale_error(state, limit)
        changed = session.execute(
            update(MatchingRun)
            .where(MatchingRun.id == run_id, MatchingRun.state == state, beat < now - limit)  # type: ignore[arg-type]
            .values(state="failed", error=error, finished_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            audit.record(session, None, "fail_run", "matching_run", run_id, {"state": state},
                         {"state": "failed", "error": error})
            failed += 1
        session.expire(run)  # re-read on next use: this sweep or another one changed it
    session.commit()
    return failed


def configured_slack() -> timedelta:
    """``MATCHING_STALE_SLACK_SECONDS`` of the current app (default STALE_GRACE), so that every
    page and API call that sweeps uses the same limit as the timer and the command."""
    if has_app_context():
        seconds = current_app.config.get("MATCHING_STALE_SLACK_SECONDS")
        if seconds is not None:
            return timedelta(seconds=float(seconds))
    return STALE_GRACE


def list_runs(session: Session, viewer: Viewer, limit: int = 50) -> list[MatchingRun]:
    """Newest first; runs whose job died are marked failed first, so the list never shows a dead
    run as running."""
    _require_staff(viewer)
    fail_stale_runs(session, utcnow(), configured_slack())
    return list(session.exec(select(MatchingRun).order_by(MatchingRun.id.desc()).limit(limit)))  # type: ignore[union-attr]


def get_run(session: Session, viewer: Viewer, run_id: int) -> MatchingRun:
    """The run, its progress current: a run whose job died is marked failed before it is shown.
    Raises PermissionDenied or NotFound."""
    _require_staff(viewer)
    fail_stale_runs(session, utcnow(), configured_slack())
    run = session.get(MatchingRun, run_id)
    if run is None:
        raise NotFound(run_id)
    return run
