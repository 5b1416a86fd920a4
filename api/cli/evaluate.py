"""``ringkas eval summarize | digest | translate``: quality and speed of configurations, side by side."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from api.cli.common import _fail, _use_demo_models, demo_option, load_settings

# The item fields each task reads by default: the source, and the reference.
EVAL_FIELDS = {"summarize": ("text", "summary"), "translate": ("source", "reference"), "digest": ("articles", "digest")}


def _eval_options(task: str):
    """The options both ``ringkas eval`` commands share."""

    def wrap(command):
        options = [
            click.option(
                "--data",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help={
                    "summarize": "JSONL or CSV of items. XL-Sum's JSONL (text, summary) works as it is.",
                    "digest": "JSONL of story clusters: articles (texts, or objects as /v1/digest takes) and digest.",
                }.get(task, "JSONL (source, reference) or CSV of items."),
            ),
            click.option("--text-field", default=EVAL_FIELDS[task][0], show_default=True),
            click.option("--reference-field", default=EVAL_FIELDS[task][1], show_default=True),
            click.option(
                "--dataset",
                help=(
                    "A public set, fetched online with `datasets`: xlsum:indonesian:test"
                    if task == "summarize"
                    else "A public set, fetched online: flores:ind_Latn-eng_Latn:devtest"
                ),
            ),
            click.option("--limit", type=click.IntRange(min=1), help="Only the first N items."),
            click.option(
                "--config",
                "configs",
                multiple=True,
                metavar="NAME=SETTING=VALUE[,...]",
                help=(
                    "A configuration to compare with the default, e.g. full=RINGKAS_MODELS__VOCAB=full (repeatable). "
                    "Keys are settings (RINGKAS_ prefix optional) or length=PRESET."
                ),
            ),
            click.option(
                "--concurrency",
                type=click.IntRange(min=1),
                default=1,
                show_default=True,
                help="Items in flight at once (they share generate calls, as in serving).",
            ),
            click.option(
                "--samples",
                type=click.IntRange(min=100),
                default=1000,
                show_default=True,
                help="Bootstrap resamples for the intervals.",
            ),
            click.option(
                "--json",
                "json_path",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Write the whole result (metrics, intervals, pairs, outputs) here.",
            ),
            click.option(
                "--plot",
                "plot_path",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Write a PNG of quality against speed here.",
            ),
            demo_option,
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return wrap


@click.group("eval", short_help="Quality and speed of configurations, side by side.")
def eval_group() -> None:
    """Quality and speed of configurations, side by side, on your own data or a public set."""


@eval_group.command("summarize", short_help="Summaries against references: ROUGE, latency, items/s.")
@_eval_options("summarize")
@click.option("--no-clean", is_flag=True, help="Skip boilerplate removal (for data sets that are clean already).")
def eval_summarize(no_clean: bool, **options) -> None:
    """Summaries against references: ROUGE-1/2/L (XL-Sum's tokenisation), latency and items/s."""
    _evaluate("summarize", clean=not no_clean, target_lang=None, **options)


@eval_group.command("digest", short_help="Digests of story clusters against reference digests: ROUGE, speed.")
@_eval_options("digest")
def eval_digest(**options) -> None:
    """Digests of story clusters (POST /v1/digest's path) against reference digests: ROUGE-1/2/L,
    latency and clusters/s."""
    _evaluate("digest", clean=True, target_lang=None, **options)


@eval_group.command("translate", short_help="Translations against references: chrF++, BLEU, speed.")
@_eval_options("translate")
@click.option(
    "--source",
    "source_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Aligned text file of sources (FLORES-200 style), with --reference.",
)
@click.option("--reference", "reference_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--target-lang", default="eng_Latn", show_default=True)
def eval_translate(source_file: Path | None, reference_file: Path | None, target_lang: str, **options) -> None:
    """Translations against references: chrF++ and BLEU (sacrebleu, signature printed), latency and items/s."""
    _evaluate("translate", clean=True, target_lang=target_lang, aligned=(source_file, reference_file), **options)


def _evaluate(task: str, *, clean: bool, target_lang: str | None, aligned=(None, None), **o) -> None:
    from tqdm import tqdm

    from api.eval import data, report, run

    settings = load_settings()  # a bad or unknown variable stops here; old names are named once
    if o["demo"]:
        _use_demo_models(settings.models.cache_dir)
    try:
        if o["dataset"]:
            items = data.read_dataset(o["dataset"], task, o["limit"])
        elif all(aligned):
            items = data.read_aligned(*aligned, o["limit"])
        elif o["data"]:
            read = data.read_clusters if task == "digest" else data.read_file
            items = read(o["data"], o["text_field"], o["reference_field"], o["limit"])
        else:
            _fail("give --data FILE" + (", --source F --reference F" if task == "translate" else "") + " or --dataset")
        configs = run.with_default([run.parse_config(spec) for spec in o["configs"]])
    except (data.DataError, run.ConfigError, OSError) as exc:
        _fail(str(exc))
    outputs = {}
    for config in configs:
        with tqdm(total=len(items), desc=config.name, unit="item", file=sys.stderr) as bar:
            try:
                outputs[config.name] = run.decode(
                    config,
                    task,
                    items,
                    clean=clean,
                    concurrency=o["concurrency"],
                    target_lang=target_lang or "eng_Latn",
                    progress=bar.update,
                    ready=bar.reset,
                )
            except (run.ConfigError, ValueError) as exc:  # a setting pydantic refuses, a model that fails
                _fail(f"configuration {config.name!r}: {exc}")
    result = run.score(task, items, outputs, o["samples"])
    result["configurations"] = {c.name: {"settings": c.settings, "request": c.request} for c in configs}
    click.echo(report.table(result))
    if o["json_path"]:
        o["json_path"].write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"result written to {o['json_path']}", err=True)
    if o["plot_path"]:
        report.plot(result, o["plot_path"])
        click.echo(f"plot written to {o['plot_path']}", err=True)
