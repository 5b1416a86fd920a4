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
    response = client.post("/v1/translate", json={"text": "x" * (settings.limits.max_translate_chars + 1)})
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_english_text_sent_as_indonesian_is_translated_with_a_language_warning(client):
    english = (
        "The city council approved the new budget on Tuesday after a long debate about public transport, "
        "housing and the cost of repairing the old bridges across the river."
    )
    answer = client.post("/v1/translate", json={"text": english, "source_lang": "ind_Latn", "target_lang": "eng_Latn"})
    assert answer.status_code == 200
    (warning,) = answer.get_json()["warnings"]
    assert "looks English (eng_Latn)" in warning and "target language already" in warning and "source_lang" in warning
    indonesian = "Harga beras naik di pasar induk. Pemerintah menyiapkan operasi pasar untuk menekan harga pekan ini."
    plain = client.post("/v1/translate", json={"text": indonesian, "source_lang": "ind_Latn"})
    assert plain.status_code == 200 and plain.get_json()["warnings"] == []
