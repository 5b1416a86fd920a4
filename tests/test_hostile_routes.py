"""Hostile input IV, proved generically: every declared route (``@declare`` in routes/declare.py),
every field of its body and query models, hostile values from hypothesis. For each request: no 5xx,
an error answer of a few KB whatever was sent, a success no larger than a small multiple of the
request, and a canary the caller wrote never in a log record. Then process memory: hundreds of
requests with unique large values in every short field must not grow the process (a cache keyed by
caller input, ours or a library's, would).

Nothing here names a finding: the routes, fields and media types come from the declarations, the
values from strategies of what an attacker sends (huge, deep, odd Unicode, unknown members, wrong
types, odd charsets)."""

from __future__ import annotations

import ctypes
import gc
import itertools
import json
import logging
import uuid
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.config import Settings
from api.routes.declare import Operation, declaration_of
from tests.conftest import tiny_settings

pytestmark = pytest.mark.integration  # the job routes' test says system itself

CANARY = "CANARY7f3a"
SAMPLE = "Pemerintah kota mengumumkan jadwal baru angkutan umum mulai pekan depan bagi warga."
ERROR_ANSWER_BYTES = 8 * 1024  # a problem lists a few errors and quotes a few dozen characters
SUCCESS_FACTOR, SUCCESS_CONSTANT = 4, 32 * 1024
# Fields that carry the article: large values there are the service's work, charged and capped.
ARTICLE_FIELDS = {"text", "html", "inputs", "q", "items"}


def _declared(app, *, jobs: bool):
    """(method, path, operation) of every declared operation with a body or a query model."""
    found = []
    for rule in app.url_map.iter_rules():
        operation = declaration_of(app.view_functions[rule.endpoint])
        if not isinstance(operation, Operation) or rule.arguments:
            continue
        if (rule.endpoint.startswith("jobs.")) != jobs:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if operation.body or operation.query:
                found.append((method, rule.rule, operation))
    return sorted(found, key=lambda entry: (entry[1], entry[0]))


def _base_body(operation: Operation) -> dict:
    """A valid JSON body for the operation: its own example, or its required fields."""
    if operation.example is not None:
        return operation.example(SAMPLE)
    return {name: SAMPLE for name, field in operation.body.model_fields.items() if field.is_required()}


def _fields(operation: Operation) -> list[tuple[str, str]]:
    fields = [("body", name) for name in operation.body.model_fields] if operation.body else []
    fields += [("query", name) for name in operation.query.model_fields] if operation.query else []
    return fields


# --- what an attacker sends ---------------------------------------------------------------------
def _marked(text: str) -> str:
    return CANARY + text


odd_unicode = st.sampled_from(
    ["\ufdfa", "\u202e", "\u0000", "\ud800", "\U0001f600", "\u0301", "\ufeff", "ß", "\u2028", "İ", "ﷺ"]
)
hostile_strings = st.one_of(
    st.text(max_size=50).map(_marked),
    st.builds(lambda char, n: _marked(char * n), odd_unicode, st.integers(1, 120_000)),
    st.builds(lambda n: _marked("x" * n), st.integers(1_000, 900_000)),
    st.builds(lambda n: _marked("en-" + "-".join(["abcdefgh"] * n)), st.integers(1, 20_000)),
    st.sampled_from(["en", "eng_Latn", "zh-Hant-TW", "short", "chunk", "true", "", " "]),
)
hostile_values = st.recursive(
    st.one_of(
        hostile_strings,
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.booleans(),
        st.none(),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(hostile_strings, inner, max_size=4)),
    max_leaves=8,
)
deep = st.integers(10, 100_000).map(lambda depth: "[" * depth + "]" * depth)
many_members = st.integers(1, 60_000).map(lambda n: {f"{CANARY}{i:06d}": 1 for i in range(n)})
charsets = st.one_of(
    st.sampled_from(["punycode", "base64", "rot13", "idna", "zlib", "hex", "uu", "utf-7", "bz2", "utf-8", "latin-1"]),
    st.builds(lambda n: _marked("c" * n), st.integers(1, 50_000)),
)


# --- the checks every answer passes -------------------------------------------------------------
class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record):
        self.seen.append(json.dumps({**record.__dict__, "message": record.getMessage()}, default=str))


@pytest.fixture()
def records():
    handler = _Records()
    root = logging.getLogger()
    loggers = [root] + [log for log in logging.Logger.manager.loggerDict.values() if isinstance(log, logging.Logger)]
    for log in loggers:
        log.addHandler(handler)
    yield handler
    for log in loggers:
        log.removeHandler(handler)


def _send(client, method: str, path: str, *, body: bytes = b"", content_type: str | None = None, query=None):
    url = path + ("?" + urlencode(query) if query else "")
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.open(url, method=method, data=body, headers=headers)
    sent = len(url) + len(body) + len(content_type or "")
    return response, sent


def _check(response, sent: int, records: _Records, what: str) -> None:
    answer = response.get_data()
    assert response.status_code < 500, f"{what}: {response.status_code} {answer[:300]!r}"
    if response.status_code >= 400:
        assert len(answer) <= ERROR_ANSWER_BYTES, f"{what}: a {len(answer)}-byte problem for {sent} bytes sent"
    else:
        assert len(answer) <= SUCCESS_FACTOR * sent + SUCCESS_CONSTANT, f"{what}: {len(answer)} bytes for {sent}"
    logged = [line for line in records.seen if CANARY in line]
    assert not logged, f"{what}: caller text in the log: {logged[0][:300]}"


def _encode(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def hostile_app(tiny_dir, runtime):
    # Keys on, so the guard's paths run too; every request carries the key.
    return create_app(tiny_settings(tiny_dir, api_keys="rk_hostile", auth_failure_limit=None), runtime)


@pytest.fixture()
def hostile_client(hostile_app):
    client = hostile_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer rk_hostile"
    return client


def _field_cases(app, jobs: bool):
    return [
        pytest.param(method, path, where, name, id=f"{method} {path} {where}.{name}")
        for method, path, operation in _declared(app, jobs=jobs)
        for where, name in _fields(operation)
    ]


def _operation(app, method, path) -> Operation:
    return next(op for m, p, op in _declared(app, jobs=path.startswith("/v1/jobs")) if (m, p) == (method, path))


class _NoModels:
    """Enough of a Runtime to build the app's routes at collection time (no model is loaded)."""

    redis = None
    metrics = None


_PLAIN_APP = create_app(Settings(), runtime=_NoModels())
FIELD_CASES = _field_cases(_PLAIN_APP, jobs=False)
ROUTE_CASES = [pytest.param(m, p, id=f"{m} {p}") for m, p, _ in _declared(_PLAIN_APP, jobs=False)]
HOSTILE = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.mark.parametrize(("method", "path", "where", "name"), FIELD_CASES)
@HOSTILE
@given(value=hostile_values)
def test_every_declared_field_answers_hostile_values_bounded(
    hostile_client, hostile_app, records, method, path, where, name, value
):
    operation = _operation(hostile_app, method, path)
    if where == "body":
        payload = {**_base_body(operation), name: value}
        response, sent = _send(hostile_client, method, path, body=_encode(payload), content_type="application/json")
    else:
        shown = value if isinstance(value, str) else json.dumps(value)
        body = _encode(_base_body(operation)) if operation.body else b""
        query = {name: shown[:8000]}  # a request line is at most 8 KB at gunicorn and nginx
        response, sent = _send(hostile_client, method, path, body=body, content_type="application/json", query=query)
    _check(response, sent, records, f"{method} {path} {where}.{name}")


@pytest.mark.parametrize(("method", "path"), ROUTE_CASES)
@HOSTILE
@given(shape=st.one_of(deep, many_members, hostile_values))
def test_every_declared_body_answers_hostile_shapes_bounded(hostile_client, hostile_app, records, method, path, shape):
    operation = _operation(hostile_app, method, path)
    if operation.body is None:
        return
    if isinstance(shape, dict):  # unknown members beside a valid body
        body = _encode({**_base_body(operation), **shape})
    elif isinstance(shape, str) and shape.startswith("["):
        body = shape.encode()
    else:
        body = _encode(shape)
    response, sent = _send(hostile_client, method, path, body=body, content_type="application/json")
    _check(response, sent, records, f"{method} {path}")


@pytest.mark.parametrize(("method", "path"), ROUTE_CASES)
@HOSTILE
@given(charset=charsets, text=hostile_strings)
def test_every_raw_body_answers_odd_charsets_bounded(hostile_client, hostile_app, records, method, path, charset, text):
    operation = _operation(hostile_app, method, path)
    if not operation.raw:
        return
    media = operation.raw[0]
    response, sent = _send(
        hostile_client,
        method,
        path,
        body=text.encode("utf-8", "surrogatepass"),
        content_type=f"{media}; charset={charset}",
    )
    _check(response, sent, records, f"{method} {path} charset")
    if not charset.startswith(("utf-8", "latin-1")):
        assert response.status_code == 415 and "utf-8" in response.get_json()["detail"], response.get_data()[:300]


# --- memory: no process-lifetime cache keyed by caller input -------------------------------------
VALUE_CHARS = 100_000  # each unique value; a cache keeping them grows 100 KB a request
QUERY_CHARS = 8_000  # in a URL: gunicorn and nginx refuse a request line over 8 KB
TAG_CHARS = 7_000
ROUNDS = 20
GROWTH_BOUND = 2 * 1024 * 1024


def _unique(kind: str, size: int) -> str:
    """A unique value of VALUE_CHARS, shaped to get as far as a value can: a language tag's subtags,
    a word."""
    parts = itertools.count()
    if kind == "tag":  # private-use subtags: a tag parsers accept (to ~8 KB, past it they recurse too deep)
        words = (uuid.uuid4().hex[:8] for _ in parts)
        return ("en-x-" + "-".join(itertools.islice(words, TAG_CHARS // 9)))[:TAG_CHARS]
    return (uuid.uuid4().hex * (size // 32 + 1))[:size]


def _rss() -> int:
    gc.collect()
    try:  # hand freed heap back, so what stays is what is still referenced
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def _memory_cases(app):
    """Every short field of every declared body and query (language tags, option words, ids,
    keys), an unknown member and an unknown query name per route, and the charset of every raw
    body: each gets a unique value in every request."""
    cases = []
    for method, path, operation in _declared(app, jobs=False):
        for where, name in _fields(operation):
            if name not in ARTICLE_FIELDS:
                cases.append((method, path, operation, where, name))
        if operation.body:
            cases.append((method, path, operation, "member", None))
        cases.append((method, path, operation, "query-name", None))
        if operation.raw:
            cases.append((method, path, operation, "charset", None))
    return cases


def _unique_request(client, method, path, operation, where, name):
    kind = "tag" if name and ("lang" in name or name in ("source", "target")) else "word"
    value = _unique(kind, QUERY_CHARS if where.startswith("query") else VALUE_CHARS)
    body = _encode(_base_body(operation)) if operation.body else b""
    if where == "body":
        body = _encode({**_base_body(operation), name: value})
        return _send(client, method, path, body=body, content_type="application/json")[0]
    if where == "member":
        body = _encode({**_base_body(operation), value: 1})
        return _send(client, method, path, body=body, content_type="application/json")[0]
    if where == "query":
        return _send(client, method, path, body=body, content_type="application/json", query={name: value})[0]
    if where == "query-name":
        return _send(client, method, path, body=body, content_type="application/json", query={value: "1"})[0]
    media = f"{operation.raw[0]}; charset={value}"
    return _send(client, method, path, body=SAMPLE.encode(), content_type=media)[0]


def test_unique_values_in_every_short_field_do_not_grow_the_process(hostile_client, hostile_app):
    cases = _memory_cases(hostile_app)
    assert len(cases) >= 30  # the walk found the routes' fields

    def one_round():
        for case in cases:
            response = _unique_request(hostile_client, *case)
            assert response.status_code < 500, (case[1], case[3], case[4], response.get_data()[:200])

    # Warm: the first requests fill what a process keeps once, and bounded caches (urllib's
    # urlsplit keeps the last 128 URLs) reach their size.
    for _ in range(4):
        one_round()
    before = _rss()
    for _ in range(ROUNDS):
        one_round()
    grown = _rss() - before
    sent = len(cases) * ROUNDS * VALUE_CHARS
    assert grown < GROWTH_BOUND, f"RSS grew {grown / 2**20:.1f} MB over {sent / 2**20:.0f} MB of unique values"


# --- the job routes (Redis; no worker: accepted jobs stay queued) ---------------------------------
@pytest.fixture(scope="module")
def jobs_client(tiny_dir, runtime, redis_url):
    settings = tiny_settings(tiny_dir, api_keys="rk_hostile", auth_failure_limit=None, redis_url=redis_url)
    client = create_app(settings, runtime).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer rk_hostile"
    return client


JOB_RULES = sorted(
    (method, rule.rule, rule.endpoint)
    for rule in _PLAIN_APP.url_map.iter_rules()
    if rule.endpoint.startswith("jobs.")
    for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
)


@pytest.mark.system
@pytest.mark.parametrize(("method", "rule", "endpoint"), JOB_RULES, ids=[f"{m} {r}" for m, r, _ in JOB_RULES])
@HOSTILE
@given(value=hostile_values, charset=charsets, option=st.sampled_from(["target_lang", "length", "bogus"]))
def test_every_job_route_answers_hostile_values_bounded(
    jobs_client, records, method, rule, endpoint, value, charset, option
):
    operation = declaration_of(_PLAIN_APP.view_functions[endpoint])
    text = value if isinstance(value, str) else json.dumps(value)
    path = rule.replace("<job_id>", (text or "x").replace("/", "_")[:8000])
    if method != "POST":
        query = {option: text[:8000]} if operation.query else None
        response, sent = _send(jobs_client, method, path, query=query)
        _check(response, sent, records, f"{method} {rule}")
        return
    for body, media in [
        (_encode({"items": [value, {"text": SAMPLE}], "defaults": {option: value}}), "application/json"),
        (_encode(value) + b"\n" + _encode({"text": SAMPLE}), f"application/x-ndjson; charset={charset}"),
        (b"id,text\n" + text.encode("utf-8", "surrogatepass") + b"," + SAMPLE.encode(), f"text/csv; charset={charset}"),
    ]:
        response, sent = _send(jobs_client, method, path, body=body, content_type=media)
        _check(response, sent, records, f"{method} {rule} {media}")


def test_limits_and_charges_hold_after_unicode_normalisation(hostile_client):
    """Under the character limit as sent, over it as the tokenizer reads it (NFKC): refused, and the
    answer says why."""
    text = "Berita kota. " + "\ufdfa" * 99_000
    response = hostile_client.post("/v1/summarize", json={"text": text})
    assert response.status_code == 413, response.get_data()[:300]
    assert "NFKC" in response.get_json()["detail"]
    response = hostile_client.post("/v1/translate", json={"text": "\ufdfa" * 1_000})
    assert response.status_code == 413, response.get_data()[:300]
