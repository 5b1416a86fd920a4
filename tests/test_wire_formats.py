"""One source for each wire format and small rule (House II, section 4): job lines come from their
schema, one-field errors from one helper, flag words and id checks from one place each."""

from __future__ import annotations

import io
import re

import pytest

from api.errors import ItemPoisoned, ValidationFailed
from api.jobs.intake import read_job
from api.jobs.worker import _poisoned, result_line
from api.schemas import FLAG_WORDS, BatchResult, JobResultLine, flag, usable_id
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.integration


def test_job_lines_are_the_schemas_and_have_one_of_result_or_problem(pipeline):
    from api.schemas import SummarizeRequest

    done = BatchResult(
        id="a-1",
        status="done",
        result=pipeline.summarize(
            SummarizeRequest(text="Harga beras naik di pasar Jakarta pekan ini karena pasokan dari daerah berkurang.")
        ),
    )
    line = result_line(4, done)
    assert JobResultLine.model_validate(line).status == "done" and "problem" not in line
    failed = result_line(5, _poisoned({"id": "b-2"}, 3))
    assert "result" not in failed and JobResultLine.model_validate(failed).problem.status == ItemPoisoned.status
    assert failed["problem"]["type"].endswith("/item-poisoned") and failed["id"] == "b-2"


@pytest.mark.unit
def test_one_field_errors_have_the_shape_of_the_validation_librarys():
    problem = ValidationFailed.at(["query", "since"], "since must be a whole number", "int_parsing").to_problem()
    assert problem["status"] == 422 and problem["errors"] == [
        {"loc": ["query", "since"], "msg": "since must be a whole number", "type": "int_parsing"}
    ]
    assert ValidationFailed.at("text", "x").extra["errors"][0]["loc"] == ["text"]


@pytest.mark.parametrize(("word", "value"), sorted(FLAG_WORDS.items()))
def test_a_flag_word_means_the_same_in_a_query_string_and_a_csv_cell(client, word, value):
    assert flag(f" {word.upper()} ") is value
    job = read_job(f"text,translate\nHalo dunia.,{word}\n".encode(), "text/csv", None, {}, 10)
    assert job.items[0]["translate"] is value
    news = "Harga beras naik di pasar Jakarta pekan ini karena pasokan dari daerah berkurang."
    response = client.post(f"/v1/summarize?force=true&translate={word}", data=news, content_type="text/plain")
    assert response.status_code == 200 and (response.get_json()["translation"] is not None) is value


def test_an_unknown_flag_word_is_the_validators_to_refuse(client):
    assert flag("maybe") is None
    assert client.post("/v1/summarize?translate=maybe", data="Halo.", content_type="text/plain").status_code == 422


@pytest.mark.unit
@pytest.mark.parametrize(
    ("value", "usable"), [("a-1", True), (7, True), (True, False), (None, False), ("\ud800", False), ([1], False)]
)
def test_one_rule_says_which_ids_are_echoed(value, usable):
    assert (usable_id(value) is not None) is usable


@pytest.mark.unit
def test_only_the_settings_and_the_named_library_hooks_touch_the_environment():
    """The README's rule: options come from Settings; the environment is written only for libraries
    that read nothing else."""
    allowed = {
        "config.py", "config_check.py", "gunicorn_config.py", "bench/__init__.py", "engines/gemm.py", "metrics.py",
    }  # fmt: skip
    offenders = []
    for path in (REPO_ROOT / "api").rglob("*.py"):
        if path.parent.name == "cli":  # the commands: flags become settings for the processes they start
            continue
        place = path.relative_to(REPO_ROOT / "api").as_posix()
        if place not in allowed and re.search(r"os\.environ|os\.getenv", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []


@pytest.mark.unit
def test_csv_limits_are_set_once_not_per_request(monkeypatch):
    import csv

    calls = []
    monkeypatch.setattr(csv, "field_size_limit", lambda *args: calls.append(args) or 131072)
    read_job(io.BytesIO(b"text\nHalo dunia.\n"), "text/csv", None, {}, 10)
    assert calls == []


# --- the pipeline's data (House II, section 3) ---------------------------------------------------
ARTICLE = "Pemerintah kota Bandung meresmikan taman baru di pusat kota pada hari Minggu pagi."


def test_a_cache_entry_of_another_shape_is_a_miss_and_is_replaced(pipeline):
    from api.schemas import SummarizeRequest

    request = SummarizeRequest(text=ARTICLE + " Entri cache lama.")
    article = pipeline.read_article(request)
    key = pipeline._cache_key(article.input.text, request, article.preset_name, article.preset, "public")
    # What an older version stored through a shared Redis: no shape marker, an untyped input dict.
    pipeline.cache.set(key, {"summary": "ringkasan lama", "translation": None, "input": {"tokens": 3}, "warnings": []})
    answer = pipeline.summarize(request)
    assert answer.cached is False and answer.summary.text != "ringkasan lama"
    assert pipeline.summarize(request).cached is True  # the entry was replaced by one of this shape


def test_job_items_get_the_warnings_a_single_request_gets(pipeline, seed_texts):
    from api.pipeline import parse_item
    from api.schemas import SummarizeRequest

    flat = " ".join(seed_texts[0].split())
    single = pipeline.summarize(SummarizeRequest(text=flat, force=True)).warnings
    [as_job_item] = pipeline.answer_items([parse_item({"text": flat}, {"force": True})])
    assert any("no line breaks" in w for w in single) and as_job_item.result.warnings == single


def test_batch_problems_carry_the_request_id(client):
    response = client.post("/v1/summarize/batch", json={"items": [{"text": ""}]}, headers={"X-Request-ID": "req-42"})
    assert response.get_json()["results"][0]["problem"]["request_id"] == "req-42"


# --- small first-contact items (issue 27) ---------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize(
    ("seconds", "words"),
    [(604800, "7 days"), (86400, "1 day"), (5400, "90 minutes"), (3600, "1 hour"), (45, "45 seconds")],
)
def test_durations_are_said_in_words(seconds, words):
    from api.jobs.service import in_words

    assert in_words(seconds) == words


@pytest.mark.unit
def test_ringkas_says_its_version():
    from click.testing import CliRunner

    from api.cli import main

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("ringkas, version ")
