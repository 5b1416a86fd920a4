"""Sentence splitting for Indonesian news text, so translation sees whole sentences."""

from __future__ import annotations

import re

# Abbreviations that end with a period inside an Indonesian sentence (titles, units, "dan lain-lain").
_ABBREVIATIONS = frozenset(
    """
    dr drs dra prof ir hj h kh st sdr sdri bpk bu pak jl jln kec kab kel prov no nomor hlm tel telp
    dll dsb dst tsb yth a.n u.p s.d sd mr mrs ms jr sr vs etc inc ltd co corp gov kompol ipda aiptu
    brigjen irjen komjen jend kol letkol mayjen laksma marsma
    """.split()
)
# A boundary: terminal punctuation, optional closing quotes/brackets, whitespace, then a likely start.
_BOUNDARY = re.compile(r"([.!?…]+[\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9À-Ý])")


def _ends_with_abbreviation(chunk: str) -> bool:
    match = re.search(r"(\S+)\.$", chunk)
    if not match:
        return False
    word = match.group(1).lower().lstrip("(\"'“‘")
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
        for match in _BOUNDARY.finditer(paragraph):
            candidate = paragraph[start : match.end(1)]
            if _ends_with_abbreviation(candidate):
                continue
            sentences.append(candidate.strip())
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences
