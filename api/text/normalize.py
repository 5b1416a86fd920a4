"""Make any caller's text safe for a sentencepiece tokenizer, keeping paragraph breaks."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_SURROGATES = re.compile("[\ud800-\udfff]")
# Invisible formatting that CMS exports scatter through words (zero-width space/joiners, BOM, soft hyphen).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")
_MANY_BREAKS = re.compile(r"\n{3,}")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cs"} and char not in "\n\t"


def without_surrogates(text: str) -> str:
    """Lone surrogates (JSON can carry "\\ud800") become U+FFFD: they cannot be encoded as UTF-8,
    which the tokenizer, RE2 and the job store all need."""
    return _SURROGATES.sub("\ufffd", text) if not text.isascii() else text


def expanded_length(text: str) -> int:
    """An upper bound of ``len(NFKC(text))``, the length the tokenizer reads (sentencepiece applies
    NFKC: U+FDFA becomes 18 characters), found without building the expansion: each distinct
    character's own NFKC length, times its count. Limits and charges use it, so a text cannot pass
    them short and be read long."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return len(text)
    return sum(count * len(unicodedata.normalize("NFKC", char)) for char, count in Counter(text).items())


def normalize_text(text: str) -> str:
    """NFC, no lone surrogates or control characters, one space between words, paragraphs kept.

    JSON can carry lone surrogates ("\\ud800") that cannot be encoded as UTF-8 and would crash the
    tokenizer; they become U+FFFD. Line separators become newlines so paragraphs survive.
    """
    text = without_surrogates(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = "".join(" " if _is_control(c) else c for c in text) if any(map(_is_control, text)) else text
    text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return _MANY_BREAKS.sub("\n\n", "\n".join(lines)).strip()
