"""A job's items from its body: a JSON object, NDJSON (one item per line) or CSV (one per row).

Only whole-job problems are raised here: a body that cannot be read (malformed line N), duplicate
ids, too many items, bad defaults. What is wrong with one item (no text, a wrong type, not
Indonesian) is left for the worker, where it becomes that item's result.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from pydantic import ValidationError

from api.errors import MalformedRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from api.schemas import SummarizeRequest

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-seq")
CSV_TYPES = ("text/csv",)
SOURCE_FIELDS = ("text", "html")
OPTION_FIELDS = tuple(name for name in SummarizeRequest.model_fields if name not in SOURCE_FIELDS)
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


@dataclass(frozen=True)
class JobInput:
    items: list[dict]
    defaults: dict
    chars: int  # article characters, charged against the caller's character budget


def _problem(message: str, loc: list, kind: str = "value_error") -> ValidationFailed:
    return ValidationFailed(message, extra={"errors": [{"loc": loc, "msg": message, "type": kind}]})


def check_defaults(defaults: object) -> dict:
    """Defaults are summarize options only (no text, html or id), valid as an item's would be."""
    if not isinstance(defaults, dict):
        raise _problem("defaults must be an object of summarize options", ["defaults"])
    unknown = [name for name in defaults if name not in OPTION_FIELDS]
    if unknown:
        raise _problem(
            f"defaults may hold only summarize options ({', '.join(OPTION_FIELDS)}), not {', '.join(unknown)}",
            ["defaults", unknown[0]],
            "extra_forbidden",
        )
    try:
        SummarizeRequest.model_validate({**defaults, "text": "x"})
    except ValidationError as exc:
        errors = [
            {"loc": ["defaults", *err["loc"]], "msg": err["msg"], "type": err["type"]}
            for err in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        raise ValidationFailed("invalid defaults", extra={"errors": errors}) from None
    return defaults


def _json_items(raw: bytes) -> tuple[list, dict, list[int]]:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MalformedRequest(f"the body is not valid JSON: {exc}"[:300]) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise _problem('the JSON body must be an object {"items": [...], "defaults": {...}}', ["items"])
    extra = [name for name in data if name not in ("items", "defaults")]
    if extra:
        raise _problem(f"unknown member {extra[0]!r}; a job body has items and defaults", [extra[0]], "extra_forbidden")
    return data["items"], data.get("defaults", {}), list(range(1, len(data["items"]) + 1))


def _ndjson_items(text: str) -> tuple[list, list[int]]:
    items, lines = [], []
    for number, line in enumerate(text.splitlines(), 1):
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
        items.append(item)
        lines.append(number)
    return items, lines


def _csv_value(name: str, value: str) -> object:
    """CSV cells are strings: booleans and integer ids are read as such; an empty cell is absent."""
    if name in ("translate", "force", "return_clean_text") and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    return value


def _delimiter(text: str) -> str:
    """Spreadsheets in Indonesian (and most European) locales write ';' between cells, because the
    comma is their decimal mark; some exports use tabs. The header line tells which."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_items(text: str, limit: int) -> tuple[list, list[int]]:
    # Articles (HTML especially) outgrow csv's default 128 KB field limit; the body limit bounds them.
    csv.field_size_limit(max(csv.field_size_limit(), limit))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    columns = reader.fieldnames or []
    if not any(name in columns for name in SOURCE_FIELDS):
        raise MalformedRequest(
            f"the CSV header must name a text or html column (found: {', '.join(columns) or 'none'})"
        )
    unknown = [name for name in columns if name not in ("id", *SOURCE_FIELDS, *OPTION_FIELDS)]
    if unknown:
        raise _problem(
            f"unknown CSV column {unknown[0]!r}; known: id, text, html, {', '.join(OPTION_FIELDS)}", [unknown[0]]
        )
    items, lines = [], []
    try:
        for row in reader:
            if None in row:
                raise MalformedRequest(
                    f"line {reader.line_num} has more cells than the header", extra={"line": reader.line_num}
                )
            item = {name: _csv_value(name, value) for name, value in row.items() if value not in (None, "")}
            if item:
                items.append(item)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise MalformedRequest(
            f"line {reader.line_num} is not valid CSV: {exc}", extra={"line": reader.line_num}
        ) from None
    return items, lines


def _decode(raw: bytes, charset: str | None) -> str:
    try:
        return raw.decode(charset or "utf-8-sig")  # utf-8-sig: spreadsheets write a byte-order mark
    except (UnicodeDecodeError, LookupError):
        raise MalformedRequest(f"the body is not valid {charset or 'UTF-8'}") from None


def read_job(raw: bytes, mimetype: str, charset: str | None, query_defaults: dict, max_items: int) -> JobInput:
    if mimetype == "application/json":
        items, defaults, lines = _json_items(raw)
        if query_defaults:
            raise _problem("send defaults in the JSON body's defaults, not as query parameters", ["query"])
    elif mimetype in NDJSON_TYPES:
        items, lines = _ndjson_items(_decode(raw, charset))
        defaults = query_defaults
    elif mimetype in CSV_TYPES:
        items, lines = _csv_items(_decode(raw, charset), len(raw))
        defaults = query_defaults
    else:
        raise UnsupportedMediaType(
            f"Content-Type {mimetype or 'none'!r} is not supported for jobs; send application/json "
            '({"items": [...]}), application/x-ndjson (one item per line) or text/csv'
        )
    defaults = check_defaults(defaults)
    if not items:
        raise _problem("the job has no items", ["items"])
    if len(items) > max_items:
        raise PayloadTooLarge(f"{len(items)} items; at most {max_items} per job (RINGKAS_MAX_JOB_ITEMS)")
    unit = "items" if mimetype == "application/json" else "lines"
    seen: dict[object, int] = {}
    chars = 0
    for position, (item, line) in enumerate(zip(items, lines, strict=True)):
        if not isinstance(item, dict):
            continue  # the item's own problem, reported in its result
        if "id" in item and isinstance(item["id"], str | int) and not isinstance(item["id"], bool):
            if item["id"] in seen:
                raise _problem(
                    f"id {item['id']!r} appears twice ({unit} {seen[item['id']]} and {line}); ids must be unique",
                    ["items", position, "id"],
                )
            seen[item["id"]] = line
        chars += sum(len(item[field]) for field in SOURCE_FIELDS if isinstance(item.get(field), str))
    return JobInput(items, defaults, chars)
