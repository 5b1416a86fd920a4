"""GET /v1/models."""

import pytest

pytestmark = pytest.mark.integration


def test_lists_both_models_with_licence_languages_and_limits(client):
    response = client.get("/v1/models")
    assert response.status_code == 200
    body = response.get_json()
    roles = {model["role"]: model for model in body["models"]}
    assert set(roles) == {"summarizer", "translator"}
    summarizer, translator = roles["summarizer"], roles["translator"]
    assert summarizer["architecture"] == "MT5ForConditionalGeneration" and summarizer["model_type"] == "mt5"
    assert translator["architecture"] == "M2M100ForConditionalGeneration"
    assert summarizer["licence"] == translator["licence"] == "apache-2.0"
    assert summarizer["limits"]["max_input_tokens"] == 512
    assert {"ind_Latn", "eng_Latn"} <= set(translator["languages"]["target"])
    assert translator["limits"]["max_new_tokens_per_segment"] > 20
    assert set(body["presets"]) == {"short", "medium", "long"} and body["default_preset"] == "medium"
    assert set(body["prompt_versions"]) == {"summarize", "translate"}
    assert all(model["engine"] == "ctranslate2-int8" and "revision" in model for model in body["models"])


def test_reports_the_gemm_library_ctranslate2_runs_and_why(client):
    """The choice made before CTranslate2 loaded (tests/conftest.py, as the service makes it)."""
    from tests.conftest import GEMM

    for model in client.get("/v1/models").get_json()["models"]:
        assert model["runtime"]["gemm"] == GEMM.describe()
        assert model["runtime"]["gemm"]["backend"] in ("mkl", "onednn") and model["runtime"]["gemm"]["reason"]
