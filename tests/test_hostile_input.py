"""Hostile input, part 2: uploads that try to exhaust memory, and ids that try to wedge a job or
leak its text."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import textwrap
import time

import pytest

from api.errors import PayloadTooLarge, ValidationFailed
from api.jobs.intake import read_job
from api.pipeline import parse_item
from api.schemas import SummarizeRequest
from tests.helpers import LINEAR, growth

pytestmark = pytest.mark.integration

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


@pytest.mark.unit
@pytest.mark.parametrize("kind", ["csv", "ndjson", "json"])
def test_a_cap_breaking_upload_is_refused_with_bounded_memory(kind):
    done = subprocess.run([sys.executable, "-c", _UPLOAD, kind], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert "at most 100000 per job" in report["outcome"]
    # 100,000 small items are what may be held; ten million were sent.
    assert report["growth_mb"] < 150, report


@pytest.mark.unit
def test_a_json_item_must_be_flat_and_deep_nesting_costs_linear_time():
    from api.errors import MalformedRequest

    with pytest.raises(ValidationFailed, match="item 1: id holds a list or an object"):
        read_job(b'{"items": [{"text": "a", "id": [1, 2]}]}', "application/json", None, {}, 10)

    # 100 K nested brackets in 200 KB: a pure-Python streaming parser took 23 s on this.
    def refuse(depth: int) -> None:
        nested = b'{"items": [{"text": "a", "id": ' + b"[" * depth + b"]" * depth + b"}]}"
        with pytest.raises(MalformedRequest, match="nested too deeply"):
            read_job(io.BytesIO(nested), "application/json", None, {}, 10)

    ratio = growth(refuse, 25_000, 100_000)
    assert ratio < LINEAR, f"four times the nesting took {ratio:.1f} times as long"


@pytest.mark.unit
def test_a_json_body_is_read_item_by_item_across_chunk_boundaries(monkeypatch):
    """Values cut anywhere by the reader's chunks (strings, numbers, escapes, surrogate pairs) come out
    as json.loads would give them."""
    import json as std_json

    from api.errors import MalformedRequest

    monkeypatch.setattr("api.jobs.json_stream.CHUNK_CHARS", 7)
    items = [{"id": n, "text": f"Berita \u00e9 \ud83d\ude00 nomor {n}. " * 3, "force": n % 2 == 0} for n in range(40)]
    body = std_json.dumps({"defaults": {"length": "short"}, "items": items}).encode()
    job = read_job(io.BytesIO(body), "application/json", None, {}, 100)
    assert job.items == std_json.loads(body)["items"] and job.defaults == {"length": "short"}
    for broken, kind in ((b'{"items": [{"text": "a"}', "not valid JSON"), (b'{"items": []} x', "extra data")):
        with pytest.raises(MalformedRequest, match=kind):
            read_job(io.BytesIO(broken), "application/json", None, {}, 10)


@pytest.mark.unit
def test_one_ndjson_line_cannot_be_longer_than_an_item(monkeypatch):
    monkeypatch.setattr("api.jobs.intake.MAX_ITEM_CHARS", 1000)
    body = b'{"text": "' + b"a" * 5000 + b'"}\n'
    with pytest.raises(PayloadTooLarge, match="longer than 1000 characters"):
        read_job(io.BytesIO(body), "application/x-ndjson", None, {}, 10)


@pytest.mark.unit
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


@pytest.mark.unit
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


@pytest.mark.unit
def test_a_failing_chunk_hands_celery_no_text_to_log(caplog):
    """Celery logs the exception a retry is given; an encoding error quotes the whole result line."""
    from celery import Celery

    from api.jobs.queue import CHUNK_TASK
    from api.jobs.worker import register

    secret = "Naskah embargo: menteri akan mundur besok pagi."

    class Exploding:
        def run(self, *args, **kwargs):
            raise UnicodeEncodeError("utf-8", secret, 0, 1, "surrogates not allowed")

    app = Celery("t", broker="memory://")
    app.conf.task_always_eager = True
    register(app, Exploding())
    with caplog.at_level(logging.DEBUG):
        outcome = app.tasks[CHUNK_TASK].apply(args=("job_" + "0" * 32, 0))
    # Retried (eagerly here) to its limit, then given up: its items are failed, the task ends.
    assert "retry: Retry in" in caplog.text and "ChunkFailed('UnicodeEncodeError')" in caplog.text
    assert outcome.result == {} and "job chunk given up: UnicodeEncodeError" in caplog.text
    assert secret not in repr(outcome.result) and secret not in str(outcome.traceback)
    assert secret not in caplog.text


# --- CPU stages before the model (finding 2) -------------------------------------------------------
STORY_P = "<p>Pemerintah kota Bandung meresmikan taman baru di pusat kota pada hari Minggu pagi.</p>"
BUDGET_S = 3.0  # the attacks below took 16-299 s; bounded, each answers in well under a second


def _timed_html(client, markup: str):
    started = time.perf_counter()
    response = client.post("/v1/summarize", data=markup.encode(), content_type="text/html")
    return response, time.perf_counter() - started


PAST_BOUNDS = {
    "45K attributes on one element": lambda: "<p " + " ".join(f"a{i}=1" for i in range(45_000)) + ">x</p>" + STORY_P,
    "45K valueless attributes": lambda: "<p " + " ".join(f"a{i}" for i in range(45_000)) + ">x</p>" + STORY_P,
    "attributes hidden after a quoted '>'": lambda: '<p title=">" ' + " ".join(f"a{i}" for i in range(5000)) + ">x</p>",
    "attributes glued without spaces": lambda: "<p " + "".join(f'a{i}=""' for i in range(5000)) + ">x</p>" + STORY_P,
    "190K <br>": lambda: "<p>Kota itu ramai." + "<br>" * 190_000 + "</p>",
}


@pytest.mark.parametrize("name", sorted(PAST_BOUNDS))
def test_markup_past_the_parse_bounds_is_refused_before_parsing(client, name):
    response, elapsed = _timed_html(client, PAST_BOUNDS[name]())
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    problem = response.get_json()
    assert problem["errors"][0]["loc"] == ["html"] and (
        "elements" in problem["detail"] or "attributes" in problem["detail"]
    )
    assert elapsed < BUDGET_S, f"{name}: {elapsed:.1f} s"


def test_many_read_also_labels_cost_linear_time_and_still_go(client):
    # 12 K labels: 24 K elements, just inside the element bound (17 K took 16 s with the XPath).
    labels = '<b>Baca juga:</b><a href="/x">Harga Naik</a> ' * 12_000
    markup = f"<article>{STORY_P * 3}<p>Warga menyambut baik. {labels}</p></article>"
    response, elapsed = _timed_html(client, markup)
    assert elapsed < BUDGET_S, f"{elapsed:.1f} s (the XPath it replaced took ~5 s here)"
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    cleaning = response.get_json()["cleaning"]
    assert cleaning["removed"]["read-also-link"] >= 12_000


def test_a_page_of_ordinary_size_is_read_whole(client):
    # 4,500 elements and 50 K characters of text: a long page, well inside both bounds.
    markup = "<article>" + "<p>Warga <b>kota</b> itu <i>senang</i> sekali.</p>" * 1500 + "</article>"
    response, _ = _timed_html(client, markup)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    paragraph = "Warga kota itu senang sekali."
    assert body["input"]["chars"] == 1500 * len(paragraph) + 1499  # every paragraph, one per line
    assert body["cleaning"]["removed_elements"] == body["cleaning"]["removed_lines"] == 0


def test_the_deadline_covers_extraction_and_cleaning(pipeline):
    from dataclasses import replace

    from api.errors import DeadlineExceeded
    from api.pipeline import Pipeline
    from api.schemas import SummarizeRequest

    hurried = Pipeline(
        pipeline.summarizer, pipeline.translator, pipeline.prompts, replace(pipeline.limits, timeout_s=1e-6),
        pipeline.boilerplate, pipeline.detector, pipeline.cache,
    )  # fmt: skip
    with pytest.raises(DeadlineExceeded, match="reading the html did not finish before the request deadline"):
        hurried.summarize(SummarizeRequest(html="<article>" + STORY_P * 200 + "</article>"))
    with pytest.raises(DeadlineExceeded, match="cleaning the article did not finish"):
        hurried.summarize(SummarizeRequest(text="Pemerintah kota Bandung meresmikan taman baru di pusat kota."))


# --- cost amplification (finding 6) and the compatibility routes' body reader (finding 8) ---------
def _limited(tiny_dir, runtime, **settings):
    from api.app import create_app
    from tests.conftest import tiny_settings

    return create_app(tiny_settings(tiny_dir, **settings), runtime).test_client()


def test_libretranslate_caps_the_list_and_its_total_characters(tiny_dir, runtime):
    client = _limited(tiny_dir, runtime, limits__max_batch_items=8, limits__max_translate_chars=100)
    many = client.post("/translate", json={"q": ["Halo dunia."] * 9, "source": "id", "target": "en"})
    assert many.status_code == 413 and "at most 8" in many.get_json()["detail"]
    # Eight texts of 62 characters: each is short, together they pass 4 x 100.
    long = client.post("/translate", json={"q": ["Halo dunia, apa kabar hari ini?" * 2] * 8, "source": "id"})
    assert long.status_code == 413 and "at most 400" in long.get_json()["detail"]
    fine = client.post("/translate", json={"q": ["Halo dunia.", "Apa kabar?"], "source": "id", "target": "en"})
    assert fine.status_code == 200 and len(fine.get_json()["translatedText"]) == 2


def test_libretranslate_texts_share_one_deadline(pipeline, monkeypatch):
    from api.schemas import TranslateRequest

    seen = []
    original = pipeline.translate
    monkeypatch.setattr(pipeline, "translate", lambda request, deadline=None: seen.append(deadline) or original(
        request, deadline))  # fmt: skip
    pipeline.translate_many([TranslateRequest(text=t) for t in ("Halo.", "Apa kabar?", "Selamat pagi.")])
    assert len(seen) == 3 and len(set(seen)) == 1 and seen[0] is not None


def test_chunk_mode_counts_each_window_against_the_request_limit(tiny_dir, runtime, pipeline, seed_texts):
    article = "\n".join(seed_texts * 3)
    windows = len(pipeline.summarizer.chunks(pipeline.clean_input(SummarizeRequest(text=article)).text))
    assert windows > 3, windows
    client = _limited(tiny_dir, runtime, rate_limit=f"{windows - 1}/minute")
    chunked = client.post("/v1/summarize", json={"text": article, "long_input": "chunk", "force": True})
    # More generations than the whole per-minute budget: refused before any model work.
    assert chunked.status_code == 413 and f"{windows} requests" in chunked.get_json()["detail"]
    # The same article read as its first window is one request, as before.
    assert client.post("/v1/summarize", json={"text": article, "force": True}).status_code == 200


def test_a_request_larger_than_the_queue_is_413_not_a_503_to_retry_forever(pipeline):
    from api.engines.base import GenerationParams

    batcher = pipeline.summarizer.batcher
    with pytest.raises(PayloadTooLarge, match="at most 64 can ever be queued"):
        batcher.submit([[5, 6, 1]] * (batcher.queue_size + 1), GenerationParams(max_new_tokens=4))
    assert batcher.depth == 0  # nothing was half-admitted


def test_compatibility_routes_refuse_a_chunked_body_over_the_limit(tiny_dir, runtime):
    client = _limited(tiny_dir, runtime, limits__max_body_bytes=4096)
    body = ("q=" + "kata " * 2000 + "&source=id&target=en").encode()
    response = client.post(
        "/translate", input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # what gunicorn sets for a chunked body
    )  # fmt: skip
    assert response.status_code == 413, response.get_data(as_text=True)[:300]


# --- spreadsheet exports (finding 9) -------------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@x", "\t=1", "\r=1", "  =1", "\u3000=1", "\uff1d1", "\uff0b1", "\uff201"]
)
def test_a_cell_a_spreadsheet_would_evaluate_is_shown_as_text(text):
    from api.jobs.export import safe_cell

    assert safe_cell(text) == "'" + text


@pytest.mark.unit
@pytest.mark.parametrize("text", ["Harga beras naik", "12", "e-KTP", "", "Rp-5", "Jakarta = kota"])
def test_ordinary_cells_are_left_alone(text):
    from api.jobs.export import safe_cell

    assert safe_cell(text) == text
