"""Sentences that say the same thing across the articles of one story: TF-IDF cosine over character
n-grams (scikit-learn), with two guards a bag of n-grams cannot see.

Why this method: a story cluster is at most a few thousand sentences, so every pair can be compared
exactly with one sparse matrix product; MinHash/LSH only approximates that pair set, and is built for
millions of documents. Character n-grams within words (``char_wb``) match Indonesian words across
their affixes (``diselesaikan``/``menyelesaikan``), which word shingles miss, and the inverse document
frequency is fitted on the cluster itself, so the names every article repeats (Putin, Ukraina) weigh
less than what a sentence actually says.

The guards (what a later sentence adds keeps it, however alike the rest):
- figures: a sentence with a number (digits or an Indonesian number word) the kept one lacks is never
  its duplicate: "1.200 rumah" and "1.500 rumah" both stay;
- names: nor is one that names a person or place the kept one does not (Cianjur / Garut);
- polarity: nor one negated where the other is not ("ada kemajuan" / "tidak ada kemajuan");
- quotes: the same quote with another attribution ("..., kata Ushakov" / "..., ujarnya kepada
  wartawan") is compared by what is inside the quotation marks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 0.55
MIN_QUOTE_CHARS = 24  # a shorter quote ("Produktif") is too common a word to stand for a sentence
MAX_CANDIDATES = 16  # the most similar kept sentences a sentence is checked against (guards included)

_OPENING = "“‘"
_CLOSING = "”’"
_STRAIGHT = '"'
_NUMBER_WORDS = frozenset(
    """
    nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas seratus seribu sejuta
    belas puluh ratus ribu juta miliar triliun setengah separuh pertama kedua ketiga keempat kelima
    """.split()
)


_NEGATIONS = frozenset("tidak tak belum bukan tanpa jangan enggan gagal batal".split())


def _words(text: str):
    """(position, word) of each run of letters: one scan, no regex."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isalpha():
            start = i
            while i < n and (text[i].isalpha() or text[i] in "-'"):
                i += 1
            yield start, text[start:i]
        else:
            i += 1


def names(text: str) -> frozenset[str]:
    """Capitalised words after the first: the people, places and bodies a sentence names."""
    return frozenset(word.lower() for k, (_, word) in enumerate(_words(text)) if k and word[0].isupper())


def negated(text: str) -> bool:
    return any(word.lower() in _NEGATIONS for _, word in _words(text))


def figures(text: str) -> frozenset[str]:
    """The numbers a sentence states: digit runs with their separators dropped ("Rp16.440" and
    "16.440" are one figure; "2,5" stays apart from "25" by its comma), and Indonesian number
    words."""
    found: set[str] = set()
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isdigit():
            start = i
            while i < n and (text[i].isdigit() or (text[i] in ".," and i + 1 < n and text[i + 1].isdigit())):
                i += 1
            run = text[start:i]
            decimal = "," in run  # Indonesian decimal comma; dots group thousands
            found.add(run.replace(".", "") if decimal else run.replace(".", "").replace(",", ""))
        else:
            i += 1
    found.update(word.lower() for _, word in _words(text) if word.lower() in _NUMBER_WORDS)
    return frozenset(found)


def quoted(text: str) -> str | None:
    """What a sentence quotes, when the quotation is the sentence's substance and its attribution
    the rest; None when it quotes nothing (or too little to compare). A closing mark before any
    opening one ends a quote the previous sentence opened."""
    inside: list[str] = []
    start: int | None = None
    opened_before = True  # until a mark says otherwise, the sentence may continue an open quote
    for i, char in enumerate(text):
        # A straight quote opens at the start or after a space or bracket, and closes anywhere else.
        if char in _OPENING or (char == _STRAIGHT and start is None and (i == 0 or text[i - 1] in " ([")):
            start, opened_before = i + 1, False
        elif char in _CLOSING or char == _STRAIGHT:
            if start is not None:
                inside.append(text[start:i])
                start = None
            elif opened_before:
                inside.append(text[:i])
            opened_before = False
    if start is not None:
        inside.append(text[start:])
    core = " ".join(part.strip(" ,.") for part in inside).strip()
    if len(core) < MIN_QUOTE_CHARS or len(core) > 0.9 * len(text):
        return None
    return core


@dataclass(frozen=True)
class Match:
    """Sentence ``later`` says what ``earlier`` said (positions in the list given to ``find``)."""

    later: int
    earlier: int
    similarity: float
    by: str  # "sentence" or "quote"


@dataclass(frozen=True)
class _Facts:
    figures: frozenset[str]
    names: frozenset[str]
    negated: bool

    @classmethod
    def of(cls, text: str) -> _Facts:
        return cls(figures(text), names(text), negated(text))

    def within(self, kept: _Facts) -> bool:
        """Nothing here that the kept sentence does not say too."""
        return self.figures <= kept.figures and self.names <= kept.names and self.negated == kept.negated


def _vectorizer():
    # Imported here: scikit-learn takes seconds to import, which every process start (a CLI
    # command, a worker) would pay whether or not it ever makes a digest.
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True, dtype=np.float32)


def similarities(texts: list[str]):
    """The cosine similarity of every pair (a sparse matrix; rows are L2-normalised by TF-IDF)."""
    matrix = _vectorizer().fit_transform(texts)
    return (matrix @ matrix.T).tocsr()


def find(texts: list[str], groups: list[int], threshold: float = DEFAULT_THRESHOLD) -> dict[int, Match]:
    """For each sentence that repeats an earlier one of another group (article), the match.

    ``texts`` come in order of preference (the earliest article's first): the earlier of two
    duplicates is the one kept, and a sentence is only ever matched to a kept one, so a chain
    A~B~C never drops C for resembling a B that was dropped itself."""
    if len(texts) < 2:
        return {}
    full = similarities(texts)
    cores = {i: core for i, text in enumerate(texts) if (core := quoted(text))}
    core_index = list(cores)
    core_sims = similarities([cores[i] for i in core_index]) if len(core_index) > 1 else None
    core_pos = {sentence: k for k, sentence in enumerate(core_index)}
    facts = [_Facts.of(text) for text in texts]
    core_facts = {i: _Facts.of(core) for i, core in cores.items()}

    found: dict[int, Match] = {}
    kept = np.zeros(len(texts), dtype=bool)
    group = np.asarray(groups)
    core_sentence = np.asarray(core_index, dtype=np.int64)
    for later in range(len(texts)):
        best = _first_within(full, later, np.arange(len(texts)), kept, group, threshold, facts, facts[later])
        match = Match(later, best[0], round(best[1], 3), "sentence") if best else None
        if core_sims is not None and later in cores:
            by_quote = _first_within(
                core_sims, core_pos[later], core_sentence, kept, group, threshold, core_facts, core_facts[later]
            )
            if by_quote and (match is None or by_quote[1] > match.similarity):
                match = Match(later, by_quote[0], round(by_quote[1], 3), "quote")
        if match is None:
            kept[later] = True
        else:
            found[later] = match
    return found


def _first_within(matrix, row, sentence_of, kept, group, threshold, facts, own) -> tuple[int, float] | None:
    """The most similar kept sentence of another article, at or over the threshold, that says all
    this one says (the guards); only the MAX_CANDIDATES most similar are examined, which bounds the
    work per sentence however alike a cluster's sentences are."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    scores = matrix.data[start:end]
    sentences = sentence_of[matrix.indices[start:end]]
    here = sentence_of[row]
    usable = (scores >= threshold) & kept[sentences] & (group[sentences] != group[here])
    scores, sentences = scores[usable], sentences[usable]
    if len(scores) > MAX_CANDIDATES:
        top = np.argpartition(-scores, MAX_CANDIDATES)[:MAX_CANDIDATES]
        scores, sentences = scores[top], sentences[top]
    for k in np.argsort(-scores, kind="stable"):
        earlier = int(sentences[k])
        if own.within(facts[earlier]):
            return earlier, float(scores[k])
    return None
