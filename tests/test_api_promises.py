"""What a new user met on first contact: the API must keep the promises its docs make."""

import pytest

from api.schemas import SummarizeRequest, TranslateRequest

pytestmark = pytest.mark.integration


# --- long articles: chunk mode reads everything ----------------------------------------------
def test_chunk_mode_condenses_in_rounds_until_the_whole_article_fits(client, pipeline, seed_texts, monkeypatch):
    summarizer = pipeline.summarizer
    rounds, finals = [], []
    chunks, summarize = summarizer.chunks, summarizer.summarize
    monkeypatch.setattr(summarizer, "chunks", lambda text: rounds.append(text) or chunks(text))
    monkeypatch.setattr(summarizer, "summarize", lambda text, *a: finals.append(text) or summarize(text, *a))
    article = "\n".join(seed_texts * 2)
    body = client.post("/v1/summarize", json={"text": article, "long_input": "chunk"}).get_json()
    facts = body["input"]
    assert len(rounds) >= 2, "the first round's partial summaries fit: the article is too short for this test"
    assert not summarizer.encode(finals[-1]).truncated  # the last summary read all of its input
    assert facts["fraction_read"] == 1.0 and not facts["truncated"]
    assert not [w for w in body["warnings"] if "cut" in w or "condense" in w]
    # Each round is shorter than the one before: the rounds converge.
    lengths = [summarizer.encode(text).tokens for text in rounds]
    assert lengths == sorted(lengths, reverse=True) and len(set(lengths)) == len(lengths)


# --- query parameters on text bodies ----------------------------------------------------------
@pytest.mark.parametrize("content_type", ["text/plain", "text/html", "application/json"])
def test_an_unknown_query_parameter_is_refused_with_a_suggestion(client, content_type):
    body = '{"text": "Harga beras naik."}' if content_type == "application/json" else "Harga beras naik."
    response = client.post("/v1/summarize?lenght=short", data=body, content_type=content_type)
    problem = response.get_json()
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert problem["errors"][0]["loc"] == ["query", "lenght"] and "'length'" in problem["detail"]


def test_known_query_parameters_still_work_on_text_bodies(client, seed_texts):
    response = client.post("/v1/summarize?length=short&translate=yes", data=seed_texts[0], content_type="text/plain")
    body = response.get_json()
    assert response.status_code == 200 and body["preset"] == "short" and body["translation"]


def test_the_article_itself_is_not_a_query_parameter(client):
    response = client.post("/v1/summarize?text=abc", data="Harga beras naik.", content_type="text/plain")
    assert response.status_code == 422 and "request body" in response.get_json()["detail"]


# --- batch items keep their ids ---------------------------------------------------------------
def test_a_batch_item_that_fails_validation_echoes_its_id(client, seed_texts):
    items = [
        {"id": "ok-1", "text": seed_texts[0]},
        {"id": "bad-1", "text": seed_texts[0], "lenght": "short"},
        {"id": 7, "text": 42},
        {"text": seed_texts[0], "translate": "maybe"},
    ]
    results = client.post("/v1/summarize/batch", json={"items": items}).get_json()["results"]
    assert [r["id"] for r in results] == ["ok-1", "bad-1", 7, None]
    # One outcome vocabulary with job result lines; the HTTP status is the problem's own.
    assert [r["status"] for r in results] == ["done", "failed", "failed", "failed"]
    assert [(r["problem"] or {}).get("status") for r in results] == [None, 422, 422, 422]
    assert results[1]["problem"]["errors"][0]["msg"] == "unknown field 'lenght'; did you mean 'length'?"


# --- language codes ---------------------------------------------------------------------------
@pytest.mark.parametrize(("given", "meant"), [("en", "eng_Latn"), ("EN", "eng_Latn"), ("fr-CA", "fra_Latn")])
def test_two_letter_target_codes_name_the_nllb_code_they_mean(client, given, meant):
    body = client.post("/v1/translate", json={"text": "Harga beras naik.", "target_lang": given}).get_json()
    assert body["translation"]["lang"] == meant
    news = "Harga beras naik di pasar Jakarta pekan ini karena pasokan dari daerah berkurang."
    body = client.post("/v1/summarize", json={"text": news, "translate": True, "target_lang": given})
    assert body.get_json()["translation"]["lang"] == meant


@pytest.mark.unit
def test_two_letter_source_codes_work_too():
    assert TranslateRequest(text="x", source_lang="id").source_lang == "ind_Latn"
    assert SummarizeRequest(text="x", target_lang="zh-Hant").target_lang == "zho_Hant"


def test_an_unknown_code_is_refused_naming_what_works(client):
    response = client.post("/v1/translate", json={"text": "Harga beras naik.", "target_lang": "xx"})
    problem = response.get_json()
    assert response.status_code == 422 and "'xx'" in problem["detail"] and "eng_Latn" in problem["detail"]


def test_a_near_miss_code_gets_a_did_you_mean(client, pipeline):
    targets = pipeline.translator.scheme.targets
    near = next(code for code in targets if code.startswith("eng_"))
    problem = client.post("/v1/translate", json={"text": "Harga beras naik.", "target_lang": "eng_Latx"}).get_json()
    assert f"did you mean {near}" in problem["detail"]


# --- encodings and flattened files ------------------------------------------------------------
def test_a_windows_1252_body_is_told_how_to_say_so(client, seed_texts):
    raw = "Presiden berkata: “Harga beras turun.” Café.".encode("cp1252")
    problem = client.post("/v1/summarize", data=raw, content_type="text/plain").get_json()
    assert problem["status"] == 400 and "charset=windows-1252" in problem["detail"]
    response = client.post("/v1/summarize", data=raw, content_type="text/plain; charset=windows-1252")
    assert response.status_code in (200, 422)  # decoded; a one-line text may be refused as too short or foreign
    assert "utf-8" not in response.get_json().get("detail", "")


def test_a_text_body_without_line_breaks_warns_naming_data_binary(client, seed_texts):
    flat = " ".join(seed_texts[0].split())
    body = client.post("/v1/summarize", data=flat, content_type="text/plain").get_json()
    assert any("--data-binary" in warning for warning in body["warnings"])
    body = client.post("/v1/summarize", data=seed_texts[0], content_type="text/plain").get_json()
    assert not any("--data-binary" in warning for warning in body["warnings"])
    # Whatever carried it, a long article without a line break has lost its paragraphs: JSON, batch
    # items and job items say so the same way (the pipeline warns, not the route).
    body = client.post("/v1/summarize", json={"text": flat}).get_json()
    assert any("no line breaks" in warning for warning in body["warnings"])
    batch = client.post("/v1/summarize/batch", json={"items": [{"text": flat}, {"text": seed_texts[0]}]}).get_json()
    flat_item, kept_item = batch["results"]
    assert any("no line breaks" in w for w in flat_item["result"]["warnings"])
    assert not any("no line breaks" in w for w in kept_item["result"]["warnings"])


# --- demo models say so -----------------------------------------------------------------------
def test_models_report_the_tiny_demo_models_as_demo(client):
    body = client.get("/v1/models").get_json()
    assert body["demo"] is True and all(model["demo"] for model in body["models"])


@pytest.mark.unit
def test_a_card_without_the_demo_tag_is_not_demo(tmp_path):
    from api.models.loading import ModelSource, is_demo

    (tmp_path / "README.md").write_text("---\nlicense: cc-by-nc-sa-4.0\ntags: [summarization]\n---\n# mT5\n")
    assert is_demo(ModelSource(str(tmp_path))) is False
    (tmp_path / "README.md").write_text("---\ntags: [random-weights]\n---\n")
    assert is_demo(ModelSource(str(tmp_path))) is True
