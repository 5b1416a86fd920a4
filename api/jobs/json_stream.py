"""A JSON job body, ``{"items": [...], "defaults": {...}}``, read one item at a time as it streams in.

The envelope (braces, keys, commas) is walked here; each item and the defaults are decoded by the
standard library's own C decoder (``json.JSONDecoder.raw_decode``), so strings, numbers, lone
surrogates and the nesting limit behave exactly as ``json.loads`` does. No item longer than
``max_value_chars`` is buffered. Linear in the body: the buffer grows geometrically when a value
spans a chunk, so a long value is decoded O(log n) times, never once per chunk. (Streaming libraries
were tried: ijson's pure-Python backend lexes deep nesting quadratically, 23 s for 200 KB of
brackets, and its C backend turns a lone surrogate escape into "?".)
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import BinaryIO

_WHITESPACE = " \t\r\n"
_DECODER = json.JSONDecoder()
CHUNK_CHARS = 64 * 1024


class JsonBodyError(ValueError):
    """The body is not the JSON the caller meant to send (said in words for a 400)."""


class ValueTooLong(ValueError):
    """One value (an item, the defaults) is longer than the limit."""


class _Reader:
    def __init__(self, stream: BinaryIO, max_value_chars: int):
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict")
        self.buffer, self.position, self.ended = "", 0, False
        self.max_value_chars = max_value_chars

    def _more(self, at_least: int = CHUNK_CHARS) -> bool:
        if self.ended:
            return False
        chunk = self.text.read(max(at_least, CHUNK_CHARS))
        if not chunk:
            self.ended = True
            return False
        self.buffer = self.buffer[self.position :] + chunk
        self.position = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the body)."""
        while True:
            while self.position < len(self.buffer) and self.buffer[self.position] in _WHITESPACE:
                self.position += 1
            if self.position < len(self.buffer) or not self._more():
                return self.buffer[self.position : self.position + 1]

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise JsonBodyError(f"expected {what} at character {self.position}")
        self.position += 1

    def value(self) -> object:
        """The next JSON value, decoded by the json module, read as far as it needs."""
        self.peek()
        while True:
            pending = len(self.buffer) - self.position
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.position)
            except json.JSONDecodeError as exc:
                # Cut at the chunk's end, or really malformed? Read as much again and retry; at the
                # end of the body, or past the limit, it is what it is.
                if pending > self.max_value_chars:
                    raise ValueTooLong(f"a value is longer than {self.max_value_chars} characters") from None
                if self._more(at_least=pending):
                    continue
                raise JsonBodyError(f"{exc.msg} at character {exc.pos}") from None
            except RecursionError:
                raise JsonBodyError("a value is nested too deeply") from None
            # A number that ends exactly at the buffer's end may go on in the next chunk.
            if end == len(self.buffer) and not self.ended and self.buffer[self.position] in "-0123456789":
                if self._more(at_least=pending):
                    continue
            self.position = end
            return value


MEMBERS = ("items", "defaults")


def read_envelope(stream: BinaryIO, on_item: Callable[[object], None], max_value_chars: int) -> dict:
    """Calls ``on_item`` for each element of ``items`` as it is decoded; returns the other members
    (``defaults``). Raises JsonBodyError for a body that is not such an object."""
    reader = _Reader(stream, max_value_chars)
    others: dict = {}
    seen_items = False
    try:
        if reader.peek() != "{":
            raise NotAnObject("the body is not a JSON object")
        reader.expect("{", "a JSON object")
        while reader.peek() != "}":
            if others or seen_items:
                reader.expect(",", "',' between members")
            key = reader.value()
            if not isinstance(key, str):
                raise JsonBodyError("a member name must be a string")
            if key not in MEMBERS:
                raise UnknownMember(key)
            reader.expect(":", "':' after a member name")
            if key == "items":
                seen_items = True
                reader.expect("[", '"items" to be a list')
                first = True
                while reader.peek() != "]":
                    if not first:
                        reader.expect(",", "',' between items")
                    on_item(reader.value())
                    first = False
                reader.expect("]", "the end of the item list")
            else:
                others[key] = reader.value()
        reader.expect("}", "the end of the object")
        if reader.peek():
            raise JsonBodyError(f"extra data after the JSON object at character {reader.position}")
    except UnicodeDecodeError:
        raise JsonBodyError("the body is not valid UTF-8") from None
    if not seen_items:
        raise MissingItems()
    return others


class UnknownMember(JsonBodyError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class MissingItems(JsonBodyError):
    pass


class NotAnObject(JsonBodyError):
    pass
