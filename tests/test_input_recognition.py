"""Input the API recognises and errors that say what they mean (First contact II, section 3 and 4):
HTML sent as text, typos in JSON members, text too short to summarize, option hints in the caller's
own terms, and 413s that name the setting that raises the limit."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from click.testing import CliRunner

from api.app import create_app
from api.cli import main
from api.errors import PayloadTooLarge
from api.schemas import SummarizeRequest
from tests.conftest import tiny_settings

pytestmark = pytest.mark.integration

ENGLISH = (
    "The city council approved the new budget on Tuesday after a long debate about public transport, "
    "housing and the cost of repairing the old bridges across the river before the winter storms arrive."
)


def _paragraphs(seed_texts, count=3) -> list[str]:
    return [line for line in seed_texts[0].splitlines() if len(line) > 80][:count]


def test_html_sent_as_text_is_read_as_html_and_said(client, seed_texts):
    paragraphs = _paragraphs(seed_texts)
    markup = "<article>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article>"
    body = client.post("/v1/summarize", json={"text": markup, "return_clean_text": True}).get_json()
    assert body["input"]["format"] == "html"
    assert "<p>" not in body["cleaning"]["clean_text"] and paragraphs[0][:40] in body["cleaning"]["clean_text"]
    assert any("held HTML markup" in w and '"html"' in w for w in body["warnings"])
    # The same article as plain text stays text, without that warning.
    plain = client.post("/v1/summarize", json={"text": "\n".join(paragraphs)}).get_json()
    assert plain["input"]["format"] == "text" and not any("HTML" in w for w in plain["warnings"])


def test_a_text_that_only_mentions_a_tag_stays_text(client, seed_texts):
    text = "\n".join(_paragraphs(seed_texts)) + "\nSimbol a < b dan <tag> bukan markup."
    assert client.post("/v1/summarize", json={"text": text}).get_json()["input"]["format"] == "text"


def test_json_typos_get_the_same_suggestion_as_the_query_string(client, seed_texts):
    typo = client.post("/v1/summarize", json={"text": seed_texts[0], "lenght": "short"}).get_json()
    assert typo["errors"] == [
        {"loc": ["lenght"], "msg": "unknown field; did you mean 'length'?", "type": "extra_forbidden"}
    ]
    assert "did you mean 'length'" in typo["detail"]
    missing = client.post("/v1/summarize", json={"txt": seed_texts[0]}).get_json()
    assert missing["errors"][0] == {"loc": ["text"], "msg": "give the article as 'text' or 'html'", "type": "missing"}
    assert missing["errors"][1]["loc"] == ["txt"] and "did you mean 'text'" in missing["errors"][1]["msg"]
    both = client.post("/v1/summarize", json={"text": seed_texts[0], "html": "<p>x</p>"}).get_json()
    assert both["errors"][0]["msg"] == "give exactly one of 'text' or 'html'"  # no "Value error, " prefix


def test_text_too_short_to_summarize_is_refused_naming_the_setting(client, pipeline):
    for text in ("...", "Jakarta", "Banjir di Jakarta."):
        answer = client.post("/v1/summarize", json={"text": text})
        body = answer.get_json()
        assert answer.status_code == 422, text
        assert "RINGKAS_LIMITS__MIN_TEXT_CHARS" in body["detail"] and body["errors"][0]["loc"] == ["text"]
    lenient = copy.copy(pipeline)  # the setting, lowered: RINGKAS_LIMITS__MIN_TEXT_CHARS=5
    lenient.limits = dataclasses.replace(pipeline.limits, min_text_chars=5)
    assert lenient.summarize(SummarizeRequest(text="Banjir di Jakarta.")).summary.text


def test_a_short_foreign_text_is_warned_about_without_a_contradiction(client):
    answer = client.post("/v1/summarize", json={"text": "The council approved the budget on Tuesday."})
    assert answer.status_code == 200
    warning = next(w for w in answer.get_json()["warnings"] if "too short" in w)
    assert "confidence" not in warning and "characters" in warning


def test_the_force_hint_is_in_the_callers_own_terms(client):
    as_json = client.post("/v1/summarize", json={"text": ENGLISH}).get_json()
    assert as_json["status"] == 422 and 'send "force": true' in as_json["detail"]
    as_text = client.post("/v1/summarize", data=ENGLISH, content_type="text/plain").get_json()
    assert "?force=true" in as_text["detail"] and '"force"' not in as_text["detail"]
    forced = client.post("/v1/summarize?force=true", data=ENGLISH, content_type="text/plain")
    assert forced.status_code == 200


def test_the_truncation_hint_follows_the_caller(client, seed_texts):
    article = "\n".join(seed_texts)
    as_text = client.post("/v1/summarize", data=article, content_type="text/plain").get_json()
    assert any("?long_input=chunk" in w for w in as_text["warnings"]), as_text["warnings"]
    as_json = client.post("/v1/summarize", json={"text": article}).get_json()  # now from the cache
    assert as_json["cached"] and any('"long_input": "chunk"' in w for w in as_json["warnings"])


def test_413s_name_the_setting_that_raises_the_limit(tiny_dir, runtime, pipeline):
    client = create_app(
        tiny_settings(tiny_dir, limits__max_body_bytes=2048, jobs__max_bytes=4096), runtime
    ).test_client()
    body = client.post("/v1/summarize", json={"text": "a" * 5000}).get_json()
    assert body["status"] == 413 and "RINGKAS_LIMITS__MAX_BODY_BYTES" in body["detail"]
    job = client.post("/v1/jobs", data="x" * 5000, content_type="application/x-ndjson").get_json()
    assert job["status"] == 413 and "RINGKAS_JOBS__MAX_BYTES" in job["detail"]
    strict = copy.copy(pipeline)  # RINGKAS_LIMITS__MAX_TEXT_CHARS=500
    strict.limits = dataclasses.replace(pipeline.limits, max_text_chars=500)
    with pytest.raises(PayloadTooLarge, match="RINGKAS_LIMITS__MAX_TEXT_CHARS"):
        strict.summarize(SummarizeRequest(text="kata " * 300))


def test_cli_reads_html_files_as_html_and_takes_the_new_options(env, tmp_path, seed_texts):
    page = tmp_path / "artikel.html"
    page.write_text("<html><body>" + "".join(f"<p>{p}</p>" for p in _paragraphs(seed_texts)) + "</body></html>")
    result = CliRunner().invoke(main, ["summarize", "--long-input", "chunk", str(page)], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["input"]["format"] == "html" and not any("markup" in w for w in body["warnings"])
    english = tmp_path / "english.txt"
    english.write_text(ENGLISH)
    refused = CliRunner().invoke(main, ["summarize", str(english)], env=env)
    assert refused.exit_code == 1 and "pass --force" in refused.stderr
    assert CliRunner().invoke(main, ["summarize", "--force", str(english)], env=env).exit_code == 0


@pytest.mark.unit
def test_cli_length_is_checked_before_any_model_loads(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("x")
    env = {"RINGKAS_SUMMARIZER__MODEL": str(tmp_path / "absent"), "RINGKAS_TRANSLATOR__MODEL": str(tmp_path / "absent")}
    result = CliRunner().invoke(main, ["summarize", "--length", "huge", str(article)], env=env)
    assert result.exit_code == 2 and "choose one of short, medium, long" in result.stderr


@pytest.mark.unit
def test_cli_help_gives_each_command_one_whole_line():
    listing = CliRunner().invoke(main, ["--help"], terminal_width=80).stdout.split("Commands:")[1]
    assert listing.strip() and "..." not in listing
    for group in ("jobs", "eval"):
        listing = CliRunner().invoke(main, [group, "--help"], terminal_width=80).stdout.split("Commands:")[1]
        assert "..." not in listing


def test_a_json_object_posted_as_text_is_refused_naming_the_content_type(client, seed_texts):
    request = {"text": seed_texts[0], "translate": True}
    answer = client.post("/v1/summarize", data=json.dumps(request, indent=1), content_type="text/plain")
    body = answer.get_json()
    assert answer.status_code == 422 and body["errors"][0]["loc"] == ["text"]
    assert "Content-Type: application/json" in body["detail"] and "text, translate" in body["detail"]
    # The same object sent as JSON is an article's request, and a JSON object inside "text" is named as such.
    assert client.post("/v1/summarize", json=request).status_code == 200
    nested = client.post("/v1/summarize", json={"text": json.dumps(request)}).get_json()
    assert nested["status"] == 422 and 'as "text"' in nested["detail"]
    # An article in braces that is not JSON stays an article.
    braced = "{" + seed_texts[0] + "}"
    assert client.post("/v1/summarize", data=braced.encode(), content_type="text/plain").status_code == 200


def test_the_cli_refuses_a_json_file_given_as_the_article(env, tmp_path, seed_texts):
    posted = tmp_path / "request.txt"
    posted.write_text(json.dumps({"text": seed_texts[0]}), encoding="utf-8")
    result = CliRunner().invoke(main, ["summarize", str(posted)], env=env)
    assert result.exit_code == 1 and "the file is a JSON object (text)" in result.stderr
