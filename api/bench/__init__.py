"""``ringkas bench``: the service's default configuration against the naive transformers baseline.

Both sides run on random-weight checkpoints with the real shapes of mT5-base and
NLLB-200-distilled-600M (built once into a cache folder), the same seed articles and fixed output
lengths (min = max new tokens), so the comparison measures compute, not what random weights happen
to emit. Each side runs in its own process, so peak RSS and start-up time are its own.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from api.bench.probes import LEAN, run_layouts
from api.bench.report import machine_facts, ratios
from api.bench.workload import (
    CONCURRENCY,
    SEGMENT_TOKENS,
    SENTENCES,
    SUMMARY_TOKENS,
    TRANSLATION_TOKENS,
    bench_prompts,
    build_bench_models,
    read_articles,
    summary_sentences,
)
from api.config import PROCESS_ENV_DEFAULTS


# --- memory, read from the kernel's own accounting ----------------------------------------------
def _status_mb(field: str) -> float | None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return None


def _memory_row(step: str) -> dict:
    """RSS now and the peak so far, after ``step``: a row of the memory tables."""
    return {"step": step, "rss_mb": _status_mb("VmRSS") or 0.0, "peak_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """VmHWM, not getrusage: Linux keeps ru_maxrss across exec, so a child started by a parent that
    once held big models would report the parent's peak."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the two sides, each run in a child process --------------------------------------------------
def run_baseline(models: dict[str, str], t0: float) -> dict:
    """Naive serving: transformers fp32, one request at a time, one generate per model per article."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    torch.set_num_threads(os.cpu_count() or 1)
    s_tok = AutoTokenizer.from_pretrained(models["summarizer"])
    s_model = AutoModelForSeq2SeqLM.from_pretrained(models["summarizer"]).eval()
    t_tok = AutoTokenizer.from_pretrained(models["translator"], src_lang="ind_Latn")
    t_model = AutoModelForSeq2SeqLM.from_pretrained(models["translator"]).eval()
    eng = t_tok.convert_tokens_to_ids("eng_Latn")

    def summarize(text: str) -> str:
        ids = s_tok(text, truncation=True, max_length=512, return_tensors="pt")
        with torch.inference_mode():
            out = s_model.generate(
                **ids,
                num_beams=4,
                no_repeat_ngram_size=2,
                length_penalty=0.6,
                max_new_tokens=SUMMARY_TOKENS,
                min_new_tokens=SUMMARY_TOKENS,
            )
        return s_tok.decode(out[0], skip_special_tokens=True)

    def translate(texts: list[str], tokens: int) -> list[str]:
        # One batch, as a sentence-splitting server sends a summary's sentences (or one segment).
        ids = t_tok(texts, padding=True, truncation=True, max_length=512, return_tensors="pt")
        with torch.inference_mode():
            out = t_model.generate(
                **ids, num_beams=4, forced_bos_token_id=eng, max_new_tokens=tokens, min_new_tokens=tokens
            )
        return t_tok.batch_decode(out, skip_special_tokens=True)

    return _serve_one_at_a_time(summarize, translate, s_tok, t0)


def run_peer(models: dict[str, str], t0: float) -> dict:
    """Plain CTranslate2 int8, the way a typical server runs it (nllb-api and the like): the converted
    models, default instruction set, full vocabulary, one request at a time, the same decoding."""
    import ctranslate2
    from transformers import AutoTokenizer

    from api.config import Settings
    from api.models.convert import converted_path
    from api.models.loading import ModelSource

    rows = [_memory_row("python, ctranslate2, transformers' tokenizers")]
    root = Settings().converted_models_dir()
    threads = os.cpu_count() or 1
    folders = {role: converted_path(ModelSource(path), None, "int8", root) for role, path in models.items()}
    s_tok = AutoTokenizer.from_pretrained(models["summarizer"])
    t_tok = AutoTokenizer.from_pretrained(models["translator"], src_lang="ind_Latn")
    s_model = ctranslate2.Translator(str(folders["summarizer"]), compute_type="int8", intra_threads=threads)
    t_model = ctranslate2.Translator(str(folders["translator"]), compute_type="int8", intra_threads=threads)
    rows.append(_memory_row("both models: tokenizers, int8 weights"))

    def summarize(text: str) -> str:
        tokens = s_tok.convert_ids_to_tokens(s_tok(text, truncation=True, max_length=512).input_ids)
        out = s_model.translate_batch(
            [tokens],
            beam_size=4,
            no_repeat_ngram_size=2,
            length_penalty=0.6,
            max_decoding_length=SUMMARY_TOKENS,
            min_decoding_length=SUMMARY_TOKENS,
        )
        return s_tok.decode(s_tok.convert_tokens_to_ids(out[0].hypotheses[0]), skip_special_tokens=True)

    def translate(texts: list[str], tokens: int) -> list[str]:
        # One batch, as a sentence-splitting server sends a summary's sentences (or one segment).
        batch = [t_tok.convert_ids_to_tokens(t_tok(text, truncation=True, max_length=512).input_ids) for text in texts]
        out = t_model.translate_batch(
            batch,
            target_prefix=[["eng_Latn"]] * len(batch),
            beam_size=4,
            max_decoding_length=tokens,
            min_decoding_length=tokens,
        )
        return [t_tok.decode(t_tok.convert_tokens_to_ids(r.hypotheses[0][1:]), skip_special_tokens=True) for r in out]

    return _serve_one_at_a_time(summarize, translate, s_tok, t0, rows)


def _serve_one_at_a_time(summarize, translate, s_tok, t0: float, rows: list[dict] | None = None) -> dict:
    """Times a server that takes requests in turn: warm-up, then 8 articles that arrive together,
    each summary translated both ways (one segment, and its sentences as one batch). ``rows``: the
    memory table so far, continued here."""
    rows = rows if rows is not None else []
    summarize("Berita pendek untuk pemanasan.")  # warm-up, as a server would
    rows.append(_memory_row("warm-up: one short summary"))
    ready = time.time() - t0
    articles = read_articles()
    summarize_s, translate_s, sentences_s = [], [], []
    for i in range(CONCURRENCY):
        a = time.perf_counter()
        summary = summarize(articles[i % len(articles)])
        b = time.perf_counter()
        translate([summary], TRANSLATION_TOKENS)
        c = time.perf_counter()
        sentences = summary_sentences(summary, s_tok)
        d = time.perf_counter()
        translate(sentences, SEGMENT_TOKENS)
        summarize_s.append(b - a)
        translate_s.append(c - b)
        sentences_s.append(time.perf_counter() - d)
    rows.append(_memory_row(f"after {CONCURRENCY} articles in turn, summarized and translated both ways"))
    one_segment = [s + t for s, t in zip(summarize_s, translate_s, strict=True)]
    segments = [s + t for s, t in zip(summarize_s, sentences_s, strict=True)]
    return {
        "summarize_s": statistics.mean(summarize_s),
        "summarize_translate_s": statistics.mean(one_segment),
        "summarize_translate_sentences_s": statistics.mean(segments),
        # Requests in turn: the eight are done after the sum of their times.
        "throughput_articles_per_s": CONCURRENCY / sum(one_segment),
        "throughput_sentences_articles_per_s": CONCURRENCY / sum(segments),
        "peak_rss_mb": _peak_rss_mb(),
        "start_to_ready_s": ready,
        "memory": {"rows": rows, "peak_rss_mb": _peak_rss_mb()},
    }


def run_ringkas(models: dict[str, str], prompts_dir: str, t0: float, overrides: dict) -> dict:
    """The service's own pipeline as configured by default (engine, batcher, presets)."""
    from api.runtime import Runtime
    from api.schemas import SummarizeRequest, TranslateRequest

    settings = _settings(models, prompts_dir, overrides)
    runtime = Runtime(settings).start(background=False)
    if runtime.state != "ready":
        raise RuntimeError(runtime.error)
    ready = time.time() - t0
    pipeline = runtime.require()
    articles = read_articles()

    def once(text: str, translate: bool) -> float:
        started = time.perf_counter()
        pipeline.summarize(SummarizeRequest(text=text, translate=translate))
        return time.perf_counter() - started

    def sentences_unit(text: str) -> float:
        """The real unit: a summary, then its sentences translated (one request each, as a client
        that shows the summary first would send them); the cutting itself is not timed."""
        started = time.perf_counter()
        summary = pipeline.summarize(SummarizeRequest(text=text)).summary.text
        summarized = time.perf_counter()
        sentences = summary_sentences(summary, pipeline.summarizer.tokenizer)
        cut = time.perf_counter()
        pipeline.translate(TranslateRequest(text=" ".join(sentences)))
        return summarized - started + time.perf_counter() - cut

    def burst(unit) -> float:
        started = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(lambda i: unit(articles[i % len(articles)]), range(CONCURRENCY)))
        return time.perf_counter() - started

    summarize_s = [once(text, False) for text in articles]
    both_s = [once(text, True) for text in articles]
    sentences_s = [sentences_unit(text) for text in articles]
    summary = pipeline.summarize(SummarizeRequest(text=articles[0])).summary.text
    segments = len(pipeline.translator.segments(summary, "ind_Latn"))
    cut = " ".join(summary_sentences(summary, pipeline.summarizer.tokenizer))
    per_segment = pipeline.translator.translate(cut, "ind_Latn", "eng_Latn", time.monotonic() + 600)
    wall = burst(lambda text: once(text, True))
    wall_sentences = burst(sentences_unit)
    peak = _peak_rss_mb()  # the peer's workload ends here; a digest is Ringkas's own, its peak reported apart
    digest = digest_latency(pipeline, articles)
    digest["peak_rss_mb"] = _peak_rss_mb()
    engine = pipeline.summarizer.batcher.engine.name
    described = {role: getattr(pipeline, role).batcher.engine.describe() for role in ("summarizer", "translator")}
    runtime.stop()
    return {
        "summarize_s": statistics.mean(summarize_s),
        "summarize_translate_s": statistics.mean(both_s),
        "summarize_translate_sentences_s": statistics.mean(sentences_s),
        "throughput_articles_per_s": CONCURRENCY / wall,
        "throughput_sentences_articles_per_s": CONCURRENCY / wall_sentences,
        "peak_rss_mb": peak,
        "start_to_ready_s": ready,
        "engine": engine,
        "translation_segments_per_summary": segments,
        "digest": digest,
        # The sentences workload as the service ran it: segments and tokens written per segment.
        "sentence_segment_tokens_out": [len(ids) for ids in per_segment.outputs],
        "runtime": described,
        "settings": {
            key: str(settings.value(path))
            for key, path in (
                ("engine", "models.engine"),
                ("ct2_compute_type", "models.compute_type"),
                ("ct2_gemm", "models.gemm"),
                ("max_batch_size", "serving.max_batch_size"),
                ("max_batch_tokens", "serving.max_batch_tokens"),
                ("workers", "workers"),
                ("vocab", "models.vocab"),
            )  # the keys of the committed runs, so the history compares
        }
        | {"engine_replicas": str(settings.engine_replicas()), "math_threads": str(settings.math_threads())},
    }


def digest_latency(pipeline, articles: list[str], repeats: int = 3) -> dict:
    """A digest of the seed articles (five: one story's outlets) timed beside one article's summary,
    each the mean of ``repeats`` runs on the same pipeline (its result cache is off in the bench)."""
    from api.schemas import DigestRequest, SummarizeRequest

    cluster = DigestRequest(articles=[{"text": text} for text in articles])
    timings: dict[str, list[float]] = {"digest_s": [], "summarize_s": []}
    for _ in range(repeats):
        started = time.perf_counter()
        answer = pipeline.digest(cluster)
        middle = time.perf_counter()
        pipeline.summarize(SummarizeRequest(text=articles[0]))
        timings["digest_s"].append(middle - started)
        timings["summarize_s"].append(time.perf_counter() - middle)
    digest_s, summarize_s = (statistics.mean(timings[key]) for key in ("digest_s", "summarize_s"))
    return {
        "articles": len(articles),
        "digest_s": digest_s,
        "summarize_s": summarize_s,
        "digest_over_summary_x": digest_s / summarize_s,
        "read_compose_ms": answer.timings_ms.read + answer.timings_ms.compose,
        "sentences": answer.input.sentences,
        "duplicates": answer.input.duplicates,
        "used": answer.input.used,
    }


def run_memory(models: dict[str, str], prompts_dir: str, overrides: dict) -> dict:
    """Where a worker's memory goes: RSS and the peak so far (VmHWM) after each component the service
    loads, in its own order, then after a burst of eight articles and after the heap is trimmed."""
    rows: list[dict] = []

    def step(name: str) -> None:
        rows.append(_memory_row(name))

    step("python interpreter")
    import api.app  # noqa: F401  (the web layer the service runs in)

    step("web stack: flask, pydantic, trafilatura, prometheus ...")
    from api.engines.gemm import apply as choose_gemm
    from api.runtime import Runtime, release_freed_heap
    from api.schemas import SummarizeRequest

    settings = _settings(models, prompts_dir, overrides)
    gemm = choose_gemm(settings.models.gemm)
    step(f"ctranslate2 library ({gemm.backend})")
    runtime = Runtime(settings, on_step=step).start(background=False)
    if runtime.state != "ready":
        raise RuntimeError(runtime.error)
    pipeline, articles = runtime.require(), read_articles()
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(lambda i: pipeline.summarize(SummarizeRequest(text=articles[i % len(articles)], translate=True)),
                      range(CONCURRENCY)))  # fmt: skip
    burst_s = time.perf_counter() - started  # beside the peak, so two layouts' memory compares with its cost
    step(f"after a burst of {CONCURRENCY}, summarized and translated (one segment)")
    release_freed_heap()
    step("after malloc_trim: the heap's free pages handed back")
    runtime.stop()
    return {"rows": rows, "peak_rss_mb": _peak_rss_mb(), "burst_s": burst_s, "overrides": overrides}


def _settings(models: dict[str, str], prompts_dir: str, overrides: dict):
    from api.config import Settings, nest

    values = {
        "summarizer.model": models["summarizer"],
        "translator.model": models["translator"],
        "models.prompts_dir": Path(prompts_dir),
        "serving.cache_size": 0,  # repeated articles must be computed, not answered from the result cache
        "serving.request_timeout_s": 900,  # a busy shared machine slows a burst of eight past the default deadline
        "redis_url": None,
    }
    return Settings(**nest({**values, **overrides}))  # overrides: dotted paths too


def _child(mode: str, models: dict[str, Path], prompts: Path, overrides: dict | None = None) -> dict:
    payload = json.dumps(
        {
            "mode": mode,
            "models": {k: str(v) for k, v in models.items()},
            "prompts": str(prompts),
            "overrides": overrides or {},
        }
    )
    # Every side gets the process environment `ringkas serve` gives the service; CTranslate2 is asked
    # to log its CPU choices, so the report can say which instruction set and GEMM backend ran.
    env = {**PROCESS_ENV_DEFAULTS, **os.environ, "CT2_VERBOSE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "api.bench", payload, repr(time.time())],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} run failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    cpu = ct2_cpu_report(proc.stderr)
    if cpu:
        result["ct2_cpu"] = cpu
    return result


def ct2_cpu_report(log: str) -> dict[str, str]:
    """CTranslate2's own words (CT2_VERBOSE=1) about the CPU path it took."""
    wanted = ("CPU", "Selected ISA", "Use Intel MKL", "SGEMM backend", "GEMM_S8 backend")
    report: dict[str, str] = {}
    for line in log.splitlines():
        text = line.split("] ")[-1].strip().lstrip("- ")
        name, _, value = text.partition(": ")
        if name in wanted and name not in report:
            report[name] = value
    return report


# `ringkas bench --without`: the peer and Ringkas always run
OPTIONAL_SIDES = ("baseline", "full", "memory", "layouts")


def run(cache: Path, echo=print, kept_vocab: int = 60_000, without: tuple[str, ...] = ()) -> dict:
    cache = Path(cache)
    echo(f"models: building or reusing real-shape random models in {cache} ...")
    models = build_bench_models(cache / "models")
    prompts = bench_prompts(cache / "prompts")
    echo("converting and building kept vocabularies (cached after the first run) ...")
    variants = [{"models.vocab_min_size": kept_vocab}, {"models.vocab": "full"}]
    started = time.perf_counter()
    _child("prepare", models, prompts, {"variants": variants})
    convert_s = time.perf_counter() - started
    sides: dict[str, dict] = {}
    if "baseline" not in without:
        echo("baseline: transformers fp32, one request at a time (minutes) ...")
        sides["baseline"] = _child("baseline", models, prompts)
    echo("peer: plain CTranslate2 int8, full vocabulary, one request at a time ...")
    sides["peer"] = _child("peer", models, prompts)
    # The bench models carry a tiny seed-trained tokenizer: a kept set built from it would be a few
    # hundred tokens and overstate the gain, so it is padded to a realistic size (see the README).
    echo(f"ringkas: default configuration, kept vocabulary padded to {kept_vocab:,} tokens ...")
    sides["ringkas"] = _child("ringkas", models, prompts, variants[0])
    if "full" not in without:
        echo("ringkas: the same with the full vocabulary (RINGKAS_MODELS__VOCAB=full) ...")
        sides["ringkas_full_vocab"] = _child("ringkas", models, prompts, variants[1])
    if "memory" not in without:
        echo("ringkas: memory, component by component ...")
        sides["memory"] = _child("memory", models, prompts, variants[0])
    if "layouts" not in without:
        echo("ringkas: the layout's trade-offs (a lone request on every thread; the leanest burst) ...")
        sides["layouts"] = _child("layouts", models, prompts, variants[0])
        sides["memory_lean"] = _child("memory", models, prompts, {**variants[0], **LEAN})
    compared = {"vs_peer": ratios(sides["peer"], sides["ringkas"])}
    if "baseline" in sides:
        compared["vs_baseline"] = ratios(sides["baseline"], sides["ringkas"])
        if "ringkas_full_vocab" in sides:
            compared["full_vocab_vs_baseline"] = ratios(sides["baseline"], sides["ringkas_full_vocab"])
    return {
        "machine": machine_facts(),
        "workload": {
            "summary_tokens": SUMMARY_TOKENS,
            "translation_tokens": TRANSLATION_TOKENS,
            "sentences": SENTENCES,
            "segment_tokens": SEGMENT_TOKENS,
            "input_tokens": 512,
            "beams": 4,
            "concurrency": CONCURRENCY,
            "kept_vocab_stand_in": kept_vocab,
        },
        "first_run_prepare_s": convert_s,
        **sides,
        "ratios": compared,
    }


def _main(argv: list[str]) -> None:
    payload, t0 = json.loads(argv[0]), float(argv[1])
    models = payload["models"]
    if payload["mode"] == "prepare":  # everything the timed runs load, made here, off their clocks
        from api.models.files import engine_files, load_model
        from api.prompts import load_prompts

        for overrides in payload["overrides"]["variants"]:
            settings = _settings(models, payload["prompts"], overrides)
            prompts = load_prompts(settings.models.prompts_dir)
            for role in ("summarizer", "translator"):
                engine_files(settings, role, load_model(settings, role, prompts, weights=False), prompts)
        result = {}
    elif payload["mode"] == "baseline":
        result = run_baseline(models, t0)
    elif payload["mode"] == "peer":
        result = run_peer(models, t0)
    elif payload["mode"] == "memory":
        result = run_memory(models, payload["prompts"], payload["overrides"])
    elif payload["mode"] == "layouts":
        result = run_layouts(_settings(models, payload["prompts"], {**payload["overrides"], "serving.warmup": False}))
    else:
        result = run_ringkas(models, payload["prompts"], t0, payload["overrides"])
    print(json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])
