"""Builds tiny, deterministic checkpoints of the real architectures for tests, CI and demos.

Same classes and files as the real models (MT5ForConditionalGeneration with a T5 sentencepiece
tokenizer; M2M100ForConditionalGeneration with an NLLB tokenizer and its language-code tokens), so
they go through exactly the loading and serving path of csebuetnlp/mT5_multilingual_XLSum and
facebook/nllb-200-distilled-600M. The weights are random: the output is gibberish by design.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from api.config import SEEDS
from api.text import normalize_text

DEFAULT_SEEDS = SEEDS
VOCAB_SIZE = 1000
CARD = """---
license: apache-2.0
library_name: transformers
tags: [ringkas-tiny, random-weights]
---
# Ringkas tiny {role}

{arch} with random weights and a sentencepiece vocabulary trained on the Ringkas seed articles.
For tests only: its output is gibberish.
"""


def _corpus(seeds_dir: Path) -> list[str]:
    files = sorted(Path(seeds_dir).glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no seed articles (*.txt) in {seeds_dir}")
    lines = []
    for path in files:
        lines.extend(line for line in normalize_text(path.read_text(encoding="utf-8")).split("\n") if line)
    return lines


def _train_spm(lines: list[str], target: Path, model_type: str, ids: dict[str, int]) -> Path:
    import sentencepiece as spm

    model = io.BytesIO()  # in memory: a model_prefix path would be baked into the file
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        model_type=model_type,
        vocab_size=VOCAB_SIZE,
        hard_vocab_limit=False,  # a small corpus may not support the full size
        character_coverage=1.0,
        num_threads=1,  # one thread: the same vocabulary on every run
        minloglevel=2,
        **ids,
    )
    target.write_bytes(model.getvalue())
    return target


# The model shapes Ringkas builds with random weights, in one table: "tiny" for the tests and the
# demo, "real" (mT5-base, NLLB-200-distilled-600M) for `ringkas bench`, whose embedding tables keep
# the real 250k/256k rows.
# The real checkpoints' embeddings have rows past their tokenizers (mT5: 250,112 for 250,100 tokens;
# NLLB-200: 256,206 for 256,204). The tiny ones keep as many, so those rows are tested too.
PADDING_ROWS = {"mt5": 12, "m2m100": 2}
SHAPES = {
    "tiny": {
        "mt5": {"d_model": 64, "d_ff": 128, "d_kv": 16, "num_layers": 2, "num_decoder_layers": 2, "num_heads": 4},
        "m2m100": {
            "d_model": 64,
            "encoder_layers": 2,
            "decoder_layers": 2,
            "encoder_attention_heads": 4,
            "decoder_attention_heads": 4,
            "encoder_ffn_dim": 128,
            "decoder_ffn_dim": 128,
        },
    },
    "real": {
        "mt5": {"d_model": 768, "d_ff": 2048, "d_kv": 64, "num_layers": 12, "num_decoder_layers": 12, "num_heads": 12},
        "m2m100": {
            "d_model": 1024,
            "encoder_layers": 12,
            "decoder_layers": 12,
            "encoder_attention_heads": 16,
            "decoder_attention_heads": 16,
            "encoder_ffn_dim": 4096,
            "decoder_ffn_dim": 4096,
        },
    },
}


def new_mt5(tokenizer, vocab_size: int, dims: dict, seed: int = 0):
    """A random MT5ForConditionalGeneration of the given size, special ids taken from the tokenizer."""
    import torch
    from transformers import MT5Config, MT5ForConditionalGeneration

    config = MT5Config(
        vocab_size=vocab_size,
        feed_forward_proj="gated-gelu",
        decoder_start_token_id=tokenizer.pad_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        architectures=["MT5ForConditionalGeneration"],
        **dims,
    )
    torch.manual_seed(seed)
    model = MT5ForConditionalGeneration(config)
    # Real mT5 checkpoints keep a separate (untied) output layer; so does this one, so that code
    # which wrongly assumes tied embeddings fails on the tiny model as it would on the real one.
    model.lm_head.weight = torch.nn.Parameter(torch.randn(config.vocab_size, config.d_model) * config.d_model**-0.5)
    return model


def new_m2m100(tokenizer, vocab_size: int, dims: dict, seed: int = 0):
    """A random M2M100ForConditionalGeneration (NLLB-200 layout: scaled, tied embeddings)."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    config = M2M100Config(
        vocab_size=vocab_size,
        max_position_embeddings=1024,
        scale_embedding=True,
        bos_token_id=tokenizer.bos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        architectures=["M2M100ForConditionalGeneration"],
        **dims,
    )
    torch.manual_seed(seed)
    return M2M100ForConditionalGeneration(config)


def build_summarizer(out: Path, lines: list[str], seed: int = 0) -> Path:
    from transformers import T5Tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        ids = {"pad_id": 0, "eos_id": 1, "unk_id": 2, "bos_id": -1}  # mT5's spiece layout
        spm_file = _train_spm(lines, Path(tmp) / "spiece.model", "unigram", ids)
        tokenizer = T5Tokenizer.from_pretrained(tmp, extra_ids=0)
        model = new_mt5(tokenizer, len(tokenizer) + PADDING_ROWS["mt5"], SHAPES["tiny"]["mt5"], seed)
        _save(out, model, tokenizer, spm_file, "summarizer", "MT5ForConditionalGeneration")
    return out


def build_translator(out: Path, lines: list[str], seed: int = 0) -> Path:
    from transformers import NllbTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    with tempfile.TemporaryDirectory() as tmp:
        ids = {"bos_id": 0, "pad_id": 1, "eos_id": 2, "unk_id": 3}  # NLLB's fairseq layout
        spm_file = _train_spm(lines, Path(tmp) / "sentencepiece.bpe.model", "bpe", ids)
        tokenizer = NllbTokenizer.from_pretrained(tmp, src_lang="ind_Latn", extra_special_tokens=FAIRSEQ_LANGUAGE_CODES)
        model = new_m2m100(tokenizer, len(tokenizer) + PADDING_ROWS["m2m100"], SHAPES["tiny"]["m2m100"], seed)
        _save(out, model, tokenizer, spm_file, "translator", "M2M100ForConditionalGeneration (NLLB-200 layout)")
    return out


def _save(out: Path, model, tokenizer, spm_file: Path, role: str, arch: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    # Generation defaults stay neutral: Ringkas passes every decoding setting explicitly.
    model.generation_config.max_length = None
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    # Ship the sentencepiece model too, as the real checkpoints do.
    shutil.copyfile(spm_file, out / spm_file.name)
    (out / "README.md").write_text(CARD.format(role=role, arch=arch), encoding="utf-8")


def build_tiny_models(out_dir: Path, seeds_dir: Path = DEFAULT_SEEDS) -> dict[str, Path]:
    """Writes ``out_dir/summarizer`` and ``out_dir/translator``; the same bytes of weights every run."""
    lines = _corpus(seeds_dir)
    out_dir = Path(out_dir)
    return {
        "summarizer": build_summarizer(out_dir / "summarizer", lines),
        "translator": build_translator(out_dir / "translator", lines),
    }
