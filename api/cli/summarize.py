"""``ringkas summarize FILE``: one summary, without a server."""

from __future__ import annotations

import json

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


@click.command(short_help="Summarize a file (or standard input), without a server.")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--translate", is_flag=True, help="Also translate the summary.")
@length_option
@click.option("--target-lang", default="eng_Latn", show_default=True, help="NLLB code for the translation.")
@click.option("--html", "as_html", is_flag=True, help="FILE is HTML (a CMS body or a whole page); .html files are.")
@click.option(
    "--long-input",
    type=click.Choice(["truncate", "chunk"]),
    default="truncate",
    show_default=True,
    help="Over the model window: read the opening, or summarize the whole article in parts.",
)
@click.option("--force", is_flag=True, help="Summarize even if the text is not Indonesian.")
@demo_option
def summarize(
    file, translate: bool, length: str | None, target_lang: str, as_html: bool, long_input: str, force: bool, demo: bool
) -> None:
    """Summarize FILE (or - for standard input) and print the JSON result, without a server."""
    if demo:
        _use_demo_models(load_settings().models.cache_dir)
    from pydantic import ValidationError

    from api.errors import RingkasError, from_validation_error
    from api.pipeline import Caller
    from api.runtime import Runtime
    from api.schemas import SummarizeRequest

    settings = load_settings(serving={"warmup": False})
    _require_models(settings)
    runtime = Runtime(settings)
    try:
        pipeline = runtime.start(background=False).require()
        source = "html" if as_html or str(getattr(file, "name", "")).lower().endswith(HTML_SUFFIXES) else "text"
        request = SummarizeRequest(
            **{source: file.read()},
            translate=translate,
            target_lang=target_lang,
            length=length,
            long_input=long_input,
            force=force,
        )
        result = pipeline.summarize(request, caller=Caller(options="cli"))
    except ValidationError as exc:
        problem = from_validation_error(exc)
        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in problem.extra["errors"]), 1)
    except RingkasError as exc:
        _fail(exc.detail, 2 if exc.status >= 500 else 1)
    finally:
        runtime.stop()
    click.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
