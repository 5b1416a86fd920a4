"""The previous release's flat setting names keep working for one release: each lands in its new
place, warns once naming the new name, and loses to the new name where both are set.

settings_rename: skip (this module names the old settings on purpose)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import typing
import warnings
from pathlib import Path

import pytest

from api.config import Settings, env_name, field
from api.config_legacy import RENAMED
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

# The settings at the start of this change (69, all flat): frozen here, so a name dropped from the
# mapping (an operator's variable silently ignored) fails below.
PREVIOUS = (
    "summarizer_model summarizer_revision summarizer_licence summarizer_name translator_model translator_revision "
    "translator_licence translator_name hub_offline cache_dir prompts_dir engine ct2_compute_type ct2_gemm ct2_dir "
    "vocab vocab_words vocab_corpus vocab_translation_corpus vocab_min_size engine_parallel host port workers "
    "threads torch_threads warmup max_body_bytes max_text_chars min_text_chars max_translate_chars queue_size "
    "max_batch_size max_batch_tokens batch_wait_ms batch_quiet_ms trim_idle_ms request_timeout_s ready_wait_s "
    "max_batch_items max_digest_articles max_digest_chars max_digest_sentences digest_similarity cache_size "
    "cache_ttl_s redis_url max_job_items max_job_bytes job_ttl_s job_chunk_size job_visibility_s job_window "
    "job_attempts job_live_per_key job_result_bytes_per_key api_keys api_keys_file rate_limit char_limit "
    "auth_failure_limit proxy_hops cors_origins metrics_token allow_open fingerprint_key log_level log_format "
    "log_health_probes"
).split()
MOVED = [(old, path) for old, path in RENAMED.items() if path]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in [name for name in os.environ if name.upper().startswith(("RINGKAS_", "HF_HUB_OFFLINE"))]:
        monkeypatch.delenv(name)


def _two_values(path: str) -> tuple:
    """Two valid values of a setting, both unlike its default."""
    declared = field(path)
    default = declared.get_default(call_default_factory=True)
    kind = declared.annotation
    if typing.get_origin(kind) is typing.Literal:
        others = [choice for choice in typing.get_args(kind) if choice != default]
        return others[0], (others[1] if len(others) > 1 else others[0])
    if kind is bool:
        return (not default, not default)
    if kind in (int, float) or int in typing.get_args(kind):
        number = int if int in (kind, *typing.get_args(kind)) else float
        highs = [m.le for m in declared.metadata if getattr(m, "le", None) is not None]
        lows = [getattr(m, a) for m in declared.metadata for a in ("ge", "gt") if getattr(m, a, None) is not None]
        low = max([*lows, 1])
        high = min(highs) if highs else (default or low) * 2 + 10
        picks = [v for v in (number(low), number(high), number((low + high) / 2)) if v != default]
        return picks[0], picks[1]
    if Path in (kind, *typing.get_args(kind)):
        return Path("/srv/old"), Path("/srv/new")
    return "old-value", "new-value"


def test_every_previous_name_is_kept_or_mapped():
    kept = [name for name in PREVIOUS if name in Settings.model_fields]
    assert set(PREVIOUS) == set(kept) | set(RENAMED) and not set(kept) & set(RENAMED)
    for _, path in MOVED:  # each new place exists
        field(path)
    assert len(Settings.model_fields) == 21 and len(kept) == 13  # the operator's knobs, then the 8 groups


@pytest.mark.parametrize(("old", "path"), MOVED)
def test_an_old_variable_is_read_into_its_new_place_warns_and_loses_to_the_new_one(monkeypatch, old, path):
    first, second = _two_values(path)
    monkeypatch.setenv(f"RINGKAS_{old.upper()}", str(first))
    with pytest.warns(DeprecationWarning, match=f"RINGKAS_{old.upper()} is deprecated: use {env_name(path)}") as seen:
        settings = Settings()
    assert len([w for w in seen if issubclass(w.category, DeprecationWarning)]) == 1
    assert settings.value(path) == first
    assert settings.deprecated() == (f"RINGKAS_{old.upper()} is deprecated: use {env_name(path)}",)
    monkeypatch.setenv(env_name(path), str(second))
    with pytest.warns(DeprecationWarning, match=f"RINGKAS_{old.upper()}"):
        assert Settings().value(path) == second


@pytest.mark.parametrize(("old", "path"), MOVED)
def test_an_old_keyword_lands_in_its_new_place_and_warns(old, path):
    first, second = _two_values(path)
    group, name = path.split(".")
    with pytest.warns(DeprecationWarning, match=rf"Settings\({old}=...\) is deprecated: use Settings\({group}="):
        assert Settings(**{old: first}).value(path) == first
    with pytest.warns(DeprecationWarning):
        assert Settings(**{old: first, group: {name: second}}).value(path) == second  # the new keyword wins


@pytest.mark.parametrize("value", ["2", "x", ""])
def test_the_retired_thread_layout_knob_is_ignored_with_a_line_saying_so(monkeypatch, value):
    monkeypatch.setenv("RINGKAS_ENGINE_PARALLEL", value)
    with pytest.warns(DeprecationWarning) as seen:
        settings = Settings(serving={"math_threads": 1})
    assert str(seen[0].message) == (
        "RINGKAS_ENGINE_PARALLEL is no longer used: the layout is derived from RINGKAS_SERVING__MATH_THREADS"
    )
    assert settings.engine_replicas() == 1 and settings.math_threads() == 1  # the new override alone rules
    with pytest.warns(DeprecationWarning, match=r"Settings\(engine_parallel=...\) is no longer used"):
        assert Settings(serving={"math_threads": 4}, engine_parallel=2).engine_replicas() == 4


def test_an_old_name_beside_its_new_one_is_called_ignored(monkeypatch):
    """The image and the units set some new names: an old one beside a different new one is thrown away."""
    monkeypatch.setenv("RINGKAS_SUMMARIZER_MODEL", "mine/model")
    monkeypatch.setenv("RINGKAS_SUMMARIZER__MODEL", "image/default")
    monkeypatch.setenv("RINGKAS_CACHE_DIR", "/srv/cache")
    monkeypatch.setenv("RINGKAS_MODELS__CACHE_DIR", "/srv/cache")
    with pytest.warns(DeprecationWarning):
        settings = Settings()
    assert settings.summarizer.model == "image/default"
    assert settings.deprecated() == (
        "RINGKAS_SUMMARIZER_MODEL is IGNORED: RINGKAS_SUMMARIZER__MODEL is set too and wins (the image and the "
        "systemd units set some new names themselves: rename your variables when you upgrade)",
        "RINGKAS_CACHE_DIR is deprecated: use RINGKAS_MODELS__CACHE_DIR (set to the same value)",
    )


@pytest.mark.parametrize(("hf", "old", "new", "expected"), [("1", "0", None, False), ("0", "1", None, True),
                                                            (None, "1", "0", False)])  # fmt: skip
def test_hub_offline_old_and_hub_names(monkeypatch, hf, old, new, expected):
    for name, value in (("HF_HUB_OFFLINE", hf), ("RINGKAS_HUB_OFFLINE", old), ("RINGKAS_MODELS__HUB_OFFLINE", new)):
        if value is not None:
            monkeypatch.setenv(name, value)
    with pytest.warns(DeprecationWarning, match="RINGKAS_HUB_OFFLINE"):
        assert Settings().models.hub_offline is expected


def test_old_names_are_errors_in_this_suite():
    """pyproject turns DeprecationWarning from api into errors: a test still on an old name fails."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=DeprecationWarning, module="api")
        with pytest.raises(DeprecationWarning):
            Settings(threads=2)


def test_the_server_logs_each_old_name_once_at_start(tmp_path):
    """gunicorn's start hook (what `ringkas serve` runs) logs one line per old name, naming the new one."""
    script = (
        "import json, logging\n"
        "import api.gunicorn_config as config\n"
        "lines = []\n"
        "class Log:\n"
        "    def warning(self, message): lines.append(message)\n"
        "    def error(self, message): lines.append('error: ' + message)\n"
        "class Server: log = Log()\n"
        "config.on_starting(Server())\n"
        "print(json.dumps(lines))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.upper().startswith(("RINGKAS_", "PROMETHEUS_"))}
    env |= {"PYTHONPATH": str(REPO_ROOT), "RINGKAS_THREADS": "2", "RINGKAS_JOB_WINDOW": "3"}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(lines) == [
        "RINGKAS_JOB_WINDOW is deprecated: use RINGKAS_JOBS__WINDOW",
        "RINGKAS_THREADS is deprecated: use RINGKAS_SERVING__THREADS",
    ]


def test_the_dockerfile_takes_the_previous_build_arg_names_for_one_release():
    """`--build-arg RINGKAS_SUMMARIZER_MODEL=...` with BAKE_MODELS=1 bakes that model, not the default."""
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    for old in ("summarizer_model", "translator_model", "summarizer_revision", "translator_revision"):
        new = env_name(RENAMED[old])
        assert re.search(rf"\b{new}=\$\{{{new}:-\$\{{RINGKAS_{old.upper()}\b", dockerfile), old
        assert re.search(rf"^ARG (.*\\\n)*\s*RINGKAS_{old.upper()}=", dockerfile, re.M), old
