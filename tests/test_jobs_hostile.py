"""Hostile job uploads (issue 34, invariants 4-6): every item is checked at intake as a batch item
is, Celery messages carry only identifiers, a key's jobs cannot grow Redis without limit, a full
Redis is a clear 507, and every job that is accepted ends within a deadline."""

from __future__ import annotations

import base64
import json
import time

import pytest
import redis

from api.app import create_app
from api.errors import InsufficientStorage, ValidationFailed
from api.jobs.intake import LISTED, read_job
from api.jobs.queue import QUEUE
from api.jobs.service import redis_errors
from api.jobs.store import MIN_ITEM_CHARS, PREFIX, RESULT_BYTES_PER_CHAR, RESULT_LINE_BYTES, JobStore
from tests.conftest import tiny_settings
from tests.helpers import REDIS_MEMORY_POLICY, REPO_ROOT, redis_server
from tests.jobs_cluster import start_cluster

pytestmark = pytest.mark.unit  # tests that need more say so themselves

CANARY = "KANARI-7f3c9e"  # article text that must never reach a message, a log or a problem
DEPTH = 950  # under json's own nesting limit (~1000), between the API's old limit and kombu's


def _ndjson(items: list[object]) -> bytes:
    return "".join(json.dumps(item) + "\n" for item in items).encode()


def _deep(depth: int) -> object:
    value: object = CANARY
    for _ in range(depth):
        value = [value]
    return value


# Each the attack's vector, or a variant of it: (name, items).
HOSTILE = [
    ("kombu type marker", [{"text": "a"}] * 3 + [{"__type__": "bytes", "__value__": CANARY}]),
    ("marker beside a text", [{"text": CANARY, "__type__": "datetime", "__value__": "x"}]),
    ("deep nesting in text", [{"text": _deep(DEPTH)}]),
    ("deep nesting in an option", [{"text": CANARY, "length": _deep(DEPTH)}]),
    ("thousands of unknown members", [{"text": CANARY, **{f"field{n}": n for n in range(5000)}}] * 20),
    ("8,000 empty items", [{"text": ""}] * 8000),
    ("blank html", [{"html": " \n\t "}] * 10),
    ("huge member names", [{"text": CANARY, "x" * 200_000 + CANARY: 1}] * 5),
    ("wrong types", [{"text": 42}, {"text": CANARY, "translate": "yes"}, {"text": None}]),
    ("no source", [{"id": 1}, {"translate": True}]),
]


def _refusal(items: list[object], mimetype: str) -> ValidationFailed:
    if mimetype == "application/json":
        body = json.dumps({"items": items}).encode()
    else:
        body = _ndjson(items)
    with pytest.raises(ValidationFailed) as caught:
        read_job(body, mimetype, None, {}, max_items=100_000)
    return caught.value


@pytest.mark.parametrize("mimetype", ["application/x-ndjson", "application/json"])
@pytest.mark.parametrize(("name", "items"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_a_hostile_item_is_refused_at_intake_with_a_small_answer_naming_its_line(name, items, mimetype):
    """Finding: unknown members, type markers, deep nesting (NDJSON was not checked for flatness)
    and empty items were queued; now one 422 before any 202, naming at most LISTED lines."""
    refusal = _refusal(items, mimetype)
    problem = refusal.to_problem()
    answer = json.dumps(problem)
    assert refusal.status == 422
    assert len(answer) < 4096  # whatever the upload: at most LISTED items, each shortly said
    assert CANARY not in answer  # nothing a caller wrote is echoed, beyond a short name
    bad = [position for position, item in enumerate(items) if not (isinstance(item, dict) and item.get("text") == "a")]
    assert problem["invalid"] == len(bad)
    assert problem["lines"] == [position + 1 for position in bad[:LISTED]]  # line = item number here
    assert [error["loc"][:2] for error in problem["errors"]] == [["items", position] for position in bad[:LISTED]]


def test_lines_are_counted_as_the_ndjson_body_has_them():
    body = b'{"text": "satu"}\n\n{"text": "dua", "__type__": "bytes"}\n'
    with pytest.raises(ValidationFailed) as caught:
        read_job(body, "application/x-ndjson", None, {}, max_items=10)
    assert caught.value.to_problem()["lines"] == [3] and "line 3" in caught.value.detail


def test_a_csv_cell_is_checked_as_a_json_member_is():
    body = b"id,text,translate\n1,Berita satu,true\n2,,maybe\n"
    with pytest.raises(ValidationFailed) as caught:
        read_job(body, "text/csv", None, {}, max_items=10)
    assert caught.value.to_problem()["lines"] == [3]


@pytest.mark.parametrize(
    "item",
    [
        {"text": ""},
        {"text": "Berita.", "translate": "yes"},
        {"text": "Berita.", "lenght": "short"},
        {"text": "Berita.", "__type__": "bytes", "__value__": "eA=="},
        {"text": ["Berita."]},
        {"id": 3},
    ],
)
@pytest.mark.integration
def test_the_batch_route_and_job_intake_give_an_item_the_same_problem(client, item):
    """One validation (api.items.check_item): a batch item's problem is the job line's."""
    [result] = client.post("/v1/summarize/batch", json={"items": [item]}).get_json()["results"]
    refusal = _refusal([item], "application/x-ndjson").to_problem()
    assert result["status"] == "failed"
    assert result["problem"]["errors"][0]["msg"] == refusal["errors"][0]["msg"]
    assert result["problem"]["errors"][0]["loc"] == refusal["errors"][0]["loc"][2:]


def test_each_item_is_charged_at_least_the_minimum():
    body = _ndjson([{"text": "a"}, {"text": "b" * 1000}])
    job = read_job(body, "application/x-ndjson", None, {}, max_items=10)
    assert job.chars == MIN_ITEM_CHARS + 1000


def test_compose_gives_redis_a_memory_ceiling_and_never_evicts():
    compose = (REPO_ROOT / "compose.yaml").read_text(encoding="utf-8")
    command = next(line for line in compose.splitlines() if "redis-server" in line and "command" in line)
    assert "--maxmemory" in command and " ".join(f'"{flag}"' for flag in REDIS_MEMORY_POLICY) in command.replace(
        ", ", " "
    )


# --- against Redis: quotas, the message, the budget -----------------------------------------------
def _article(seed_texts: list[str], n: int) -> str:
    return f"{seed_texts[n % len(seed_texts)]}\n{CANARY} arsip nomor {n}."


@pytest.mark.system
def test_nothing_is_stored_or_queued_for_a_refused_job(tiny_dir, runtime):
    with redis_server() as url:
        client = create_app(tiny_settings(tiny_dir, redis_url=url), runtime).test_client()
        ndjson = {"Content-Type": "application/x-ndjson"}
        for name, items in HOSTILE:
            answer = client.post("/v1/jobs", data=_ndjson(items), headers=ndjson)
            # 422 (the item), or 400 where the request thread's deeper stack meets json's nesting limit
            assert answer.status_code in (400, 422), name
            assert len(answer.data) < 4096 and CANARY.encode() not in answer.data, name
        redis = JobStore.from_url(url, 60).client
        assert list(redis.scan_iter("ringkas:job*")) == [] and redis.llen(QUEUE) == 0


@pytest.mark.system
def test_a_keys_live_jobs_and_result_bytes_have_quotas(tiny_dir, runtime, seed_texts):
    with redis_server() as url:
        small = {"items": [{"text": _article(seed_texts, 0)}]}
        settings = tiny_settings(
            tiny_dir,
            redis_url=url,
            api_keys="alpha-key,beta-key",
            jobs__live_per_key=2,
            jobs__result_bytes_per_key=1_000_000,
            char_limit=f"{3 * len(small['items'][0]['text'])}/hour",  # three small jobs per key
        )
        client = create_app(settings, runtime).test_client()
        alpha, beta = {"X-API-Key": "alpha-key"}, {"X-API-Key": "beta-key"}
        first, second = (client.post("/v1/jobs", json=small, headers=alpha) for _ in range(2))
        assert first.status_code == second.status_code == 202
        for _ in range(3):  # refused by the quota before it is charged: the third job below still fits
            third = client.post("/v1/jobs", json=small, headers=alpha)
            assert third.status_code == 429 and "RINGKAS_JOBS__LIVE_PER_KEY" in third.get_json()["detail"]
            assert int(third.headers["Retry-After"]) > 0
        assert client.post("/v1/jobs", json=small, headers=beta).status_code == 202  # per key
        client.delete(first.headers["Location"], headers=alpha)  # a cancelled job is no longer live
        assert client.post("/v1/jobs", json=small, headers=alpha).status_code == 202

        # 270,000 characters reserve 1.08 MB of results: past beta's 1 MB, whatever else it has.
        big = {"items": [{"text": "a" * 90_000}] * 3}
        refused = client.post("/v1/jobs", json=big, headers=beta)
        assert refused.status_code == 507, refused.get_json()
        problem = refused.get_json()
        assert (
            problem["type"].endswith("/insufficient-storage")
            and "RINGKAS_JOBS__RESULT_BYTES_PER_KEY" in problem["detail"]
        )
        assert refused.headers["Retry-After"]


@pytest.mark.system
def test_a_full_redis_is_a_507_and_the_service_keeps_serving(tiny_dir, runtime, seed_texts):
    """Finding: the deployment's Redis had no maxmemory. With one (noeviction), a job that does
    not fit is a 507 problem, nothing half-made is left, and reads keep working."""
    with redis_server("--maxmemory", "4mb", *REDIS_MEMORY_POLICY) as url:
        client = create_app(tiny_settings(tiny_dir, redis_url=url), runtime).test_client()
        items = [{"text": _article(seed_texts, n) + " x" * 4000} for n in range(600)]  # ~6 MB
        answer = client.post("/v1/jobs", data=_ndjson(items), headers={"Content-Type": "application/x-ndjson"})
        assert answer.status_code == 507, answer.get_json()
        assert "maxmemory" in answer.get_json()["detail"] and CANARY not in answer.get_data(as_text=True)
        redis = JobStore.from_url(url, 60).client
        assert list(redis.scan_iter(PREFIX + "*")) == []  # the half-stored job was deleted again
        assert client.get("/v1/jobs/job_" + "0" * 32).status_code == 404
        assert client.post("/v1/jobs", json={"items": [{"text": _article(seed_texts, 1)}]}).status_code == 202


@pytest.mark.system
def test_a_key_keeps_a_bounded_number_of_jobs_so_counting_its_quota_is_bounded(monkeypatch):
    """Each new job counts its key's jobs in one Lua script: their number is capped (finished jobs
    count until they expire), so that count is a bounded cost, and expired jobs are forgotten."""
    from api.jobs import store as store_module
    from api.jobs.store import QuotaExceeded

    monkeypatch.setattr(store_module, "KEPT_PER_KEY", 2)
    with redis_server() as url:
        store = JobStore.from_url(url, 60)
        first, second, third = ("job_" + str(n) * 32 for n in (3, 4, 5))
        store.create(first, "k", total=1, chunks=1, budget=10)
        store.create(second, "k", total=1, chunks=1, budget=10)
        with pytest.raises(QuotaExceeded) as caught:
            store.create(third, "k", total=1, chunks=1, budget=10)
        assert caught.value.what == "kept" and store.facts(third) is None
        store.create(third, "other", total=1, chunks=1, budget=10)  # per key
        store.delete(first)  # as when it expires
        store.create("job_" + "6" * 32, "k", total=1, chunks=1, budget=10)


@pytest.mark.system
def test_a_result_past_its_jobs_budget_is_stored_as_a_short_line(tiny_dir):
    from api.jobs.worker import too_large

    with redis_server() as url:
        store = JobStore.from_url(url, 60)
        job_id = "job_" + "1" * 32
        store.create(job_id, "public", total=3, chunks=1, budget=1000, chunk_size=3)
        done = {"id": "a", "index": 0, "status": "done", "result": {"summary": "x" * 600}}
        assert store.record(job_id, 0, done, "w", too_large(0, {"id": "a"})) == "done"
        again = {**done, "index": 1, "id": "b"}
        assert store.record(job_id, 1, again, "w", too_large(1, {"id": "b"})) == "failed"
        lines = [json.loads(line) for line in store.results(job_id, 3)]
        assert lines[1]["problem"]["type"].endswith("/insufficient-storage") and lines[1]["id"] == "b"
        used, budget = store.stored_bytes(job_id)
        assert budget == 1000 and used <= budget + len(json.dumps(lines[1]))
        assert store.facts(job_id).failed == 1


class _FaultyPipeline:
    """A pipeline whose every run raises an exception quoting the article (a fault, not a problem)."""

    def answer_items(self, parsed, skip=None, caller=None):
        raise RuntimeError(f"fault while reading {CANARY}")


@pytest.mark.system
def test_a_chunk_that_keeps_faulting_fails_its_items_and_the_job_ends():
    from api.jobs.worker import ChunkRunner

    with redis_server() as url:
        store = JobStore.from_url(url, 60)
        job_id = "job_" + "2" * 32
        store.create(job_id, "public", total=6, chunks=2, budget=100_000, chunk_size=3)
        items = [[index, {"id": f"i{index}", "text": CANARY}] for index in range(6)]
        store.put_chunks(job_id, {0: items[:3], 1: items[3:]})
        runner = ChunkRunner(_FaultyPipeline(), store, "w", attempts=3)
        with pytest.raises(RuntimeError):
            runner.run(job_id, 0)  # the first delivery runs the chunk whole: the task is retried
        assert runner.run(job_id, 0) == {"done": 0, "failed": 3, "skipped": 0}  # item by item: each alone
        runner.give_up(job_id, 1, "ConnectionError")  # chunk 1 retried to its limit
        lines = [json.loads(line) for line in store.results(job_id, 6)]
        assert [line["problem"]["type"].rsplit("/", 1)[1] for line in lines] == ["item-failed"] * 6
        assert [line["id"] for line in lines[:3]] == ["i0", "i1", "i2"]
        assert "RuntimeError" in lines[0]["problem"]["detail"] and CANARY not in json.dumps(lines)
        assert store.facts(job_id).status == "done" and store.chunk(job_id, 1) is None


# --- with a real worker -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cluster(tiny_dir, tmp_path_factory):
    state = start_cluster(tiny_dir, tmp_path_factory.mktemp("hostile-jobs"))
    yield state
    state.stop()


def _messages(redis) -> list[dict]:
    """The chunk tasks waiting in the queue, as kombu's Redis transport keeps them."""
    return [json.loads(raw) for raw in redis.lrange(QUEUE, 0, -1)]


def _wait_terminal(client, job_id: str, deadline: float) -> dict:
    while time.monotonic() < deadline:
        status = client.get(f"/v1/jobs/{job_id}").get_json()
        if status["status"] in ("done", "cancelled"):
            return status
        time.sleep(0.3)
    pytest.fail(f"job {job_id} did not end: {status}")


@pytest.mark.system
def test_messages_carry_identifiers_and_every_job_ends(tiny_dir, runtime, cluster, seed_texts):
    """Findings: a type marker made a worker unable to decode its chunk message (CRITICAL, the
    article in the log, the job queued forever); 8,000 empty items stored 106x their upload. Now
    the message is (job id, chunk number); a chunk whose input is gone fails its items; every job
    is done within a deadline, its stored results within what it was charged; no log has the text."""
    client = create_app(tiny_settings(tiny_dir, redis_url=cluster.url, jobs__chunk_size=8), runtime).test_client()
    redis = cluster.client()
    ndjson = {"Content-Type": "application/x-ndjson"}
    # Article text shaped like kombu's markers, as text: a string to every layer.
    marker_text = json.dumps({"__type__": "bytes", "__value__": CANARY}) + "\n" + _article(seed_texts, 0)
    articles = [{"id": f"a{n}", "text": _article(seed_texts, n)} for n in range(5)] + [{"text": marker_text}]
    tiny = [{"text": "a"}] * 2000  # each fails in the worker (too short): the results are problems
    uploads = {"articles": _ndjson(articles), "tiny": _ndjson(tiny), "lost": _ndjson(articles[:3])}
    jobs = {}
    for name, body in uploads.items():
        answer = client.post("/v1/jobs", data=body, headers=ndjson)
        assert answer.status_code == 202, answer.get_json()
        jobs[name] = answer.get_json()["id"]

    messages = _messages(redis)
    assert len(messages) == 1 + 2 + 1  # each job queues its first chunks only (RINGKAS_JOBS__WINDOW, 2)
    for message in messages:
        args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        assert args[0] in jobs.values() and isinstance(args[1], int) and len(args) == 2 and kwargs == {}
        assert CANARY not in json.dumps(message)
    redis.delete(PREFIX + jobs["lost"] + ":items")  # a Redis that lost the items before a worker ran

    cluster.ensure_workers(1)
    deadline = time.monotonic() + 240
    ends = {name: _wait_terminal(client, job_id, deadline) for name, job_id in jobs.items()}

    assert ends["articles"]["counts"]["total"] == 6 and ends["articles"]["counts"]["pending"] == 0
    lost = [
        json.loads(line) for line in client.get(f"/v1/jobs/{jobs['lost']}/results").get_data(as_text=True).splitlines()
    ]
    assert [line["problem"]["type"].rsplit("/", 1)[1] for line in lost] == ["item-lost"] * 3
    assert ends["tiny"]["counts"]["failed"] == 2000

    store = JobStore.from_url(cluster.url, 60)
    for name, job_id in jobs.items():
        used, budget = store.stored_bytes(job_id)
        assert used == sum(len(line.encode()) for line in store.results(job_id, 2000))
        assert used <= budget + ends[name]["counts"]["total"] * 400, name  # the budget, or a short line each
        items = json.loads(f"[{uploads[name].decode().strip().replace(chr(10), ',')}]")
        charged = sum(max(MIN_ITEM_CHARS, len(item["text"])) for item in items)
        assert budget == max(RESULT_BYTES_PER_CHAR * charged, RESULT_LINE_BYTES * len(items))
        assert not redis.exists(PREFIX + job_id + ":items")  # the input goes once the chunks ran
    assert store.stored_bytes(jobs["tiny"])[0] <= 40 * len(uploads["tiny"])  # per tiny item, one short problem

    logs = "".join(path.read_text(errors="replace") for path in cluster.folder.glob("worker-*.log"))
    assert CANARY not in logs and "CRITICAL" not in logs


@pytest.mark.parametrize(
    "refusal",
    [
        redis.exceptions.OutOfMemoryError("OOM command not allowed when used memory > 'maxmemory'"),
        redis.exceptions.ExecAbortError("EXECABORT Transaction discarded because of previous errors."),
        redis.exceptions.ResponseError("OOM command not allowed when used memory > 'maxmemory'. script: abc"),
    ],
    ids=["oom", "execabort", "script"],
)
def test_every_form_of_a_full_redis_is_a_507_never_an_outage(refusal):
    with pytest.raises(InsufficientStorage) as raised:
        with redis_errors():
            raise refusal
    assert raised.value.status == 507 and "full" in raised.value.detail


def test_a_job_of_short_articles_reserves_a_whole_result_line_per_item():
    # Three one-line articles (charged the 150-character minimum) each write a full summary line
    # with its translation: 600 bytes each would fail two of them as result-too-large.
    from api.jobs.service import result_budget

    articles = [{"text": f"Pemerintah membangun jalan baru nomor {n} di Jawa Barat."} for n in range(3)]
    lines = "\n".join(json.dumps(article) for article in articles)
    job = read_job(lines.encode(), "application/x-ndjson", None, {"translate": True}, 100)
    assert job.chars == 3 * MIN_ITEM_CHARS
    assert result_budget(job) == 3 * RESULT_LINE_BYTES > RESULT_BYTES_PER_CHAR * job.chars
