"""API keys, rate limits (in memory and shared through a real Redis), CORS, security headers,
metrics and privacy of the logs."""

from __future__ import annotations

import json
import logging

import pytest

from api.app import create_app
from api.auth import KeyRing, key_line
from api.ratelimit import RateLimiter
from tests.conftest import tiny_settings
from tests.helpers import free_port

pytestmark = pytest.mark.integration

ARTICLE = "Pemerintah kota Bandung meresmikan taman baru di pusat kota pada hari Minggu pagi."


def _client(tiny_dir, runtime, **settings):
    return create_app(tiny_settings(tiny_dir, **settings), runtime).test_client()


def _status(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    if status >= 400:
        assert response.mimetype == "application/problem+json"
    return response.get_json(force=True)


# --- API keys ---------------------------------------------------------------------------------
def test_keys_guard_v1_but_not_health_or_metrics(tiny_dir, runtime):
    client = _client(tiny_dir, runtime, api_keys="alpha-key, beta-key")
    missing = client.get("/v1/models")
    body = _status(missing, 401)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer") and "alpha" not in json.dumps(body)
    _status(client.get("/v1/models", headers={"Authorization": "Bearer wrong"}), 403)
    _status(client.get("/v1/models", headers={"Authorization": "Basic alpha-key"}), 401)
    _status(client.get("/v1/models", headers={"Authorization": "Bearer alpha-key"}), 200)
    _status(client.get("/v1/models", headers={"X-API-Key": "beta-key"}), 200)
    for open_path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(open_path).status_code == 200, open_path


def test_keys_file_holds_hashes_only(tiny_dir, runtime, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# newsroom keys\n{key_line('kompas-secret', 'cms')}\n\n")
    assert "kompas-secret" not in keys.read_text()
    client = _client(tiny_dir, runtime, api_keys_file=keys)
    _status(client.get("/v1/models", headers={"X-API-Key": "kompas-secret"}), 200)
    _status(client.get("/v1/models", headers={"X-API-Key": "cms"}), 403)


def test_a_malformed_keys_file_stops_start_up(tiny_dir, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("cms:not-a-hash\n")
    with pytest.raises(ValueError, match="keys.txt:1"):
        KeyRing.from_settings(tiny_settings(tiny_dir, api_keys_file=keys))


def test_key_ids_name_keys_without_revealing_them(tiny_dir):
    ring = KeyRing.from_settings(tiny_settings(tiny_dir, api_keys="s3cret"))
    key_id = ring.identify("s3cret").name
    assert key_id.startswith("key-") and "s3cret" not in key_id


# --- rate limits -------------------------------------------------------------------------------
def test_request_limit_is_per_key_with_retry_after(tiny_dir, runtime):
    client = _client(tiny_dir, runtime, api_keys="k1,k2", rate_limit="3/minute")
    for _ in range(3):
        _status(client.get("/v1/models", headers={"X-API-Key": "k1"}), 200)
    limited = client.get("/v1/models", headers={"X-API-Key": "k1"})
    body = _status(limited, 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 60 and body["limit"] == "3 per 1 minute"
    _status(client.get("/v1/models", headers={"X-API-Key": "k2"}), 200)  # another key, its own budget
    assert client.get("/healthz").status_code == 200  # never limited


def test_character_limit_counts_article_text(tiny_dir, runtime):
    client = _client(tiny_dir, runtime, char_limit=f"{len(ARTICLE) * 2}/hour")
    for _ in range(2):
        _status(client.post("/v1/summarize", json={"text": ARTICLE, "force": True}), 200)
    body = _status(client.post("/v1/translate", json={"text": "Halo"}), 429)
    assert "characters" in body["detail"]
    # One article larger than the whole budget can never pass: 413, not a retry loop.
    fresh = _client(tiny_dir, runtime, char_limit="50/hour")
    _status(fresh.post("/v1/summarize", json={"text": ARTICLE}), 413)


@pytest.mark.system
def test_limits_are_shared_through_redis(tiny_dir, runtime, redis_url):
    # Two apps stand for two workers or replicas: the budget is one.
    settings = {"api_keys": "shared-key", "rate_limit": "4/minute", "redis_url": redis_url}
    first, second = _client(tiny_dir, runtime, **settings), _client(tiny_dir, runtime, **settings)
    headers = {"X-API-Key": "shared-key"}
    statuses = [client.get("/v1/models", headers=headers).status_code for client in (first, second) * 3]
    assert statuses == [200, 200, 200, 200, 429, 429]


@pytest.mark.unit
def test_a_dead_redis_still_limits_in_memory(caplog):
    limiter = RateLimiter("2/minute", None, f"redis://127.0.0.1:{free_port()}/0")
    limiter.charge("requests", "client")
    limiter.charge("requests", "client")
    with pytest.raises(Exception) as refused:
        limiter.charge("requests", "client")
    assert refused.value.status == 429
    assert "limits count in this process" in caplog.text


@pytest.mark.unit
def test_bad_limit_settings_are_named():
    with pytest.raises(ValueError, match="60 a minute"):
        RateLimiter("60 a minute", None)


# --- browsers ----------------------------------------------------------------------------------
def test_cors_allows_only_configured_origins(tiny_dir, runtime):
    client = _client(tiny_dir, runtime, cors_origins="https://cms.example.id", api_keys="k")
    preflight = client.options(
        "/v1/summarize",
        headers={
            "Origin": "https://cms.example.id",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200  # no key needed for a preflight
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://cms.example.id"
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    other = client.get("/v1/models", headers={"Origin": "https://evil.example", "X-API-Key": "k"})
    assert "Access-Control-Allow-Origin" not in other.headers
    allowed = client.get("/v1/models", headers={"Origin": "https://cms.example.id", "X-API-Key": "k"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://cms.example.id"
    assert "X-Request-ID" in allowed.headers["Access-Control-Expose-Headers"]


def test_no_cors_by_default_and_security_headers_everywhere(client):
    response = client.get("/v1/models", headers={"Origin": "https://cms.example.id"})
    assert "Access-Control-Allow-Origin" not in response.headers
    for path in ("/v1/models", "/healthz", "/nowhere"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


# --- metrics -----------------------------------------------------------------------------------
def _sample(text: str, name: str, labels: str = "") -> float:
    for line in text.splitlines():
        if line.startswith(f"{name}{{{labels}}} " if labels else f"{name} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_batches_tokens_and_cache(tiny_dir, runtime):
    client = _client(tiny_dir, runtime)
    route = 'method="POST",route="/v1/summarize",status="200"'
    before = client.get("/metrics").get_data(as_text=True)
    text = f"{ARTICLE} (metrics)"
    for _ in range(2):
        _status(client.post("/v1/summarize", json={"text": text, "force": True}), 200)
    _status(client.post("/v1/summarize", json={}), 422)
    after = client.get("/metrics").get_data(as_text=True)
    assert after.startswith("# HELP") or "ringkas_http_requests_total" in after
    assert (
        _sample(after, "ringkas_http_requests_total", route) - _sample(before, "ringkas_http_requests_total", route)
        == 2
    )
    for name, labels, grew in [
        ("ringkas_cache_lookups_total", 'result="hit"', 1),
        ("ringkas_cache_lookups_total", 'result="miss"', 1),
        ("ringkas_batch_size_count", 'model="summarizer"', 1),
    ]:
        assert _sample(after, name, labels) - _sample(before, name, labels) == grew, name
    tokens = 'direction="in",model="summarizer"'
    assert _sample(after, "ringkas_tokens_total", tokens) > _sample(before, "ringkas_tokens_total", tokens)
    assert _sample(after, "ringkas_workers_ready") == 1 and _sample(after, "ringkas_model_load_seconds") > 0
    assert 'ringkas_stage_duration_seconds_count{stage="summarize"}' in after
    assert text not in after


def test_metrics_token(tiny_dir, runtime):
    client = _client(tiny_dir, runtime, metrics_token="scrape-me")
    _status(client.get("/metrics"), 401)
    _status(client.get("/metrics", headers={"Authorization": "Bearer nope"}), 403)
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200


# --- privacy -----------------------------------------------------------------------------------
def test_logs_are_json_with_sizes_and_fingerprints_never_text(tiny_dir, runtime, capsys):
    client = _client(tiny_dir, runtime, logs__format="json", api_keys="k")
    secret = "EMBARGO Menteri keuangan akan mengumumkan pajak baru besok pagi di Jakarta."
    client.post("/v1/summarize", json={"text": secret, "force": True}, headers={"X-API-Key": "k"})
    client.post("/v1/summarize", json={"text": secret, "lenght": "x"}, headers={"X-API-Key": "k"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["name"] == "ringkas.http"]
    assert len(requests) == 2 and all(line["request_id"] for line in requests)
    assert requests[0]["chars"] == len(secret) and len(requests[0]["text_sha256"]) == 16
    assert requests[0]["client"].startswith("key-") and requests[1]["status"] == 422
    assert not any("EMBARGO" in json.dumps(line) or '"k"' in json.dumps(line) for line in lines)


def test_records_logged_during_a_request_carry_its_id(tiny_dir, runtime, capsys, monkeypatch):
    client = _client(tiny_dir, runtime, logs__format="json")
    original = runtime.pipeline.translate

    def noisy(request):
        logging.getLogger("api.pipeline").warning("segment looked odd")
        return original(request)

    monkeypatch.setattr(runtime.pipeline, "translate", noisy)
    response = client.post("/v1/translate", json={"text": "Halo dunia"}, headers={"X-Request-ID": "trace-42"})
    assert response.status_code == 200
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    warning = next(line for line in lines if line["message"] == "segment looked odd")
    assert warning["request_id"] == "trace-42" and warning["level"] == "WARNING"


def test_an_unexpected_error_logs_no_message(tiny_dir, runtime, caplog, monkeypatch):
    app = create_app(tiny_settings(tiny_dir), runtime)

    def explode(request):
        raise RuntimeError("tokenizer choked on: EMBARGO text")

    monkeypatch.setattr(runtime.pipeline, "translate", explode)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().post("/v1/translate", json={"text": "Halo dunia"})
    body = _status(response, 500)
    assert "EMBARGO" not in json.dumps(body) and "EMBARGO" not in caplog.text
    assert "RuntimeError" in caplog.text
