"""Property-based run of the app's OpenAPI schema (schemathesis): no 5xx, and responses
that match the schema. Examples per operation are bounded to keep the suite fast."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

MAX_EXAMPLES = 8
#: Each valid comparison runs a whole assessment; a few examples cover its validation.
FEW = {"/api/compare": 3}


def test_api_has_no_server_errors(app) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) >= 8
    tried = 0
    for op in ops:

        @given(case=op.as_strategy())
        @settings(
            max_examples=FEW.get(op.path, MAX_EXAMPLES),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal tried
            if case.operation.path == "/api/evaluate":
                # A job left running would outlive the test; the validation and the cache
                # are the same code with or without waiting.
                case.query = {**(case.query or {}), "wait": False}
            response = case.call()
            tried += 1
            assert response.status_code < 500, (case.operation.path, response.text[:300])
            case.validate_response(
                response, checks=(not_a_server_error, response_schema_conformance)
            )

        check()
    assert tried >= len(ops)
