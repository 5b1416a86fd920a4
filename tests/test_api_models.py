"""GET /v1/models."""

import os
import re
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT

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


# A fresh process that starts as the service does; CTranslate2's own log (CT2_VERBOSE) names the library.
_PROBE = """
import sys
from api.engines import gemm
gemm.apply(sys.argv[1])
import ctranslate2
ctranslate2.Translator(sys.argv[2], compute_type="int8", intra_threads=1)
"""


def test_reports_the_gemm_library_ctranslate2_itself_runs_and_why(client, settings):
    from api.models.convert import ensure_converted
    from api.models.loading import ModelSource

    folder = ensure_converted(ModelSource(settings.summarizer.model), None, "int8", settings.converted_models_dir())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CT2_", "MKL_"))} | {"CT2_VERBOSE": "1"}
    probe = subprocess.run([sys.executable, "-c", _PROBE, settings.models.gemm, str(folder)],
                           capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=120)  # fmt: skip
    assert probe.returncode == 0, probe.stderr[-2000:]
    logged = re.search(r"GEMM_S8 backend: (\w+)", probe.stderr)
    assert logged, probe.stderr[-2000:]
    runs = {"MKL": "mkl", "DNNL": "onednn"}[logged.group(1)]
    for model in client.get("/v1/models").get_json()["models"]:
        assert model["runtime"]["gemm"]["backend"] == runs and model["runtime"]["gemm"]["reason"]
