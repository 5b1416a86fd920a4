"""Everything one worker process holds: models, engines, batchers, the pipeline, and readiness.

Built by the app factory; loads after fork (in the worker), in a background thread so that
``/healthz`` answers and ``/readyz`` says 503 while the weights are read and warmed.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from api.cache import build_cache
from api.config import Settings
from api.digest import DigestLimits
from api.engines.base import Engine
from api.engines.batcher import Batcher
from api.engines.factory import build_engine
from api.engines.gather import gather
from api.engines.gemm import apply as choose_gemm
from api.engines.slots import ComputeSlots
from api.errors import NotReady, RingkasError
from api.metrics import Metrics
from api.models.files import load_model
from api.models.loading import LoadedModel
from api.outage import Outage
from api.pipeline import Limits, Pipeline
from api.prompts import Prompts, load_prompts
from api.tasks.summarizer import Summarizer
from api.tasks.translator import Translator
from api.text.boilerplate import Boilerplate
from api.text.language import LanguageDetector

log = logging.getLogger(__name__)

# The larger model first: its packing transient then sits on the smaller resident set.
LOAD_ORDER = ("translator", "summarizer")

WARMUP_TEXT = (
    "Pemerintah Indonesia mengumumkan rencana pembangunan jalan baru di Jawa Barat. "
    "Menurut menteri, proyek itu akan selesai tahun depan."
)


def release_freed_heap() -> None:
    """Hands the heap's free pages back to the system (glibc only). Loading frees each weight's
    read-in copy once MKL has packed it; in the middle of the heap, glibc keeps those pages (~280 MB
    for NLLB-600M), and the worker's peak RSS would carry them for its whole life."""
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to hand back this way
        pass


def configure_math_threads(threads: int) -> None:
    """Explicit torch threads: cores / workers, so processes do not fight over the cores."""
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # can be set once per process only; a second runtime (tests) keeps the first
        pass


class Runtime:
    def __init__(
        self, settings: Settings, metrics: Metrics | None = None, on_step: Callable[[str], None] | None = None
    ):
        self.settings = settings
        self.metrics = metrics
        self.on_step = on_step  # told each component's name once it is loaded (`ringkas bench`'s memory table)
        self.state = "starting"  # starting -> loading -> ready | failed
        self.error: str | None = None
        self.pipeline: Pipeline | None = None
        self.batchers: list[Batcher] = []
        self.created = time.monotonic()
        self.seconds_to_ready: float | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.trims = 0  # heap trims after bursts, for tests and the curious
        # One view of Redis for this process's cache and limits: an outage is reported once.
        self.redis = Outage("Redis", *_redis_metrics(metrics)) if settings.redis_url else None

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self, background: bool = True) -> Runtime:
        """In the background (a server: the failure is logged and shown by /readyz), or in the
        foreground (the CLI: a RingkasError is raised for the caller to report, once)."""
        if background:
            self._thread = threading.Thread(target=self.load, name="ringkas-load", daemon=True)
            self._thread.start()
        else:
            self.load(raise_errors=True)
        return self

    def wait_ready(self, timeout: float) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.state == "ready"

    def load(self, raise_errors: bool = False) -> None:
        self.state = "loading"
        try:
            self.pipeline = self._build()
            if self.settings.serving.warmup:
                self._warm_up(self.pipeline)
                self._step("warm-up: first generation's buffers")
        except RingkasError as exc:
            self.state, self.error = "failed", exc.detail
            if raise_errors:
                raise
            log.error("models failed to load: %s", exc.detail)
            return
        except Exception as exc:  # any other start-up failure must also be visible, not a dead thread
            self.state, self.error = "failed", f"{type(exc).__name__}: {exc}"
            log.exception("models failed to load")
            return
        self.seconds_to_ready = time.monotonic() - self.created
        self.state = "ready"
        if self.metrics is not None:
            self.metrics.loaded(self.seconds_to_ready)
        log.info("ready in %.1f s", self.seconds_to_ready)

    def _warm_up(self, pipeline: Pipeline) -> None:
        """A few tokens through each model, with the default beam width: the first call's one-off
        allocations happen here and /readyz proves generation works, without a full-length decode.
        The translation is queued first, so the two models warm up at once (a compute slot each).
        scikit-learn (the digest's duplicate search) is left to the first digest: most workers never
        make one, and it would be held resident by all of them."""
        deadline = time.monotonic() + self.settings.serving.request_timeout_s
        translator = pipeline.translator
        segments = translator.segments(WARMUP_TEXT, translator.prompts.default_source)
        params = replace(
            translator.params(segments, translator.prompts.default_target), max_new_tokens=8, min_new_tokens=0
        )
        translated = translator.batcher.submit([segment.ids for segment in segments], params)
        _, preset = pipeline.preset(None)
        pipeline.summarizer.summarize(
            WARMUP_TEXT, preset.model_copy(update={"max_new_tokens": 8, "min_new_tokens": 0}), deadline
        )
        gather(translated, deadline, "warm-up")

    def stop(self) -> None:
        self._stopping.set()
        for batcher in self.batchers:
            batcher.stop()

    def _trim_after_bursts(self, slots: ComputeSlots, quiet_s: float) -> None:
        """Hands the heap's free pages back once the engines have been idle ``quiet_s`` after work.
        A burst's batch buffers, freed in the middle of the heap, stay resident otherwise (~330 MB
        after eight articles on the bench models). Only when idle: trimming between batches would
        have the next batch fault its buffers in afresh."""
        seen = slots.released
        while not self._stopping.wait(quiet_s / 2):
            if slots.released != seen and slots.idle_for(quiet_s):
                seen = slots.released
                release_freed_heap()
                self.trims += 1

    # --- use ----------------------------------------------------------------------------------
    def require(self, wait_s: float = 0.0) -> Pipeline:
        """The pipeline, once ready. A caller may wait up to ``wait_s`` for a load in progress: a
        request accepted by a worker that is still loading (a replacement under load) is then served
        late rather than refused, while ``/readyz`` (wait 0) keeps telling the truth at once."""
        if self.state in ("starting", "loading") and wait_s > 0:
            self.wait_ready(wait_s)
        if self.state == "ready" and self.pipeline is not None:
            return self.pipeline
        if self.state == "failed":
            raise NotReady(f"models failed to load: {self.error}", retry_after=60, extra={"state": "failed"})
        raise NotReady("models are still loading", retry_after=10, extra={"state": self.state})

    # --- construction -------------------------------------------------------------------------
    def _engines(self, models: dict[str, LoadedModel], prompts: Prompts) -> dict[str, Engine]:
        """One engine at a time, the larger first, the heap trimmed after each: with MKL each weight
        is packed beside the copy it read, and two such transients at once raised the worker's peak
        for good (docs/decisions.md). The GEMM library is chosen first, once, since it must be
        settled before CTranslate2 loads."""
        s = self.settings
        gemm = choose_gemm(s.models.gemm) if s.models.engine == "ctranslate2" else None
        engines = {}
        for role in sorted(models, key=LOAD_ORDER.index):
            engines[role] = build_engine(s, role, models[role], prompts, gemm)
            release_freed_heap()
        return engines

    def _step(self, name: str) -> None:
        if self.on_step is not None:
            self.on_step(name)

    def _batcher(self, role: str, engine: Engine, slots: ComputeSlots) -> Batcher:
        s = self.settings
        batcher = Batcher(
            engine,
            name=role,
            max_batch_size=s.serving.max_batch_size,
            max_batch_tokens=s.serving.max_batch_tokens,
            max_wait_s=s.serving.batch_wait_ms / 1000,
            quiet_s=s.serving.batch_quiet_ms / 1000,
            queue_size=s.serving.queue_size,
            workers=s.engine_replicas(),
            slots=slots,
            observer=self.metrics,
        )
        self.batchers.append(batcher)
        return batcher

    def _build(self) -> Pipeline:
        s = self.settings
        if s.models.engine == "transformers":  # CTranslate2 takes its threads per model and never loads torch
            configure_math_threads(s.math_threads())
        prompts = load_prompts(s.models.prompts_dir)
        summarizer_model = load_model(s, "summarizer", prompts)
        self._step("summarizer: tokenizer and config")
        translator_model = load_model(s, "translator", prompts)
        self._step("translator: tokenizer and config")
        engines = self._engines({"summarizer": summarizer_model, "translator": translator_model}, prompts)
        self._step("both engines: int8 weights, kept vocabularies, token tables")
        detector = LanguageDetector()
        self._step("language detector")
        # Both models together run at most as many batches at once as one of them may (api.engines.slots).
        slots = ComputeSlots(s.engine_replicas())
        if s.serving.trim_idle_ms > 0:
            threading.Thread(
                target=self._trim_after_bursts,
                args=(slots, s.serving.trim_idle_ms / 1000),
                name="ringkas-trim",
                daemon=True,
            ).start()
        summarizer = self._batcher("summarizer", engines["summarizer"], slots)
        translator = self._batcher("translator", engines["translator"], slots)
        return Pipeline(
            Summarizer(summarizer_model, summarizer, prompts.summarize),
            Translator(translator_model, translator, prompts.translate),
            prompts,
            Limits(
                s.limits.max_text_chars,
                s.limits.max_translate_chars,
                s.serving.request_timeout_s,
                s.limits.min_text_chars,
                DigestLimits(s.digest.max_articles, s.digest.max_chars, s.digest.max_sentences, s.digest.similarity),
            ),
            Boilerplate.from_file(s.models.prompts_dir / "boilerplate.yaml"),
            detector,
            build_cache(s.serving.cache_size, s.serving.cache_ttl_s, s.redis_url, self.redis),
        )


def _redis_metrics(metrics: Metrics | None) -> tuple:
    if metrics is None:
        return ()
    metrics.redis_state(True)
    return metrics.redis_state, metrics.redis_fallback
