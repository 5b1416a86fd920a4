"""POST /v1/translate."""

import pytest

pytestmark = pytest.mark.integration


def test_translates_sentences_as_one_batch(client):
    text = "Rusia dan AS gagal sepakat. Pertemuan berlangsung lima jam. Ukraina menunggu hasilnya."
    response = client.post("/v1/translate", json={"text": text})
    assert response.status_code == 200
    body = response.get_json()
    assert body["translation"]["lang"] == "eng_Latn" and body["translation"]["text"]
    assert body["source_lang"] == "ind_Latn"
    assert body["input"]["segments"] == 3 and body["input"]["tokens"] > 3
    assert body["models"]["translator"]["id"].endswith("translator")


def test_other_target_language_and_plain_text(client):
    response = client.post("/v1/translate?target_lang=zsm_Latn", data=b"Harga cabai naik.", content_type="text/plain")
    assert response.status_code == 200 and response.get_json()["translation"]["lang"] == "zsm_Latn"


def test_same_text_same_translation(client):
    payload = {"text": "Gubernur meresmikan jembatan baru."}
    assert (
        client.post("/v1/translate", json=payload).get_json()["translation"]
        == client.post("/v1/translate", json=payload).get_json()["translation"]
    )


def test_unknown_languages_are_422(client):
    # Two-letter codes are accepted (tests/test_api_promises.py); codes that name nothing are not.
    response = client.post("/v1/translate", json={"text": "Halo.", "source_lang": "qq", "target_lang": "xx_Yyyy"})
    assert response.status_code == 422
    assert [e["loc"] for e in response.get_json()["errors"]] == [["source_lang"], ["target_lang"]]


def test_text_over_the_translate_limit_is_413(client, settings):
    response = client.post("/v1/translate", json={"text": "x" * (settings.max_translate_chars + 1)})
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
