"""``ringkas serve | summarize | digest | healthcheck | worker | jobs | eval | fetch-models |
make-tiny-models | hash-key | bench | docs``: the group, and each command from its own module."""

from __future__ import annotations

import click

from api.cli.bench import bench
from api.cli.common import _fail
from api.cli.digest import digest
from api.cli.docs import docs
from api.cli.evaluate import eval_group
from api.cli.jobs import jobs
from api.cli.keys import hash_key
from api.cli.models import fetch_models, make_tiny_models
from api.cli.serve import healthcheck, serve, worker
from api.cli.summarize import summarize

__all__ = ["main"]

# Commands that talk to a service (or build docs) run without PyTorch; the others load models.
NO_TORCH_NEEDED = {"jobs", "hash-key", "healthcheck", "docs"}
TORCH_MISSING = (
    "PyTorch is not installed (the README's first step installs it from PyTorch's CPU index); where that "
    'index cannot be reached, see the README, "Where PyTorch\'s CPU index cannot be reached": `pip install -e .`'
)


def _torch_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("torch") is not None
    except ValueError:  # a module set to None in sys.modules
        return False


@click.group()
@click.version_option(package_name="ringkas", prog_name="ringkas")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Ringkas: summarize Indonesian news with mT5, translate the summary with NLLB-200."""
    if ctx.invoked_subcommand not in NO_TORCH_NEEDED and not _torch_installed():
        _fail(TORCH_MISSING)


for command in (
    serve,
    summarize,
    digest,
    healthcheck,
    worker,
    jobs,
    eval_group,
    fetch_models,
    docs,
    hash_key,
    make_tiny_models,
    bench,
):
    main.add_command(command)
