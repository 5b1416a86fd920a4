"""What ``ringkas bench`` measures: real-shape random models, output lengths pinned, and the
summaries cut into the sentences the service would translate."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from api.config import DEFAULT_PROMPTS, SEEDS

SUMMARY_TOKENS = 64  # mT5: 512 tokens in, 64 out
TRANSLATION_TOKENS = 80  # NLLB, the summary as one segment (the first workload, kept for the history)
SENTENCES = 3  # the real unit: a summary of three sentences, translated as one batch of segments
# NLLB out per sentence: a third of a random 64-token summary is 30-45 translator tokens in (the
# bench's small tokenizers split its odd words finely), and the limit must stay below that of the
# whole summary as one segment (85-105 in), which the step of this size keeps apart.
SEGMENT_TOKENS = 48
CONCURRENCY = 8


# --- models and prompts with the real shapes ----------------------------------------------------
def build_bench_models(folder: Path) -> dict[str, Path]:
    """mT5-base and NLLB-600M shapes, random weights, with the tiny seed-trained tokenizers (the
    embedding tables keep the real 250k/256k rows, so the output projection costs what it really costs)."""
    from transformers import AutoTokenizer

    from api.tiny_models import SHAPES, build_tiny_models, new_m2m100, new_mt5

    paths = {"summarizer": folder / "mt5-base-v2", "translator": folder / "nllb-600m-v2"}
    if all((path / "model.safetensors").is_file() for path in paths.values()):
        return paths
    tiny = folder / "tokenizers"
    build_tiny_models(tiny)
    tokenizer = AutoTokenizer.from_pretrained(tiny / "summarizer")
    mt5 = new_mt5(tokenizer, 250112, SHAPES["real"]["mt5"])
    _keep_summaries_translatable(mt5, tokenizer)
    _save(mt5, tokenizer, paths["summarizer"])
    del mt5
    tokenizer = AutoTokenizer.from_pretrained(tiny / "translator")
    _save(new_m2m100(tokenizer, 256206, SHAPES["real"]["m2m100"]), tokenizer, paths["translator"])
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
    """The shipped prompts with output lengths pinned (min = max) for both models. The translator's
    limit grows with the input in steps of SEGMENT_TOKENS, capped at TRANSLATION_TOKENS: a sentence
    segment (at most SEGMENT_TOKENS tokens in) writes SEGMENT_TOKENS, the whole summary as one segment
    (more than twice that in) writes TRANSLATION_TOKENS; the minimum follows the limit."""
    folder.mkdir(parents=True, exist_ok=True)
    summarize = yaml.safe_load((DEFAULT_PROMPTS / "summarize.yaml").read_text())
    medium = summarize["presets"]["medium"]
    medium.update(max_new_tokens=SUMMARY_TOKENS, min_new_tokens=SUMMARY_TOKENS)
    translate = yaml.safe_load((DEFAULT_PROMPTS / "translate.yaml").read_text())
    translate["decoding"].update(
        min_new_tokens=TRANSLATION_TOKENS,
        max_new_tokens=TRANSLATION_TOKENS,
        ratio=1.0,
        margin=0,
        bucket=SEGMENT_TOKENS,
    )
    (folder / "summarize.yaml").write_text(yaml.safe_dump(summarize))
    (folder / "translate.yaml").write_text(yaml.safe_dump(translate))
    shutil.copyfile(DEFAULT_PROMPTS / "boilerplate.yaml", folder / "boilerplate.yaml")
    return folder


def summary_sentences(summary: str, tokenizer, count: int = SENTENCES) -> list[str]:
    """The summary cut into ``count`` sentences of (nearly) equal token counts. The bench's summarizer
    never writes sentence punctuation (``_keep_summaries_translatable``), so this fixes how many
    segments a summary makes and how long each is; real summaries have two to four sentences. A cut
    moves by a token or two where the service's splitter would not see a boundary there (a piece
    ending in a single letter reads as an initial, one starting with a comma has no capital), so the
    service translates exactly these sentences, as the peer does."""
    from api.text import split_sentences

    ids = tokenizer(summary, add_special_tokens=False).input_ids
    size = -(-len(ids) // count)

    def piece(a: int, b: int) -> str:
        text = tokenizer.decode(ids[a:b], skip_special_tokens=True).strip()
        return text[:1].upper() + text[1:] + "." if text else ""

    bounds = [0]
    for k in range(1, count):
        target = k * size
        if target >= len(ids):
            break
        for shift in (0, 1, -1, 2, -2, 3, -3):
            cut = target + shift
            if not bounds[-1] < cut < len(ids):
                continue
            left, right = piece(bounds[-1], cut), piece(cut, min(cut + size, len(ids)))
            if left and right and split_sentences(f"{left} {right}") == [left, right]:
                break
        else:
            cut = target
        bounds.append(cut)
    bounds.append(len(ids))
    pieces = [piece(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    return [text for text in pieces if text]


def read_articles() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
