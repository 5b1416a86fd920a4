"""The real client libraries, unchanged, against Ringkas: huggingface_hub's InferenceClient and
libretranslatepy. No hand-built requests: if a client changes what it sends, these fail."""

from __future__ import annotations

from urllib.error import HTTPError

import pytest
from huggingface_hub import InferenceClient
from huggingface_hub.errors import HfHubHTTPError
from libretranslatepy import LibreTranslateAPI

from api.app import create_app
from tests.conftest import tiny_settings
from tests.helpers import serve_in_thread

pytestmark = pytest.mark.system

KEY = "newsroom-key"


@pytest.fixture(autouse=True)
def _client_may_reach_loopback(monkeypatch):
    # The suite sets HF_HUB_OFFLINE so nothing reaches a model hub; the InferenceClient honours it for
    # every URL. Here it talks only to the Ringkas server on 127.0.0.1 started below.
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)


@pytest.fixture(scope="module")
def base_url(tiny_dir, runtime):
    app = create_app(tiny_settings(tiny_dir, api_keys=KEY), runtime)
    with serve_in_thread(app) as url:
        yield url


def test_inference_client_summarization_matches_v1(base_url, client, seed_texts):
    hf = InferenceClient(model=f"{base_url}/hf/summarization", token=KEY)
    output = hf.summarization(seed_texts[1])
    direct = client.post("/v1/summarize", json={"text": seed_texts[1]}).get_json()
    assert output.summary_text == direct["summary"]["text"] and output.summary_text


def test_inference_client_translation_with_nllb_and_iso_codes(base_url, client):
    hf = InferenceClient(model=f"{base_url}/hf/translation", token=KEY)
    text = "Banjir melanda Jakarta. Warga mengungsi ke masjid."
    default = hf.translation(text)
    nllb = hf.translation(text, src_lang="ind_Latn", tgt_lang="fra_Latn")
    iso = hf.translation(text, src_lang="id", tgt_lang="fr")
    direct = client.post("/v1/translate", json={"text": text, "target_lang": "fra_Latn"}).get_json()
    assert nllb.translation_text == iso.translation_text == direct["translation"]["text"]
    assert (
        default.translation_text == client.post("/v1/translate", json={"text": text}).get_json()["translation"]["text"]
    )


def test_inference_client_errors_surface_as_its_own_exceptions(base_url):
    with pytest.raises(HfHubHTTPError) as refused:
        InferenceClient(model=f"{base_url}/hf/summarization", token="wrong").summarization("Halo")
    assert refused.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as invalid:
        InferenceClient(model=f"{base_url}/hf/translation", token=KEY).translation("Halo", src_lang="id", tgt_lang="xx")
    assert invalid.value.response.status_code == 422 and "xx" in invalid.value.response.json()["error"]


def test_libretranslate_client_translate_languages_detect(base_url, client):
    lt = LibreTranslateAPI(base_url, api_key=KEY)
    text = "Presiden meresmikan bendungan baru di Jawa Tengah pada hari Senin."
    translated = lt.translate(text, source="id", target="en")
    assert translated == client.post("/v1/translate", json={"text": text}).get_json()["translation"]["text"]

    languages = {entry["code"]: entry for entry in lt.languages()}
    assert "id" in languages and "en" in languages["id"]["targets"] and languages["id"]["name"] == "Indonesian"
    assert all(entry["code"] not in entry["targets"] for entry in languages.values())

    detected = lt.detect(
        "Pemerintah kota Bandung meresmikan taman baru di pusat kota pada hari Minggu pagi "
        "dan mengundang warga untuk datang bersama keluarga."
    )
    assert detected[0]["language"] == "id" and 0 < detected[0]["confidence"] <= 100


def test_libretranslate_auto_source_and_key_checks(base_url):
    text = "Harga cabai di pasar tradisional naik tajam menjelang hari raya, kata para pedagang di Medan."
    auto = LibreTranslateAPI(base_url, api_key=KEY).translate(text, source="auto", target="en")
    assert auto == LibreTranslateAPI(base_url, api_key=KEY).translate(text, source="id", target="en")
    with pytest.raises(HTTPError) as missing:
        LibreTranslateAPI(base_url).translate(text, source="id", target="en")
    assert missing.value.code == 401
    with pytest.raises(HTTPError) as unknown:
        LibreTranslateAPI(base_url, api_key=KEY).translate(text, source="id", target="zz")
    assert unknown.value.code == 422
