"""Schemathesis over every operation of the OpenAPI document, 100 examples each, with a
read-write token: no server error, and every answer's status, content type and body as the
document says. The document itself is what is checked against, so a route or field added
without its schema fails here."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from matchmaker.services import tokens
from matchmaker.services.viewer import Viewer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def token(factory):
    factory.catalogue()
    org = factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"})
    user = factory.user(org, "seller@example.cn")
    viewer = Viewer(user_id=user.id, org_id=org.id, role="member", org_status="approved")
    return tokens.create_token(factory.db, viewer, {"name": "fuzz", "scope": "read-write"})[1]


@pytest.mark.slow
def test_every_operation_answers_as_documented(app, token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    calls = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):  # type: ignore[no-untyped-def]
            calls.append(case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS).status_code)

        check()
    assert len(calls) > 1000 and {200, 404, 422} <= set(calls)  # the fuzzing ran, past the token check
