"""Where the per-step time goes in CTranslate2: one request at the bench's real shapes, under each
instruction set / GEMM backend / thread layout, with the full and the kept vocabulary.

    python bench/ct2_sweep.py [--repeat 3] [--kept-vocab 60000]
    python bench/ct2_sweep.py --only "default (oneDNN, AVX2)" --threads 1 2 --rounds 3   # thread layouts

Needs `ringkas bench` to have built and converted its models once. Each configuration runs in its own
process because CTranslate2 reads its CT2_* variables once, at start. Prints one JSON line per run
and a table; timings are medians, and comparisons are only meaningful within one run. With
``--rounds``, the configurations alternate and the table shows each one's range over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CONFIGS = {
    "default (oneDNN, AVX2)": {},
    "CT2_FORCE_CPU_ISA=AVX512": {"CT2_FORCE_CPU_ISA": "AVX512"},
    "CT2_USE_MKL=1": {"CT2_USE_MKL": "1"},
    "CT2_USE_MKL=1, AVX512": {"CT2_USE_MKL": "1", "CT2_FORCE_CPU_ISA": "AVX512"},
    "CT2_USE_MKL=1, packed GEMM": {"CT2_USE_MKL": "1", "CT2_USE_EXPERIMENTAL_PACKED_GEMM": "1"},
}
CASES = [  # (model, input tokens, output tokens, beams)
    ("summarizer", 512, 64, 4),
    ("summarizer", 512, 64, 1),
    ("translator", 64, 80, 4),
    ("translator", 64, 80, 1),
]


def _time_case(translator, role: str, words: list[str], case: tuple, use_vmap: bool, repeat: int) -> float:
    _, n_in, n_out, beams = case
    source = [words[10 + (i * 7) % (len(words) - 20)] for i in range(n_in - 1)] + ["</s>"]
    prefix = None
    if role == "translator":
        source, prefix = ["ind_Latn", *source], [["eng_Latn"]]
    timings = []
    for _ in range(repeat + 1):  # the first run warms up
        started = time.perf_counter()
        translator.translate_batch(
            [source],
            target_prefix=prefix,
            beam_size=beams,
            max_decoding_length=n_out,
            min_decoding_length=n_out,
            no_repeat_ngram_size=2 if role == "summarizer" else 0,
            length_penalty=0.6 if role == "summarizer" else 1.0,
            use_vmap=use_vmap,
        )
        timings.append(time.perf_counter() - started)
    return statistics.median(timings[1:])


def _child(spec: dict) -> dict:
    import ctranslate2

    out = {}
    for role in ("summarizer", "translator"):
        for vocab, folder in spec["folders"][role].items():
            translator = ctranslate2.Translator(
                folder, device="cpu", compute_type=spec["compute_type"], intra_threads=spec["threads"]
            )
            words = json.loads((Path(folder) / "shared_vocabulary.json").read_text())[: spec["token_rows"][role]]
            for case in (c for c in CASES if c[0] == role):
                name = f"{role} {case[1]}->{case[2]} beam {case[3]}, {vocab}"
                out[name] = _time_case(translator, role, words, case, vocab == "kept", spec["repeat"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kept-vocab", type=int, default=60000)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "ringkas" / "bench")
    parser.add_argument("--only", nargs="*", help="configuration names to run")
    parser.add_argument("--threads", type=int, nargs="+", default=[2], help="intra threads to try")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the configurations this often")
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from api.config import Settings
    from api.engines.ct2 import ensure_converted, with_vocabulary_map
    from api.engines.factory import pad_kept
    from api.engines.loading import ModelSource
    from api.engines.vocab import VocabSpec, build_kept, uncopyable_ids

    folders, rows = {}, {}
    root = Settings().converted_models_dir()
    for role, name, language in (
        ("summarizer", "mt5-base-v2", "ind_Latn"),
        ("translator", "nllb-600m-v2", "eng_Latn"),
    ):
        path = args.cache / "models" / name
        lead = "eng_Latn" if role == "translator" else None
        converted = ensure_converted(ModelSource(str(path)), None, "int8", root, lead)
        tokenizer = AutoTokenizer.from_pretrained(path)
        full_rows = len(json.loads((converted / "shared_vocabulary.json").read_text()))
        kept = pad_kept(build_kept(tokenizer, VocabSpec(language, 50_000)), args.kept_vocab, full_rows)
        folders[role] = {
            "full": str(converted),
            "kept": str(with_vocabulary_map(converted, kept, uncopyable_ids(tokenizer))),
        }
        rows[role] = len(tokenizer)

    results: dict[str, list[dict]] = {}
    for _ in range(args.rounds):
        for name, env in CONFIGS.items():
            if args.only and name not in args.only:
                continue
            for threads in args.threads:
                spec = {
                    "folders": folders,
                    "token_rows": rows,
                    "compute_type": "int8",
                    "threads": threads,
                    "repeat": args.repeat,
                }
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", json.dumps(spec)],
                    env={**os.environ, **env},
                    capture_output=True,
                    text=True,
                    check=True,
                )
                label = f"{name}, {threads} thr"
                results.setdefault(label, []).append(json.loads(proc.stdout.strip().splitlines()[-1]))
                print(json.dumps({"config": label, **results[label][-1]}), flush=True)
    cases = list(next(iter(results.values()))[0])
    print(f"\n{'seconds, one request, median of ' + str(args.repeat):44}" + "".join(f"{c[:26]:>28}" for c in results))
    for case in cases:
        cells = []
        for runs in results.values():
            low, high = min(r[case] for r in runs), max(r[case] for r in runs)
            cells.append(f"{low:.2f}" if len(runs) == 1 else f"{low:.2f}-{high:.2f}")
        print(f"{case:44}" + "".join(f"{cell:>28}" for cell in cells))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(_child(json.loads(sys.argv[2]))))
    else:
        main()
