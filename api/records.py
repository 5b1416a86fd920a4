"""JSONL records with their line numbers: one reader for every file an operator hands Ringkas (the
kept vocabulary's corpus, ``ringkas eval`` data), so a broken line is always named the same way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def jsonl_records(path: Path, errors: str = "strict") -> Iterator[tuple[int, object]]:
    """(line number, decoded value) for each non-blank line; ``ValueError("FILE:N: ...")`` at the
    first line that is not JSON."""
    with Path(path).open(encoding="utf-8", errors=errors) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
