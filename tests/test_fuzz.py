"""schemathesis against the service's own /openapi.json: generated requests, valid and invalid,
never get a 5xx, and every response matches the documented status codes, media types, headers and
schemas. Bounded: 50 examples per operation and mode, so it runs in CI on every change.

Driven through schemathesis's Python API (schema -> operations -> hypothesis strategies) rather than
its pytest plugin, whose collection hooks follow pytest internals (it broke on pytest 9.2)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from tests.conftest import tiny_settings

pytestmark = pytest.mark.system

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPERATIONS = [
    ("POST", "/v1/summarize"),
    ("POST", "/v1/summarize/batch"),
    ("POST", "/v1/digest"),
    ("POST", "/v1/translate"),
    ("GET", "/v1/models"),
    ("POST", "/v1/jobs"),
    ("GET", "/v1/jobs/{job_id}"),
    ("DELETE", "/v1/jobs/{job_id}"),
    ("GET", "/v1/jobs/{job_id}/results"),
    ("POST", "/hf/summarization"),
    ("POST", "/hf/translation"),
    ("POST", "/translate"),
    ("POST", "/detect"),
    ("GET", "/languages"),
    ("POST", "/languages"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
]


@pytest.fixture(scope="module")
def api_schema(tiny_dir, runtime, redis_url):
    # Small app-level limits (body size, batch items, job size), so that oversized inputs are reachable.
    # Redis is there so that the job routes do more than answer 503 (no worker runs: jobs stay queued).
    settings = tiny_settings(
        tiny_dir,
        limits__max_body_bytes=20_000,
        limits__max_batch_items=3,
        jobs__max_items=5,
        jobs__max_bytes=20_000,
        redis_url=redis_url,
    )
    app = create_app(settings, runtime)
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def test_every_documented_operation_is_fuzzed(api_schema):
    documented = {(op.method.upper(), op.path) for op in (r.ok() for r in api_schema.get_all_operations())}
    assert documented == set(OPERATIONS)


# Invalid data needs something to break: most GET operations (and LibreTranslate's POST /languages)
# take no parameters and no body.
BREAKABLE = {(m, p) for m, p in OPERATIONS if m == "POST" and p != "/languages"} | {
    ("GET", "/v1/jobs/{job_id}/results")
}
RUNS = [
    (m, p, mode)
    for m, p in OPERATIONS
    for mode in GenerationMode
    if (m, p) in BREAKABLE or mode is GenerationMode.POSITIVE
]


@pytest.mark.parametrize(("method", "path", "mode"), RUNS, ids=[f"{m} {p} {mode.value}" for m, p, mode in RUNS])
def test_generated_requests_get_documented_answers(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(checks=CHECKS)

    check()
