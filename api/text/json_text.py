"""A JSON object sent where an article's text was expected (a JSON body posted as text/plain)."""

from __future__ import annotations

import json

SHOWN_MEMBERS = 5  # enough to recognise the request; an article never has members at all


def json_object_members(text: str) -> list[str] | None:
    """The member names when the whole text is one JSON object, else None. Only text that opens
    with "{" and closes with "}" is parsed (json's parser is linear in the text)."""
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:  # an article that happens to be braced
        return None
    if not isinstance(value, dict):
        return None
    return [str(name)[:40] for name in list(value)[:SHOWN_MEMBERS]]
