"""What happens to runs and proposals with time, without anyone acting: the sweep.

- A queued or running run silent past its time limit plus slack is failed (``runs.fail_stale_runs``).
- A party that has not answered an approved proposal gets one "deadline near" notice when the
  deadline is ``reminder_days`` away or less.
- An approved proposal still unanswered after its deadline expires; both parties and staff are told.
- When a run finishes, proposals of older runs still awaiting review are superseded (called by the
  job, in the transaction that writes the new proposals).

Every change is a conditional UPDATE (``... WHERE state = 'approved'`` and the like) and only the
statement that changed the row writes the notice or audit record, so the sweep may run in every
gunicorn worker, from cron and on page views at once and still says everything exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlmodel import Session, select

from matchmaker.models import MatchingRun, Proposal
from matchmaker.services import audit
from matchmaker.services.capacity import begin_immediate
from matchmaker.services.notifications import notify
from matchmaker.services.review import TRANSITIONS, snapshot
from matchmaker.services.runs import STALE_GRACE, fail_stale_runs

REMINDER_DAYS = 2
SIDES = (("supplier", "supplier_org_id"), ("buyer", "buyer_org_id"))


@dataclass(frozen=True)
class SweepSettings:
    stale_slack: timedelta = STALE_GRACE
    reminder_days: int = REMINDER_DAYS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SweepSettings:
        """``MATCHING_STALE_SLACK_SECONDS`` and ``DEADLINE_REMINDER_DAYS``, else the defaults."""
        slack = config.get("MATCHING_STALE_SLACK_SECONDS")
        days = config.get("DEADLINE_REMINDER_DAYS")
        return cls(stale_slack=STALE_GRACE if slack is None else timedelta(seconds=float(slack)),
                   reminder_days=REMINDER_DAYS if days is None else int(days))


@dataclass(frozen=True)
class SweepReport:
    failed_runs: int
    reminders: int
    expired: int


def today_in(config: Mapping[str, Any], now: datetime) -> date:
    """The date deadlines are counted in: ``TODAY`` when pinned (tests), else today in China
    (``BABEL_DEFAULT_TIMEZONE``), as the pages count it."""
    pinned = config.get("TODAY")
    if pinned:
        return date.fromisoformat(str(pinned))
    return now.astimezone(ZoneInfo(str(config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai"))).date()


def sweep(session: Session, now: datetime, today: date, settings: SweepSettings) -> SweepReport:
    """Stale runs, deadline reminders and expiries, each in its own transaction."""
    return SweepReport(failed_runs=fail_stale_runs(session, now, settings.stale_slack),
                       reminders=remind_deadlines(session, today, settings.reminder_days, now),
                       expired=expire_overdue(session, today, now))


def sweep_deadlines(session: Session, viewer_org_id: int | None, today: date, settings: SweepSettings,
                    now: datetime) -> None:
    """The deadline half of the sweep, as an inbox is opened: reminders for the viewer's
    organisation (``None``, staff: for every party), and expiries everywhere."""
    remind_deadlines(session, today, settings.reminder_days, now, org_id=viewer_org_id)
    expire_overdue(session, today, now)


def remind_deadlines(session: Session, today: date, days: int, now: datetime,
                     org_id: int | None = None) -> int:
    """One "deadline near" notice per party that has not answered an approved proposal whose
    deadline is ``days`` days away or less (and not yet passed); returns how many were sent.
    ``org_id`` limits it to the proposals of one organisation (its inbox being opened)."""
    due = select(Proposal).where(
        Proposal.state == "approved", Proposal.deadline >= today,  # type: ignore[operator]
        Proposal.deadline <= today + timedelta(days=days),  # type: ignore[operator]
        or_(*[(getattr(Proposal, f"{side}_response") == "pending") & getattr(Proposal, f"{side}_reminded_at").is_(None)
              for side, _ in SIDES]),
    ).order_by(Proposal.id)  # type: ignore[arg-type]
    if org_id is not None:
        due = due.where(or_(Proposal.supplier_org_id == org_id, Proposal.buyer_org_id == org_id))
    targets = [(p.id, side, getattr(p, org_field)) for p in session.exec(due) for side, org_field in SIDES
               if (org_id is None or getattr(p, org_field) == org_id)
               and getattr(p, f"{side}_response") == "pending" and getattr(p, f"{side}_reminded_at") is None]
    if not targets:
        return 0
    begin_immediate(session)
    sent = 0
    for proposal_id, side, party in targets:
        reminded = getattr(Proposal, f"{side}_reminded_at")
        changed = session.execute(
            update(Proposal).where(
                Proposal.id == proposal_id, Proposal.state == "approved",  # type: ignore[arg-type]
                getattr(Proposal, f"{side}_response") == "pending", reminded.is_(None))
            .values({reminded: now}).execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            notify(session, party, "deadline_near", proposal_id=proposal_id)
            sent += 1
    session.commit()
    _expire_all(session, Proposal, [t[0] for t in targets])
    return sent


def expire_overdue(session: Session, today: date, now: datetime) -> int:
    """Approved proposals whose deadline has passed without both answers become ``expired``
    (audited, both parties and staff told); returns how many."""
    overdue = select(Proposal).where(Proposal.state.in_(TRANSITIONS["expire"]),  # type: ignore[attr-defined]
                                     Proposal.deadline < today).order_by(Proposal.id)  # type: ignore[operator]
    if session.exec(overdue.limit(1)).first() is None:
        return 0
    begin_immediate(session)
    # re-read under the lock, so that the audit's "before" is the state that was changed
    proposals = list(session.exec(overdue.with_for_update().execution_options(populate_existing=True)))
    expired = 0
    for p in proposals:
        before = snapshot(p)
        changed = session.execute(
            update(Proposal).where(Proposal.id == p.id, Proposal.state.in_(TRANSITIONS["expire"]),  # type: ignore[arg-type, attr-defined]
                                   Proposal.deadline < today)  # type: ignore[operator]
            .values(state="expired", updated_at=now).execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            audit.record(session, None, "expire", "proposal", p.id, before, {**before, "state": "expired"})
            for party in (p.supplier_org_id, p.buyer_org_id, None):
                notify(session, party, "proposal_expired", proposal_id=p.id)
            expired += 1
    session.commit()
    _expire_all(session, Proposal, [p.id for p in proposals])
    return expired


def supersede_older(session: Session, run: MatchingRun, now: datetime) -> dict[int, list[int]]:
    """In the finishing ``run``'s transaction: proposals still awaiting review (``proposed``) in
    runs older than the newest finished run become ``superseded`` by it. Returns {old run id:
    proposal ids}, one audit record per old run. A what-if run supersedes nothing, and what-if
    proposals are never superseded (they are never reviewed). Approved proposals keep their
    state: the parties may be answering them.

    Normally the newest finished run is ``run`` itself; when an older run finishes after a newer
    one, its own fresh proposals are the ones superseded.
    """
    if run.baseline_run_id is not None:
        return {}
    newer = session.exec(select(MatchingRun.id).where(
        MatchingRun.state == "finished", MatchingRun.baseline_run_id.is_(None),  # type: ignore[union-attr]
        MatchingRun.id > run.id).order_by(MatchingRun.id.desc()).limit(1)).first()  # type: ignore[union-attr, operator]
    newest = newer or run.id
    older_runs = select(MatchingRun.id).where(MatchingRun.id < newest,  # type: ignore[operator]
                                              MatchingRun.baseline_run_id.is_(None))  # type: ignore[union-attr]
    waiting = session.exec(
        select(Proposal.id, Proposal.run_id).where(
            Proposal.state.in_(TRANSITIONS["supersede"]), Proposal.run_id.in_(older_runs))  # type: ignore[attr-defined]
        .order_by(Proposal.id).with_for_update()
    ).all()
    by_run: dict[int, list[int]] = defaultdict(list)
    for proposal_id, run_id in waiting:
        by_run[run_id].append(proposal_id)
    if not waiting:
        return {}
    session.execute(
        update(Proposal).where(Proposal.id.in_([w[0] for w in waiting]))  # type: ignore[union-attr]
        .values(state="superseded", superseded_by_run_id=newest, updated_at=now)
        .execution_options(synchronize_session=False))
    for run_id, ids in sorted(by_run.items()):
        audit.record(session, None, "supersede", "matching_run", run_id, {"state": "proposed", "proposals": ids},
                     {"state": "superseded", "by_run_id": newest})
    _expire_all(session, Proposal, [w[0] for w in waiting])
    return dict(by_run)


def _expire_all(session: Session, model: type, ids: list[int]) -> None:
    """Objects of ``ids`` already in the session are re-read on next use (a bulk UPDATE changed them)."""
    for identity in ids:
        obj = session.identity_map.get(session.identity_key(model, identity))
        if obj is not None:
            session.expire(obj)
