"""A story cluster's input to the summarizer: every article's sentences, the ones an earlier article
already said dropped, the rest chosen to fit one window, with where each came from.

Called by the pipeline (``Pipeline.digest``) after each article went through ``read_article``; pure
apart from the token counter it is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from api.text.redundancy import DEFAULT_THRESHOLD, Match, find
from api.text.sentences import split_sentences


@dataclass(frozen=True)
class DigestLimits:
    max_articles: int = 20
    max_chars: int = 200_000
    max_sentences: int = 1_000
    similarity: float = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Piece:
    """One sentence of one article: ``article`` is its position in the request."""

    article: int
    sentence: int
    text: str


@dataclass(frozen=True)
class Composition:
    text: str
    used: list[Piece]  # in the order of ``text``
    dropped: list[tuple[Piece, Piece, Match]]  # (the duplicate, the sentence kept, how they matched)
    left_out: list[Piece]  # unique, but past the window
    sentences: dict[int, list[str]]  # each article's sentences
    tokens: int
    window: int


def _moment(date: str | None) -> datetime | None:
    if date is None:
        return None
    moment = datetime.fromisoformat(date)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def reading_order(dates: list[str | None]) -> list[int]:
    """Articles from the earliest: dated ones by date, then undated ones, each in the request's order.
    The first one leads the digest, and its version of a repeated sentence is the one kept."""
    return sorted(range(len(dates)), key=lambda i: (_moment(dates[i]) is None, _moment(dates[i]) or 0, i))


def split(texts: list[str]) -> dict[int, list[str]]:
    return {i: split_sentences(text) for i, text in enumerate(texts)}


def compose(
    sentences: dict[int, list[str]],
    order: list[int],
    count_tokens: Callable[[str], int],
    window: int,
    threshold: float = DEFAULT_THRESHOLD,
) -> Composition:
    """Drop repeats, then fill the window.

    The window is filled round by round: every article's first unique sentence, then every
    article's second, and so on; news puts its main facts first, so each outlet's lead is in before
    any outlet's detail, and every article that adds something gets its say. The chosen sentences
    are then written article by article in reading order (the earliest article's first, then what
    each later outlet adds), each article's in its own order, one paragraph per article."""
    pieces = [Piece(article, k, text) for article in order for k, text in enumerate(sentences[article])]
    matches = find([piece.text for piece in pieces], [piece.article for piece in pieces], threshold)
    dropped = [(pieces[i], pieces[match.earlier], match) for i, match in sorted(matches.items())]
    unique: dict[int, list[Piece]] = {article: [] for article in order}
    for i, piece in enumerate(pieces):
        if i not in matches:
            unique[piece.article].append(piece)

    chosen: set[Piece] = set()
    left_out: list[Piece] = []
    budget = window
    deepest = max((len(run) for run in unique.values()), default=0)
    for rank in range(deepest):
        for article in order:
            if rank >= len(unique[article]):
                continue
            piece = unique[article][rank]
            cost = count_tokens(piece.text)
            if cost <= budget:
                chosen.add(piece)
                budget -= cost
            else:
                left_out.append(piece)
    if not chosen and left_out:
        # Even the lead's first sentence is longer than the window (a paragraph without full stops):
        # it goes in alone, and the summarizer reads its opening, which the answer reports.
        chosen.add(left_out.pop(0))
    used = [piece for article in order for piece in unique[article] if piece in chosen]
    text = _write(used)
    tokens = count_tokens(text)
    # Sentences counted alone can differ from the joined text by a token at each seam: take the last
    # chosen ones out until the whole fits, so the summarizer never cuts the composed input itself.
    while len(used) > 1 and tokens > window:
        last = max(used, key=lambda piece: (_rank(unique, piece), order.index(piece.article)))
        used.remove(last)
        left_out.append(last)
        text = _write(used)
        tokens = count_tokens(text)
    left_out.sort(key=lambda piece: (order.index(piece.article), piece.sentence))
    return Composition(text, used, dropped, left_out, sentences, tokens, window)


def _rank(unique: dict[int, list[Piece]], piece: Piece) -> int:
    return unique[piece.article].index(piece)


def _write(used: list[Piece]) -> str:
    paragraphs: list[list[str]] = []
    previous = None
    for piece in used:
        if piece.article != previous:
            paragraphs.append([])
            previous = piece.article
        paragraphs[-1].append(piece.text)
    return "\n".join(" ".join(paragraph) for paragraph in paragraphs)
