"""Long articles (truncate or chunk), the batch endpoint and the result cache."""

import time

import pytest

from api.app import create_app
from api.cache import MemoryCache, RedisCache
from api.schemas import SummarizeRequest
from tests.helpers import free_port

pytestmark = pytest.mark.integration


# --- long articles ----------------------------------------------------------------------------
def test_truncate_reports_the_fraction_read_and_warns(client, seed_texts):
    body = client.post("/v1/summarize", json={"text": seed_texts[1]}).get_json()
    facts = body["input"]
    assert facts["truncated"] and facts["chunks"] == 1
    assert facts["fraction_read"] == pytest.approx(facts["max_tokens"] / facts["tokens"], abs=1e-3)
    assert any("chunk" in warning for warning in body["warnings"])


def test_chunk_reads_the_whole_article_in_windows(client, pipeline, seed_texts):
    body = client.post("/v1/summarize", json={"text": seed_texts[1], "long_input": "chunk"}).get_json()
    facts = body["input"]
    assert facts["chunks"] >= 2 and not facts["truncated"] and facts["fraction_read"] == 1.0
    preset = pipeline.prompts.summarize.presets[body["preset"]]
    summary_tokens = pipeline.summarizer.tokenizer(body["summary"]["text"], add_special_tokens=False).input_ids
    assert len(summary_tokens) <= preset.max_new_tokens + 8  # the final summary stays within the preset


def test_chunks_fit_the_window_and_cover_every_sentence(pipeline, seed_texts):
    summarizer = pipeline.summarizer
    text = pipeline.clean_input(SummarizeRequest(text=seed_texts[1])).text
    windows = summarizer.chunks(text)
    assert len(windows) >= 2 and all(len(w) <= summarizer.window for w in windows)
    assert all(w[-1] == summarizer.tokenizer.eos_token_id for w in windows)
    from api.text import split_sentences

    expected = [t for s in split_sentences(text) for t in summarizer.tokenizer(s, add_special_tokens=False).input_ids]
    assert [t for w in windows for t in w[:-1]] == expected


def test_chunk_on_a_short_article_is_one_window(client):
    body = client.post(
        "/v1/summarize",
        json={
            "text": "Harga beras naik di pasar Jakarta pekan ini karena pasokan dari daerah berkurang.",
            "long_input": "chunk",
        },
    ).get_json()
    assert body["input"]["chunks"] == 1 and body["input"]["fraction_read"] == 1.0


def test_unknown_long_input_mode_is_422(client):
    response = client.post("/v1/summarize", json={"text": "Berita.", "long_input": "skim"})
    assert response.status_code == 422 and response.get_json()["errors"][0]["loc"] == ["long_input"]


# --- batches ----------------------------------------------------------------------------------
def test_batch_answers_in_order_and_isolates_bad_items(client, seed_texts):
    items = [
        {"id": "a", "text": seed_texts[0]},
        {"id": 2, "text": "   "},
        {"id": "c", "html": "<p>" + seed_texts[3][:400] + "</p>", "translate": True},
        {"id": "d", "text": seed_texts[1][:200], "length": "huge"},
        "not an object",
        {"id": "f", "text": "Berita.", "translate": "yes"},
    ]
    response = client.post("/v1/summarize/batch", json={"items": items})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["id"] for r in results] == ["a", 2, "c", "d", None, "f"]  # an invalid item keeps its id
    assert [r["status"] for r in results] == ["done", "failed", "done", "failed", "failed", "failed"]
    assert [(r["problem"] or {}).get("status") for r in results] == [None, 422, None, 422, 422, 422]
    assert results[2]["result"]["translation"]["lang"] == "eng_Latn"
    assert results[3]["problem"]["errors"][0]["loc"] == ["length"]
    assert all(r["problem"]["request_id"] == response.headers["X-Request-ID"] for r in results if r["problem"])


def test_batch_items_share_generate_calls(start_runtime, seed_texts):
    runtime = start_runtime(
        serving__batch_wait_ms=300, serving__batch_quiet_ms=300, serving__warmup=False, serving__cache_size=0
    )
    client = create_app(runtime.settings, runtime).test_client()
    before = len(runtime.require().summarizer.batcher.batch_sizes)
    items = [{"id": i, "text": text} for i, text in enumerate(seed_texts)]
    assert client.post("/v1/summarize/batch", json={"items": items}).status_code == 200
    sizes = runtime.require().summarizer.batcher.batch_sizes[before:]
    assert sum(sizes) == len(items) and max(sizes) > 1


def test_batch_limits(client, settings):
    most = settings.limits.max_batch_items
    refused = client.post("/v1/summarize/batch", json={"items": [{"text": "Berita."}] * (most + 1)})
    assert refused.status_code == 422  # the problem names the setting an operator raises
    assert f"{most + 1} items; at most {most} per batch (RINGKAS_LIMITS__MAX_BATCH_ITEMS)" in refused.get_data(True)
    assert client.post("/v1/summarize/batch", json={"items": []}).status_code == 422
    assert client.post("/v1/summarize/batch", json={"items": "x"}).status_code == 422
    assert client.post("/v1/summarize/batch", json=[1]).status_code == 422


# --- cache ------------------------------------------------------------------------------------
@pytest.fixture()
def fresh_client(start_runtime):
    """An app with an empty cache of its own (the session app's cache is shared by other tests)."""
    runtime = start_runtime(serving__warmup=False)
    return create_app(runtime.settings, runtime).test_client()


def test_identical_requests_are_served_from_the_cache(fresh_client, seed_texts):
    client = fresh_client
    payload = {"text": seed_texts[2] + "\n\nBaca juga: sesuatu", "translate": True, "length": "short"}
    first = client.post("/v1/summarize", json=payload).get_json()
    second = client.post("/v1/summarize", json=payload).get_json()
    assert not first["cached"] and second["cached"]
    assert second["summary"] == first["summary"] and second["translation"] == first["translation"]
    assert second["input"] == first["input"] and second["cleaning"] == first["cleaning"]
    # Same cleaned text: the boilerplate line does not change the key.
    same_clean = client.post("/v1/summarize", json={**payload, "text": seed_texts[2]}).get_json()
    assert same_clean["cached"] and same_clean["summary"] == first["summary"]
    # Any option that changes the output is part of the key.
    for change in ({"length": "long"}, {"translate": False}, {"target_lang": "fra_Latn"}, {"long_input": "chunk"}):
        assert not client.post("/v1/summarize", json={**payload, **change}).get_json()["cached"], change


def test_cache_can_be_turned_off(start_runtime):
    runtime = start_runtime(serving__cache_size=0, serving__warmup=False)
    client = create_app(runtime.settings, runtime).test_client()
    payload = {"text": "Harga beras naik di pasar Jakarta pekan ini karena pasokan dari daerah berkurang."}
    assert not client.post("/v1/summarize", json=payload).get_json()["cached"]
    assert not client.post("/v1/summarize", json=payload).get_json()["cached"]


@pytest.mark.unit
def test_memory_cache_is_bounded_and_expires():
    now = [0.0]
    cache = MemoryCache(size=2, ttl_s=0.2, timer=lambda: now[0])
    for key in ("a", "b", "c"):
        cache.set(key, {"k": key})
    assert cache.get("a") is None and cache.get("c") == {"k": "c"}
    now[0] = 0.3  # the clock moves on; no test waits for it
    assert cache.get("c") is None


@pytest.mark.system
def test_redis_cache_is_shared_between_replicas(start_runtime, redis_url):
    replicas = [start_runtime(redis_url=redis_url, serving__cache_ttl_s=60, serving__warmup=False) for _ in range(2)]
    clients = [create_app(r.settings, r).test_client() for r in replicas]
    payload = {"text": "Gubernur meresmikan jembatan baru di Surabaya pada Senin pagi.", "translate": True}
    first = clients[0].post("/v1/summarize", json=payload).get_json()
    second = clients[1].post("/v1/summarize", json=payload).get_json()
    assert not first["cached"] and second["cached"] and second["summary"] == first["summary"]


@pytest.mark.system
def test_replicas_with_another_output_vocabulary_never_share_results(start_runtime, redis_url):
    """The kept vocabulary changes what is written: a RINGKAS_MODELS__VOCAB=full replica on the same Redis
    must compute its own summary, not be answered with the kept replica's."""
    kept, full = (
        start_runtime(redis_url=redis_url, serving__cache_ttl_s=60, serving__warmup=False, models__vocab=v)
        for v in ("kept", "full")
    )
    payload = {"text": "Wali kota meresmikan pasar baru di Bandung pada Selasa pagi.", "force": True}
    clients = [create_app(r.settings, r).test_client() for r in (kept, full)]
    assert not clients[0].post("/v1/summarize", json=payload).get_json()["cached"]
    assert not clients[1].post("/v1/summarize", json=payload).get_json()["cached"]
    assert clients[1].post("/v1/summarize", json=payload).get_json()["cached"]  # its own entry is reused


@pytest.mark.system
def test_redis_values_expire_with_the_ttl(redis_url):
    import redis

    cache = RedisCache(redis_url, ttl_s=30)
    cache.set("ringkas:test", {"v": 1})
    assert cache.get("ringkas:test") == {"v": 1}
    # Redis expires the key itself; what Ringkas owes is setting the expiry, which Redis reports.
    assert 0 < redis.Redis.from_url(redis_url).ttl("ringkas:test") <= 30


@pytest.mark.unit
def test_an_unreachable_redis_is_a_miss_not_an_error():
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", ttl_s=60)
    started = time.monotonic()
    cache.set("k", {"v": 1})
    assert cache.get("k") is None
    assert time.monotonic() - started < 5
