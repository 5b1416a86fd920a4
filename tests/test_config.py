import os

import pytest
from pydantic import ValidationError

from api.config import Settings

pytestmark = pytest.mark.unit


def test_environment_prefix_and_types(monkeypatch):
    monkeypatch.setenv("RINGKAS_PORT", "9001")
    monkeypatch.setenv("RINGKAS_SUMMARIZER__REVISION", "")
    monkeypatch.setenv("RINGKAS_TRANSLATOR__REVISION", "v1.0")
    settings = Settings()
    assert settings.port == 9001
    assert settings.summarizer.revision is None and settings.translator.revision == "v1.0"


@pytest.mark.parametrize(("hf", "ringkas", "expected"), [("1", None, True), (None, "true", True), ("1", "0", False)])
def test_hf_hub_offline_is_honoured(monkeypatch, hf, ringkas, expected):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    for name, value in (("HF_HUB_OFFLINE", hf), ("RINGKAS_MODELS__HUB_OFFLINE", ringkas)):
        if value is not None:
            monkeypatch.setenv(name, value)
    assert Settings().models.hub_offline is expected


def test_math_threads_share_the_cores_between_workers():
    cores = os.cpu_count() or 1
    assert Settings(workers=1).math_threads() == cores
    assert Settings(workers=cores * 4).math_threads() == 1
    assert Settings(workers=2, serving={"math_threads": 3}).math_threads() == 3


def test_ctranslate2_runs_one_single_thread_batch_per_math_thread_unless_told():
    assert Settings(serving={"math_threads": 3}).engine_replicas() == 3
    assert Settings(serving={"math_threads": 4}, engine_parallel=1).engine_replicas() == 1  # the older layout
    assert Settings(serving={"math_threads": 4}, models={"engine": "transformers"}).engine_replicas() == 1  # torch threads its own ops


@pytest.mark.parametrize("bad", [{"port": 0}, {"workers": 0}, {"queue_size": 0}, {"request_timeout_s": 0}])
def test_nonsense_values_are_refused(bad):
    with pytest.raises(ValidationError):
        Settings(**bad)
