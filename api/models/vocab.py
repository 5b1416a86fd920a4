"""The restricted output vocabulary: which tokens a model may write in its target language.

Decoding cost per step includes a projection onto every row of a 250k/256k output layer, while an
Indonesian summary or an English translation only ever uses a fraction of them (Ushio et al. 2023
trim mT5 to one language's ~60k most frequent tokens without losing task quality). The kept set is

- every token the model's own tokenizer makes of the target language's most frequent words
  (wordfreq's list, in lower case, Capitalised and UPPER case, as a word start);
- every token seen in an operator's own corpus (their archive), when one is given;
- every single-character piece of Latin script, digits and punctuation, so that no word ever becomes
  unwritable (sentencepiece can always spell a word piece by piece), and all-digit and
  all-punctuation pieces;
- the tokenizer's special tokens and the target language token.

Per request the source's own tokens are candidates too (a name found only in the article can always
be copied): the engines add them for each batch, the way CTranslate2's vocabulary map does.
Built once per model and settings at conversion time and cached as JSON; it never changes per call.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from api.records import jsonl_records

log = logging.getLogger(__name__)

# Bump when the way a kept set is built changes: cached sets are then rebuilt.
ALGORITHM = "kept-v1"
# A token must be seen this often in an operator's corpus to be kept (once is often noise).
CORPUS_MIN_COUNT = 2
WORD_START = "\u2581"  # sentencepiece's word-boundary mark


class NoWordList(ValueError):
    """wordfreq has no list for the language: that model decodes over its full vocabulary."""


@dataclass(frozen=True)
class VocabSpec:
    """What a kept set is built from (the settings side); ``key`` names its cache entry."""

    language: str  # the model's language code for the target (ind_Latn, eng_Latn, en ...)
    words: int  # how many of wordfreq's most frequent words
    corpus: tuple[Path, ...] = ()

    @property
    def wordfreq_language(self) -> str:
        return wordfreq_code(self.language)

    def key(self) -> str:
        digest = hashlib.sha256(f"{ALGORITHM}|{self.wordfreq_language}|{self.words}".encode())
        for path in self.corpus:
            digest.update(b"|")
            digest.update(_file_digest(path).encode())
        return digest.hexdigest()[:12]


@dataclass(frozen=True)
class KeptVocabulary:
    language: str
    ids: tuple[int, ...]  # sorted, without the per-request source tokens
    vocabulary_size: int
    sources: tuple[str, ...]
    coverage: dict[str, float] = field(default_factory=dict)  # corpus name -> share of its tokens kept
    key: str = ""

    @property
    def size(self) -> int:
        return len(self.ids)

    def summary(self) -> dict:
        """What /v1/models and fetch-models report."""
        return {
            "language": self.language,
            "kept": self.size,
            "of": self.vocabulary_size,
            "share": round(self.size / self.vocabulary_size, 4) if self.vocabulary_size else 0.0,
            "sources": list(self.sources),
            "coverage": {name: round(share, 4) for name, share in self.coverage.items()},
            "plus": "each request's own source tokens",
        }

    def to_json(self) -> str:
        data = asdict(self)
        data["ids"] = list(self.ids)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> KeptVocabulary:
        data = json.loads(text)
        return cls(
            language=data["language"],
            ids=tuple(data["ids"]),
            vocabulary_size=data["vocabulary_size"],
            sources=tuple(data["sources"]),
            coverage=data["coverage"],
            key=data["key"],
        )


def wordfreq_code(language: str) -> str:
    """ind_Latn / ind / id -> id; eng_Latn -> en: wordfreq names languages by their shortest tag."""
    import langcodes

    return langcodes.Language.get(language.split("_")[0]).language or language


def build_kept(tokenizer, spec: VocabSpec, extra_ids: Iterable[int] = ()) -> KeptVocabulary:
    """Computes the kept set with the model's own tokenizer (see the module docstring)."""
    import wordfreq

    language = spec.wordfreq_language
    if language not in wordfreq.available_languages():
        raise NoWordList(
            f"wordfreq has no word list for {spec.language!r} ({language}); set RINGKAS_MODELS__VOCAB=full, "
            "or give a corpus in that language"
        )
    words = wordfreq.top_n_list(language, spec.words)
    kept: set[int] = set()
    for ids in _encode(tokenizer, list(_case_variants(words))):
        kept.update(ids)
    from importlib.metadata import version

    sources = [f"wordfreq {version('wordfreq')}: {len(words)} most frequent '{language}' words (CC BY-SA 4.0)"]

    vocab = tokenizer.get_vocab()
    kept.update(index for piece, index in vocab.items() if _spells_or_punctuates(piece))
    # The structural special tokens, but not NLLB's 200 language codes or mT5's sentinels, which a
    # summary or translation must never contain; the target language token comes in ``extra_ids``.
    kept.update(structural_special_ids(tokenizer))
    kept.update(int(i) for i in extra_ids)

    coverage: dict[str, float] = {}
    if spec.corpus:
        counts = Counter[int]()
        for ids in _encode(tokenizer, list(_corpus_lines(spec.corpus))):
            counts.update(ids)
        # Coverage is measured before the corpus' own tokens are added: it says how well the default
        # set alone would have served this archive.
        coverage["corpus, wordfreq set alone"] = _share(counts, kept)
        kept.update(token for token, count in counts.items() if count >= CORPUS_MIN_COUNT)
        coverage["corpus"] = _share(counts, kept)
        sources.append(
            f"corpus: {', '.join(p.name for p in spec.corpus)} ({sum(counts.values())} tokens; "
            f"those seen {CORPUS_MIN_COUNT}+ times)"
        )
    # How much running text of the language the set covers, weighted by wordfreq's frequencies over
    # its whole list (beyond the words taken when the list is longer).
    coverage["wordfreq-weighted text"] = _frequency_weighted_share(tokenizer, language, kept)
    size = max(len(tokenizer), max(vocab.values()) + 1)
    pieces = {i: piece for piece, i in vocab.items()}
    return KeptVocabulary(
        language=spec.language,
        ids=tuple(sorted(i for i in kept if 0 <= i < size and nameable(pieces.get(i, "")))),
        vocabulary_size=size,
        sources=tuple(sources),
        coverage=coverage,
        key=spec.key(),
    )


def load_or_build(tokenizer, spec: VocabSpec, cache_file: Path, extra_ids: Iterable[int] = ()) -> KeptVocabulary:
    """The cached kept set for this model and spec, built (and written atomically) on first use."""
    if cache_file.is_file():
        try:
            kept = KeptVocabulary.from_json(cache_file.read_text(encoding="utf-8"))
            if kept.key == spec.key():
                return kept
        except (ValueError, KeyError):
            log.warning("rebuilding an unreadable kept-vocabulary cache file")
    kept = build_kept(tokenizer, spec, extra_ids)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    staging = cache_file.with_suffix(".partial")
    staging.write_text(kept.to_json(), encoding="utf-8")
    staging.replace(cache_file)
    log.info(
        "kept vocabulary for %s: %d of %d tokens (%s)",
        spec.language,
        kept.size,
        kept.vocabulary_size,
        ", ".join(f"{k} {v:.2%}" for k, v in kept.coverage.items()),
    )
    return kept


def uncopyable_ids(tokenizer) -> frozenset[int]:
    """Source tokens that are never copied as candidates: every special token (NLLB's source language
    code among them) and pieces with white space, which CTranslate2's map file cannot name."""
    never = set(tokenizer.all_special_ids)
    never.update(i for piece, i in tokenizer.get_vocab().items() if not nameable(piece))
    return frozenset(never)


def nameable(piece: str) -> bool:
    return bool(piece) and not any(ch in piece for ch in " \t\r\n")


def structural_special_ids(tokenizer) -> set[int]:
    names = ("bos_token_id", "eos_token_id", "unk_token_id", "pad_token_id")
    return {i for i in (getattr(tokenizer, name, None) for name in names) if i is not None}


def source_candidates(batch: Sequence[Sequence[int]], never: frozenset[int]) -> set[int]:
    """The per-request additions: every copyable token of every source in the batch (a batch shares
    one candidate set, as in CTranslate2)."""
    return {token for seq in batch for token in seq if token not in never}


# --- helpers ----------------------------------------------------------------------------------------
def _case_variants(words: Iterable[str]) -> Iterator[str]:
    for word in words:
        yield word
        if word[:1].isalpha():
            yield word[:1].upper() + word[1:]
            yield word.upper()


def _encode(tokenizer, texts: list[str], chunk: int = 4096) -> Iterator[list[int]]:
    for start in range(0, len(texts), chunk):
        yield from tokenizer(texts[start : start + chunk], add_special_tokens=False).input_ids


def _spells_or_punctuates(piece: str) -> bool:
    """A piece kept so that nothing is unwritable: one Latin letter (with or without the word-start
    mark), the mark itself, or a piece of only digits or only punctuation and symbols."""
    body = piece[1:] if piece.startswith(WORD_START) else piece
    if not body:
        return piece == WORD_START
    if len(body) == 1 and body.isalpha():
        return body.isascii() or "LATIN" in unicodedata.name(body, "")
    if body.isdigit():
        return True
    return all(unicodedata.category(ch)[0] in "PS" for ch in body)


def _share(counts: Counter, kept: set[int]) -> float:
    total = sum(counts.values())
    return sum(count for token, count in counts.items() if token in kept) / total if total else 1.0


def _frequency_weighted_share(tokenizer, language: str, kept: set[int]) -> float:
    import wordfreq

    words = wordfreq.top_n_list(language, 100_000)
    weights = [wordfreq.word_frequency(word, language) for word in words]
    inside = total = 0.0
    for weight, ids in zip(weights, _encode(tokenizer, words), strict=True):
        total += weight * len(ids)
        inside += weight * sum(1 for token in ids if token in kept)
    return inside / total if total else 1.0


def _corpus_lines(paths: Sequence[Path]) -> Iterator[str]:
    """An archive as JSONL (a ``text`` field, else every string value), CSV (a ``text`` column) or
    plain text; a line that is not JSON in a .jsonl file is an error that names it."""
    for path in paths:
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".ndjson"):
            for _, record in jsonl_records(path, errors="replace"):
                if isinstance(record, dict):
                    text = record.get("text")
                    yield text if isinstance(text, str) else " ".join(v for v in record.values() if isinstance(v, str))
            continue
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            if suffix == ".csv":
                for row in csv.DictReader(handle):
                    if row.get("text"):
                        yield row["text"]
            else:
                yield from (line for line in handle if line.strip())


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
