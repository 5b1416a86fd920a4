"""Removes newsroom boilerplate (related-story lists, share lines, photo credits, bylines) by rules
kept as data in ``prompts/boilerplate.yaml``, and reports what it removed."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

# Inside a related-stories list, a line ends the list only if it closes like a story sentence: with a
# period (possibly inside a closing quote). Headlines end with nothing, "?" or "!".
_SENTENCE_END = re.compile(r"\.[\"”’)]*\s*$")


class BoilerplateRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    html_drop_xpath: list[str] = []
    drop_lines: dict[str, str] = {}
    drop_blocks: dict[str, str] = {}
    drop_duplicate_lines: bool = True


@dataclass
class Cleaned:
    text: str
    removed: Counter = field(default_factory=Counter)

    @property
    def removed_lines(self) -> int:
        return sum(self.removed.values())


class Boilerplate:
    def __init__(self, rules: BoilerplateRules):
        self.rules = rules
        # Whole-line, case-insensitive: a rule can only ever remove a line that is nothing but boilerplate.
        self._lines = {name: re.compile(rf"(?:{p})", re.I) for name, p in rules.drop_lines.items()}
        self._blocks = {name: re.compile(rf"(?:{p})", re.I) for name, p in rules.drop_blocks.items()}

    @classmethod
    def from_file(cls, path: Path) -> Boilerplate:
        return cls(BoilerplateRules.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8"))))

    def _match(self, rules: dict[str, re.Pattern], line: str) -> str | None:
        return next((name for name, rule in rules.items() if rule.fullmatch(line)), None)

    def clean(self, text: str) -> Cleaned:
        """Paragraph breaks survive; only whole lines go, each counted under its rule's name."""
        removed: Counter = Counter()
        kept: list[str] = []
        seen: set[str] = set()
        in_block: str | None = None
        for raw in text.split("\n"):
            line = raw.strip()
            if not line:
                in_block = None
                kept.append("")
                continue
            if in_block and not _SENTENCE_END.search(line):
                removed[in_block] += 1
                continue
            in_block = None
            block = self._match(self._blocks, line)
            if block:
                removed[block] += 1
                in_block = block
                continue
            rule = self._match(self._lines, line)
            if rule:
                removed[rule] += 1
                continue
            if self.rules.drop_duplicate_lines and line in seen:
                removed["duplicate"] += 1
                continue
            seen.add(line)
            kept.append(line)
        cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
        return Cleaned(cleaned, removed)
