"""The audit trail: every action recorded in its own transaction, chained by SHA-256, and
``matchmaker audit verify`` noticing a record edited, deleted or reordered."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import select

from matchmaker.cli import cli
from matchmaker.models import AuditRecord
from matchmaker.services import audit, review
from matchmaker.services.review import CapacityConflict
from tests.matching_market import add_proposal, seed_market

TODAY = date(2027, 1, 15)


def records(db):
    return list(db.exec(select(AuditRecord).order_by(AuditRecord.seq)))


def test_each_action_is_recorded_with_who_what_before_and_after(db, trail):
    rows = records(db)
    assert [r.action for r in rows] == ["approve", "accept", "accept", "create_contract", "reject"]
    first = rows[0]
    assert first.user_id == trail.staff.user_id and first.entity == "proposal"
    assert json.loads(first.before)["state"] == "proposed" and json.loads(first.after)["state"] == "approved"
    assert audit.verify_chain(db) == []


def test_a_refused_action_writes_no_record(db, factory):
    market = seed_market(db, factory)
    p = add_proposal(db, market, market.demand, 500)  # more than the 400 t offered
    with pytest.raises(CapacityConflict):
        review.approve(db, market.staff, p.id, TODAY)
    assert records(db) == []


def test_an_edited_record_is_detected(db, trail):
    db.execute(text("UPDATE audit_record SET after = :after WHERE seq = 2"), {"after": '{"state":"contracted"}'})
    db.commit()
    assert audit.verify_chain(db) == ["record 2: content does not match its hash (edited)"]


def test_a_deleted_record_is_detected(db, trail):
    db.execute(text("DELETE FROM audit_record WHERE seq = 3"))
    db.commit()
    problems = audit.verify_chain(db)
    assert problems[:2] == ["record 4: expected sequence number 3 (a record is missing or moved)",
                            "record 4: does not follow the previous record (deleted or reordered)"]


def test_reordered_records_are_detected(db, trail):
    db.execute(text("UPDATE audit_record SET seq = 100 WHERE seq = 2"))
    db.execute(text("UPDATE audit_record SET seq = 2 WHERE seq = 3"))
    db.execute(text("UPDATE audit_record SET seq = 3 WHERE seq = 100"))
    db.commit()
    problems = audit.verify_chain(db)
    assert "record 2: does not follow the previous record (deleted or reordered)" in problems
    assert "record 2: content does not match its hash (edited)" in problems


def test_the_verify_command_reports_and_fails_on_a_broken_chain(app, db, trail, monkeypatch):
    import matchmaker

    monkeypatch.setattr(matchmaker, "create_app", lambda: app)
    ok = CliRunner().invoke(cli, ["audit", "verify"])
    assert ok.exit_code == 0 and "5 records" in ok.output
    db.execute(text("UPDATE audit_record SET user_id = 99 WHERE seq = 1"))
    db.commit()
    broken = CliRunner().invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1 and "record 1: content does not match its hash (edited)" in broken.output
