"""Where the per-step time goes in CTranslate2: one request at the bench's real shapes, under each
instruction set / GEMM backend / thread layout, with the full and the kept vocabulary.

    python bench/ct2_sweep.py [--repeat 3] [--kept-vocab 60000]
    python bench/ct2_sweep.py --only "default (oneDNN, AVX2)" --threads 1 2 --rounds 3   # thread layouts
    python bench/ct2_sweep.py --gemm      # where a decoding step's GEMM time goes, per weight shape

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
    # Ringkas's default on AMD CPUs with AVX-512 VNNI: MKL told the CPU class (api/engines/gemm.py).
    "MKL, AVX-512 VNNI kernels (RINGKAS_MODELS__GEMM=auto)": {"RINGKAS_MODELS__GEMM": "auto"},
}
BEAMS = 4  # the --gemm probe: a lone request's beam search
GEMM_RUNS = 2  # --gemm: _time_case with repeat=1, a warm-up run and a timed one, both logged
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


def _ringkas_gemm() -> None:
    """A configuration that names RINGKAS_MODELS__GEMM gets Ringkas's choice, made before CTranslate2 loads."""
    if "RINGKAS_MODELS__GEMM" in os.environ:
        from api.engines.gemm import apply

        apply(os.environ["RINGKAS_MODELS__GEMM"])


def _child(spec: dict) -> dict:
    _ringkas_gemm()
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


def _gemm_child(spec: dict) -> None:
    """One request's first decoding steps at one thread, twice; oneDNN (ONEDNN_VERBOSE=1) logs every GEMM."""
    import ctranslate2

    role, folder = spec["role"], spec["folder"]
    translator = ctranslate2.Translator(folder, device="cpu", compute_type="int8", intra_threads=1)
    words = json.loads((Path(folder) / "shared_vocabulary.json").read_text())[: spec["token_rows"]]
    case = next(c for c in CASES if c[0] == role and c[3] == BEAMS)
    _time_case(translator, role, words, (role, case[1], spec["steps"], BEAMS), True, repeat=1)


def gemm_report(role: str, log: str, steps: int) -> str:
    """oneDNN's own timings of the decoder's GEMMs: the int8 weight GEMMs (with the rate at which
    they get through their weights, by the rows multiplied) and attention's float32 GEMMs. Medians
    per shape, so the first call's kernel generation does not count; encoder calls (more rows than
    beams) are left out."""
    calls: dict[tuple[str, int, int, int], list[float]] = {}
    for line in log.splitlines():
        parts = line.split(",")
        if not line.startswith("onednn_verbose,") or "exec" not in parts or "gemm_api" not in parts:
            continue
        (m, k), (_, n) = (map(int, side.split("x")) for side in parts[-2].split(":"))
        if m <= BEAMS:
            kind = "int8" if "wei_s8" in line else "f32"
            calls.setdefault((kind, m, k, n), []).append(float(parts[-1]))
    per_step = GEMM_RUNS * steps

    def total(kind: str, rows: int | None = None) -> tuple[float, float, float]:
        """Calls per step, ms per step and weight bytes per step of one kind (and row count)."""
        chosen = [(key, t) for key, t in calls.items() if key[0] == kind and rows in (None, key[1])]
        count = sum(len(t) for _, t in chosen) / per_step
        ms = sum(statistics.median(t) * len(t) for _, t in chosen) / per_step
        size = sum(key[2] * key[3] * len(t) for key, t in chosen) / per_step
        return count, ms, size

    count, ms, size = total("int8")
    lines = [
        f"{role}, kept vocabulary, one thread, beam {BEAMS}, first {steps} steps:",
        f"  int8 weight GEMMs: {count:.0f} calls/step, {ms:.1f} ms/step, weights read at {size / ms / 1e6:.1f} GB/s",
    ]
    for rows in sorted({key[1] for key in calls if key[0] == "int8"}):
        count, ms, size = total("int8", rows)
        lines.append(f"    {rows} row(s) per call: {ms / count * 1000:.0f} us/call, {size / ms / 1e6:.1f} GB/s")
    count, ms, _ = total("f32")
    lines.append(f"  float32 GEMMs (attention): {count:.0f} calls/step, {ms:.1f} ms/step")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kept-vocab", type=int, default=60000)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "ringkas" / "bench")
    parser.add_argument("--only", nargs="*", help="configuration names to run")
    parser.add_argument("--threads", type=int, nargs="+", default=[2], help="intra threads to try")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the configurations this often")
    parser.add_argument("--gemm", action="store_true", help="per-shape GEMM time of a decoding step (oneDNN's log)")
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from api.config import Settings
    from api.models.convert import ensure_converted, with_vocabulary_map
    from api.models.files import pad_kept
    from api.models.loading import ModelSource
    from api.models.vocab import VocabSpec, build_kept, uncopyable_ids

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

    if args.gemm:
        steps = 16
        for role in folders:
            spec = {"role": role, "folder": folders[role]["kept"], "token_rows": rows[role], "steps": steps}
            proc = subprocess.run(
                [sys.executable, __file__, "--gemm-child", json.dumps(spec)],
                env={**os.environ, "ONEDNN_VERBOSE": "1"},
                capture_output=True,
                text=True,
                check=True,
            )
            print(gemm_report(role, proc.stdout, steps), flush=True)
        return

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
    elif len(sys.argv) > 2 and sys.argv[1] == "--gemm-child":
        _gemm_child(json.loads(sys.argv[2]))
    else:
        main()
