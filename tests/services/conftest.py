"""Fixtures the service tests share."""

from __future__ import annotations

from datetime import date

import pytest

from matchmaker.services import acceptance, review
from tests.matching_market import Market, add_proposal, seed_market

AUDIT_TODAY = date(2027, 1, 15)


@pytest.fixture
def trail(db, factory) -> Market:  # type: ignore[no-untyped-def]
    """Five audit records in four commits: approve; accept; accept + create_contract; reject."""
    market = seed_market(db, factory)
    p = add_proposal(db, market, market.demand, 300)
    review.approve(db, market.staff, p.id, AUDIT_TODAY)
    acceptance.respond(db, market.buyer, p.id, True, AUDIT_TODAY)
    acceptance.respond(db, market.seller, p.id, True, AUDIT_TODAY)
    q = add_proposal(db, market, market.demand_b, 100)
    review.reject(db, market.staff, q.id, "duplicate")
    return market
