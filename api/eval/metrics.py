"""Scores computed by the libraries the field uses, and bootstrap intervals over items.

- ROUGE-1/2/L F1 with Google's ``rouge-score``, with the tokenisation of XL-Sum's multilingual ROUGE
  (the scorer its published figures come from): lower case, control characters dropped, every
  Unicode punctuation character (and ASCII symbol) a separator, no stemmer (it has none for
  Indonesian). rouge-score's own tokenizer would delete every non-ASCII letter. Reported, as XL-Sum
  does, as the mean of per-item F1 x 100.
- chrF++ and BLEU with ``sacrebleu``, corpus-level, with its signature. Bootstrap resamples sum the
  per-item sufficient statistics sacrebleu extracts, as its own paired bootstrap does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

import numpy as np

CONFIDENCE = 0.95


class XlsumTokenizer:
    """rouge-score tokenizer interface (``tokenize(text) -> list[str]``)."""

    def tokenize(self, text: str) -> list[str]:
        text = "".join(
            " " if unicodedata.category(c) == "Zs" or c in "\t\n\r" else c
            for c in text.lower()
            if c not in "\x00\ufffd" and (c in "\t\n\r" or not unicodedata.category(c).startswith("C"))
        )
        return "".join(" " if _is_punctuation(c) else c for c in text).split()


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


class Scorer:
    """Per-item statistics for one metric, and the corpus score of any subset of items."""

    name: str
    signature: str | None = None

    def stats(self, hypotheses: Sequence[str], references: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def score(self, stats: np.ndarray) -> float:
        raise NotImplementedError


class Rouge(Scorer):
    def __init__(self, variant: str):
        from rouge_score import rouge_scorer

        self.name, self.variant = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L"}[variant], variant
        self.signature = f"rouge-score {variant} F1, XL-Sum multilingual tokenisation, no stemmer"
        self._scorer = rouge_scorer.RougeScorer([variant], tokenizer=XlsumTokenizer())

    def stats(self, hypotheses, references):
        return np.array(
            [
                [self._scorer.score(ref, hyp)[self.variant].fmeasure]
                for hyp, ref in zip(hypotheses, references, strict=True)
            ]
        )

    def score(self, stats):
        return float(stats[:, 0].mean() * 100) if len(stats) else 0.0


class Sacrebleu(Scorer):
    def __init__(self, kind: str):
        from sacrebleu.metrics import BLEU, CHRF

        self._metric = CHRF(word_order=2) if kind == "chrf++" else BLEU()
        self.name = "chrF++" if kind == "chrf++" else "BLEU"

    def stats(self, hypotheses, references):
        stats = np.array(self._metric._extract_corpus_statistics(list(hypotheses), [list(references)]))
        self.signature = str(self._metric.get_signature())
        return stats

    def score(self, stats):
        return float(self._metric._compute_score_from_stats(list(stats.sum(axis=0))).score)


def scorers(task: str) -> list[Scorer]:
    if task in ("summarize", "digest"):
        return [Rouge("rouge1"), Rouge("rouge2"), Rouge("rougeL")]
    return [Sacrebleu("chrf++"), Sacrebleu("bleu")]


def resamples(n: int, samples: int, seed: int = 12345) -> np.ndarray:
    """Item indices for each bootstrap resample; the same for every configuration, so differences
    between configurations are paired."""
    return np.random.default_rng(seed).integers(0, n, size=(samples, n))


def interval(values: np.ndarray) -> tuple[float, float]:
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def bootstrap(score: Callable[[np.ndarray], float], stats: np.ndarray, draws: np.ndarray) -> tuple[float, float]:
    return interval(np.array([score(stats[index]) for index in draws]))


def paired_difference(scorer: Scorer, a: np.ndarray, b: np.ndarray, draws: np.ndarray) -> dict:
    """b minus a, on the whole set and with its bootstrap interval over the same resamples."""
    diffs = np.array([scorer.score(b[index]) - scorer.score(a[index]) for index in draws])
    low, high = interval(diffs)
    return {"difference": scorer.score(b) - scorer.score(a), "ci95": [low, high]}
