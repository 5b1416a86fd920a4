"""The headline glued after a "Baca juga:" label inside a story paragraph, found word by word.

"Ahli gizi menyarankan minum air. Baca juga: Lima Minuman Sehat untuk Kerja di Kantor Asupan cairan
juga bisa didapat dari buah." The headline is a run of title-case words (short function words
allowed); it ends at the end of the line, or where a capitalised word is followed by a lower-case one
(the next story sentence: "Asupan cairan"). That stop is a look-ahead, which a linear-time regex engine
does not have, so it is code: one pass over at most ``MAX_HEADLINE_WORDS`` words.
"""

from __future__ import annotations

# Lower-case words a headline may hold ("Harga Beras Naik di Pasar Induk").
FUNCTION_WORDS = frozenset(
    "di ke dan yang untuk dari pada dengan atau vs jadi usai soal hingga bagi tak akan ada jelang demi oleh "
    "saat terkait karena agar per kok ini of the and in to for on".split()
)
# Of those, the ones that continue a headline after a capitalised word rather than start a sentence's
# predicate ("Kantor di ..." is still the headline; "Asupan cairan" is the story again).
_CONTINUE_HEADLINE = FUNCTION_WORDS - frozenset("kok ini of the and in to for on".split())
_HEADLINE_START = frozenset("\"'‘“(")
# No headline is longer; the bound keeps many labels on one line from rescanning the same words.
MAX_HEADLINE_WORDS = 40


def _words(text: str, start: int, limit: int) -> list[tuple[int, int]]:
    """(start, end) of up to ``limit`` whitespace-separated words from ``start``."""
    words: list[tuple[int, int]] = []
    i, n = start, len(text)
    while len(words) < limit:
        while i < n and text[i].isspace():
            i += 1
        if i == n:
            break
        j = i
        while j < n and not text[j].isspace():
            j += 1
        words.append((i, j))
        i = j
    return words


def _is_headline_word(word: str) -> bool:
    first = word[0]
    return (
        (first.isascii() and (first.isupper() or first.isdigit()))
        or first in _HEADLINE_START
        or (word in FUNCTION_WORDS)
    )


def _starts_sentence(word: str, following: str) -> bool:
    """A capitalised word followed by a lower-case one that does not continue a headline."""
    first, next_first = word[0], following[0]
    return (
        first.isascii()
        and first.isupper()
        and next_first.isascii()
        and next_first.islower()
        and following.rstrip(",.;:!?") not in _CONTINUE_HEADLINE
    )


def headline_end(text: str, start: int) -> int | None:
    """Where the headline that begins at ``start`` ends (the start of the story sentence after it, or
    the end of the text), or None when the words there do not read as a headline."""
    words = _words(text, start, MAX_HEADLINE_WORDS + 2)
    for index, (begin, end) in enumerate(words[: MAX_HEADLINE_WORDS + 1]):
        if index and index + 1 < len(words):
            following = text[words[index + 1][0] : words[index + 1][1]]
            if _starts_sentence(text[begin:end], following):
                return begin
        if not _is_headline_word(text[begin:end]):
            return None
        if index + 1 == len(words):
            return len(text)  # the headline closes the line
    return None
