"""The previous release's flat setting names, kept for one release: each maps to its new place and
warns once, naming the new variable. A new name wins over an old one when both are set."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Old flat name -> new dotted path. ``engine_parallel`` has no new place: it is accepted and ignored
# (the layout is derived from the math threads), so an old unit file still starts.
RENAMED: dict[str, str | None] = {
    "summarizer_model": "summarizer.model",
    "summarizer_revision": "summarizer.revision",
    "summarizer_licence": "summarizer.licence",
    "summarizer_name": "summarizer.name",
    "translator_model": "translator.model",
    "translator_revision": "translator.revision",
    "translator_licence": "translator.licence",
    "translator_name": "translator.name",
    "vocab_corpus": "summarizer.vocab_corpus",
    "vocab_translation_corpus": "translator.vocab_corpus",
    "hub_offline": "models.hub_offline",
    "cache_dir": "models.cache_dir",
    "prompts_dir": "models.prompts_dir",
    "engine": "models.engine",
    "ct2_compute_type": "models.compute_type",
    "ct2_gemm": "models.gemm",
    "ct2_dir": "models.converted_dir",
    "vocab": "models.vocab",
    "vocab_words": "models.vocab_words",
    "vocab_min_size": "models.vocab_min_size",
    "engine_parallel": None,
    "threads": "serving.threads",
    "torch_threads": "serving.math_threads",
    "warmup": "serving.warmup",
    "queue_size": "serving.queue_size",
    "max_batch_size": "serving.max_batch_size",
    "max_batch_tokens": "serving.max_batch_tokens",
    "batch_wait_ms": "serving.batch_wait_ms",
    "batch_quiet_ms": "serving.batch_quiet_ms",
    "trim_idle_ms": "serving.trim_idle_ms",
    "request_timeout_s": "serving.request_timeout_s",
    "ready_wait_s": "serving.ready_wait_s",
    "cache_size": "serving.cache_size",
    "cache_ttl_s": "serving.cache_ttl_s",
    "max_body_bytes": "limits.max_body_bytes",
    "max_text_chars": "limits.max_text_chars",
    "min_text_chars": "limits.min_text_chars",
    "max_translate_chars": "limits.max_translate_chars",
    "max_batch_items": "limits.max_batch_items",
    "max_digest_articles": "digest.max_articles",
    "max_digest_chars": "digest.max_chars",
    "max_digest_sentences": "digest.max_sentences",
    "digest_similarity": "digest.similarity",
    "max_job_items": "jobs.max_items",
    "max_job_bytes": "jobs.max_bytes",
    "job_ttl_s": "jobs.ttl_s",
    "job_chunk_size": "jobs.chunk_size",
    "job_visibility_s": "jobs.visibility_s",
    "job_window": "jobs.window",
    "job_attempts": "jobs.attempts",
    "job_live_per_key": "jobs.live_per_key",
    "job_result_bytes_per_key": "jobs.result_bytes_per_key",
    "fingerprint_key": "logs.fingerprint_key",
    "log_health_probes": "logs.health_probes",
    "log_level": "logs.level",
    "log_format": "logs.format",
}
RETIRED_HINT = "the layout is derived from RINGKAS_SERVING__MATH_THREADS"
# Where a new name can be set for the operator: the image's ENV and the systemd units' Environment=.
SET_FOR_YOU = "the image and the systemd units set some new names themselves: rename your variables when you upgrade"

ENV_KEY = "__ringkas_legacy_env__"  # the legacy source's values, under one key no setting can have
HF_OFFLINE = "HF_HUB_OFFLINE"


def env_name(old: str) -> str:
    return "RINGKAS_" + old.upper()


def new_env_name(path: str) -> str:
    return "RINGKAS_" + path.replace(".", "__").upper()


def read_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The old variables that are set (and HF_HUB_OFFLINE), by old name; case as the environment source reads it."""
    upper = {key.upper(): value for key, value in environ.items() if key.upper().startswith(("RINGKAS_", HF_OFFLINE))}
    found = {old: upper[env_name(old)] for old in RENAMED if env_name(old) in upper}
    if HF_OFFLINE in upper:
        found[HF_OFFLINE] = upper[HF_OFFLINE]
    return found


@dataclass(frozen=True)
class Moved:
    data: dict[str, Any]
    used: tuple[str, ...]  # one line per old name, for the start-up log


def move(data: dict[str, Any]) -> Moved:
    """Old keywords and old variables moved to their new places (a new one already there wins), each
    old name warned about once."""
    data = dict(data)
    env = data.pop(ENV_KEY, None) or {}
    hf_offline = env.pop(HF_OFFLINE, None)
    given = [(old, data.pop(old), f"Settings({old}=...)", "keyword") for old in list(data) if old in RENAMED]
    keywords = {old for old, *_ in given}  # a keyword beats the same old name's variable, as kwargs beat env
    given += [(old, value, env_name(old), "variable") for old, value in env.items() if old not in keywords]
    used: list[str] = []
    for old, value, where, kind in given:
        path = RENAMED[old]
        if path is None:
            message = f"{where} is no longer used: {RETIRED_HINT}"
        else:
            group, name = path.split(".")
            new = new_env_name(path) if kind == "variable" else f"Settings({group}={{{name!r}: ...}})"
            section = data.get(group)
            if isinstance(section, dict):
                section = dict(section)
            elif section is None:
                section = {}
            else:  # a group object given whole: it wins
                section = None
            if section is not None and name not in section:
                section[name] = value
                data[group] = section
                message = f"{where} is deprecated: use {new}"
            elif section is not None and str(section[name]) == str(value):
                message = f"{where} is deprecated: use {new} (set to the same value)"
            else:
                message = f"{where} is IGNORED: {new} is set too and wins ({SET_FOR_YOU})"
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        used.append(message)
    if hf_offline is not None:  # the hub's own switch, below both of Ringkas's names
        models = data.get("models")
        if models is None or (isinstance(models, dict) and "hub_offline" not in models):
            data["models"] = {**(models or {}), "hub_offline": hf_offline}
    return Moved(data, tuple(used))
