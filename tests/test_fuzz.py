"""schemathesis against the service's own /openapi.json: generated requests, valid and invalid,
never get a 5xx, and every response matches the documented status codes, media types, headers and
schemas. Bounded: a few dozen examples per operation, so it runs in CI on every change."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from tests.conftest import tiny_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_schema(tiny_dir, runtime):
    # Small app-level limits (body size, batch items), so that oversized inputs are reachable.
    app = create_app(tiny_settings(tiny_dir, max_body_bytes=20_000, max_batch_items=3), runtime)
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_generated_requests_get_documented_answers(case):
    case.call_and_validate(checks=CHECKS)
