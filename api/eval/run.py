"""Decodes the same items under each configuration through the service's own pipeline (a Runtime
built from Settings, as serving builds it) and scores them side by side."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from pydantic import ValidationError

from api.config import Settings, known, nest
from api.config_legacy import RENAMED
from api.errors import RingkasError
from api.eval.data import Item
from api.eval.metrics import Scorer, bootstrap, paired_difference, resamples, scorers

# Configuration keys that are request options, not settings.
REQUEST_KEYS = {"length": "length", "preset": "length"}


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    name: str
    settings: dict = field(default_factory=dict)
    request: dict = field(default_factory=dict)


def parse_config(spec: str) -> Config:
    """``NAME=KEY=VALUE[,KEY=VALUE...]``; keys are Ringkas settings as variables or dotted paths
    (``full=RINGKAS_MODELS__VOCAB=full``, ``full=models.vocab=full``), or ``length`` for the preset."""
    name, sep, rest = spec.partition("=")
    if not sep or not name.strip() or not rest.strip():
        raise ConfigError(f"--config {spec!r}: write NAME=SETTING=VALUE[,SETTING=VALUE...]")
    settings, request = {}, {}
    for pair in rest.split(","):
        key, sep, value = pair.partition("=")
        key = key.strip().lower().removeprefix("ringkas_").replace("__", ".")
        key = RENAMED.get(key) or key  # a name of the previous release: its new place
        if not sep:
            raise ConfigError(f"--config {spec!r}: {pair!r} is not SETTING=VALUE")
        if key in REQUEST_KEYS:
            request[REQUEST_KEYS[key]] = value.strip()
        elif known(key):
            settings[key] = value.strip()
        else:
            raise ConfigError(f"--config {spec!r}: unknown setting {key!r} (see the README's settings table)")
    return Config(name.strip(), settings, request)


def with_default(configs: list[Config]) -> list[Config]:
    """The service as configured comes first, as the reference the others are compared with."""
    names = [c.name for c in configs]
    if len(set(names)) != len(names):
        raise ConfigError(f"configuration names must differ: {', '.join(names)}")
    return configs if "default" in names else [Config("default"), *configs]


@dataclass
class Outputs:
    texts: list[str]
    latencies_s: list[float]
    failures: dict[str, str]  # item id -> the problem's title
    wall_s: float
    runtime: dict


def decode(
    config: Config,
    task: str,
    items: list[Item],
    *,
    clean: bool,
    concurrency: int,
    target_lang: str,
    progress: Callable[[int], None] = lambda _: None,
    ready: Callable[[], None] = lambda: None,
) -> Outputs:
    """Every item through one freshly built pipeline; ``ready`` is called once the models are loaded
    and warmed, so a progress bar times the items, not the start-up."""
    from api.runtime import Runtime
    from api.schemas import DigestRequest, SummarizeRequest, TranslateRequest

    # No result cache: every configuration computes every item (a shared Redis would answer later
    # configurations from the first one's results).
    settings = Settings(**nest({**config.settings, "serving.cache_size": 0, "redis_url": None, "serving.warmup": True}))
    runtime = Runtime(settings).start(background=False)
    if runtime.state != "ready":
        raise ConfigError(f"configuration {config.name!r} did not load: {runtime.error}")
    pipeline = runtime.require()
    source_lang = pipeline.prompts.summarize.input.language
    ready()

    def one(item: Item) -> tuple[str, float, str | None]:
        started = time.perf_counter()
        try:
            if task == "summarize":
                request = SummarizeRequest(text=item.source, force=True, **config.request)
                text = pipeline.summarize(request, clean=clean).summary.text
            elif task == "digest":
                cluster = DigestRequest(articles=list(item.cluster), force=True, **config.request)
                text = pipeline.digest(cluster).summary.text
            else:
                request = TranslateRequest(text=item.source, source_lang=source_lang, target_lang=target_lang)
                text = pipeline.translate(request).translation.text
            problem = None
        except (RingkasError, ValidationError) as exc:  # scored as an empty output, and counted
            text, problem = "", getattr(exc, "title", "Invalid item")
        progress(1)
        return text, time.perf_counter() - started, problem

    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="eval") as pool:
            results = list(pool.map(one, items))
    finally:
        runtime.stop()
    wall = time.perf_counter() - started
    role = pipeline.translator if task == "translate" else pipeline.summarizer
    return Outputs(
        texts=[r[0] for r in results],
        latencies_s=[r[1] for r in results],
        failures={item.id: r[2] for item, r in zip(items, results, strict=True) if r[2]},
        wall_s=wall,
        runtime={"model": role.loaded.source.ref, **role.batcher.engine.describe()},
    )


def score(task: str, items: list[Item], outputs: dict[str, Outputs], samples: int = 1000) -> dict:
    """Each configuration's metrics with 95% bootstrap intervals, and for each pair the paired
    difference with its interval and the share of identical outputs."""
    references = [item.reference for item in items]
    draws = resamples(len(items), samples)
    metrics: list[Scorer] = scorers(task)
    stats = {name: {m.name: m.stats(out.texts, references) for m in metrics} for name, out in outputs.items()}
    configs = {}
    for name, out in outputs.items():
        latencies = sorted(out.latencies_s)
        configs[name] = {
            "metrics": {
                m.name: {
                    "score": m.score(stats[name][m.name]),
                    "ci95": list(bootstrap(m.score, stats[name][m.name], draws)),
                }
                for m in metrics
            },
            "latency_s": {"p50": _percentile(latencies, 50), "p95": _percentile(latencies, 95)},
            "items_per_s": len(items) / out.wall_s if out.wall_s else 0.0,
            "failures": out.failures,
            "runtime": out.runtime,
        }
    pairs = []
    for a, b in combinations(outputs, 2):
        same = sum(x == y for x, y in zip(outputs[a].texts, outputs[b].texts, strict=True))
        pairs.append(
            {
                "a": a,
                "b": b,
                "identical_share": same / len(items),
                "difference_b_minus_a": {
                    m.name: paired_difference(m, stats[a][m.name], stats[b][m.name], draws) for m in metrics
                },
            }
        )
    return {
        "task": task,
        "items": len(items),
        "bootstrap_samples": samples,
        "signatures": {m.name: m.signature for m in metrics},
        "configs": configs,
        "pairs": pairs,
        "outputs": {name: dict(zip([i.id for i in items], out.texts, strict=True)) for name, out in outputs.items()},
    }


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return float(np.percentile(sorted_values, q)) if len(sorted_values) > 1 else sorted_values[0]
