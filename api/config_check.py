"""Settings read at start, with errors an operator can act on: one line per problem naming the
environment variable (never the internal path), what is wrong, a "did you mean" for a name that is
not a setting, and the settings page. Used by every command and by gunicorn's config."""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from api import config_legacy
from api.config import GROUPS, PREFIX, Settings, env_name

SETTINGS_PAGE = "reference/settings"
# RINGKAS_* variables that are not settings of the service: read by the command-line client, the
# compose file and the tests. Documented on the settings page.
CLIENT_VARIABLES = {
    "RINGKAS_URL": "the service `ringkas jobs` talks to",
    "RINGKAS_API_KEY": "the key `ringkas jobs` sends",
    "RINGKAS_API_KEYS_LINE": "compose.yaml: the key line it writes to the service's keys file",
    "RINGKAS_ARTIFACTS": "where the browser tests put their screenshots",
}


class SettingsProblem(ValueError):
    """The environment names an unknown setting or gives a bad value; ``lines`` says which, one each."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def setting_names() -> list[str]:
    """Every setting's variable (and each group's, which takes JSON)."""
    names = []
    for name in Settings.model_fields:
        names.append(env_name(name))
        if name in GROUPS:
            names += [env_name(f"{name}.{inner}") for inner in GROUPS[name].model_fields]
    return names


def _known() -> set[str]:
    return {*setting_names(), *(config_legacy.env_name(old) for old in config_legacy.RENAMED), *CLIENT_VARIABLES}


def suggestion(name: str) -> str:
    """`` (did you mean RINGKAS_X?)`` for the closest setting, compared without the common prefix."""
    tails = {known.removeprefix(PREFIX): known for known in setting_names()}
    close = difflib.get_close_matches(name.upper().removeprefix(PREFIX), tails, n=1, cutoff=0.6)
    return f"; did you mean {tails[close[0]]}?" if close else ""


def unknown_lines(environ: Mapping[str, str]) -> list[str]:
    known = _known()
    return [
        f"{name} is not a setting{suggestion(name)}"
        for name in sorted({key.upper() for key in environ if key.upper().startswith(PREFIX)} - known)
    ]


def _variable(path: tuple[Any, ...], environ: Mapping[str, str]) -> str:
    """The variable an error at ``path`` came from: the new name, or the old one if only that is set."""
    dotted = ".".join(str(part) for part in path[:2])
    new = env_name(dotted)
    upper = {key.upper() for key in environ}
    if new not in upper:
        for old, moved in config_legacy.RENAMED.items():
            if moved == dotted and config_legacy.env_name(old) in upper:
                return config_legacy.env_name(old)
    return new


def error_lines(exc: ValidationError, environ: Mapping[str, str]) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False):
        variable = _variable(error["loc"], environ)
        if error["type"] == "extra_forbidden":
            lines.append(f"{variable} is not a setting{suggestion(variable)}")
        else:  # the value is not echoed: it may be a secret
            lines.append(f"{variable}: {error['msg'].rstrip('.')}")
    return lines


def load(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """``Settings(**overrides)`` from the environment, or :class:`SettingsProblem` listing every problem."""
    environ = os.environ if environ is None else environ
    lines = unknown_lines(environ)
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        lines += [line for line in error_lines(exc, environ) if line not in lines]
    if lines:
        raise SettingsProblem(lines)
    return settings


def load_or_exit(**overrides: Any) -> Settings:
    """:func:`load`, or each problem on a line of its own on stderr and exit 2 (no traceback)."""
    try:
        return load(**overrides)
    except SettingsProblem as problem:
        for line in problem.lines:
            print(f"error: {line}", file=sys.stderr)
        print(
            f"error: the settings are listed on the settings page ({SETTINGS_PAGE} in the docs, `ringkas docs`)",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
