import os

import pytest
from pydantic import ValidationError

from api.config import Settings, known, nest

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


def test_ctranslate2_runs_one_single_thread_batch_per_math_thread():
    assert Settings(serving={"math_threads": 3}).engine_replicas() == 3
    transformers = Settings(serving={"math_threads": 4}, models={"engine": "transformers"})
    assert transformers.engine_replicas() == 1  # torch threads its own ops


@pytest.mark.parametrize(
    "bad",
    [{"port": 0}, {"workers": 0}, {"serving": {"queue_size": 0}}, {"serving": {"request_timeout_s": 0}}],
)
def test_nonsense_values_are_refused(bad):
    with pytest.raises(ValidationError):
        Settings(**bad)


def test_grouped_variables_are_read_into_their_group(monkeypatch):
    monkeypatch.setenv("RINGKAS_SERVING__THREADS", "3")
    monkeypatch.setenv("RINGKAS_JOBS__WINDOW", "5")
    monkeypatch.setenv("RINGKAS_SUMMARIZER__MODEL", "/models/mt5")
    settings = Settings()
    assert settings.serving.threads == 3 and settings.jobs.window == 5 and settings.summarizer.model == "/models/mt5"
    # One variable of a group leaves the group's other defaults (and the other model's) as they were.
    assert settings.serving.queue_size == 64 and settings.jobs.chunk_size == 8
    assert settings.translator.model == "facebook/nllb-200-distilled-600M"
    assert settings.deprecated() == ()


def test_a_misspelt_grouped_variable_stops_the_start(monkeypatch):
    monkeypatch.setenv("RINGKAS_SERVING__THREAD", "3")
    with pytest.raises(ValidationError, match="serving.thread"):
        Settings()


def test_groups_are_frozen_like_the_whole():
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.serving.threads = 2  # type: ignore[misc]


def test_nest_and_known_read_paths_variables_and_keywords():
    assert nest({"serving.threads": 2, "RINGKAS_JOBS__WINDOW": 3, "limits__max_text_chars": 9, "port": 1}) == {
        "serving": {"threads": 2},
        "jobs": {"window": 3},
        "limits": {"max_text_chars": 9},
        "port": 1,
    }
    assert known("RINGKAS_SERVING__THREADS") and known("serving.threads") and known("port")
    assert not known("serving") and not known("serving.thread") and not known("threads")
