"""Reading a run's proposals for review, one page at a time.

A run on a market of a few hundred organisations proposes thousands of matches; rendering them
all (each row carries its review forms) made the page take seconds and megabytes. The page reads
one page of rows with ``LIMIT``/``OFFSET`` in id order, and the counts per state with one
``GROUP BY``, so the filter links still count the whole run.

The per-product summary (with the greedy match by hand to compare against) and the reasons why
each match is no larger are worked out from the run's whole market and result: on 300
organisations that is most of a second, on every page of the review. A finished run's market and
result never change, so they are worked out once per process and kept for the last few runs.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from matchmaker.models import MatchingRun, Proposal
from matchmaker.services import explain
from matchmaker.services.errors import PermissionDenied
from matchmaker.services.queries import Page
from matchmaker.services.viewer import Viewer


def state_counts(session: Session, viewer: Viewer, run_id: int) -> Counter[str]:
    """How many proposals of the run are in each state (the whole run, whatever the page)."""
    if not viewer.is_staff:
        raise PermissionDenied()
    rows = session.exec(select(Proposal.state, func.count()).where(Proposal.run_id == run_id)
                        .group_by(Proposal.state))  # type: ignore[call-overload]
    return Counter({state: count for state, count in rows})


def proposal_page(session: Session, viewer: Viewer, run_id: int, state: str, page: int, page_size: int,
                  counts: Counter[str]) -> Page:
    """Page ``page`` (from 1) of the run's proposals in id order, only those in ``state`` when it
    is not empty. ``counts`` (from ``state_counts``) gives the total; a page past the last is the
    last, so a link kept from before approvals moved rows still shows rows."""
    if not viewer.is_staff:
        raise PermissionDenied()
    total = counts[state] if state else sum(counts.values())
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    query = select(Proposal).where(Proposal.run_id == run_id)
    if state:
        query = query.where(Proposal.state == state)
    rows = list(session.exec(query.order_by(Proposal.id).offset((page - 1) * page_size).limit(page_size)))  # type: ignore[arg-type]
    return Page(rows, page, page_size, total)


def page_of(session: Session, proposal: Proposal, page_size: int) -> int:
    """The page of the unfiltered list a proposal is on, to return to it after acting on it."""
    before = session.exec(select(func.count()).select_from(Proposal).where(
        Proposal.run_id == proposal.run_id, Proposal.id < proposal.id)).one()  # type: ignore[operator]
    return int(before) // page_size + 1


def ids_in_run(session: Session, viewer: Viewer, run_id: int, ids: list[int]) -> list[int]:
    """The ids of ``ids`` that are proposals of the run, in the order given (ids of other runs
    are dropped, so a bulk form cannot reach another run's proposals)."""
    if not viewer.is_staff:
        raise PermissionDenied()
    if not ids:
        return []
    found = set(session.exec(select(Proposal.id).where(Proposal.run_id == run_id,
                                                      Proposal.id.in_(ids))))  # type: ignore[union-attr]
    return [i for i in dict.fromkeys(ids) if i in found]


def explained(run: MatchingRun) -> tuple[dict[tuple[str, str], list[object]], list[explain.ProductSummary]]:
    """The reasons per (offer, demand) and the per-product summary of a finished run (both empty
    before it has a result). The reasons are lazy strings: the cached copy serves every language."""
    if run.state != "finished" or not run.result:
        return {}, []
    return _explained(run.market, run.result)


@lru_cache(maxsize=8)
def _explained(market_text: str, result_text: str) -> tuple[dict[tuple[str, str], list[object]], list[Any]]:
    market, result = json.loads(market_text), json.loads(result_text)
    return explain.binding(market, result), explain.product_summary(market, result)
