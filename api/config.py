"""The one settings object. Read once from the environment (prefix ``RINGKAS_``) and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# prompts/ and seeds/ ship inside the package (api/resources links to the top-level folders), so an
# installed wheel (the image) finds them as the checkout does.
RESOURCES = Path(__file__).resolve().parent / "resources"
DEFAULT_PROMPTS = RESOURCES / "prompts"
SEEDS = RESOURCES / "seeds"

# Set for the server process before it starts (by `ringkas serve`, the Dockerfile and the bench): one
# malloc arena, not one per thread, for a lower peak at the same speed (docs/decisions.md, "Memory").
PROCESS_ENV_DEFAULTS = {"MALLOC_ARENA_MAX": "1"}


class Settings(BaseSettings):
    """Every option is an environment variable ``RINGKAS_<NAME>``; the README has the table."""

    model_config = SettingsConfigDict(env_prefix="RINGKAS_", extra="ignore", frozen=True, populate_by_name=True)

    # --- models -------------------------------------------------------------------------------
    summarizer_model: str = Field("csebuetnlp/mT5_multilingual_XLSum", description="Hub id or local path.")
    summarizer_revision: str | None = Field(None, description="Branch, tag or commit to pin (hub ids only).")
    summarizer_licence: str | None = Field(None, description="Overrides the licence read from the model card.")
    summarizer_name: str | None = Field(
        None, description="The summarizer's name in responses (default: the hub id, or a local folder's name)."
    )
    translator_model: str = Field("facebook/nllb-200-distilled-600M", description="Hub id or local path.")
    translator_revision: str | None = Field(None, description="Branch, tag or commit to pin (hub ids only).")
    translator_licence: str | None = Field(None, description="Overrides the licence read from the model card.")
    translator_name: str | None = Field(
        None, description="The translator's name in responses (default: the hub id, or a local folder's name)."
    )
    hub_offline: bool = Field(
        False,
        validation_alias=AliasChoices("RINGKAS_HUB_OFFLINE", "HF_HUB_OFFLINE"),
        description="Never contact the model hub; only the local cache and local paths are used.",
    )
    cache_dir: Path | None = Field(None, description="Model cache folder (default: the Hugging Face cache).")
    prompts_dir: Path = Field(DEFAULT_PROMPTS, description="Folder of prompt templates and presets.")

    # --- inference ----------------------------------------------------------------------------
    engine: Literal["ctranslate2", "transformers"] = Field(
        "ctranslate2", description="ctranslate2 (fast, int8) or transformers (reference, fp32)."
    )
    ct2_compute_type: Literal["int8", "int8_float32", "float32"] = Field(
        "int8", description="CTranslate2 weights and compute; float32 reproduces transformers exactly."
    )
    ct2_gemm: Literal["auto", "mkl", "onednn"] = Field(
        "auto",
        description="CTranslate2's GEMM library. auto: MKL on Intel CPUs and on other CPUs with AVX-512 "
        "VNNI (its packed int8 kernels), oneDNN elsewhere; mkl: fail at start where that is impossible.",
    )
    ct2_dir: Path | None = Field(None, description="Converted-model cache (default: <cache>/ringkas/ct2).")
    vocab: Literal["kept", "full"] = Field(
        "kept",
        description="kept: each model writes only its target language's tokens plus the source's (faster); "
        "full: the whole vocabulary.",
    )
    vocab_words: int = Field(
        50_000, ge=100, le=1_000_000, description="Most frequent words of the target language (wordfreq) kept."
    )
    vocab_corpus: str | None = Field(
        None, description="Comma-separated Indonesian text/JSONL/CSV files (your archive) whose tokens are kept too."
    )
    vocab_translation_corpus: str | None = Field(
        None, description="Comma-separated files in the translation target language whose tokens are kept too."
    )
    vocab_min_size: int = Field(
        0,
        ge=0,
        description="Pad the kept set with other rows up to this many tokens: a stand-in for a real tokenizer's "
        "kept set on models whose tokenizer is tiny (`ringkas bench --kept-vocab`); 0 in service.",
    )
    engine_parallel: int | None = Field(
        None,
        ge=1,
        le=16,
        description="Batches one model runs at once (ctranslate2), the math threads shared out between them "
        "(default: one single-thread batch per math thread, the fastest).",
    )

    # --- serving ------------------------------------------------------------------------------
    host: str = Field(
        "127.0.0.1",
        description="Address to listen on. Any other than loopback needs API keys and a metrics token "
        "(or allow_open), and a buffering proxy in front (deploy/nginx/ringkas.conf).",
    )
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on (`ringkas serve --port`).")
    workers: int = Field(1, ge=1, description="gunicorn worker processes; each holds its own models.")
    threads: int = Field(8, ge=1, description="Request threads per worker (I/O; generation is batched).")
    torch_threads: int | None = Field(None, ge=1, description="Math threads per worker (default: cores / workers).")
    warmup: bool = Field(True, description="Run one generation per model before reporting ready.")

    # --- limits -------------------------------------------------------------------------------
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Larger bodies get 413 before they are read.")
    max_text_chars: int = Field(100_000, ge=1, description="Longest article accepted by /v1/summarize.")
    min_text_chars: int = Field(
        40,
        ge=1,
        description="Shortest article, after cleaning, that is summarized; shorter text (a word, a headline "
        "fragment) gets 422 instead of a summary made up around it.",
    )
    max_translate_chars: int = Field(5_000, ge=1, description="Longest text accepted by /v1/translate.")
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
        "a burst is gathered whole (up to batch_wait_ms).",
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

    # --- newsroom input -------------------------------------------------------------------------
    max_batch_items: int = Field(16, ge=1, le=256, description="Items accepted by /v1/summarize/batch.")
    max_digest_articles: int = Field(20, ge=2, le=100, description="Articles accepted by one /v1/digest.")
    max_digest_chars: int = Field(
        200_000,
        ge=1,
        description="Characters of a digest's articles together, after cleaning (each article also keeps "
        "max_text_chars): bounds the duplicate search.",
    )
    max_digest_sentences: int = Field(
        1_000,
        ge=2,
        le=5_000,
        description="Sentences of a digest's articles together (20 articles of 50): every pair is compared, "
        "so the work grows with its square; this caps its time and memory.",
    )
    digest_similarity: float = Field(
        0.55,
        gt=0,
        le=1,
        description="TF-IDF cosine (character n-grams) from which two sentences of different articles are "
        "duplicates, unless the later one adds a figure, a name or a negation.",
    )
    cache_size: int = Field(256, ge=0, description="Results kept in the in-process cache (0 turns it off).")
    cache_ttl_s: float = Field(3600, gt=0, description="How long a cached result is served.")
    redis_url: str | None = Field(
        None,
        description="Redis for archive jobs (their queue and results: `ringkas worker` reads the same URL), "
        "and to share the result cache and the rate limits between workers and replicas.",
    )

    # --- archive jobs (Celery on RINGKAS_REDIS_URL) ----------------------------------------------
    max_job_items: int = Field(100_000, ge=1, description="Items accepted by one POST /v1/jobs.")
    max_job_bytes: int = Field(
        100_000_000,  # the API worker holds about four times the body while it reads it
        ge=1024,
        description="Largest POST /v1/jobs body (JSON, NDJSON or CSV); the others keep max_body_bytes.",
    )
    job_ttl_s: float = Field(
        7 * 24 * 3600, gt=0, description="How long a job and its results are kept after it is made or finished."
    )
    job_chunk_size: int = Field(
        8, ge=1, le=64, description="Items per Celery task: they share generate calls; a poisoned item fails alone."
    )
    job_visibility_s: float = Field(
        600,
        gt=0,
        description="A task a dead worker held is delivered again after this long; keep it above a chunk's run time.",
    )
    job_window: int = Field(
        2,
        ge=1,
        le=64,
        description="Chunks of one job queued at once (the next is queued as one finishes, so jobs take turns); "
        "a job alone uses at most this many worker slots: set it to workers x --concurrency.",
    )
    job_attempts: int = Field(
        3, ge=1, le=20, description="Deliveries of an item whose worker died before it is failed as poisoned."
    )
    job_live_per_key: int = Field(
        4, ge=1, description="Jobs one key may have queued or running at once; one more gets 429."
    )
    job_result_bytes_per_key: int = Field(
        1_000_000_000,
        ge=1_000_000,
        description="Result bytes one key's unexpired jobs may store in Redis (each job reserves "
        "4 bytes per character charged for it, at least 4 KB per item); a job past it gets 507.",
    )

    # --- access -------------------------------------------------------------------------------
    api_keys: str | None = Field(None, description="Comma-separated API keys; when set, every /v1 call needs one.")
    api_keys_file: Path | None = Field(
        None, description="File of SHA-256 key hashes, one per line (`name:hex`); see `ringkas hash-key`."
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
    proxy_hops: int = Field(
        0, ge=0, le=5, description="Trusted reverse proxies in front; their X-Forwarded-For names the client."
    )
    cors_origins: str = Field("", description="Comma-separated browser origins allowed to call the API (none).")
    metrics_token: str | None = Field(None, description="Bearer token required by /metrics; open when empty.")
    allow_open: bool = Field(
        False,
        description="Serve an address other than loopback without API keys or a metrics token. Off: the "
        "server refuses to start that way (as Redis's protected mode does).",
    )

    fingerprint_key: str | None = Field(
        None,
        description="Secret that keys the text fingerprints in the request log; set one to correlate them across "
        "restarts and replicas (default: a new one per server start).",
    )

    log_level: str = Field("INFO", description="Least severe log level written: DEBUG, INFO, WARNING or ERROR.")
    log_format: Literal["json", "text"] = Field("json", description="json: one object per line; text: for people.")
    log_health_probes: bool = Field(
        False,
        description="Log /healthz and /readyz requests too; off, a probe polling every few seconds does not "
        "bury the requests (they are still counted in /metrics).",
    )

    @field_validator(
        "summarizer_revision",
        "translator_revision",
        "summarizer_licence",
        "translator_licence",
        "summarizer_name",
        "translator_name",
        "redis_url",
        "vocab_corpus",
        "vocab_translation_corpus",
        "api_keys",
        "rate_limit",
        "char_limit",
        "metrics_token",
        "fingerprint_key",
    )
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    def origins(self) -> list[str]:
        return [origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip()]

    def corpus_files(self, role: str) -> tuple[Path, ...]:
        """The operator's corpus for a role's kept vocabulary (summarizer: Indonesian; translator: target)."""
        value = self.vocab_corpus if role == "summarizer" else self.vocab_translation_corpus
        return tuple(Path(part.strip()).expanduser() for part in (value or "").split(",") if part.strip())

    def converted_models_dir(self) -> Path:
        if self.ct2_dir:
            return self.ct2_dir
        return (self.cache_dir or Path.home() / ".cache") / "ringkas" / "ct2"

    def engine_replicas(self) -> int:
        """CTranslate2 batches per model at once. By default one per math thread, each single-threaded:
        a decoding step is a few hundred small ops, and on this kind of machine splitting each op over
        two threads cost more in synchronisation than it gained (README, "Speed")."""
        if self.engine != "ctranslate2":
            return 1
        return self.engine_parallel or self.math_threads()

    def math_threads(self) -> int:
        """Threads for torch/OpenMP: the cores shared out between the workers, at least one."""
        if self.torch_threads:
            return self.torch_threads
        return max(1, (os.cpu_count() or 1) // self.workers)
