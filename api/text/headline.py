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


# A line longer than this is a paragraph, whatever its capitals.
MAX_HEADLINE_LINE_CHARS = 160
# At least this share of a headline's words start with a capital or a digit (function words aside).
TITLE_CASE_SHARE = 0.7


def reads_as_headline(line: str, min_words: int) -> bool:
    """A whole line that reads as another story's headline: title case, no closing period, not a
    quote, short. ("Harga Cabai Rawit Melonjak Jelang Natal" yes; "Harga cabai naik lagi." no.)"""
    text = line.strip()
    if not text or len(text) > MAX_HEADLINE_LINE_CHARS or text[-1] in ".,;:" or text[0] in "\"“‘'":
        return False
    words = text.split()
    if len(words) < min_words:
        return False
    content = [word for word in words if word.lower() not in FUNCTION_WORDS]
    capitalised = sum(1 for word in content if word[0].isupper() or word[0].isdigit() or word[0] in "(\"'“‘")
    return bool(content) and capitalised >= TITLE_CASE_SHARE * len(content)


def is_tag_line(line: str) -> bool:
    """A lone tag in parentheses, such as a reporter's initials: "(ant)", "(Yas/Ahm)"."""
    text = line.strip()
    return 3 <= len(text) <= 40 and text[0] == "(" and text[-1] == ")" and "(" not in text[1:-1]
