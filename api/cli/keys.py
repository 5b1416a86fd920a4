"""``ringkas hash-key``: an API key and its line for the keys file."""

from __future__ import annotations

import re
import sys

import click

from api.cli.common import _fail


@click.command("hash-key", short_help="Make an API key and its line for the keys file.")
@click.option("--name", required=True, help="Who the key is for (shown in logs and metrics, e.g. cms).")
@click.option("--key", "key", default=None, help="Hash this key instead of making a new one (read - from stdin).")
def hash_key(name: str, key: str | None) -> None:
    """Make an API key (or take one) and print the line for RINGKAS_API_KEYS_FILE.

    The key goes to stderr, for the caller; the line with only its hash goes to stdout, for the file."""
    from api.auth import key_line, new_key

    if key == "-":
        key = sys.stdin.readline().strip()
    if not re.fullmatch(r"[A-Za-z0-9._\-]{1,64}", name):  # the keys-file format
        _fail("--name may use letters, digits, '.', '_' and '-' (at most 64)")
    key = key or new_key()
    click.echo(f"key for {name}: {key}", err=True)
    click.echo(key_line(key, name))
