"""What it would cost, on the box the bench runs on, to move the two figures the service's default
layout trades against each other (docs/speed-notes.md, "The layout's two trade-offs"):

- ``run_layouts``: a lone request's latency on one replica that holds every math thread, against
  the service's single-thread replicas (one of which a lone request gets), per model, alternating,
  with the encoder and one decoding step timed apart (a long encoder input does use a second
  thread; the decoding steps may not).
- ``LEAN``: the layout whose burst holds the least memory: one batch at a time on one core, at most
  two sequences and 512 padded input tokens a batch (one full article, or two translation segments);
  the bench runs its memory side with it to report what memory at the peer's level costs.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

from api.bench.workload import read_articles

LEAN = {"serving.math_threads": 1, "serving.max_batch_size": 2, "serving.max_batch_tokens": 512}
LAYOUTS = ("replicas", "one_replica")  # the service's layout first


def run_layouts(settings, repeats: int = 3) -> dict:
    """Median seconds per layout and model for the whole generation and for the encoder with one
    decoding step (``first_step_s``)."""
    from api.runtime import Runtime, release_freed_heap
    from api.text import split_sentences

    threads = settings.math_threads()
    if threads < 2 or settings.models.engine != "ctranslate2":
        return {"threads": threads, "skipped": "one math thread or no CTranslate2 engine: nothing to compare"}
    runtime = Runtime(settings).start(background=False)  # the service's own engines and work items
    pipeline = runtime.require()
    article = read_articles()[0]
    _, preset = pipeline.preset(None)
    translator = pipeline.translator
    segment = translator.segments(split_sentences(article)[0], "ind_Latn")[:1]
    work = {
        "summarizer": ([pipeline.summarizer.encode(article).ids], pipeline.summarizer.params(preset)),
        "translator": ([segment[0].ids], translator.params(segment, "eng_Latn")),
    }
    result: dict = {"threads": threads}
    for role, (batch, params) in work.items():
        result[role] = _time_layouts(getattr(pipeline, role), batch, params, threads, repeats)
        release_freed_heap()  # the extra engine is gone with the call: hand its pages back before the next
    runtime.stop()
    return result


def _time_layouts(task, batch, params, threads: int, repeats: int) -> dict:
    """One model's whole generation and first step on the service's engine and on one replica
    holding every thread, alternating (a busy moment slows both, not one)."""
    from api.engines.ct2 import CTranslate2Engine

    service = task.batcher.engine
    engines = {
        "replicas": service,
        "one_replica": CTranslate2Engine(
            service.model_dir,
            tokenizer=task.tokenizer.backend_tokenizer,
            compute_type=service.compute_type,
            threads=threads,
            parallel=1,
            kept=service.kept,
            gemm=service.gemm,
        ),
    }
    first = replace(params, max_new_tokens=1, min_new_tokens=1)  # a forced language token is that step
    times: dict[str, dict[str, list[float]]] = {name: {"whole_s": [], "first_step_s": []} for name in engines}
    for engine in engines.values():
        engine.generate(batch, params)  # warm-up: first buffers and the kept rows gathered
    for _ in range(repeats):
        for name, engine in engines.items():
            times[name]["whole_s"].append(_seconds(engine, batch, params))
            times[name]["first_step_s"].append(_seconds(engine, batch, first))
    layout = {name: engine.describe() for name, engine in engines.items()}
    return {
        name: {key: statistics.median(values) for key, values in measured.items()}
        | {key: layout[name][key] for key in ("intra_threads", "inter_threads")}
        for name, measured in times.items()
    }


def _seconds(engine, batch, params) -> float:
    started = time.perf_counter()
    engine.generate(batch, params)
    return time.perf_counter() - started
