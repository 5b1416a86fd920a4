"""``ringkas digest FILE...``: one digest of several article files, without a server."""

from __future__ import annotations

import json
from pathlib import Path

import click


def articles_from(paths: list[Path]) -> list[dict]:
    """Each file an article: HTML by its suffix (as ``ringkas summarize`` reads one), else text; its
    file name as its id."""
    from api.cli import HTML_SUFFIXES

    return [
        {"html" if path.suffix.lower() in HTML_SUFFIXES else "text": path.read_text(encoding="utf-8"), "id": path.name}
        for path in paths
    ]


def run(paths: list[Path], options: dict) -> None:
    """Load the models, write the digest as JSON on standard output; a problem exits 1 (the input's)
    or 2 (the service's), as ``ringkas summarize`` does."""
    from pydantic import ValidationError

    from api.cli import _fail, _require_models
    from api.config import Settings
    from api.errors import RingkasError, from_validation_error
    from api.pipeline import Caller
    from api.runtime import Runtime
    from api.schemas import DigestRequest

    try:
        request = DigestRequest.model_validate({"articles": articles_from(paths), **options})
    except ValidationError as exc:
        errors = from_validation_error(exc).extra["errors"]
        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors), 1)
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read the articles: {exc}", 1)
    settings = Settings(serving={"warmup": False})
    _require_models(settings)
    runtime = Runtime(settings)
    try:
        result = runtime.start(background=False).require().digest(request, caller=Caller(options="cli"))
    except RingkasError as exc:
        _fail(exc.detail, 2 if exc.status >= 500 else 1)
    finally:
        runtime.stop()
    click.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
