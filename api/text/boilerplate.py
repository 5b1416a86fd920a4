"""Removes newsroom boilerplate (related-story lists, promos, captions, bylines, sign-offs) by rules
kept as data in ``prompts/boilerplate.yaml``, and reports what it removed at every stage.

Four kinds of text rule, applied to one line at a time (leading/trailing spaces removed):
- ``drop_lines``: a line the pattern matches whole is removed;
- ``inline``: every span the pattern matches is cut out of the line; the line stays if story text
  remains (a mid-paragraph "Baca juga: ..." or trailing reporter initials);
- ``drop_trailing``: like ``drop_lines``, but only for the last lines of the article (sign-offs such
  as an all-caps name, which mid-article would be a list heading);
- ``drop_blocks``: a heading that starts a list of other stories; it and the headline-like lines after
  it go, up to the first line that reads like a sentence;
- ``split_at``: where boilerplate is glued to story text with no line between them ("...dikarantina.
  Sumber : jpnn.com", a pitch after a one-paragraph story), the line is split at the start of the
  pattern's ``at`` group; each piece is judged as a line of its own by ``drop_lines`` and ``inline``,
  and the pieces that stay are joined again.

Each pattern is case-insensitive unless written as ``{pattern: ..., case_sensitive: true}``. Patterns
run on RE2 (``api.text.linear``): linear time whatever an editor writes, and a pattern RE2 cannot run
that way is refused when the rules load. Whole-line rules look at lines of up to ``RULE_LINE_CHARS``
(a longer line is story text, never a caption or a promo); inline rules see a long line in windows of
that size, so no line costs more than its length times a constant.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from api.text.headline import headline_end, is_tag_line, reads_as_headline
from api.text.html import Selector
from api.text.linear import UnsafePattern, compile_linear
from api.text.normalize import without_surrogates
from api.text.story import LINK_LIST_RULE

# Longest line a whole-line rule is tried on, and the window inline rules see a longer line in.
RULE_LINE_CHARS = 2000
_CLOSERS = "\"'”’)]"
_PUNCTUATION_AFTER_CUT = re.compile(r" ([.,;:!?])")  # one literal space: linear


def _ends_sentence(line: str) -> bool:
    """A line closes like a story sentence with a period (possibly inside a closing quote or bracket).
    Headlines and link texts end with nothing, "?" or "!"."""
    return line.rstrip().rstrip(_CLOSERS).endswith(".")


def _has_word(text: str) -> bool:
    """What is left of a line after inline cuts counts as story text only if a word (two letters in a
    row) is in it."""
    run = 0
    for char in text:
        run = run + 1 if char.isalpha() else 0
        if run == 2:
            return True
    return False


def _windows(line: str, size: int) -> list[str]:
    """A long line in pieces of at most ``size`` characters, cut after a sentence's period where one
    is in the second half of the piece, else after a space there, else at ``size``."""
    pieces: list[str] = []
    while len(line) > size:
        period, space = line.rfind(". ", size // 2, size), line.rfind(" ", size // 2, size)
        cut = period + 2 if period >= 0 else space + 1 if space >= 0 else size
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line]


def _union(patterns) -> list:
    """A stage's patterns as a few linear-time alternations, each within RE2's default memory budget
    (each part keeps its own case flag; group names dropped, since a union only says whether some
    rule matches)."""
    parts = [
        ("(?:" if p.case_sensitive else "(?i:") + p.pattern.replace("(?P<at>", "(").replace("(?P<keep>", "(") + ")"
        for p in patterns
    ]
    return _compiled_halves(parts) if parts else []


def _compiled_halves(parts: list[str]) -> list:
    """The parts as one alternation, or, when RE2 finds that too large, each half the same way."""
    try:
        return [compile_linear("|".join(parts), case_sensitive=True)]
    except UnsafePattern:
        if len(parts) == 1:
            raise
        middle = len(parts) // 2
        return _compiled_halves(parts[:middle]) + _compiled_halves(parts[middle:])


class Pattern(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str
    case_sensitive: bool = False
    # A whole-line rule for short lines only (a caption, never a story paragraph): a length check
    # instead of a counted ".{0,250}", which costs RE2 a large program.
    max_chars: int = RULE_LINE_CHARS
    # What follows a match and goes with it, found by code instead of look-ahead (which no linear-time
    # engine has): ``headline`` is the run of title-case words after a "Baca juga:" label.
    then: Literal["headline"] | None = None

    @model_validator(mode="after")
    def _linear(self) -> Pattern:
        compile_linear(self.pattern, self.case_sensitive)  # UnsafePattern is a ValueError: names the rule
        return self

    def compile(self):
        return compile_linear(self.pattern, self.case_sensitive)


def _patterns(value: dict) -> dict:
    """Rules are written as a bare string (case-insensitive) or as a mapping."""
    return {name: {"pattern": rule} if isinstance(rule, str) else rule for name, rule in (value or {}).items()}


class QuoteRule(BaseModel):
    """A <blockquote> that quotes a social post, known by what it links to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attributes: list[str] = []  # any of these attributes on the blockquote
    cites: list[str] = []  # its cite attribute contains one of these
    links: list[list[str]] = []  # a link inside it has an href containing every string of one entry


class LabelRule(BaseModel):
    """An inline "Baca juga:" label (an element of ``tags`` whose text starts with one of ``starts``)
    and the link right after it; the label goes too when it holds nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tags: list[str]
    starts: list[str]

    @field_validator("starts")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [" ".join(value.lower().split()) for value in values]


class HtmlRule(BaseModel):
    """Elements removed from the page before text extraction. Classes and ids are compared by whole
    token (``ads`` matches ``class="ads top"`` but never ``layout__ads``, ``downloads`` or ``shadow``);
    a prefix matches a token that starts with it (``ad-`` matches ``ad-slot``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tags: list[str] = []
    classes: list[str] = []
    class_prefixes: list[str] = []
    ids: list[str] = []
    id_prefixes: list[str] = []
    # Declared matchers instead of XPath: their cost per element is bounded, and an editor's rule
    # can never add a query that is quadratic in the page.
    quotes: QuoteRule | None = None
    labels: LabelRule | None = None

    def selector(self) -> Selector:
        # An empty prefix tuple matches nothing with str.startswith; an empty string would match all.
        return Selector(
            tags=frozenset(self.tags),
            classes=frozenset(self.classes),
            class_prefixes=tuple(self.class_prefixes),
            ids=frozenset(self.ids),
            id_prefixes=tuple(self.id_prefixes),
            quote_attributes=tuple(self.quotes.attributes) if self.quotes else (),
            quote_cites=tuple(self.quotes.cites) if self.quotes else (),
            quote_links=tuple(tuple(entry) for entry in self.quotes.links) if self.quotes else (),
            label_tags=frozenset(self.labels.tags) if self.labels else frozenset(),
            label_starts=tuple(self.labels.starts) if self.labels else (),
        )

    @field_validator("classes", "class_prefixes", "ids", "id_prefixes")
    @classmethod
    def _plain_tokens(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.fullmatch(r"[\w-]+", value):
                raise ValueError(f"{value!r}: a class or id token is letters, digits, '_' and '-' only")
        return values


class HeadlineRuns(BaseModel):
    """Other stories' headlines pasted into an article as text: ``min_lines`` or more lines in a row
    (blank lines between them allowed) that each read as a headline go, with any lone tag line in
    parentheses among them. One such line alone is a crosshead and stays, and so is a run right after
    a line ending in ':', which introduces a list of the story's own. The article's first line is its
    own title and never counts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "pasted-headlines"
    min_lines: int = 2
    min_words: int = 5


class BoilerplateRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    html_drop: dict[str, HtmlRule] = {}
    drop_lines: dict[str, Pattern] = {}
    inline: dict[str, Pattern] = {}
    drop_trailing: dict[str, Pattern] = {}
    drop_blocks: dict[str, Pattern] = {}
    split_at: dict[str, Pattern] = {}
    headline_runs: HeadlineRuns | None = None
    drop_duplicate_lines: bool = True

    @field_validator("drop_lines", "inline", "drop_trailing", "drop_blocks", "split_at", mode="before")
    @classmethod
    def _as_patterns(cls, value: dict) -> dict:
        return _patterns(value)

    @field_validator("split_at")
    @classmethod
    def _has_a_boundary(cls, value: dict[str, Pattern]) -> dict[str, Pattern]:
        for name, rule in value.items():
            if "at" not in rule.compile().groupindex:
                raise ValueError(f"{name}: a split_at rule marks its boundary with a group named at: (?P<at>...)")
        return value

    @field_validator("drop_lines", "drop_trailing", "drop_blocks", "split_at")
    @classmethod
    def _then_is_inline_only(cls, value: dict[str, Pattern]) -> dict[str, Pattern]:
        for name, rule in value.items():
            if rule.then:
                raise ValueError(f"{name}: `then` is for inline rules, which cut a span out of a line")
        return value

    @model_validator(mode="after")
    def _names_are_unique(self) -> BoilerplateRules:
        """``cleaning.removed`` counts every stage under its rules' names, so a name means one rule."""
        seen: set[str] = set()
        runs = {self.headline_runs.name: None} if self.headline_runs else {}
        sections = (self.html_drop, self.drop_lines, self.inline, self.drop_trailing, self.drop_blocks, self.split_at)
        for section in (*sections, runs, {LINK_LIST_RULE: None}):
            twice = seen & set(section)
            if twice:
                raise ValueError(f"rule names used twice: {', '.join(sorted(twice))}")
            seen |= set(section)
        if "duplicate" in seen:  # (link-list, the extraction's count of link-dense blocks, is in ``seen``)
            raise ValueError("'duplicate' is the name duplicate-line removal reports under")
        return self

    def html_selectors(self) -> dict[str, Selector]:
        return {name: rule.selector() for name, rule in self.html_drop.items()}


@dataclass
class Cleaned:
    text: str
    removed: Counter = field(default_factory=Counter)  # whole lines, by rule name
    cut: Counter = field(default_factory=Counter)  # spans cut out of lines that stayed, by rule name

    @property
    def removed_lines(self) -> int:
        return sum(self.removed.values())


class Boilerplate:
    def __init__(self, rules: BoilerplateRules):
        self.rules = rules
        self._lines = {name: (p.compile(), p.max_chars) for name, p in rules.drop_lines.items()}
        self._inline = {name: (p.compile(), p.then) for name, p in rules.inline.items()}
        self._trailing = {name: (p.compile(), p.max_chars) for name, p in rules.drop_trailing.items()}
        self._blocks = {name: (p.compile(), p.max_chars) for name, p in rules.drop_blocks.items()}
        self._splits = [p.compile() for p in rules.split_at.values()]
        # One automaton answers "does any inline or split rule match?" in one pass: most lines are
        # story and match none, so the rules one by one run only on the few that do. (drop_lines as
        # one union is too large for RE2's default memory budget and slow to compile.)
        self._any_inline = _union(rules.inline.values())
        self._any_split = _union(rules.split_at.values())

    @classmethod
    def from_file(cls, path: Path) -> Boilerplate:
        return cls(BoilerplateRules.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8"))))

    @staticmethod
    def _match(rules: dict, line: str) -> str | None:
        if len(line) > RULE_LINE_CHARS:
            return None
        return next((name for name, (rule, most) in rules.items() if len(line) <= most and rule.fullmatch(line)), None)

    @staticmethod
    def _cut_spans(rule, then: str | None, text: str) -> tuple[str, int]:
        if then is None:
            # A group named keep stays: the period before a sign-off glued to the last sentence.
            return rule.subn(r"\g<keep> " if "keep" in rule.groupindex else " ", text)
        # The label's matches, found in one pass; each takes the headline after it, unless the words
        # after it do not read as one (then the label stays, as story text).
        pieces: list[str] = []
        done = count = 0
        for match in rule.finditer(text):
            if match.start() < done:
                continue  # inside a span already cut
            end = headline_end(text, match.end())
            if end is None:
                continue
            pieces += [text[done : match.start()], " "]
            done = end
            count += 1
        return "".join([*pieces, text[done:]]), count

    def _cut(self, line: str, cut: Counter) -> tuple[str, str | None]:
        """The line with every inline match cut out, and the rule that emptied it (if one did)."""
        if len(line) <= RULE_LINE_CHARS and not any(union.search(line) for union in self._any_inline):
            return line, None
        last = None
        for name, (rule, then) in self._inline.items():
            pieces = []
            for window in _windows(line, RULE_LINE_CHARS):
                window, count = self._cut_spans(rule, then, window)
                pieces.append(window)
                if count:
                    cut[name] += count
                    last = name
            line = "".join(pieces)
        if last is None:
            return line, None  # untouched: a line with no words ("12345") is not the rules' to judge
        line = _PUNCTUATION_AFTER_CUT.sub(r"\1", " ".join(line.split()))
        return (line, None) if _has_word(line) else ("", last)

    def clean(self, text: str) -> Cleaned:
        """Paragraph breaks survive; whole lines are counted under their rule's name, cut spans apart."""
        removed: Counter = Counter()
        cut: Counter = Counter()
        kept: list[str] = []
        seen: set[str] = set()
        in_block: str | None = None
        for raw in without_surrogates(text).split("\n"):  # RE2 reads UTF-8
            line = raw.strip()
            if not line:
                in_block = None
                kept.append("")
                continue
            if in_block and not _ends_sentence(line):
                removed[in_block] += 1
                continue
            in_block = None
            block = self._match(self._blocks, line)
            if block:
                removed[block] += 1
                in_block = block
                continue
            line = self._judge(line, removed, cut)
            if not line:
                continue
            # A title or link printed twice goes; a story sentence said twice (an instruction repeated
            # in a how-to) is the writer's and stays.
            if self.rules.drop_duplicate_lines and line in seen and not _ends_sentence(line):
                removed["duplicate"] += 1
                continue
            seen.add(line)
            kept.append(line)
        if self.rules.headline_runs:
            kept = self._drop_headline_runs(kept, self.rules.headline_runs, removed)
        self._drop_trailing(kept, removed)
        cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
        return Cleaned(cleaned, removed, +cut)

    def _judge(self, line: str, removed: Counter, cut: Counter) -> str:
        """The line after whole-line and inline rules ("" when it goes), judged piece by piece when
        boilerplate is glued to it. A removed piece of a line that stays counts as a cut span."""
        rule = self._match(self._lines, line)
        if rule:  # a line matched whole goes whole, before any split
            removed[rule] += 1
            return ""
        pieces = self._split(line)
        kept: list[str] = []
        gone: Counter = Counter()
        for piece in pieces:
            rule = self._match(self._lines, piece) if len(pieces) > 1 else None  # whole line: tried above
            if rule:
                gone[rule] += 1
                continue
            piece, emptied = self._cut(piece, cut)
            if emptied:
                cut[emptied] -= 1  # counted as a removed piece, not as a cut span
                gone[emptied] += 1
                continue
            kept.append(piece)
        if not kept:  # the line goes: one removed line, under its first piece's rule
            first = next(iter(gone))
            removed[first] += 1
            gone[first] -= 1
        cut.update(+gone)
        return " ".join(kept)

    def _split(self, line: str) -> list[str]:
        """The line cut at every boundary a ``split_at`` rule finds (one pass per rule, lines over
        ``RULE_LINE_CHARS`` in windows like the inline rules)."""
        if not self._splits or (len(line) <= RULE_LINE_CHARS and not any(u.search(line) for u in self._any_split)):
            return [line]
        starts: set[int] = set()
        for rule in self._splits:
            at, offset = rule.groupindex["at"], 0  # re2's Match.start takes a group's number only
            for window in _windows(line, RULE_LINE_CHARS):
                starts.update(offset + m.start(at) for m in rule.finditer(window) if offset + m.start(at) > 0)
                offset += len(window)
        if not starts:
            return [line]
        bounds = [0, *sorted(starts), len(line)]
        return [piece for a, b in zip(bounds, bounds[1:], strict=False) if (piece := line[a:b].strip())]

    @staticmethod
    def _drop_headline_runs(kept: list[str], runs: HeadlineRuns, removed: Counter) -> list[str]:
        """One pass: each run of headline (or tag) lines is judged when it ends."""
        out: list[str] = []
        run: list[int] = []  # indexes in ``out`` of the current run's lines
        headlines = 0
        after_colon = False  # the line before the run introduced a list

        def close() -> None:
            nonlocal run, headlines
            if headlines >= runs.min_lines and not after_colon:
                for index in reversed(run):
                    del out[index]
                removed[runs.name] += len(run)
            run, headlines = [], 0

        for line in kept:
            if not line:
                out.append(line)
                continue
            first = not any(out)  # the article's first line is its own title, never a pasted one
            if not first and (reads_as_headline(line, runs.min_words) or (run and is_tag_line(line))):
                if not run:
                    previous = next((text for text in reversed(out) if text), "")
                    after_colon = previous.rstrip().endswith(":")
                headlines += 0 if is_tag_line(line) else 1
                run.append(len(out))
                out.append(line)
                continue
            close()
            out.append(line)
        close()
        return out

    def _drop_trailing(self, kept: list[str], removed: Counter) -> None:
        """Sign-offs at the very end: removed from the last line backwards while they match."""
        while kept:
            if not kept[-1]:
                kept.pop()
                continue
            rule = self._match(self._trailing, kept[-1])
            if not rule:
                return
            removed[rule] += 1
            kept.pop()
