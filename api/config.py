"""The one settings object. Read once from the environment and passed down.

Operators' everyday knobs are top-level (``RINGKAS_<NAME>``); the rest are grouped by concern
(``RINGKAS_<GROUP>__<NAME>``, e.g. ``RINGKAS_SERVING__THREADS``). The flat names of the previous
release still work, warn and name their new variable (``api/config_legacy.py``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from api import config_legacy

# prompts/ and seeds/ ship inside the package (api/resources links to the top-level folders), so an
# installed wheel (the image) finds them as the checkout does.
RESOURCES = Path(__file__).resolve().parent / "resources"
DEFAULT_PROMPTS = RESOURCES / "prompts"
SEEDS = RESOURCES / "seeds"

PREFIX = "RINGKAS_"
DELIMITER = "__"

# Set for the server process before it starts (by `ringkas serve`, the Dockerfile and the bench): one
# malloc arena, not one per thread, for a lower peak at the same speed (docs/decisions.md, "Memory").
PROCESS_ENV_DEFAULTS = {"MALLOC_ARENA_MAX": "1"}


class Group(BaseModel):
    """A group of settings: frozen like the whole, unknown names refused (a typo is not ignored)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any, info) -> Any:
        """An empty variable means unset for the optional settings (the type's default otherwise)."""
        field = cls.model_fields[info.field_name]
        return None if value == "" and field.default is None else value


class ModelChoice(Group):
    model: str
    revision: str | None = Field(None, description="Branch, tag or commit to pin (hub ids only).")
    licence: str | None = Field(None, description="Overrides the licence read from the model card.")
    name: str | None = Field(
        None, description="The model's name in responses (default: the hub id, or a local folder's name)."
    )
    vocab_corpus: str | None = Field(
        None,
        description="Comma-separated text/JSONL/CSV files in the model's output language (your archive) whose "
        "tokens are kept too.",
    )


class Summarizer(ModelChoice):
    model: str = Field("csebuetnlp/mT5_multilingual_XLSum", description="Hub id or local path.")


class Translator(ModelChoice):
    model: str = Field("facebook/nllb-200-distilled-600M", description="Hub id or local path.")


class Models(Group):
    engine: Literal["ctranslate2", "transformers"] = Field(
        "ctranslate2", description="ctranslate2 (fast, int8) or transformers (reference, fp32)."
    )
    compute_type: Literal["int8", "int8_float32", "float32"] = Field(
        "int8", description="CTranslate2 weights and compute; float32 reproduces transformers exactly."
    )
    gemm: Literal["auto", "mkl", "onednn"] = Field(
        "auto",
        description="CTranslate2's GEMM library. auto: MKL on Intel CPUs and on other CPUs with AVX-512 "
        "VNNI (its packed int8 kernels), oneDNN elsewhere; mkl: fail at start where that is impossible.",
    )
    converted_dir: Path | None = Field(
        None,
        description="Converted-model cache (default: `~/.cache/ringkas/ct2`, or `ringkas/ct2` inside "
        "RINGKAS_MODELS__CACHE_DIR when that is set).",
    )
    cache_dir: Path | None = Field(None, description="Model cache folder (default: the Hugging Face cache).")
    hub_offline: bool = Field(
        False,
        description="Never contact the model hub; only the local cache and local paths are used "
        "(HF_HUB_OFFLINE is honoured too).",
    )
    prompts_dir: Path = Field(DEFAULT_PROMPTS, description="Folder of prompt templates and presets.")
    vocab: Literal["kept", "full"] = Field(
        "kept",
        description="kept: each model writes only its target language's tokens plus the source's (faster); "
        "full: the whole vocabulary.",
    )
    vocab_words: int = Field(
        50_000, ge=100, le=1_000_000, description="Most frequent words of the target language (wordfreq) kept."
    )
    vocab_min_size: int = Field(
        0,
        ge=0,
        description="Pad the kept set with other rows up to this many tokens: a stand-in for a real tokenizer's "
        "kept set on models whose tokenizer is tiny (`ringkas bench --kept-vocab`); 0 in service.",
        json_schema_extra={"benchmark_only": True},
    )


class Serving(Group):
    threads: int = Field(8, ge=1, description="Request threads per worker (I/O; generation is batched).")
    math_threads: int | None = Field(
        None,
        ge=1,
        description="Advanced: math threads per worker (default: cores / RINGKAS_WORKERS). CTranslate2 runs one "
        "single-thread batch per math thread.",
    )
    warmup: bool = Field(True, description="Run one generation per model before reporting ready.")
    queue_size: int = Field(64, ge=1, description="Sequences waiting per model; beyond it requests get 503.")
    max_batch_size: int = Field(8, ge=1, description="Sequences per generate call.")
    max_batch_tokens: int = Field(
        1024,
        ge=1,
        description="Input tokens per generate call, padded (sequences x the longest): bounds a batch's "
        "memory. Two full 512-token articles, or eight translation segments; a longer sequence runs alone.",
    )
    batch_wait_ms: float = Field(
        100.0, ge=0, description="Longest a request waits for others to share its batch (the oldest's cap)."
    )
    batch_quiet_ms: float = Field(
        25.0,
        ge=0,
        description="A batch starts once no request has arrived for this long: a lone request waits this, "
        "a burst is gathered whole (up to RINGKAS_SERVING__BATCH_WAIT_MS).",
    )
    trim_idle_ms: float = Field(
        1000.0,
        ge=0,
        description="Once the models have sat idle this long after work, the heap's free pages go back to the "
        "system (glibc malloc_trim): a burst's buffers stay resident otherwise; 0: never.",
    )
    request_timeout_s: float = Field(120.0, gt=0, description="Per-request deadline; then 503, never a hang.")
    ready_wait_s: float = Field(
        30.0, ge=0, description="How long a request reaching a worker that is still loading waits before 503."
    )
    cache_size: int = Field(256, ge=0, description="Results kept in the in-process cache (0 turns it off).")
    cache_ttl_s: float = Field(3600, gt=0, description="How long a cached result is served.")


class Limits(Group):
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Larger bodies get 413 before they are read.")
    max_text_chars: int = Field(100_000, ge=1, description="Longest article accepted by /v1/summarize.")
    min_text_chars: int = Field(
        40,
        ge=1,
        description="Shortest article, after cleaning, that is summarized; shorter text (a word, a headline "
        "fragment) gets 422 instead of a summary made up around it.",
    )
    max_translate_chars: int = Field(5_000, ge=1, description="Longest text accepted by /v1/translate.")
    max_batch_items: int = Field(16, ge=1, le=256, description="Items accepted by /v1/summarize/batch.")


class Digest(Group):
    max_articles: int = Field(20, ge=2, le=100, description="Articles accepted by one /v1/digest.")
    max_chars: int = Field(
        200_000,
        ge=1,
        description="Characters of a digest's articles together, after cleaning (each article also keeps "
        "RINGKAS_LIMITS__MAX_TEXT_CHARS): bounds the duplicate search.",
    )
    max_sentences: int = Field(
        1_000,
        ge=2,
        le=5_000,
        description="Sentences of a digest's articles together (20 articles of 50): every pair is compared, "
        "so the work grows with its square; this caps its time and memory.",
    )
    similarity: float = Field(
        0.55,
        gt=0,
        le=1,
        description="TF-IDF cosine (character n-grams) from which two sentences of different articles are "
        "duplicates, unless the later one adds a figure, a name or a negation.",
    )


class Jobs(Group):
    max_items: int = Field(100_000, ge=1, description="Items accepted by one POST /v1/jobs.")
    max_bytes: int = Field(
        100_000_000,  # the API worker holds about four times the body while it reads it
        ge=1024,
        description="Largest POST /v1/jobs body (JSON, NDJSON or CSV); the others keep RINGKAS_LIMITS__MAX_BODY_BYTES.",
    )
    ttl_s: float = Field(
        7 * 24 * 3600, gt=0, description="How long a job and its results are kept after it is made or finished."
    )
    chunk_size: int = Field(
        8, ge=1, le=64, description="Items per Celery task: they share generate calls; a poisoned item fails alone."
    )
    visibility_s: float = Field(
        600,
        gt=0,
        description="A task a dead worker held is delivered again after this long; keep it above a chunk's run time.",
    )
    window: int = Field(
        2,
        ge=1,
        le=64,
        description="Chunks of one job queued at once (the next is queued as one finishes, so jobs take turns); "
        "a job alone uses at most this many worker slots: set it to workers x --concurrency.",
    )
    attempts: int = Field(
        3, ge=1, le=20, description="Deliveries of an item whose worker died before it is failed as poisoned."
    )
    live_per_key: int = Field(
        4, ge=1, description="Jobs one key may have queued or running at once; one more gets 429."
    )
    result_bytes_per_key: int = Field(
        1_000_000_000,
        ge=1_000_000,
        description="Result bytes one key's unexpired jobs may store in Redis (each job reserves "
        "4 bytes per character charged for it, at least 4 KB per item); a job past it gets 507.",
    )


class Logs(Group):
    level: str = Field("INFO", description="Least severe level written: DEBUG, INFO, WARNING or ERROR.")
    format: Literal["json", "text"] = Field("json", description="json: one object per line; text: for people.")
    fingerprint_key: str | None = Field(
        None,
        description="Secret that keys the text fingerprints in the request log; set one to correlate them across "
        "restarts and replicas (default: a new one per server start).",
    )
    health_probes: bool = Field(
        False,
        description="Log /healthz and /readyz requests too; off, a probe polling every few seconds does not "
        "bury the requests (they are still counted in /metrics).",
    )


GROUPS: dict[str, type[Group]] = {
    "summarizer": Summarizer,
    "translator": Translator,
    "models": Models,
    "serving": Serving,
    "limits": Limits,
    "digest": Digest,
    "jobs": Jobs,
    "logs": Logs,
}


class _LegacyEnv(PydanticBaseSettingsSource):
    """The previous release's flat variables (and HF_HUB_OFFLINE), handed to ``Settings`` under one key
    so that it can warn about them and let a new variable win."""

    def get_field_value(self, field, field_name):  # required by the base class; __call__ does the work
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = config_legacy.read_env(os.environ)
        return {config_legacy.ENV_KEY: found} if found else {}


class Settings(BaseSettings):
    """Top-level options are ``RINGKAS_<NAME>``; grouped ones ``RINGKAS_<GROUP>__<NAME>``. The settings
    page (docs/reference/settings.md) has the tables."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_nested_delimiter=DELIMITER, extra="ignore", frozen=True, populate_by_name=True
    )

    # --- what an operator turns ----------------------------------------------------------------
    host: str = Field(
        "127.0.0.1",
        description="Address to listen on. Any other than loopback needs API keys and a metrics token "
        "(or RINGKAS_ALLOW_OPEN), and a buffering proxy in front (deploy/nginx/ringkas.conf).",
    )
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on (`ringkas serve --port`).")
    workers: int = Field(1, ge=1, description="gunicorn worker processes; each holds its own models.")
    redis_url: str | None = Field(
        None,
        description="Redis for archive jobs (their queue and results: `ringkas worker` reads the same URL), "
        "and to share the result cache and the rate limits between workers and replicas.",
    )
    api_keys: str | None = Field(None, description="Comma-separated API keys; when set, every /v1 call needs one.")
    api_keys_file: Path | None = Field(
        None, description="File of SHA-256 key hashes, one per line (`name:hex`); see `ringkas hash-key`."
    )
    metrics_token: str | None = Field(None, description="Bearer token required by /metrics; open when empty.")
    allow_open: bool = Field(
        False,
        description="Serve an address other than loopback without API keys or a metrics token. Off: the "
        "server refuses to start that way (as Redis's protected mode does).",
    )
    cors_origins: str = Field("", description="Comma-separated browser origins allowed to call the API (none).")
    proxy_hops: int = Field(
        0, ge=0, le=5, description="Trusted reverse proxies in front; their X-Forwarded-For names the client."
    )
    rate_limit: str | None = Field(
        None, description="Requests per API key (or client address), e.g. `60/minute`; off when empty."
    )
    char_limit: str | None = Field(
        None, description="Article characters per API key (or client address), e.g. `500000/hour`; off when empty."
    )
    auth_failure_limit: str | None = Field(
        "30/minute",
        description="Failed secret checks (API keys, the metrics token; 401/403) per client address; past it, "
        "429 until the window passes.",
    )

    # --- groups ----------------------------------------------------------------------------------
    summarizer: Summarizer = Field(default_factory=Summarizer, description="The summarization model (mT5).")
    translator: Translator = Field(default_factory=Translator, description="The translation model (NLLB-200).")
    models: Models = Field(default_factory=Models, description="How both models are fetched, converted and run.")
    serving: Serving = Field(default_factory=Serving, description="Threads, batching, deadlines and the cache.")
    limits: Limits = Field(default_factory=Limits, description="Sizes and counts a caller meets.")
    digest: Digest = Field(default_factory=Digest, description="/v1/digest: its bounds and its duplicate test.")
    jobs: Jobs = Field(default_factory=Jobs, description="Archive jobs (Celery on RINGKAS_REDIS_URL).")
    logs: Logs = Field(default_factory=Logs, description="The request log.")

    # Old names given to this object, for the start-up log.
    _deprecated: tuple[str, ...] = PrivateAttr(())

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _LegacyEnv(settings_cls), dotenv_settings, file_secret_settings

    @model_validator(mode="wrap")
    @classmethod
    def _old_names(cls, data: Any, handler) -> Settings:
        moved = config_legacy.move(data) if isinstance(data, dict) else None
        settings = handler(moved.data if moved else data)
        if moved:
            settings._deprecated = moved.used
        return settings

    @field_validator("redis_url", "api_keys", "rate_limit", "char_limit", "metrics_token")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    def value(self, path: str) -> Any:
        """A setting by its dotted path (``limits.max_text_chars``), for declarations that name one."""
        node: Any = self
        for part in path.split("."):
            node = getattr(node, part)
        return node

    def deprecated(self) -> tuple[str, ...]:
        """One line per old name this configuration used, naming its replacement (for the start-up log)."""
        return self._deprecated

    def origins(self) -> list[str]:
        return [origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip()]

    def corpus_files(self, role: str) -> tuple[Path, ...]:
        """The operator's corpus for a role's kept vocabulary (summarizer: Indonesian; translator: target)."""
        value = getattr(self, role).vocab_corpus
        return tuple(Path(part.strip()).expanduser() for part in (value or "").split(",") if part.strip())

    def converted_models_dir(self) -> Path:
        if self.models.converted_dir:
            return self.models.converted_dir
        return (self.models.cache_dir or Path.home() / ".cache") / "ringkas" / "ct2"

    def engine_replicas(self) -> int:
        """CTranslate2 batches per model at once: one per math thread, each single-threaded (a decoding
        step is a few hundred small ops; splitting each over threads cost more than it gained)."""
        if self.models.engine != "ctranslate2":
            return 1
        return self.math_threads()

    def math_threads(self) -> int:
        """Threads for torch/OpenMP: the cores shared out between the workers, at least one."""
        if self.serving.math_threads:
            return self.serving.math_threads
        return max(1, (os.cpu_count() or 1) // self.workers)


def env_name(path: str) -> str:
    """``serving.threads`` -> ``RINGKAS_SERVING__THREADS``; ``port`` -> ``RINGKAS_PORT``."""
    return PREFIX + path.replace(".", DELIMITER).upper()


def field(path: str):
    """The declaration (default, bounds, description) of the setting at a dotted path."""
    group, _, name = path.partition(".")
    return GROUPS[group].model_fields[name] if name else Settings.model_fields[group]


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``Settings`` from flat keys: dotted paths (``serving.threads``), environment
    names (``RINGKAS_SERVING__THREADS``) or their lower-case tail (``serving__threads``)."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        path = key.lower().removeprefix(PREFIX.lower()).replace(DELIMITER, ".")
        group, _, name = path.partition(".")
        if name:
            out.setdefault(group, {})[name] = value
        else:
            out[group] = value
    return out


def known(path: str) -> bool:
    """Whether ``path`` (dotted, as :func:`nest` reads it) names a setting."""
    group, _, name = path.lower().removeprefix(PREFIX.lower()).replace(DELIMITER, ".").partition(".")
    if name:
        return group in GROUPS and name in GROUPS[group].model_fields
    return group in Settings.model_fields and group not in GROUPS
