"""Every documented error is problem+json, and no hostile input produces a 5xx."""

import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from api.app import create_app

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


def _assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == PROBLEM
    body = json.loads(response.get_data())
    assert {"type", "title", "status", "detail", "request_id"} <= set(body)
    assert body["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_unknown_route_is_404_problem(client):
    body = _assert_problem(client.get("/v2/summarize"), 404)
    assert "/v2/summarize" in body["detail"]


def test_wrong_method_is_405_problem_with_allow(client):
    response = client.get("/v1/summarize")
    _assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]
    _assert_problem(client.delete("/v1/models"), 405)


@pytest.mark.parametrize(
    "content_type", ["application/xml", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_wrong_or_missing_content_type_is_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    body = _assert_problem(client.post("/v1/summarize", data=b"text=Berita", headers=headers), 415)
    assert "text/plain" in body["detail"]


def test_vendor_json_type_is_accepted(client):
    response = client.post("/v1/translate", data=b'{"text": "Halo."}', content_type="application/vnd.api+json")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"{bad",
        b"",
        b"   ",
        b'{"text": "unterminated',
        b"\xff\xfe\xfd",
        b"[" * 50_000,
        b'{"text": "a"} trailing',
        b'{"text": "a", "translate": ' + b"9" * 5000 + b"}",
    ],
)
def test_malformed_json_is_400(client, raw):
    _assert_problem(client.post("/v1/summarize", data=raw, content_type="application/json"), 400)


def test_invalid_utf8_plain_text_is_400_and_unknown_charset_415(client):
    _assert_problem(client.post("/v1/summarize", data=b"Berita \xff\xfe", content_type="text/plain"), 400)
    _assert_problem(client.post("/v1/summarize", data=b"Berita", content_type="text/plain; charset=klingon"), 415)


def test_latin1_plain_text_with_declared_charset_works(client):
    response = client.post(
        "/v1/translate", data="Caf\u00e9 baru.".encode("latin-1"), content_type="text/plain; charset=latin-1"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"42", b"null", b"true"])
def test_json_that_is_not_an_object_is_422(client, raw):
    body = _assert_problem(client.post("/v1/summarize", data=raw, content_type="application/json"), 422)
    assert "object" in body["detail"]


def test_body_over_limit_is_413_from_content_length(client, settings):
    size = settings.limits.max_body_bytes + 1
    response = client.post("/v1/summarize", data=b"x" * size, content_type="text/plain")
    body = _assert_problem(response, 413)
    assert str(size) in body["detail"]


HOSTILE = {
    "control characters": "Berita\x00\x01\x02\x1b[31m penting\x7f\x9f hari ini.",
    "lone surrogates": "Berita \ud800 dan \udfff juga \ud83d.",
    "40 KB without a space": "a" * 40_000,
    "emoji only": "\U0001f600\U0001f525\U0001f1ee\U0001f1e9" * 50,
    "other scripts": "\u0645\u0631\u062d\u0628\u0627 \u4f60\u597d\u4e16\u754c "  # Arabic, Chinese
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35 \u05e9\u05dc\u05d5\u05dd",  # Thai, Hebrew
    "bidi and zero-width": "\u202eBerita\u200b\u200d\u2066 terbalik\u2069\ufeff.",
    "one huge word repeated": ("Pemberantasankorupsi" * 30 + " ") * 20,
    "only punctuation": "!!!???...,,,;;;" * 100,
    "many newlines": "\n" * 5000 + "Berita." + "\r\n" * 5000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_never_produces_a_5xx(client, name):
    text = HOSTILE[name]
    for path, payload in (
        ("/v1/summarize", {"text": text, "translate": True}),
        ("/v1/translate", {"text": text}),
    ):
        raw = json.dumps(payload)  # json escapes lone surrogates as \udXXX, as a hostile client would
        response = client.post(path, data=raw, content_type="application/json")
        assert response.status_code in (200, 413, 422), (name, path, response.get_data(as_text=True)[:300])
        if response.status_code != 200:
            _assert_problem(response, response.status_code)
        else:
            response.get_data().decode("utf-8")  # the answer is valid UTF-8 JSON


def test_40kb_without_spaces_is_summarized_truncated(client):
    body = client.post("/v1/summarize", json={"text": HOSTILE["40 KB without a space"]}).get_json()
    assert body["input"]["truncated"] and body["input"]["chars"] == 40_000


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=300), translate=st.booleans())
def test_fuzzed_text_gets_200_or_a_problem(client, text, translate):
    response = client.post("/v1/summarize", json={"text": text, "translate": translate})
    assert response.status_code in (200, 422)
    if response.status_code == 422:  # empty or too short after cleaning, or clearly not Indonesian
        detail = response.get_json()["detail"]
        assert "empty" in detail or "not Indonesian" in detail or "RINGKAS_LIMITS__MIN_TEXT_CHARS" in detail


def test_request_id_is_echoed_when_safe_and_replaced_when_not(client):
    echoed = client.get("/healthz", headers={"X-Request-ID": "cms-42.abc:7"})
    assert echoed.headers["X-Request-ID"] == "cms-42.abc:7"
    unsafe = client.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 300})
    assert unsafe.headers["X-Request-ID"] != "<script>" + "x" * 300 and len(unsafe.headers["X-Request-ID"]) == 32
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    problem = client.post("/v1/summarize", json={}, headers={"X-Request-ID": "trace-1"})
    assert problem.get_json()["request_id"] == "trace-1" and problem.headers["X-Request-ID"] == "trace-1"


def test_unexpected_errors_are_a_generic_500_problem(settings, runtime):
    app = create_app(settings, runtime)

    @app.get("/__boom")
    def boom():  # pragma: no cover - exercised through the client
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/__boom")
    body = _assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True) and body["request_id"]


HOSTILE_HTML = {
    "deep nesting": "<div>" * 20000 + "Berita penting hari ini di Jakarta." + "</div>" * 20000,
    "huge attribute": '<p title="' + "x" * 300_000 + '">Isi berita.</p>',
    "unclosed comments": "<!--" * 1000 + "<p>Isi</p>",
    "fifty thousand open tags": "<p>" * 50_000,
    "nul and surrogates": "<p>Isi\x00 berita \ud800 hari ini.</p>",
    "script only": "<script>while(true){}</script>",
    "not html": "}{][<<>>&&&;;",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_HTML))
def test_hostile_html_never_produces_a_5xx(client, name):
    raw = json.dumps({"html": HOSTILE_HTML[name]})
    response = client.post("/v1/summarize", data=raw, content_type="application/json")
    assert response.status_code in (200, 413, 422), (name, response.get_data(as_text=True)[:300])
    if response.status_code != 200:
        _assert_problem(response, response.status_code)
