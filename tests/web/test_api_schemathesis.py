"""Schemathesis over every operation of the OpenAPI document, at least 100 examples each (a quarter
of that again on PostgreSQL), once
with a member's read-write token and once with a staff token: no server error, and every answer's
status, content type and body as the document says. The document itself is what is checked
against, so a route or field added without its schema fails here.

Runs started by the fuzzing are solved inline (``MATCHING_EXECUTOR=inline``): each finishes
within its request, on the tiny market of ``tests.matching_market`` (one offer, two demands), so
no solver thread outlives the test and a 600-second time limit costs milliseconds.

A third run sends bodies that break their schema (Schemathesis' negative mode) to every
operation taking a JSON body: each must be a documented 4xx, never a 5xx.
"""

import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import select

from matchmaker import jobs
from matchmaker.models import MatchingRun
from matchmaker.services import tokens
from matchmaker.services.viewer import Viewer
from tests.matching_market import seed_market
from tests.web.api_helpers import bearer

pytestmark = [pytest.mark.slow, pytest.mark.app_config(MATCHING_EXECUTOR="inline")]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 100
NEGATIVE_EXAMPLES = 50
# On PostgreSQL the same runs again with fewer examples: what differs there is the database (a NUL
# character in text, integer overflow, locking), which a quarter of the examples reaches; the full
# count on both would cost CI about four minutes more.
POSTGRESQL_SHARE = 4


def example_count(app, count: int) -> int:
    on_postgresql = app.config["DATABASE_URL"].startswith("postgres")
    return count // POSTGRESQL_SHARE if on_postgresql else count


def fuzz(app, token: str, *, probe: int = 0) -> dict[str, list[int]]:
    """Every operation, EXAMPLES generated requests each; the statuses answered, by operation.

    ``probe``: first that many requests; an operation answering all of them 403 (staff only, for a
    member's token; or 400 for a NUL character, refused before the token is read) stops there,
    the staff run covers it in depth. Saves a third of the time.
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    statuses: dict[str, list[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        calls = statuses.setdefault(operation.label, [])
        if probe:
            examples(operation, token, probe, calls)
            if staff_only(calls):
                continue
        examples(operation, token, example_count(app, EXAMPLES), calls)
    return statuses


def staff_only(calls: list[int]) -> bool:
    return 403 in calls and set(calls) <= {400, 403}


def examples(operation, token: str, count: int, calls: list[int], mode: GenerationMode = GenerationMode.POSITIVE) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=count, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):  # type: ignore[no-untyped-def]
        calls.append(case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS).status_code)

    check()


def token_for(db, viewer: Viewer) -> str:
    return tokens.create_token(db, viewer, {"name": "fuzz", "scope": "read-write"})[1]


@pytest.fixture
def member_token(factory):
    factory.catalogue()
    org = factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"})
    user = factory.user(org, "seller@example.cn")
    return token_for(factory.db, Viewer(user_id=user.id, org_id=org.id, role="member", org_status="approved"))


@pytest.fixture
def staff_token(client, db, factory):
    """Staff of the association on the tiny market, with run 1 solved and its first proposal
    approved, so the small ids the fuzzing tries first reach real rows."""
    market = seed_market(db, factory)
    token = token_for(db, market.staff)
    staff = bearer(token)
    run = client.post("/api/v1/runs", json={"request_key": "seed", "time_limit": 5}, headers=staff).get_json()
    proposals = client.get(f"/api/v1/runs/{run['id']}", headers=staff).get_json()["proposals"]
    assert run["state"] == "finished" and proposals
    assert client.post(f"/api/v1/proposals/{proposals[0]['id']}/approve", headers=staff).status_code == 200
    return token


def test_every_operation_answers_a_member_as_documented(app, member_token):
    statuses = fuzz(app, member_token, probe=10)
    probed = {label for label, calls in statuses.items() if staff_only(calls)}
    assert len(statuses) >= 20 and all(len(calls) >= example_count(app, EXAMPLES) for label, calls in statuses.items() if label not in probed)
    assert {"POST /api/v1/runs", "GET /api/v1/runs"} <= probed and "POST /api/v1/offers" not in probed
    assert {200, 404, 422} <= {code for calls in statuses.values() for code in calls}  # past the token check


def test_every_operation_answers_staff_as_documented(app, db, staff_token):
    threads_before = threading.active_count()
    statuses = fuzz(app, staff_token)
    assert all(len(calls) >= example_count(app, EXAMPLES) for calls in statuses.values())
    assert 201 in statuses["POST /api/v1/runs"]  # some runs were really started (and solved)
    assert not any(403 in calls for label, calls in statuses.items() if "/runs" in label)  # staff may
    runs = db.exec(select(MatchingRun)).all()
    assert all(run.state in ("finished", "failed") for run in runs)  # solved inline: none left behind
    assert sum(run.elapsed or 0 for run in runs) < 60  # the tiny market: whatever time_limit was asked
    assert jobs._threads == [] and threading.active_count() <= threads_before


def test_bodies_breaking_their_schema_are_refused_as_documented(app, staff_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    with_body = [op for op in (r.ok() for r in schema.get_all_operations())
                 if "application/json" in (op.definition.raw.get("requestBody") or {}).get("content", {})]
    assert len(with_body) >= 8
    statuses: list[int] = []
    for operation in with_body:
        examples(operation, staff_token, example_count(app, NEGATIVE_EXAMPLES), statuses, GenerationMode.NEGATIVE)
    assert {400, 422} <= set(statuses) and max(statuses) < 500
