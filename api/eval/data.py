"""Evaluation items from local files (XL-Sum JSONL, generic JSONL or CSV, aligned text files) or, where
the machine is online, from a public set fetched with Hugging Face ``datasets``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from api.records import jsonl_records


class DataError(ValueError):
    """A data file or set that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Item:
    id: str
    source: str
    reference: str
    cluster: tuple[dict, ...] = ()  # a digest item's articles (``source`` is then empty)


def read_jsonl(path: Path, source_field: str, reference_field: str, limit: int | None = None) -> list[Item]:
    items: list[Item] = []
    try:
        for number, row in jsonl_records(path):
            if limit is not None and len(items) >= limit:
                break
            if not isinstance(row, dict):
                raise DataError(f"{path}:{number}: each line must be a JSON object")
            items.append(_item(row, source_field, reference_field, f"{path}:{number}", str(number)))
    except DataError:
        raise
    except ValueError as exc:  # a line that is not JSON, named by the shared reader
        raise DataError(str(exc)) from None
    return _checked(items, path)


def read_csv(path: Path, source_field: str, reference_field: str, limit: int | None = None) -> list[Item]:
    items: list[Item] = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if limit is not None and len(items) >= limit:
                break
            items.append(_item(row, source_field, reference_field, f"{path}:{reader.line_num}", str(reader.line_num)))
    return _checked(items, path)


def read_aligned(source: Path, reference: Path, limit: int | None = None) -> list[Item]:
    """FLORES-200 style: line N of one file is the translation of line N of the other."""
    sources = Path(source).read_text(encoding="utf-8").splitlines()
    references = Path(reference).read_text(encoding="utf-8").splitlines()
    if len(sources) != len(references):
        raise DataError(f"{source} has {len(sources)} lines but {reference} has {len(references)}: not aligned")
    items = []
    for number, (text, ref) in enumerate(zip(sources, references, strict=True), 1):
        if limit is not None and len(items) >= limit:
            break
        for path, value in ((source, text), (reference, ref)):
            if not value.strip():
                raise DataError(f"{path}:{number}: empty line")
        items.append(Item(str(number), text, ref))
    return _checked(items, source)


def read_clusters(path: Path, articles_field: str, reference_field: str, limit: int | None = None) -> list[Item]:
    """JSONL of story clusters: each line's ``articles`` a list of texts, or of objects as POST
    /v1/digest takes them (text or html, id, outlet, date), and its reference digest."""
    items: list[Item] = []
    try:
        for number, row in jsonl_records(path):
            if limit is not None and len(items) >= limit:
                break
            where = f"{path}:{number}"
            articles = row.get(articles_field) if isinstance(row, dict) else None
            reference = row.get(reference_field) if isinstance(row, dict) else None
            if not isinstance(articles, list) or not articles:
                raise DataError(f"{where}: field {articles_field!r} must be a list of articles")
            if not isinstance(reference, str) or not reference.strip():
                raise DataError(f"{where}: field {reference_field!r} is missing or empty")
            cluster = tuple({"text": a} if isinstance(a, str) else a for a in articles)
            if not all(isinstance(article, dict) for article in cluster):
                raise DataError(f"{where}: each article is a text or an object with text or html")
            ident = row.get("id")
            items.append(Item(str(ident) if ident not in (None, "") else str(number), "", reference, cluster))
    except DataError:
        raise
    except ValueError as exc:
        raise DataError(str(exc)) from None
    return _checked(items, path)


def read_file(path: Path, source_field: str, reference_field: str, limit: int | None = None) -> list[Item]:
    reader = read_csv if Path(path).suffix.lower() == ".csv" else read_jsonl
    return reader(path, source_field, reference_field, limit)


def read_dataset(spec: str, task: str, limit: int | None = None) -> list[Item]:
    """``xlsum:LANGUAGE:SPLIT`` or ``flores:SRC-TGT:SPLIT``, fetched with ``datasets``. Offline (or
    without the library) this is one clear error: local files always work."""
    parts = spec.split(":")
    if len(parts) != 3 or parts[0] not in ("xlsum", "flores"):
        raise DataError(f"--dataset {spec!r}: use xlsum:LANGUAGE:SPLIT or flores:SRC-TGT:SPLIT")
    kind, config, split = parts
    if (kind == "xlsum") != (task == "summarize"):
        raise DataError(f"--dataset {spec!r} is not a {task} set")
    try:
        import datasets
    except ImportError:
        raise DataError(
            "--dataset needs the `datasets` library (pip install datasets) and network; or pass --data FILE"
        ) from None
    try:
        if kind == "xlsum":
            rows = datasets.load_dataset("csebuetnlp/xlsum", config, split=split)
            items = [Item(str(r.get("id", i)), r["text"], r["summary"]) for i, r in enumerate(rows)]
        else:
            # FLORES+, the maintained FLORES-200 (gated: accept its terms on the hub once).
            source, _, target = config.partition("-")
            sources = datasets.load_dataset("openlanguagedata/flores_plus", source, split=split)
            targets = {
                r["id"]: r["text"] for r in datasets.load_dataset("openlanguagedata/flores_plus", target, split=split)
            }
            items = [Item(str(r["id"]), r["text"], targets[r["id"]]) for r in sources]
    except Exception as exc:  # no network, no such config: one line, not a traceback
        raise DataError(f"could not fetch {spec} ({type(exc).__name__}: {exc}); offline, pass --data FILE") from None
    return items[:limit] if limit is not None else items


def _item(row: dict, source_field: str, reference_field: str, where: str, fallback_id: str) -> Item:
    for field in (source_field, reference_field):
        value = row.get(field)
        if not isinstance(value, str) or not value.strip():
            raise DataError(f"{where}: field {field!r} is missing or empty (fields here: {', '.join(map(str, row))})")
    ident = row.get("id")
    return Item(str(ident) if ident not in (None, "") else fallback_id, row[source_field], row[reference_field])


def _checked(items: list[Item], path: Path) -> list[Item]:
    if not items:
        raise DataError(f"{path}: no items")
    return items
