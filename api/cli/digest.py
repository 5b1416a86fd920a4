"""``ringkas digest FILE...``: one digest of several article files, without a server."""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.cli.common import (
    HTML_SUFFIXES,
    _fail,
    _require_models,
    _use_demo_models,
    demo_option,
    length_option,
    load_settings,
)


@click.command(short_help="One digest of several articles about the same story, without a server.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--translate", is_flag=True, help="Also translate the digest.")
@length_option
@click.option("--target-lang", default="eng_Latn", show_default=True, help="NLLB code for the translation.")
@click.option("--force", is_flag=True, help="Accept articles that do not look Indonesian.")
@demo_option
def digest(files: tuple[Path, ...], translate: bool, length: str | None, target_lang: str, force: bool, demo: bool):
    """Digest FILES (2 or more; .html files are read as HTML) and print the JSON result: the summary,
    the composed input with each sentence's article, the duplicates dropped and what was left out."""
    if demo:
        _use_demo_models(load_settings().models.cache_dir)
    run(list(files), {"translate": translate, "length": length, "target_lang": target_lang, "force": force})


def articles_from(paths: list[Path]) -> list[dict]:
    """Each file an article: HTML by its suffix (as ``ringkas summarize`` reads one), else text; its
    file name as its id."""
    return [
        {"html" if path.suffix.lower() in HTML_SUFFIXES else "text": path.read_text(encoding="utf-8"), "id": path.name}
        for path in paths
    ]


def run(paths: list[Path], options: dict) -> None:
    """Load the models, write the digest as JSON on standard output; a problem exits 1 (the input's)
    or 2 (the service's), as ``ringkas summarize`` does."""
    from pydantic import ValidationError

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
    settings = load_settings(serving={"warmup": False})
    _require_models(settings)
    runtime = Runtime(settings)
    try:
        result = runtime.start(background=False).require().digest(request, caller=Caller(options="cli"))
    except RingkasError as exc:
        _fail(exc.detail, 2 if exc.status >= 500 else 1)
    finally:
        runtime.stop()
    click.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
