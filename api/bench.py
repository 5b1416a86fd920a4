"""``ringkas bench``: the service's default configuration against the naive transformers baseline.

Both sides run on random-weight checkpoints with the real shapes of mT5-base and
NLLB-200-distilled-600M (built once into a cache folder), the same seed articles and fixed output
lengths (min = max new tokens), so the comparison measures compute, not what random weights happen
to emit. Each side runs in its own process, so peak RSS and start-up time are its own.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from api.config import PROCESS_ENV_DEFAULTS, REPO_ROOT

SUMMARY_TOKENS = 64  # mT5: 512 tokens in, 64 out
TRANSLATION_TOKENS = 80  # NLLB: 80 out
CONCURRENCY = 8
MT5_BASE = {"d_model": 768, "d_ff": 2048, "d_kv": 64, "num_layers": 12, "num_decoder_layers": 12, "num_heads": 12}
NLLB_600M = {
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 12,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
}


# --- models and prompts with the real shapes ----------------------------------------------------
def build_bench_models(folder: Path) -> dict[str, Path]:
    """mT5-base and NLLB-600M shapes, random weights, with the tiny seed-trained tokenizers (the
    embedding tables keep the real 250k/256k rows, so the output projection costs what it really costs)."""
    from transformers import AutoTokenizer

    from api.tiny_models import build_tiny_models, new_m2m100, new_mt5

    paths = {"summarizer": folder / "mt5-base-v2", "translator": folder / "nllb-600m-v2"}
    if all((path / "model.safetensors").is_file() for path in paths.values()):
        return paths
    tiny = folder / "tokenizers"
    build_tiny_models(tiny)
    tokenizer = AutoTokenizer.from_pretrained(tiny / "summarizer")
    mt5 = new_mt5(tokenizer, 250112, MT5_BASE)
    _keep_summaries_translatable(mt5, tokenizer)
    _save(mt5, tokenizer, paths["summarizer"])
    del mt5
    tokenizer = AutoTokenizer.from_pretrained(tiny / "translator")
    _save(new_m2m100(tokenizer, 256206, NLLB_600M), tokenizer, paths["translator"])
    shutil.rmtree(tiny)
    return paths


def _keep_summaries_translatable(model, tokenizer) -> None:
    """Zero the output rows the small tokenizer cannot decode and those of sentence-ending
    punctuation. The projection still costs all 250k rows, but a random summary then decodes to
    text that is one translation segment, the same unit of work the naive baseline translates."""
    import torch

    with torch.no_grad():
        model.lm_head.weight[len(tokenizer) :] = 0
        for token, index in tokenizer.get_vocab().items():
            if any(mark in token for mark in ".!?…"):
                model.lm_head.weight[index] = 0


def _save(model, tokenizer, path: Path) -> None:
    model.generation_config.max_length = None
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    (path / "README.md").write_text("---\nlicense: apache-2.0\n---\nRandom weights, real shapes: benchmark only.\n")


def bench_prompts(folder: Path) -> Path:
    """The shipped prompts with output lengths pinned (min = max) for both models."""
    folder.mkdir(parents=True, exist_ok=True)
    summarize = yaml.safe_load((REPO_ROOT / "prompts" / "summarize.yaml").read_text())
    medium = summarize["presets"]["medium"]
    medium.update(max_new_tokens=SUMMARY_TOKENS, min_new_tokens=SUMMARY_TOKENS)
    translate = yaml.safe_load((REPO_ROOT / "prompts" / "translate.yaml").read_text())
    translate["decoding"].update(
        min_new_tokens=TRANSLATION_TOKENS,
        max_new_tokens=TRANSLATION_TOKENS,
        ratio=0.001,
        margin=TRANSLATION_TOKENS,
        bucket=TRANSLATION_TOKENS,
    )
    (folder / "summarize.yaml").write_text(yaml.safe_dump(summarize))
    (folder / "translate.yaml").write_text(yaml.safe_dump(translate))
    shutil.copyfile(REPO_ROOT / "prompts" / "boilerplate.yaml", folder / "boilerplate.yaml")
    return folder


def _articles() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((REPO_ROOT / "seeds").glob("*.txt"))]


def _peak_rss_mb() -> float:
    """VmHWM, not getrusage: Linux keeps ru_maxrss across exec, so a child started by a parent that
    once held big models would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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

    def translate(text: str) -> str:
        ids = t_tok(text, truncation=True, max_length=512, return_tensors="pt")
        with torch.inference_mode():
            out = t_model.generate(
                **ids,
                num_beams=4,
                forced_bos_token_id=eng,
                max_new_tokens=TRANSLATION_TOKENS,
                min_new_tokens=TRANSLATION_TOKENS,
            )
        return t_tok.decode(out[0], skip_special_tokens=True)

    summarize("Berita pendek untuk pemanasan.")  # warm-up, as a server would
    ready = time.time() - t0
    articles = _articles()
    summarize_s, translate_s = [], []
    started = time.perf_counter()
    for i in range(CONCURRENCY):  # 8 requests arrive together; the naive server takes them in turn
        a = time.perf_counter()
        summary = summarize(articles[i % len(articles)])
        b = time.perf_counter()
        translate(summary)
        summarize_s.append(b - a)
        translate_s.append(time.perf_counter() - b)
    wall = time.perf_counter() - started
    return {
        "summarize_s": statistics.mean(summarize_s),
        "summarize_translate_s": statistics.mean(s + t for s, t in zip(summarize_s, translate_s, strict=True)),
        "throughput_articles_per_s": CONCURRENCY / wall,
        "peak_rss_mb": _peak_rss_mb(),
        "start_to_ready_s": ready,
    }


def run_ringkas(models: dict[str, str], prompts_dir: str, t0: float) -> dict:
    """The service's own pipeline as configured by default (engine, batcher, presets)."""
    from api.config import Settings
    from api.runtime import Runtime
    from api.schemas import SummarizeRequest

    settings = Settings(
        summarizer_model=models["summarizer"],
        translator_model=models["translator"],
        prompts_dir=Path(prompts_dir),
        cache_size=0,  # repeated articles must be computed, not answered from the result cache
        redis_url=None,
    )
    runtime = Runtime(settings).start(background=False)
    if runtime.state != "ready":
        raise RuntimeError(runtime.error)
    ready = time.time() - t0
    pipeline = runtime.require()
    articles = _articles()

    def once(text: str, translate: bool) -> float:
        started = time.perf_counter()
        pipeline.summarize(SummarizeRequest(text=text, translate=translate))
        return time.perf_counter() - started

    summarize_s = [once(text, False) for text in articles]
    both_s = [once(text, True) for text in articles]
    summary = pipeline.summarize(SummarizeRequest(text=articles[0])).summary.text
    segments = len(pipeline.translator.segments(summary, "ind_Latn"))
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(lambda i: once(articles[i % len(articles)], True), range(CONCURRENCY)))
    wall = time.perf_counter() - started
    engine = pipeline.summarizer.batcher.engine.name
    runtime.stop()
    return {
        "summarize_s": statistics.mean(summarize_s),
        "summarize_translate_s": statistics.mean(both_s),
        "throughput_articles_per_s": CONCURRENCY / wall,
        "peak_rss_mb": _peak_rss_mb(),
        "start_to_ready_s": ready,
        "engine": engine,
        "translation_segments_per_summary": segments,
        "settings": {
            k: str(v)
            for k, v in settings.model_dump().items()
            if k in ("engine", "ct2_compute_type", "engine_parallel", "max_batch_size", "workers")
        },
    }


def _child(mode: str, models: dict[str, Path], prompts: Path) -> dict:
    payload = json.dumps({"mode": mode, "models": {k: str(v) for k, v in models.items()}, "prompts": str(prompts)})
    # Both sides get the process environment `ringkas serve` gives the service.
    env = {**PROCESS_ENV_DEFAULTS, **os.environ}
    proc = subprocess.run(
        [sys.executable, "-m", "api.bench", payload, repr(time.time())],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(cache: Path, echo=print) -> dict:
    cache = Path(cache)
    echo(f"models: building or reusing real-shape random models in {cache} ...")
    models = build_bench_models(cache / "models")
    prompts = bench_prompts(cache / "prompts")
    echo("converting for the default engine (cached after the first run) ...")
    started = time.perf_counter()
    _child("prepare", models, prompts)
    convert_s = time.perf_counter() - started
    echo("baseline: transformers fp32, one request at a time (minutes) ...")
    baseline = _child("baseline", models, prompts)
    echo("ringkas: default configuration ...")
    ringkas = _child("ringkas", models, prompts)
    ratios = {
        "summarize_latency_x": baseline["summarize_s"] / ringkas["summarize_s"],
        "summarize_translate_latency_x": baseline["summarize_translate_s"] / ringkas["summarize_translate_s"],
        "throughput_x": ringkas["throughput_articles_per_s"] / baseline["throughput_articles_per_s"],
        "peak_rss_fraction": ringkas["peak_rss_mb"] / baseline["peak_rss_mb"],
        "start_to_ready_x": baseline["start_to_ready_s"] / ringkas["start_to_ready_s"],
    }
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "workload": {
            "summary_tokens": SUMMARY_TOKENS,
            "translation_tokens": TRANSLATION_TOKENS,
            "input_tokens": 512,
            "beams": 4,
            "concurrency": CONCURRENCY,
        },
        "first_run_prepare_s": convert_s,
        "baseline": baseline,
        "ringkas": ringkas,
        "ratios": ratios,
    }


def table(result: dict) -> str:
    b, r, x = result["baseline"], result["ringkas"], result["ratios"]
    rows = [
        ("summarize latency (s)", b["summarize_s"], r["summarize_s"], x["summarize_latency_x"], "x faster"),
        (
            "summarize+translate latency (s)",
            b["summarize_translate_s"],
            r["summarize_translate_s"],
            x["summarize_translate_latency_x"],
            "x faster",
        ),
        (
            f"throughput, {CONCURRENCY} concurrent (articles/s)",
            b["throughput_articles_per_s"],
            r["throughput_articles_per_s"],
            x["throughput_x"],
            "x more",
        ),
        ("peak RSS, both models (MB)", b["peak_rss_mb"], r["peak_rss_mb"], x["peak_rss_fraction"], "of baseline"),
        ("start to ready (s)", b["start_to_ready_s"], r["start_to_ready_s"], x["start_to_ready_x"], "x faster"),
    ]
    lines = [f"{'':42} {'baseline':>10} {'ringkas':>10} {'ratio':>8}", "-" * 82]
    lines += [f"{name:42} {bv:10.2f} {rv:10.2f} {ratio:8.2f} {unit}" for name, bv, rv, ratio, unit in rows]
    lines.append(f"engine: {r['engine']}  settings: {r['settings']}")
    return "\n".join(lines)


def _main(argv: list[str]) -> None:
    payload, t0 = json.loads(argv[0]), float(argv[1])
    models = payload["models"]
    if payload["mode"] == "prepare":
        from api.config import Settings
        from api.engines.ct2 import ensure_converted
        from api.engines.loading import ModelSource, load_seq2seq

        settings = Settings()
        if settings.engine == "ctranslate2":
            for path in models.values():
                loaded = load_seq2seq(ModelSource(path), weights=False)
                ensure_converted(
                    loaded.source, loaded.revision, settings.ct2_compute_type, settings.converted_models_dir()
                )
        result = {}
    elif payload["mode"] == "baseline":
        result = run_baseline(models, t0)
    else:
        result = run_ringkas(models, payload["prompts"], t0)
    print(json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])
