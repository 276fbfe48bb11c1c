"""The audit anchor: every committed head is appended to a file outside the database, so that
``matchmaker audit verify`` notices even the newest records deleted, or the chain rewritten."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import text
from sqlmodel import Session, select

from matchmaker.cli import cli
from matchmaker.models import AuditRecord
from matchmaker.services import audit, audit_anchor

TODAY = date(2027, 1, 15)


@pytest.fixture
def verify(app: Flask, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    import matchmaker

    monkeypatch.setattr(matchmaker, "create_app", lambda: app)

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, ["audit", "verify", *args])

    return run


def chain(db: Session) -> list[AuditRecord]:
    return list(db.exec(select(AuditRecord).order_by(AuditRecord.seq)))


def anchored(path: Path) -> list[tuple[int, str]]:
    return [(a.seq, a.hash) for a in audit_anchor.read(path).anchors]


def delete_from(db: Session, seq: int) -> None:
    db.execute(text("DELETE FROM audit_record WHERE seq >= :seq"), {"seq": seq})
    db.commit()


def test_each_commit_anchors_its_newest_record(db, trail, audit_anchor_path):
    # the second acceptance and its contract are one transaction: one line, for record 4
    rows = chain(db)
    assert anchored(audit_anchor_path) == [(r.seq, r.hash) for r in rows if r.seq != 3]


def test_a_rolled_back_action_anchors_nothing(db, factory, audit_anchor_path):
    staff = factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")
    audit.record(db, staff.id, "approve", "proposal", 1, None, {"state": "approved"})
    db.rollback()
    db.commit()
    assert not audit_anchor_path.exists()


def test_an_intact_anchored_chain_verifies(trail, verify):
    result = verify()
    assert result.exit_code == 0
    assert "audit chain intact: 5 records" in result.output and "anchored up to record 5" in result.output


def test_deleting_the_last_record_is_detected(db, trail, verify, audit_anchor_path):
    anchored_at = audit_anchor.read(audit_anchor_path).anchors[-1].at
    delete_from(db, 5)
    assert audit.verify_chain(db) == []  # the chain alone cannot tell
    result = verify()
    assert result.exit_code == 1
    assert f"record 5 is missing (anchored at {anchored_at})" in result.output
    assert "first bad record: 5" in result.output


def test_deleting_the_last_three_records_names_each(db, trail, verify, audit_anchor_path):
    times = {a.seq: a.at for a in audit_anchor.read(audit_anchor_path).anchors}
    delete_from(db, 3)
    result = verify()
    assert result.exit_code == 1
    # record 3 was committed with record 4, so the head anchored for 4 is the first to vouch for it
    assert f"record 3 is missing (anchored at {times[4]})" in result.output
    assert f"record 4 is missing (anchored at {times[4]})" in result.output
    assert f"record 5 is missing (anchored at {times[5]})" in result.output
    assert "first bad record: 3" in result.output


def test_editing_a_middle_record_is_still_detected(db, trail, verify):
    db.execute(text("UPDATE audit_record SET after = :after WHERE seq = 3"), {"after": '{"state":"rejected"}'})
    db.commit()
    result = verify()
    assert result.exit_code == 1
    assert "record 3: content does not match its hash (edited)" in result.output
    assert "first bad record: 3" in result.output


def test_a_chain_rewritten_with_fresh_hashes_differs_from_its_anchor(db, trail, verify):
    """Someone who edits record 4 and recomputes every hash after it leaves a perfect chain; only
    the anchored hashes of records 4 and 5 give it away."""
    rows = chain(db)
    rows[3].after = '{"state":"cancelled"}'
    for entry, prev in zip(rows[3:], rows[2:], strict=False):
        entry.prev_hash = prev.hash
        entry.hash = audit.record_hash(entry, entry.prev_hash)
        db.add(entry)
    db.commit()
    assert audit.verify_chain(db) == []
    result = verify()
    assert result.exit_code == 1
    assert "record 4: hash differs from the head anchored at" in result.output
    assert "first bad record: 4" in result.output


def test_a_missing_anchor_file_is_reported_but_the_chain_still_verifies(db, trail, verify, audit_anchor_path):
    audit_anchor_path.unlink()
    result = verify()
    assert result.exit_code == 0 and "audit chain intact: 5 records" in result.output
    assert f"no anchor file at {audit_anchor_path} yet" in result.output
    assert verify("--require-anchor").exit_code == 3
    db.execute(text("UPDATE audit_record SET user_id = 99 WHERE seq = 1"))
    db.commit()
    assert verify().exit_code == 1


def test_an_anchor_behind_the_head_is_fine(trail, verify, audit_anchor_path):
    """A crash between the commit and the append, or records written after the newest line."""
    lines = audit_anchor_path.read_text().splitlines(keepends=True)
    audit_anchor_path.write_text("".join(lines[:2]))
    result = verify()
    assert result.exit_code == 0
    assert "anchored up to record 2; records 3-5 came after the newest anchor" in result.output


def test_a_head_given_by_hand_catches_a_deletion_when_the_anchor_file_was_rewritten_too(
        db, trail, verify, audit_anchor_path):
    head = chain(db)[-1]
    delete_from(db, 5)
    audit_anchor_path.write_text("".join(audit_anchor_path.read_text().splitlines(keepends=True)[:-1]))
    assert verify().exit_code == 0  # both copies rewritten: only the printed head remains
    result = verify("--head", f"{head.seq}:{head.hash}")
    assert result.exit_code == 1 and "record 5 is missing (anchored by --head)" in result.output


def test_a_malformed_head_is_a_usage_error_naming_the_option(trail, verify):
    result = verify("--head", "5:not-a-hash")
    assert result.exit_code == 2 and "--head" in result.output and "SEQUENCE:HASH" in result.output


def test_the_anchor_command_prints_and_appends_the_head(app, db, trail, verify, audit_anchor_path):
    head = chain(db)[-1]
    result = CliRunner().invoke(cli, ["audit", "anchor"])
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == f"5:{head.hash}"
    assert anchored(audit_anchor_path)[-2:] == [(5, head.hash), (5, head.hash)]
    printed = CliRunner().invoke(cli, ["audit", "anchor", "--print-only"])
    assert printed.exit_code == 0 and len(anchored(audit_anchor_path)) == 5


def test_the_anchor_command_refuses_to_vouch_for_a_broken_chain(db, trail, verify, audit_anchor_path):
    before = audit_anchor_path.read_text()
    db.execute(text("UPDATE audit_record SET entity_id = 77 WHERE seq = 2"))
    db.commit()
    result = CliRunner().invoke(cli, ["audit", "anchor"])
    assert result.exit_code == 1 and "nothing anchored" in result.output
    assert audit_anchor_path.read_text() == before


def test_an_unreadable_anchor_line_is_reported_and_the_other_lines_still_count(db, trail, verify, audit_anchor_path):
    with audit_anchor_path.open("a") as handle:
        handle.write("5 edited-by-hand\n")
    result = verify()
    assert result.exit_code == 0 and "line 5: expected 'SEQUENCE HASH TIME'" in result.output
    delete_from(db, 5)
    assert verify().exit_code == 1


def test_a_line_torn_by_a_crash_is_ignored_and_the_next_head_starts_a_new_line(tmp_path):
    path = tmp_path / "anchor.log"
    path.write_text(f"1 {'a' * 64} 2027-01-15T08:00:00.000000Z\n2 {'b' * 20}")
    assert [a.seq for a in audit_anchor.read(path).anchors] == [1]
    audit_anchor.append(path, 3, "c" * 64)
    read = audit_anchor.read(path)
    assert [a.seq for a in read.anchors] == [1, 3]
    assert path.read_text().splitlines()[1] == f"2 {'b' * 20}"
    assert len(read.warnings) == 1 and "line 2" in read.warnings[0] and "torn" in read.warnings[0]


def _append_many(path: str, writer: int, count: int) -> None:
    for i in range(count):
        audit_anchor.append(Path(path), writer * 1000 + i, f"{writer:x}" * 64)


def test_processes_and_threads_appending_at_once_keep_whole_lines(tmp_path):
    path = tmp_path / "anchor.log"
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_append_many, args=(str(path), w, 100)) for w in (1, 2)]
    threads = [threading.Thread(target=_append_many, args=(str(path), w, 100)) for w in (3, 4)]
    for worker in [*processes, *threads]:
        worker.start()
    for worker in [*processes, *threads]:
        worker.join(60)
    assert all(p.exitcode == 0 for p in processes)
    read = audit_anchor.read(path)
    assert read.warnings == []
    assert sorted(a.seq for a in read.anchors) == [w * 1000 + i for w in (1, 2, 3, 4) for i in range(100)]
    assert all(a.hash == f"{a.seq // 1000:x}" * 64 for a in read.anchors)
