"""What the commands share: the models check, demo models, a taken port, the failure line and the
options more than one command takes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from api.config import Settings, env_name, field
from api.config_check import load_or_exit

ROLES = ("summarizer", "translator")
_REPORTED: set[str] = set()  # old-name lines already printed by this process


def load_settings(deprecations: bool = True, **overrides) -> Settings:
    """The settings every command reads: a bad or unknown variable stops it with one line each (exit 2);
    each old name used is printed once to stderr (serve and worker log them instead: deprecations=False)."""
    loaded = load_or_exit(**overrides)
    for line in loaded.deprecated() if deprecations else ():
        if line not in _REPORTED:
            _REPORTED.add(line)
            click.echo(f"warning: {line}", err=True)
    return loaded


def _use_demo_models(cache_dir: Path | None) -> None:
    """Points the settings at tiny random-weight models, building them once. For trying the service
    on a machine without the real checkpoints; the summaries are gibberish."""
    from api.tiny_models import build_tiny_models

    folder = (cache_dir or Path.home() / ".cache" / "ringkas") / "tiny-models"
    if not all((folder / role / "config.json").is_file() for role in ROLES):
        click.echo(f"building tiny demo models in {folder} ...", err=True)
        build_tiny_models(folder)
    for role in ROLES:
        os.environ[env_name(f"{role}.model")] = str(folder / role)
    click.echo("DEMO MODE: tiny random-weight models; output is gibberish, not a summary.", err=True)


def _sources(settings: Settings):
    from api.models.files import model_source

    return {role: model_source(settings, role) for role in ROLES}


def _require_port_free(host: str, port: int) -> None:
    """gunicorn retries a taken address for seconds with a traceback each time; one line is enough."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}; stop the other server or pick --port")


def _require_models(settings: Settings) -> None:
    """Config-only check of both models before anything heavy starts: one clear error, at once."""
    from api.errors import ModelUnavailable
    from api.models.loading import check_available

    for source in _sources(settings).values():
        try:
            check_available(source)
        except ModelUnavailable as exc:
            _fail(exc.detail)


def _setting_help(path: str, text: str, unset: str = "unset") -> str:
    """An option's help naming its setting and the setting's default, read from Settings (one place)."""
    default = field(path).default
    return f"{text} ({env_name(path)}, default {unset if default is None else default})."


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


demo_option = click.option(
    "--demo", is_flag=True, help="Use tiny random-weight models (no download; output is gibberish)."
)


def _check_length(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--length against the presets of the prompts folder in use, before any model loads."""
    if value is None:
        return None
    from api.prompts import load_prompts

    presets = list(load_prompts(load_settings().models.prompts_dir).summarize.presets)
    if value not in presets:
        raise click.BadParameter(f"{value!r} is not a preset; choose one of {', '.join(presets)}")
    return value


length_option = click.option(
    "--length",
    default=None,
    callback=_check_length,
    help="Preset: short, medium (the default) or long, or another the prompts folder defines.",
)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
