"""``ringkas jobs submit | status | results | cancel``: archive jobs on a running service."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from api.cli.common import _check_length, _fail, load_settings


@click.group(short_help="Archive jobs on a running service.")
def jobs() -> None:
    """Archive jobs on a running service: submit a file, watch it, download the results, cancel."""


def _client(url: str | None, key: str | None):
    from api.jobs.client import JobsClient

    return JobsClient(
        url or os.environ.get("RINGKAS_URL") or f"http://127.0.0.1:{load_settings().port}",
        key or os.environ.get("RINGKAS_API_KEY"),
    )


_url_option = click.option("--url", help="The service (RINGKAS_URL; default http://127.0.0.1:RINGKAS_PORT).")
_key_option = click.option("--key", help="API key (RINGKAS_API_KEY).")


@jobs.command("submit", short_help="Submit a JSONL, CSV or JSON file of articles as a job.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_url_option
@_key_option
@click.option("--translate", is_flag=True, default=None, help="Translate every summary (a default for the items).")
@click.option(
    "--length", default=None, callback=_check_length, help="Preset for the items that name none: short, medium or long."
)
@click.option("--target-lang", default=None, help="Translation language for the items that name none.")
@click.option("--wait", is_flag=True, help="Show progress until the job ends, then print its results.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", help="Where --wait writes results.")
def jobs_submit(file: Path, url, key, translate, length, target_lang, wait: bool, output) -> None:
    """Submit FILE: JSONL (one item per line), CSV (columns id, text or html, options) or JSON.

    Prints the job id; with --wait, a progress bar on standard error, then the results as NDJSON."""
    client = _client(url, key)
    options = {
        k: v for k, v in {"translate": translate, "length": length, "target_lang": target_lang}.items() if v is not None
    }
    job = client.submit(file, options)
    click.echo(f"job {job['id']}: {job['total']} items queued", err=True)
    if not wait:
        click.echo(job["id"])
        return
    status = client.wait(job["id"], job["total"])
    written = client.results(job["id"], output)
    counts = status["counts"]
    click.echo(
        f"job {job['id']} {status['status']}: {counts['done']} done, {counts['failed']} failed, "
        f"{written} lines written",
        err=True,
    )


@jobs.command("status")
@click.argument("job_id")
@_url_option
@_key_option
def jobs_status(job_id: str, url, key) -> None:
    """Print a job's status as JSON."""
    click.echo(json.dumps(_client(url, key).status(job_id), indent=2))


@jobs.command("results")
@click.argument("job_id")
@_url_option
@_key_option
@click.option("--since", type=click.IntRange(0), default=0, help="First item index (resume a download).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ndjson", "csv", "xlsx"]),
    default="ndjson",
    show_default=True,
    help="csv and xlsx open in a spreadsheet (one row per item).",
)
@click.option("--output", type=click.File("wb"), default="-", help="File to write (default: standard output).")
def jobs_results(job_id: str, url, key, since: int, fmt: str, output) -> None:
    """Write a job's finished results, in item order."""
    if fmt == "xlsx" and output.isatty():
        _fail("an XLSX file is binary: name a file with --output results.xlsx", 1)
    written = _client(url, key).download(job_id, output, since, fmt)
    click.echo(f"{written} bytes of {fmt.upper()}", err=True)


@jobs.command("cancel")
@click.argument("job_id")
@_url_option
@_key_option
def jobs_cancel(job_id: str, url, key) -> None:
    """Cancel what has not started; finished results stay downloadable."""
    status = _client(url, key).cancel(job_id)
    click.echo(json.dumps(status, indent=2))
