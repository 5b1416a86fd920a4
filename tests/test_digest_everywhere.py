"""A story cluster as one item of a batch and of an archive job: checked by the digest's rules, its
result the digest's answer, its sources in the spreadsheet exports."""

from __future__ import annotations

import csv
import io
import json

import pytest

from api.errors import MalformedRequest, ValidationFailed
from api.items import check_item, item_texts
from api.jobs.export import COLUMNS, row
from api.jobs.intake import read_job
from api.jobs.store import MIN_ARTICLE_CHARS
from api.schemas import BatchItem, ClusterItem

pytestmark = pytest.mark.unit  # tests that need more say so themselves

OUTLETS = ["konteks.co.id", "okezone", "pahami.id", "finnews.id", "RIA"]


def _cluster(texts: list[str], **extra) -> dict:
    articles = [{"id": f"s{i}", "outlet": OUTLETS[i], "text": text} for i, text in enumerate(texts)]
    return {"articles": articles, **extra}


def _refused(item: dict, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        check_item(item, **kwargs)
    return caught.value


# --- the check batch and intake share ----------------------------------------------------------
def test_an_item_with_articles_is_a_cluster_with_only_the_defaults_a_digest_takes():
    item = _cluster(["Satu.", "Dua."], id="c1", length="short")
    checked = check_item(item, {"translate": True, "long_input": "chunk", "length": "long"})
    assert isinstance(checked, ClusterItem) and checked.id == "c1"
    assert checked.translate is True and checked.length == "short"  # a default, under the item's own
    assert [article.outlet for article in checked.articles] == OUTLETS[:2]
    assert isinstance(check_item({"text": "Satu."}), BatchItem)  # an article item is unchanged


@pytest.mark.parametrize(
    ("item", "loc", "said"),
    [
        ({"articles": [{"text": "a"}]}, ["articles"], "at least 2"),
        ({"articles": [{"text": "a"}] * 4}, ["articles"], "at most 3 (RINGKAS_DIGEST__MAX_ARTICLES)"),
        ({"articles": "a, b"}, ["articles"], "must be a list"),
        ({"articles": [{"text": "a"}, "b"]}, ["articles", 1], "articles[1] must be an object"),
        ({"articles": [{"text": "a"}, {"txt": "b"}]}, ["articles", 1, "txt"], "articles[1]: unknown field 'txt'"),
        ({"articles": [{"text": "a"}, {"text": "b", "tags": ["x"]}]}, ["articles", 1, "tags"], "articles[1]: unknown"),
        ({"articles": [{"text": "a"}, {"text": "b", "id": ["x"]}]}, ["articles", 1, "id"], "holds a list"),
        ({"articles": [{"text": "a"}, {"text": " \n"}]}, ["articles", 1, "text"], "articles[1]: text is empty"),
        ({"articles": [{"text": "a"}, {"text": "b", "html": "c"}]}, ["articles", 1], "exactly one"),
        ({"articles": [{"text": "a"}, {"text": "b"}], "text": "c"}, ["articles"], "not both"),
        ({"articles": [{"text": "a"}, {"text": "b"}], "long_input": "chunk"}, ["long_input"], "unknown field"),
    ],
)
def test_a_bad_cluster_item_is_refused_by_the_digest_rules(item, loc, said):
    problem = _refused(item, max_articles=3)
    assert said in problem.detail
    assert problem.extra["errors"][0]["loc"] == loc


def test_a_cluster_is_charged_for_every_article_and_its_list_is_bounded():
    items = [{"text": "abc"}, _cluster(["de", "fgh"]), {"articles": [{"text": "x"}] * 1000}, "junk"]
    texts = [text for text in item_texts(items) if isinstance(text, str)]
    assert texts[:3] == ["abc", "de", "fgh"]
    assert len(texts) == 3 + 100  # a list past any deployment's article limit is refused, charged only so far


# --- job intake: one small 422 before anything is queued ---------------------------------------
def _ndjson(items: list) -> bytes:
    return "".join(json.dumps(item) + "\n" for item in items).encode()


def test_intake_refuses_a_bad_cluster_item_naming_its_line_and_article():
    body = _ndjson([{"id": "a", "text": "Satu."}, _cluster(["Dua.", "Tiga."]), _cluster(["Empat.", "  "])])
    with pytest.raises(ValidationFailed) as caught:
        read_job(body, "application/x-ndjson", None, {}, 100, max_articles=5)
    problem = caught.value
    assert problem.extra["lines"] == [3] and problem.extra["invalid"] == 1
    assert "line 3: articles[1]: text is empty" in problem.detail
    assert problem.extra["errors"][0]["loc"] == ["items", 2, "articles", 1, "text"]
    assert len(json.dumps(problem.to_problem())) < 2_000  # small, whatever the cluster held


def test_intake_takes_a_cluster_item_and_charges_all_its_articles():
    cluster = _cluster(["a" * 600, "b" * 700], id="c")
    job = read_job(_ndjson([{"id": "a", "text": "c" * 200}, cluster]), "application/x-ndjson", None, {}, 100)
    assert job.items[1] == cluster and job.chars == 200 + 1300
    short = read_job(_ndjson([_cluster(["a" * 10, "b" * 700])]), "application/x-ndjson", None, {}, 100)
    assert short.chars == MIN_ARTICLE_CHARS + 700  # room for the digest's result line of a short article
    as_json = read_job(json.dumps({"items": [cluster]}).encode(), "application/json", None, {}, 100, max_articles=2)
    assert as_json.items == [cluster]
    with pytest.raises(ValidationFailed) as caught:  # the deployment's limit, not a fixed one
        read_job(json.dumps({"items": [cluster]}).encode(), "application/json", None, {}, 100, max_articles=1)
    assert "item 1: " in caught.value.detail and "at most 1" in caught.value.detail


def test_a_csv_header_naming_articles_is_told_csv_cannot_carry_a_cluster():
    with pytest.raises(MalformedRequest) as caught:
        read_job(b"id,articles\n1,x\n", "text/csv", None, {}, 100)
    assert "CSV row cannot carry a cluster" in caught.value.detail and "NDJSON" in caught.value.detail


# --- exports ------------------------------------------------------------------------------------
def test_a_digest_row_shows_its_summary_and_one_line_per_source():
    sources = [
        {"article": 0, "id": "k-1", "outlet": "Kompas", "date": "2025-12-03", "used": 4, "duplicates": 0,
         "left_out": 1, "fraction_read": 0.8},
        {"article": 1, "id": None, "outlet": "=HYPERLINK(1)", "date": None, "used": 2, "duplicates": 3,
         "left_out": 0, "fraction_read": 0.4},
    ]  # fmt: skip
    line = {"id": "c", "index": 0, "status": "done", "result": {"summary": {"text": "Ringkasan."}, "sources": sources}}
    cells = dict(zip(COLUMNS, row(json.dumps(line)), strict=True))
    assert cells["summary"] == "Ringkasan."
    assert cells["sources"].splitlines() == [
        "1. Kompas (k-1, 2025-12-03): 4 used, 0 duplicates, 1 left out, 80% read",
        "2. =HYPERLINK(1): 2 used, 3 duplicates, 0 left out, 40% read",  # not at a cell's start: inert
    ]
    single = {"id": "a", "index": 1, "status": "done", "result": {"summary": {"text": "S."}}}
    assert dict(zip(COLUMNS, row(json.dumps(single)), strict=True))["sources"] == ""


# --- the batch route --------------------------------------------------------------------------------
@pytest.mark.integration
def test_batch_answers_a_cluster_item_with_its_digest_beside_article_items(client, seed_texts):
    cluster = _cluster(seed_texts[:3], id="story")
    bad = {"id": "bad", "articles": [{"text": seed_texts[0]}]}
    items = [{"id": "one", "text": seed_texts[3]}, cluster, bad, {"id": "two", "text": seed_texts[4]}]
    response = client.post("/v1/summarize/batch", json={"items": items})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    results = response.get_json()["results"]
    assert [r["id"] for r in results] == ["one", "story", "bad", "two"]
    assert [r["status"] for r in results] == ["done", "done", "failed", "done"]
    assert "sources" not in results[0]["result"] and results[0]["result"]["summary"]["text"]
    digest = results[1]["result"]
    alone = client.post("/v1/digest", json={"articles": cluster["articles"]}).get_json()
    assert digest["summary"] == alone["summary"] and digest["composed"] == alone["composed"]
    assert [source["outlet"] for source in digest["sources"]] == OUTLETS[:3]
    assert digest["input"]["used"] == len(digest["composed"]) and digest["dropped"] == alone["dropped"]
    assert results[2]["problem"]["status"] == 422 and "at least 2" in results[2]["problem"]["detail"]


@pytest.mark.integration
def test_a_cluster_item_past_the_article_limit_is_its_own_problem(client, seed_texts, settings):
    many = {"id": "many", "articles": [{"text": seed_texts[0]}] * (settings.digest.max_articles + 1)}
    results = client.post("/v1/summarize/batch", json={"items": [many]}).get_json()["results"]
    assert results[0]["status"] == "failed"
    assert f"at most {settings.digest.max_articles}" in results[0]["problem"]["detail"]


@pytest.mark.integration
def test_batch_charges_a_clusters_articles_against_the_character_limit(tiny_dir, runtime, seed_texts):
    from api.app import create_app
    from tests.conftest import tiny_settings

    limit = len(seed_texts[0]) + len(seed_texts[1]) - 1
    app = create_app(tiny_settings(tiny_dir, char_limit=f"{limit}/hour"), runtime)
    answer = app.test_client().post("/v1/summarize/batch", json={"items": [_cluster(seed_texts[:2])]})
    assert answer.status_code == 413, answer.get_data(as_text=True)[:300]  # more than the limit at once
    assert f"this request has {limit + 1} characters" in answer.get_json()["detail"]


# --- a job through a real worker ------------------------------------------------------------------
@pytest.fixture(scope="module")
def cluster(tiny_dir, tmp_path_factory):
    from tests.jobs_cluster import start_cluster

    state = start_cluster(tiny_dir, tmp_path_factory.mktemp("jobs-digest"))
    yield state
    state.stop()


@pytest.mark.system
def test_a_job_digests_a_cluster_item_through_a_real_worker(tiny_dir, runtime, cluster, client, seed_texts):
    import time

    from api.app import create_app
    from tests.conftest import tiny_settings

    jobs = create_app(tiny_settings(tiny_dir, redis_url=cluster.url), runtime).test_client()
    story = _cluster(seed_texts[:3], id="story")
    base = "Warga desa menanam padi bersama pada musim hujan tahun ini di Kabupaten Bekasi, Jawa Barat."
    brief = _cluster([f"{base} Catatan nomor {n} dari redaksi tentang panen raya." for n in range(5)], id="brief")
    body = _ndjson([{"id": "one", "text": seed_texts[3]}, story, {**brief, "force": True}])
    accepted = jobs.post("/v1/jobs", data=body, content_type="application/x-ndjson")
    assert accepted.status_code == 202, accepted.get_json()
    job_id = accepted.get_json()["id"]
    # What is queued names the job and a chunk, never an article.
    messages = [json.loads(raw) for raw in cluster.client().lrange("ringkas-jobs", 0, -1)]
    assert messages and all(seed_texts[0][:40] not in json.dumps(message) for message in messages)
    cluster.ensure_workers(1)
    deadline = time.monotonic() + 240
    while jobs.get(f"/v1/jobs/{job_id}").get_json()["status"] != "done":
        assert time.monotonic() < deadline, jobs.get(f"/v1/jobs/{job_id}").get_json()
        time.sleep(0.3)
    lines = [json.loads(line) for line in jobs.get(f"/v1/jobs/{job_id}/results").get_data(as_text=True).splitlines()]
    # Five short articles' digest fits the result bytes its job was charged for.
    assert [(line["id"], line["status"]) for line in lines] == [("one", "done"), ("story", "done"), ("brief", "done")]
    digest = lines[1]["result"]
    alone = client.post("/v1/digest", json={"articles": story["articles"]}).get_json()
    assert digest["summary"] == alone["summary"] and digest["composed"] == alone["composed"]
    assert [source["id"] for source in digest["sources"]] == ["s0", "s1", "s2"]
    table = list(
        csv.DictReader(io.StringIO(jobs.get(f"/v1/jobs/{job_id}/results?format=csv").get_data().decode("utf-8-sig")))
    )
    assert table[1]["summary"] == digest["summary"]["text"] and table[0]["sources"] == ""
    assert table[1]["sources"].splitlines()[0].startswith("1. konteks.co.id (s0): ")
    assert len(table[1]["sources"].splitlines()) == 3
