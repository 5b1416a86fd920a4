"""POST /v1/summarize."""

import pytest

pytestmark = pytest.mark.integration


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_json_summary_with_translation(client, seed_texts):
    response = client.post("/v1/summarize", json={"text": seed_texts[0], "translate": True})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["summary"]["lang"] == "ind_Latn" and body["summary"]["text"]
    assert body["translation"]["lang"] == "eng_Latn" and body["translation"]["text"]
    assert set(body["input"]) >= {"chars", "tokens", "truncated"}
    assert set(body["models"]["summarizer"]) == {"id", "revision", "licence"}
    assert body["models"]["translator"]["licence"] == "apache-2.0"
    assert body["preset"] == "medium"
    assert set(body["timings_ms"]) == {"summarize", "translate", "total"}


def test_plain_text_body_with_query_options_matches_json(client, seed_texts):
    text = seed_texts[4]
    plain = client.post(
        "/v1/summarize?translate=true&length=short&target_lang=fra_Latn",
        data=text.encode(),
        content_type="text/plain; charset=utf-8",
    )
    as_json = client.post(
        "/v1/summarize", json={"text": text, "translate": True, "length": "short", "target_lang": "fra_Latn"}
    )
    assert plain.status_code == as_json.status_code == 200
    a, b = plain.get_json(), as_json.get_json()
    assert a["summary"] == b["summary"] and a["translation"] == b["translation"]
    assert a["preset"] == "short" and a["translation"]["lang"] == "fra_Latn"


def test_no_translation_by_default(client):
    body = client.post(
        "/v1/summarize",
        json={"text": "Harga beras naik di pasar Jakarta pekan ini karena pasokan dari daerah berkurang."},
    ).get_json()
    assert body["translation"] is None and body["timings_ms"]["translate"] is None


def test_truncation_is_reported(client, seed_texts):
    long_body = client.post("/v1/summarize", json={"text": seed_texts[1]}).get_json()
    assert long_body["input"]["truncated"] and long_body["input"]["tokens"] > 512
    short_body = client.post("/v1/summarize", json={"text": seed_texts[1][:200]}).get_json()
    assert not short_body["input"]["truncated"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   \n "}, "text"),
        ({"text": 42}, "text"),
        ({"text": None}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": "Berita.", "translate": "yes"}, "translate"),
        ({"text": "Berita.", "translate": 1}, "translate"),
        ({"text": "Berita.", "length": "huge"}, "length"),
        ({"text": "Berita.", "length": 3}, "length"),
        ({"text": "Berita.", "translate": True, "target_lang": "xx_Yyyy"}, "target_lang"),
        ({"text": "Berita.", "lenght": "short"}, "lenght"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(client, payload, field):
    body = _problem(client.post("/v1/summarize", json=payload), 422)
    assert any(field in error["loc"] or repr(field) in error["msg"] for error in body["errors"]), body


def test_bad_query_boolean_on_plain_text_is_422(client):
    body = _problem(client.post("/v1/summarize?translate=maybe", data=b"Berita.", content_type="text/plain"), 422)
    assert body["errors"][0]["loc"] == ["translate"]


def test_text_over_the_character_limit_is_413(client, settings):
    text = "kata " * (settings.limits.max_text_chars // 5 + 10)
    body = _problem(client.post("/v1/summarize", json={"text": text}), 413)
    assert str(settings.limits.max_text_chars) in body["detail"]


def test_target_lang_is_checked_even_without_translate(client):
    response = client.post("/v1/summarize", json={"text": "Berita.", "target_lang": "english"})
    assert response.status_code == 422 and response.get_json()["errors"][0]["loc"] == ["target_lang"]
