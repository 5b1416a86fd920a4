"""Sentence splitting for Indonesian news text, so translation sees whole sentences."""

from __future__ import annotations

# Abbreviations that end with a period inside an Indonesian sentence (titles, units, "dan lain-lain").
_ABBREVIATIONS = frozenset(
    """
    dr drs dra prof ir hj h kh st sdr sdri bpk bu pak jl jln kec kab kel prov no nomor hlm tel telp
    dll dsb dst tsb yth a.n u.p s.d sd mr mrs ms jr sr vs etc inc ltd co corp gov kompol ipda aiptu
    brigjen irjen komjen jend kol letkol mayjen laksma marsma
    """.split()
)
# A boundary: terminal punctuation, optional closing quotes/brackets, whitespace, then a likely start
# (a capital or a digit, perhaps after an opening quote or bracket). Found by one scan of the
# paragraph, in linear time: a regex with those runs backtracks (docs/decisions.md).
_TERMINALS = ".!?…"
_CLOSERS = "\"'”’)]"
_OPENERS = "\"'“‘(["
# The end of a sentence this long decides whether it ends with an abbreviation (the longest, with an
# opening quote, is shorter): looking at no more keeps a paragraph of "Dr. Dr. Dr. …" linear.
_ABBREVIATION_TAIL = 16


def _capital_or_digit(char: str) -> bool:
    return "A" <= char <= "Z" or "0" <= char <= "9" or "À" <= char <= "Ý"


def _boundaries(paragraph: str):
    """(end of the sentence, start of the next) for every boundary, left to right, in linear time."""
    i, n = 0, len(paragraph)
    while i < n:
        if paragraph[i] not in _TERMINALS:
            i += 1
            continue
        while i < n and paragraph[i] in _TERMINALS:
            i += 1
        while i < n and paragraph[i] in _CLOSERS:
            i += 1
        end, start = i, i
        while start < n and paragraph[start].isspace():
            start += 1
        if start == end or start == n:
            continue
        first = paragraph[start]
        if _capital_or_digit(first) or (
            first in _OPENERS and start + 1 < n and _capital_or_digit(paragraph[start + 1])
        ):
            yield end, start


def _ends_with_abbreviation(chunk: str) -> bool:
    if not chunk.endswith(".") or len(chunk) < 2 or chunk[-2].isspace():
        return False
    word = chunk[:-1].rsplit(None, 1)[-1].lower().lstrip("(\"'“‘")
    # Single letters are initials ("H. Agus Salim", "M. Yamin").
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[str]:
    """Paragraphs first (newlines are always boundaries), then punctuation followed by a capital."""
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        start = 0
        for end, following in _boundaries(paragraph):
            if _ends_with_abbreviation(paragraph[max(start, end - _ABBREVIATION_TAIL) : end]):
                continue
            sentences.append(paragraph[start:end].strip())
            start = following
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences
