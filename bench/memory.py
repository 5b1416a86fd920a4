"""Where a worker's memory goes: RSS after each step of loading the default configuration.

    python bench/memory.py [--cache ~/.cache/ringkas/bench] [--kept-vocab 60000]

Uses the bench's real-shape models (run `ringkas bench` once first). Prints one line per step with
the RSS, its growth, and the size on disk of what the step loaded, then the peak (VmHWM).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "ringkas" / "bench")
    parser.add_argument("--kept-vocab", type=int, default=60_000)
    args = parser.parse_args()
    rows: list[tuple[str, float]] = [("python interpreter", _status("VmRSS"))]

    def step(name: str) -> None:
        rows.append((name, _status("VmRSS")))

    import flask  # noqa: F401
    import pydantic  # noqa: F401

    from api.app import create_app  # noqa: F401  (the web layer and its dependencies)

    step("web layer: flask, pydantic, trafilatura, limits, prometheus ...")
    from api.config import Settings
    from api.engines.gemm import apply as choose_gemm

    gemm = choose_gemm(Settings().models.gemm)  # as the service does: before CTranslate2 loads
    step(f"ctranslate2 library ({gemm.backend})")
    from api.text.language import LanguageDetector

    detector = LanguageDetector()
    detector.detect("Pemerintah Indonesia mengumumkan rencana pembangunan jalan baru di Jawa Barat.")
    step("lingua language detector (preloaded models)")

    from api.engines.factory import build_engine
    from api.models.files import load_model
    from api.prompts import load_prompts
    from api.runtime import release_freed_heap

    models = args.cache / "models"
    settings = Settings(
        summarizer={"model": str(models / "mt5-base-v2")},
        translator={"model": str(models / "nllb-600m-v2")},
        models={"prompts_dir": args.cache / "prompts", "vocab_min_size": args.kept_vocab},
    )
    prompts = load_prompts(settings.models.prompts_dir)
    engines, tokenizers = {}, {}
    for role in ("summarizer", "translator"):
        loaded = load_model(settings, role, prompts)
        tokenizers[role] = loaded.tokenizer
        step(f"{role}: tokenizer and config")
        engines[role] = build_engine(settings, role, loaded, prompts)
        release_freed_heap()  # as the runtime does once its engines are built
        size = (loaded.folder / "model.bin").stat().st_size / 2**20
        step(f"{role}: int8 weights ({size:.0f} MB on disk) and kept vocabulary")

    from api.engines.base import GenerationParams

    source = list(range(10, 521))
    started = time.perf_counter()
    engines["summarizer"].generate([source], GenerationParams(64, 64, 4, 2, 0.6, restrict=True))
    forced = tokenizers["translator"].convert_tokens_to_ids("eng_Latn")
    engines["translator"].generate(
        [source[:64]], GenerationParams(80, 80, 4, forced_bos_token_id=forced, restrict=True)
    )
    step(f"one summary and translation ({time.perf_counter() - started:.1f} s): activations, caches")
    # The largest batch the default token budget forms from full-length articles.
    batch = [source] * max(1, settings.serving.max_batch_tokens // len(source))
    engines["summarizer"].generate(batch, GenerationParams(64, 64, 4, 2, 0.6, restrict=True))
    step(f"a batch of {len(batch)} summaries (beam 4): {4 * len(batch)} sequences' buffers")

    print(f"{'step':66} {'RSS MB':>8} {'+MB':>7}")
    previous = 0.0
    for name, rss in rows:
        print(f"{name:66} {rss:8.0f} {rss - previous:7.0f}")
        previous = rss
    print(f"{'peak (VmHWM)':66} {_status('VmHWM'):8.0f}")
    print("torch loaded:", "torch" in sys.modules, "| transformers loaded:", "transformers" in sys.modules)


if __name__ == "__main__":
    main()
