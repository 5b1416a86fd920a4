"""Hostile input, part 2: uploads that try to exhaust memory, and ids that try to wedge a job or
leak its text."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import textwrap

import pytest

from api.errors import PayloadTooLarge, ValidationFailed
from api.jobs.intake import read_job
from api.pipeline import parse_item

# --- uploads parsed as a stream (finding 4) ----------------------------------------------------
# A child process streams a 100 MB upload of ten-byte items (ten million of them, a hundred times
# the item cap) into read_job, from a generator, so the body is never in memory: what RSS grows by
# is what parsing holds. Parsed whole, 20 MB of such rows took the worker from 675 MB to 2.9 GB.
_UPLOAD = textwrap.dedent(
    """
    import io, json, resource, sys
    from api.errors import PayloadTooLarge
    from api.jobs.intake import read_job

    kind = sys.argv[1]
    heads = {"csv": b"text\\n", "ndjson": b"", "json": b'{"items": ['}
    rows = {"csv": b"a\\n", "ndjson": b'{"text":"a"}\\n', "json": b'{"text":"a"},'}
    target = 100_000_000

    class Upload(io.RawIOBase):
        def __init__(self):
            self.sent, self.pending = 0, heads[kind]
        def readable(self):
            return True
        def readinto(self, buffer):
            if not self.pending and self.sent < target:
                self.pending = rows[kind] * (65536 // len(rows[kind]))
            data, self.pending = self.pending[: len(buffer)], self.pending[len(buffer):]
            self.sent += len(data)
            buffer[: len(data)] = data
            return len(data)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mimetype = {"csv": "text/csv", "ndjson": "application/x-ndjson", "json": "application/json"}[kind]
    try:
        read_job(io.BufferedReader(Upload()), mimetype, None, {}, 100_000)
        outcome = "accepted"
    except PayloadTooLarge as exc:
        outcome = str(exc)
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({"outcome": outcome, "growth_mb": growth}))
    """
)


@pytest.mark.parametrize("kind", ["csv", "ndjson", "json"])
def test_a_cap_breaking_upload_is_refused_with_bounded_memory(kind):
    done = subprocess.run([sys.executable, "-c", _UPLOAD, kind], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert "at most 100000 per job" in report["outcome"]
    # 100,000 small items are what may be held; ten million were sent.
    assert report["growth_mb"] < 150, report


def test_a_json_item_must_be_flat_so_one_item_cannot_hold_the_whole_body():
    nested = b'{"items": [{"text": "a", "id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}"
    with pytest.raises(ValidationFailed, match="item 1 holds a list or an object"):
        read_job(io.BytesIO(nested), "application/json", None, {}, 10)


def test_one_ndjson_line_cannot_be_longer_than_an_item(monkeypatch):
    monkeypatch.setattr("api.jobs.intake.MAX_ITEM_CHARS", 1000)
    body = b'{"text": "' + b"a" * 5000 + b'"}\n'
    with pytest.raises(PayloadTooLarge, match="longer than 1000 characters"):
        read_job(io.BytesIO(body), "application/x-ndjson", None, {}, 10)


def test_streamed_formats_read_the_same_items_as_before():
    items = [{"id": "a-1", "text": "Satu.\nDua."}, {"id": 2, "text": "Tiga, empat.", "translate": True}]
    as_json = read_job(json.dumps({"items": items, "defaults": {"length": "short"}}).encode(), "application/json",
                       None, {}, 10)  # fmt: skip
    assert as_json.items == items and as_json.defaults == {"length": "short"}
    as_ndjson = read_job("".join(json.dumps(i) + "\r\n" for i in items).encode(), "application/x-ndjson", None, {}, 10)
    assert as_ndjson.items == items
    as_csv = read_job('\ufeffid,text\n1,"Satu.\nDua."\n'.encode(), "text/csv", None, {}, 10)
    assert as_csv.items == [{"id": "1", "text": "Satu.\nDua."}]


# --- odd ids (finding 5) -------------------------------------------------------------------------
BAD_IDS = ["\ud800", "x" * 257, "a\x00b", "baris\nbaru"]


@pytest.mark.parametrize("bad", BAD_IDS, ids=["surrogate", "too-long", "nul", "newline"])
def test_a_job_with_an_unusable_id_is_refused_at_intake(bad):
    with pytest.raises(ValidationFailed) as caught:
        read_job(json.dumps({"items": [{"id": bad, "text": "Halo."}]}).encode(), "application/json", None, {}, 10)
    assert caught.value.extra["errors"][0]["loc"] == ["items", 0, "id"]
    ndjson = (json.dumps({"id": bad, "text": "Halo."}) + "\n").encode()
    with pytest.raises(ValidationFailed, match="line 1"):
        read_job(ndjson, "application/x-ndjson", None, {}, 10)


def test_a_batch_item_with_a_surrogate_id_is_its_own_problem_not_a_500(client):
    body = '{"items": [{"id": "\\ud800", "text": "Harga beras naik."}, {"id": "ok", "text": "Harga cabai turun."}]}'
    response = client.post("/v1/summarize/batch", data=body, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    first, second = response.get_json()["results"]
    assert first["id"] is None and first["problem"]["status"] == 422 and "surrogate" in json.dumps(first["problem"])
    assert second["id"] == "ok"
    item_id, problem = parse_item({"id": "x" * 300, "text": "Halo."})
    assert item_id is None and isinstance(problem, ValidationFailed)


def test_a_failing_chunk_hands_celery_no_text_to_log(caplog):
    """Celery logs the exception a retry is given; an encoding error quotes the whole result line."""
    from celery import Celery

    from api.jobs.queue import CHUNK_TASK
    from api.jobs.worker import ChunkFailed, register

    secret = "Naskah embargo: menteri akan mundur besok pagi."

    class Exploding:
        def run(self, *args, **kwargs):
            raise UnicodeEncodeError("utf-8", secret, 0, 1, "surrogates not allowed")

    app = Celery("t", broker="memory://")
    app.conf.task_always_eager = True
    register(app, Exploding())
    with caplog.at_level(logging.DEBUG):
        outcome = app.tasks[CHUNK_TASK].apply(args=("job_x", 0, [], {}))
    assert isinstance(outcome.result, ChunkFailed) or "ChunkFailed" in repr(outcome.result)
    assert secret not in repr(outcome.result) and secret not in str(outcome.traceback)
    assert secret not in caplog.text
