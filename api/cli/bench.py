"""``ringkas bench``: Ringkas against the baseline and the peer (the measuring is the ``api.bench`` package)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.bench import OPTIONAL_SIDES
from api.cli.common import load_settings


@click.command(short_help="Measure Ringkas against the baseline and the peer.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write the figures here."
)
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path.home() / ".cache" / "ringkas" / "bench",
    show_default=True,
    help="Where the real-shape random models (~5 GB) are built once.",
)
@click.option(
    "--kept-vocab",
    type=click.IntRange(min=0),
    default=60_000,
    show_default=True,
    help="Kept-vocabulary size to stand in for a real tokenizer's (the bench models' tokenizer is tiny); "
    "`ringkas fetch-models` prints the real size.",
)
@click.option(
    "--without",
    type=click.Choice(OPTIONAL_SIDES),
    multiple=True,
    help="Leave out a side: baseline (the slow transformers run), full (Ringkas with the full vocabulary), "
    "memory (the component-by-component memory table), layouts (a lone request on every thread, and the "
    "leanest burst's memory and time). Repeatable.",
)
def bench(json_path: Path | None, cache: Path, kept_vocab: int, without: tuple[str, ...]) -> None:
    """Measure the default configuration against the naive transformers baseline and plain
    CTranslate2 (takes about fifteen minutes)."""
    from api.bench import run
    from api.bench.report import table

    load_settings()  # a bad or unknown variable stops here, old names are named, before fifteen minutes
    result = run(cache, echo=lambda message: click.echo(message, err=True), kept_vocab=kept_vocab, without=without)
    click.echo(table(result))
    if json_path:
        json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        click.echo(f"figures written to {json_path}", err=True)
