"""A job's results as a spreadsheet: CSV or XLSX, one row per item, made from the stored NDJSON lines.

The cells hold what callers uploaded (ids) and what the model wrote from their text, so each is
treated as hostile: a cell that a spreadsheet would read as a formula (it starts with =, +, -, @, a
tab or a carriage return, after any leading spaces, in ASCII or full-width form) gets a leading
apostrophe, the OWASP remedy that spreadsheets show as plain text; CSV quotes every field; XLSX cells
are written as strings, never formulas.

A cluster item's row holds its digest's summary, and in ``sources`` one line per article: who
published it, and how much of it the digest read (sentences used, dropped as duplicates, left out).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator

COLUMNS = ("id", "index", "status", "summary", "translation", "problem", "warnings", "sources")
XLSX_WIDTHS = (18, 8, 10, 70, 70, 50, 40, 60)  # characters, per column above
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NDJSON_TYPE = "application/x-ndjson"
FORMATS = {"ndjson": NDJSON_TYPE, "csv": CSV_TYPE, "xlsx": XLSX_TYPE}
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}
# What starts a formula (or a DDE payload) in Excel, LibreOffice and Google Sheets.
_TRIGGERS = frozenset("=+-@\t\r")


def safe_cell(value: object) -> str:
    """The text a cell shows, never something a spreadsheet evaluates."""
    text = "" if value is None else str(value)
    stripped = text.lstrip(" \u3000\u00a0")
    # NFKC folds the full-width forms (＝ ＋ － ＠) onto the ASCII ones spreadsheets also accept.
    first = unicodedata.normalize("NFKC", stripped[:1]) if stripped else ""
    if first and first[0] in _TRIGGERS:
        return "'" + text
    return text


def sources_cell(sources: list) -> str:
    """A digest's sources, one line each: ``2. Tempo (t-17, 2025-12-04): 5 used, 3 duplicates, 0 left
    out, 71% read``; empty for a single article's summary."""
    lines = []
    for source in sources:
        if not isinstance(source, dict):
            continue
        facts = [str(value) for value in (source.get("id"), source.get("date")) if value is not None]
        name = source.get("outlet") or "article"
        said = f" ({', '.join(facts)})" if facts else ""
        lines.append(
            f"{source.get('article', 0) + 1}. {name}{said}: {source.get('used')} used, "
            f"{source.get('duplicates')} duplicates, {source.get('left_out')} left out, "
            f"{source.get('fraction_read', 0):.0%} read"
        )
    return "\n".join(lines)


def row(line: str) -> list[str]:
    """One stored result line as the spreadsheet row's cells (already made safe)."""
    item = json.loads(line)
    result = item.get("result") or {}
    problem = item.get("problem") or {}
    values = [
        item.get("id"),
        item.get("index"),
        item.get("status"),
        (result.get("summary") or {}).get("text"),
        (result.get("translation") or {}).get("text"),
        problem.get("detail") or problem.get("title"),  # the title is one of a few generic ones
        "; ".join(result.get("warnings") or []),
        sources_cell(result.get("sources") or []),
    ]
    return [safe_cell(value) for value in values]


def csv_stream(lines: Iterable[str], delimiter: str = ",", header: bool = True) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads Indonesian text right), every field quoted, one
    row per line as it is read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    if header:
        writer.writerow(COLUMNS)
        yield b"\xef\xbb\xbf" + flush()
    for line in lines:
        writer.writerow(row(line))
        yield flush()


def xlsx_file(lines: Iterable[str]) -> tempfile.SpooledTemporaryFile:
    """An XLSX workbook of the rows, written row by row (openpyxl's write-only mode keeps memory flat)
    into a file that is then streamed: a ZIP cannot be sent before it is finished."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("ringkas")
    # A write-only sheet takes its layout before the first row: readable widths, the header frozen.
    for letter, width in zip("ABCDEFGH", XLSX_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    index = COLUMNS.index("index")
    for line in lines:
        cells = []
        for column, value in enumerate(row(line)):
            if column == index and value.isdigit():
                cells.append(WriteOnlyCell(sheet, value=int(value)))  # a number: sorts 1, 2, 10
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # a string whatever it starts with: openpyxl would make "=..." a formula
            cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(spool)
    spool.seek(0)
    return spool


def file_chunks(spool, size: int = 64 * 1024) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(size):
            yield chunk
