"""The README's "Try it" examples send real files of the repository and show what they claim: no
placeholder ("..."), every file there, and each answer as described (the long article really goes in
parts, the batch really has a done and a failed item, the archive files are accepted as jobs)."""

from __future__ import annotations

import re

import pytest

from api.jobs.intake import read_job
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.integration

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
TRY_IT = README.split("## Try it", 1)[1].split("\n## ", 1)[0]
SENT = re.findall(r"curl [^\n]*?(?:\\\n[^\n]*?)*--data-binary @(\S+)", TRY_IT)


@pytest.mark.unit
def test_try_it_sends_files_of_the_repository_and_no_placeholder():
    assert '"..."' not in TRY_IT and '..."' not in TRY_IT and "@archive.jsonl" not in TRY_IT
    assert {
        "examples/article.json",
        "examples/long-article.json",
        "examples/batch.json",
        "examples/digest.json",
    } <= set(SENT)
    assert all((REPO_ROOT / path).is_file() for path in SENT), SENT


@pytest.mark.unit
def test_the_json_example_is_the_same_article_as_the_text_example():
    """The README's "The same as JSON" is true: the JSON file holds the article the plain-text example sends."""
    import json

    text_file, json_file = SENT[0], SENT[1]
    assert text_file.startswith("seeds/") and json_file == "examples/article.json"
    assert re.search(r"# The same as JSON[^\n]*\ncurl [^\n]*@examples/article\.json", TRY_IT)
    body = json.loads((REPO_ROOT / json_file).read_text(encoding="utf-8"))
    assert body["text"] == (REPO_ROOT / text_file).read_text(encoding="utf-8")


def _post(client, path: str, url: str, mimetype: str = "application/json"):
    return client.post(url, data=(REPO_ROOT / path).read_bytes(), content_type=mimetype)


def test_the_json_example_summarizes_and_translates(client):
    body = _post(client, "examples/article.json", "/v1/summarize").get_json()
    assert body["summary"]["text"] and body["translation"]["lang"] == "eng_Latn" and body["preset"] == "medium"


def test_the_long_article_example_goes_in_parts(client):
    body = _post(client, "examples/long-article.json", "/v1/summarize").get_json()
    assert body["input"]["chunks"] > 1 and body["input"]["fraction_read"] == 1.0


def test_the_batch_example_has_a_done_and_a_failed_item(client):
    results = _post(client, "examples/batch.json", "/v1/summarize/batch").get_json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [("a1", "done"), ("a2", "done"), ("a3", "failed")]
    assert results[1]["result"]["input"]["format"] == "html" and results[1]["result"]["translation"]
    assert "RINGKAS_LIMITS__MIN_TEXT_CHARS" in results[2]["problem"]["detail"]


@pytest.mark.integration
def test_the_digest_example_digests_three_outlets_with_their_sources(client):
    body = _post(client, "examples/digest.json", "/v1/digest").get_json()
    assert "three outlets'" in TRY_IT
    assert len(body["sources"]) == 3 and body["dropped"] and body["summary"]["text"]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("path", "mimetype", "delimiter"),
    [("examples/archive.jsonl", "application/x-ndjson", None), ("examples/archive.csv", "text/csv", ";")],
)
def test_the_archive_examples_are_jobs_as_uploaded(path, mimetype, delimiter):
    job = read_job((REPO_ROOT / path).read_bytes(), mimetype, None, {}, 100)
    assert len(job.items) == 5 and job.delimiter == delimiter
    assert all(item["id"].startswith("arsip-") and len(item["text"]) > 1000 for item in job.items)
