"""A job's items from its body: a JSON object, NDJSON (one item per line) or CSV (one per row),
read as the body streams in and stopped at the first broken cap (items, one item's length), so a
refused upload never costs its whole size in memory.

Every item is checked here as a batch item is (``api.items.check_item``: known fields only, flat,
the right types, a non-blank text or html), so a job with an invalid item is a 422 naming its first
few lines before anything is stored or queued: nothing a caller wrote reaches the queue unchecked.
What only the pipeline can tell (too short after cleaning, not Indonesian) becomes that item's
result in the worker.

A JSON or NDJSON item may be a story cluster (``articles`` instead of text or html, digested into one
summary); a CSV row cannot hold a list, and a CSV header naming ``articles`` is told so.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from pydantic import ValidationError

from api.errors import (
    MalformedRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    from_validation_error,
)
from api.items import FIELDS, MAX_ARTICLES, check_item, item_texts
from api.jobs.json_stream import (
    JsonBodyError,
    MissingItems,
    NotAnObject,
    UnknownMember,
    ValueTooLong,
    read_envelope,
)
from api.jobs.store import MIN_ARTICLE_CHARS, MIN_ITEM_CHARS
from api.schemas import SummarizeOptions, flag, id_shaped
from api.text.charsets import codec_for

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-seq")
CSV_TYPES = ("text/csv",)
SOURCE_FIELDS = ("text", "html")
OPTION_FIELDS = tuple(SummarizeOptions.model_fields)
# One item (a line of NDJSON or CSV) is at most this long: an HTML article at the html limit, escaped.
MAX_ITEM_CHARS = 8_000_000
# Articles (HTML especially) outgrow csv's default 128 KB field limit; one item's limit bounds them.
# The limit is the csv module's, process-wide: set once here, not per request.
csv.field_size_limit(max(csv.field_size_limit(), MAX_ITEM_CHARS))
LISTED = 5  # invalid items a 422 names (it says how many there are in all)
DETAIL_CHARS = 200  # of each listed item's problem


@dataclass(frozen=True)
class JobInput:
    items: list[dict]
    defaults: dict
    chars: int  # characters charged against the caller's budget: each item's, at least MIN_ITEM_CHARS
    upload: str = "json"  # json, ndjson or csv: the results are offered back in it
    delimiter: str | None = None  # a CSV upload's, kept for its CSV results


def check_defaults(defaults: object) -> dict:
    """Defaults are summarize options only (no text, html or id), valid as an item's would be."""
    if not isinstance(defaults, dict):
        raise ValidationFailed.at(["defaults"], "defaults must be an object of summarize options")
    unknown = [name for name in defaults if name not in OPTION_FIELDS]
    if unknown:
        raise ValidationFailed.at(
            ["defaults", unknown[0]],
            f"defaults may hold only summarize options ({', '.join(OPTION_FIELDS)}), not {', '.join(unknown)}",
            "extra_forbidden",
        )
    try:
        SummarizeOptions.model_validate(defaults)
    except ValidationError as exc:
        raise from_validation_error(exc, at=("defaults",), known=OPTION_FIELDS) from None
    return defaults


class _Items:
    """Collects items as they are parsed and stops the parse the moment the job breaks a cap, so a
    refused upload costs at most ``max_items`` small items of memory, never its whole body."""

    def __init__(self, max_items: int):
        self.max_items = max_items
        self.items: list = []
        self.lines: list[int] = []

    def add(self, item: object, line: int) -> None:
        if len(self.items) == self.max_items:
            raise PayloadTooLarge(
                f"more than {self.max_items} items; at most {self.max_items} per job (RINGKAS_JOBS__MAX_ITEMS)"
            )
        self.items.append(item)
        self.lines.append(line)


def _json_items(stream: BinaryIO, collected: _Items) -> dict:
    """``{"items": [...], "defaults": {...}}`` read item by item (``json_stream``)."""
    envelope = '{"items": [...], "defaults": {...}}'

    def add(item: object) -> None:
        collected.add(item, len(collected.items) + 1)  # checked with the others (check_item), after

    try:
        others = read_envelope(stream, add, MAX_ITEM_CHARS)
    except UnknownMember as exc:
        message = f"unknown member {exc.name!r}; a job body has items and defaults"
        if exc.name in FIELDS:  # an item's field at the top: a JSONL file, or one item, sent as JSON
            message = (
                f"the body starts like an item ({exc.name!r}), not {envelope}: for one item per line "
                "(NDJSON, JSONL) send Content-Type: application/x-ndjson"
            )
        raise ValidationFailed.at([exc.name], message, "extra_forbidden") from None
    except (MissingItems, NotAnObject):
        raise ValidationFailed.at(
            ["items"], f"the JSON body must be an object {envelope} (a list of items goes in its items)"
        ) from None
    except ValueTooLong:
        raise PayloadTooLarge(
            f"an item of the body is longer than {MAX_ITEM_CHARS} characters (a fixed cap; an article is at most "
            "RINGKAS_LIMITS__MAX_TEXT_CHARS)"
        ) from None
    except JsonBodyError as exc:
        raise MalformedRequest(f"the body is not valid JSON: {exc}"[:300]) from None
    defaults = others.get("defaults", {})
    if isinstance(defaults, dict) and any(isinstance(value, dict | list) for value in defaults.values()):
        raise ValidationFailed.at(
            ["defaults"], "defaults holds a list or an object; fields are strings, numbers or booleans"
        )
    return defaults


def _ndjson_items(lines: Iterator[str], collected: _Items) -> None:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise MalformedRequest(
                f"line {number} is not valid JSON: {getattr(exc, 'msg', exc)}", extra={"line": number}
            ) from None
        if not isinstance(item, dict):
            raise MalformedRequest(f"line {number} is not a JSON object", extra={"line": number})
        collected.add(item, number)


def _csv_value(name: str, value: str) -> object:
    """CSV cells are strings: booleans and integer ids are read as such; an empty cell is absent."""
    if name in ("translate", "force", "return_clean_text") and (word := flag(value)) is not None:
        return word
    return value


def _delimiter(header: str) -> str:
    """Spreadsheets in Indonesian (and most European) locales write ';' between cells, because the
    comma is their decimal mark; some exports use tabs. The header line tells which. (Not
    csv.Sniffer: it guesses with backtracking patterns over the sample, and the header is the
    caller's text.)"""
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_items(lines: Iterator[str], collected: _Items) -> str:
    """Reads the rows into ``collected``; returns the delimiter the header uses."""
    header = next(lines, "")
    delimiter = _delimiter(header)
    reader = csv.DictReader(itertools.chain([header], lines), delimiter=delimiter)
    columns = reader.fieldnames or []
    if "articles" in columns:
        raise MalformedRequest(
            "a CSV row cannot carry a cluster (articles is a list of articles); send clusters as NDJSON "
            '(one {"articles": [...]} per line) or JSON ({"items": [...]}), or one article per row as text or html'
        )
    if not any(name in columns for name in SOURCE_FIELDS):
        raise MalformedRequest(
            f"the CSV header must name a text or html column (found: {', '.join(columns) or 'none'})"
        )
    unknown = [name for name in columns if name not in ("id", *SOURCE_FIELDS, *OPTION_FIELDS)]
    if unknown:
        raise ValidationFailed.at(
            [unknown[0]], f"unknown CSV column {unknown[0]!r}; known: id, text, html, {', '.join(OPTION_FIELDS)}"
        )
    try:
        for row in reader:
            if None in row:
                raise MalformedRequest(
                    f"line {reader.line_num} has more cells than the header", extra={"line": reader.line_num}
                )
            item = {name: _csv_value(name, value) for name, value in row.items() if value not in (None, "")}
            if item:
                collected.add(item, reader.line_num)
    except csv.Error as exc:
        raise MalformedRequest(
            f"line {reader.line_num} is not valid CSV: {exc}", extra={"line": reader.line_num}
        ) from None
    return delimiter


def _text_lines(stream: BinaryIO, charset: str | None) -> Iterator[str]:
    """The body's lines, decoded as they are read (utf-8-sig: spreadsheets write a byte-order mark).
    No line is read whole past MAX_ITEM_CHARS: one line is one item at most."""
    codec = codec_for(charset, default="utf-8-sig")  # text encodings only, the same list as /v1's bodies
    text = io.TextIOWrapper(stream, encoding=codec, errors="strict", newline="")
    try:
        while True:
            line = text.readline(MAX_ITEM_CHARS + 1)
            if not line:
                return
            if len(line) > MAX_ITEM_CHARS and not line.endswith(("\n", "\r")):
                raise PayloadTooLarge(
                    f"a line of the body is longer than {MAX_ITEM_CHARS} characters (one item's fixed cap)"
                )
            yield line
    except UnicodeDecodeError:
        raise MalformedRequest(f"the body is not valid {charset or 'UTF-8'}") from None


def _invalid_items(invalid: list[tuple[int, int, ValidationFailed]], count: int, unit: str) -> ValidationFailed:
    """One 422 for the job: how many items are invalid, and the first LISTED of them by line."""
    errors, said = [], []
    for position, line, exc in invalid:
        first = (exc.extra.get("errors") or [{"loc": [], "msg": exc.detail, "type": "value_error"}])[0]
        message = first["msg"][:DETAIL_CHARS]
        errors.append({"loc": ["items", position, *first["loc"]], "msg": message, "type": first["type"], "line": line})
        said.append(f"{unit} {line}: {exc.detail[:DETAIL_CHARS]}")
    more = f"; and {count - len(invalid)} more" if count > len(invalid) else ""
    return ValidationFailed(
        f"{count} {unit}{'s' if count != 1 else ''} of the job {'are' if count != 1 else 'is'} not valid "
        f"(nothing was queued): {'; '.join(said)}{more}",
        extra={"errors": errors, "lines": [line for _, line, _ in invalid], "invalid": count},
    )


def _charge(item: dict) -> int:
    """What a valid item costs: its characters, at least MIN_ITEM_CHARS; a cluster's at least
    MIN_ARTICLE_CHARS per article (what its digest's result line needs, as the job's byte budget)."""
    if "articles" in item:
        return sum(
            max(MIN_ARTICLE_CHARS, len(article.get("text") or article.get("html"))) for article in item["articles"]
        )
    return max(MIN_ITEM_CHARS, sum(len(text) for text in item_texts([item]) if isinstance(text, str)))


def read_job(
    body: BinaryIO | bytes,
    mimetype: str,
    charset: str | None,
    query_defaults: dict,
    max_items: int,
    max_articles: int = MAX_ARTICLES,
) -> JobInput:
    """The job's items, read from the body as it streams in; stops at the first broken cap.
    ``max_articles`` is a cluster item's limit (RINGKAS_DIGEST__MAX_ARTICLES)."""
    stream = io.BytesIO(body) if isinstance(body, bytes) else body
    collected = _Items(max_items)
    upload, delimiter = "json", None
    if mimetype == "application/json":
        if query_defaults:
            raise ValidationFailed.at(["query"], "send defaults in the JSON body's defaults, not as query parameters")
        defaults = _json_items(stream, collected)
    elif mimetype in NDJSON_TYPES:
        _ndjson_items(_text_lines(stream, charset), collected)
        defaults, upload = query_defaults, "ndjson"
    elif mimetype in CSV_TYPES:
        delimiter = _csv_items(_text_lines(stream, charset), collected)
        defaults, upload = query_defaults, "csv"
    else:
        raise UnsupportedMediaType(
            (f"Content-Type {mimetype!r} is not supported for jobs" if mimetype else "no Content-Type header")
            + '; send application/json ({"items": [...]}), application/x-ndjson (one item per line) or text/csv'
        )
    defaults = check_defaults(defaults)
    items, lines = collected.items, collected.lines
    if not items:
        raise ValidationFailed.at(["items"], "the job has no items")
    unit = "item" if mimetype == "application/json" else "line"
    seen: dict[object, int] = {}
    invalid: list[tuple[int, int, ValidationFailed]] = []
    count = 0
    chars = 0
    for position, (item, line) in enumerate(zip(items, lines, strict=True)):
        try:
            check_item(item, defaults, max_articles)
        except ValidationFailed as exc:
            count += 1
            if len(invalid) < LISTED:
                invalid.append((position, line, exc))
            continue
        if "id" in item and id_shaped(item["id"]):
            if item["id"] in seen:
                raise ValidationFailed.at(
                    ["items", position, "id"],
                    f"id {item['id']!r} appears twice ({unit}s {seen[item['id']]} and {line}); ids must be unique",
                )
            seen[item["id"]] = line
        chars += _charge(item)
    if invalid:
        raise _invalid_items(invalid, count, unit)
    return JobInput(items, defaults, chars, upload, delimiter)
