"""``ringkas docs``: the documentation site, built from this checkout and served on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from api.cli.common import _fail, _require_port_free, load_settings


@click.command("docs", short_help="Build the documentation site and serve it locally.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port to serve the site on (loopback).")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Where to build.")
@click.option("--build-only", is_flag=True, help="Build the site and stop.")
def docs(port: int, site_dir: Path | None, build_only: bool) -> None:
    """Build the documentation site (MkDocs) from this checkout and serve it on 127.0.0.1, so an operator
    reads it without internet. Needs the docs extra: pip install -e '.[docs]'."""
    root = Path(__file__).resolve().parents[2]  # api/cli/docs.py -> the checkout
    if not (root / "mkdocs.yml").is_file():
        _fail("the documentation sources are not in this install: clone the repository to build them", 2)
    site = site_dir or (load_settings().models.cache_dir or Path.home() / ".cache" / "ringkas") / "site"
    if not build_only:  # before the build, not after it: a taken port is one line, not a traceback
        _require_port_free("127.0.0.1", port)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
            cwd=root,
            check=True,
            env=env,
        )
    except subprocess.CalledProcessError:
        _fail("the site did not build (is the docs extra installed? pip install -e '.[docs]')", 1)
    click.echo(f"built {site / 'index.html'}", err=True)
    if build_only:
        return
    click.echo(f"serving the documentation on http://127.0.0.1:{port}/ (Ctrl+C to stop)", err=True)
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
    )
