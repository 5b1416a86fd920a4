"""API keys: who is calling, and what each key may do. Keys are kept and compared as SHA-256
digests, never logged.

A keys file holds one key per line (``ringkas hash-key`` writes them), so the file itself never holds
a usable key: ``name:sha256-hex``, optionally followed by the key's own policy, e.g. for the public
key a page embeds (the widget), which anyone can read from the page::

    widget:9f86d0...  scope=summarize  rate=10/minute  chars=20000/hour  origins=https://cms.example.id

- ``scope``: what the key may call (``summarize``, ``translate``, ``jobs``; default all). Every key
  may read ``/v1/models``.
- ``rate``, ``chars``: this key's own request and character limits, instead of RINGKAS_RATE_LIMIT
  and RINGKAS_CHAR_LIMIT.
- ``origins``: the browser origins the key serves; a request must come from one of them.

Keys given in ``RINGKAS_API_KEYS`` are hashed on load and have no policy of their own.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from api.config import Settings
from api.errors import Forbidden, Unauthorized

_LINE = re.compile(r"^(?:(?P<name>[A-Za-z0-9._\-]{1,64}):)?(?P<digest>[0-9a-fA-F]{64})(?P<policy>(?:\s+\S+)*)$")
SCOPES = ("summarize", "translate", "jobs")
_OPTIONS = ("scope", "rate", "chars", "origins")


@dataclass(frozen=True)
class Key:
    """One known key: its name (shown in logs and metrics), digest and policy."""

    name: str
    digest: bytes
    scopes: frozenset[str] = frozenset(SCOPES)
    rate: str | None = None  # its own request limit, e.g. "10/minute"
    chars: str | None = None  # its own character limit
    origins: tuple[str, ...] = ()  # browser origins it serves (none: any caller)

    def allows(self, scope: str | None) -> bool:
        return scope is None or scope in self.scopes

    def admits_origin(self, origin: str | None) -> bool:
        return not self.origins or (origin or "").rstrip("/") in self.origins


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def new_key() -> str:
    return "rk_" + secrets.token_urlsafe(32)


def key_line(key: str, name: str) -> str:
    """The keys-file line for ``key``: its name and its hash."""
    return f"{name}:{digest(key).hex()}"


@dataclass(frozen=True)
class KeyRing:
    entries: tuple[Key, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.entries)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        keys = _split(settings.api_keys)
        odd = [n for n, k in enumerate(keys, 1) if not k.isascii() or not k.isprintable()]
        if odd:
            # HTTP headers carry ASCII: such a key could never be presented, so it could never match.
            raise ValueError(f"RINGKAS_API_KEYS: key {odd[0]} is not printable ASCII; no client could send it")
        entries = [Key(f"key-{digest(k).hex()[:8]}", digest(k)) for k in keys]
        if settings.api_keys_file:
            entries += _read_file(settings.api_keys_file)
        _refuse_twins(entries)
        return cls(tuple(entries))

    def identify(self, presented: str | None) -> Key:
        """The key presented; 401 when none was sent, 403 when it is not known."""
        if not presented:
            raise Unauthorized("send an API key as `Authorization: Bearer KEY` or `X-API-Key: KEY`")
        given = digest(presented)
        found = None
        # Every entry is compared, in constant time, so timing tells nothing about which one matched.
        for key in self.entries:
            if hmac.compare_digest(given, key.digest):
                found = key
        if found is None:
            raise Forbidden("the API key is not valid")
        return found


def presented_key(headers) -> str | None:
    """The key from ``Authorization: Bearer KEY`` or ``X-API-Key``."""
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get("X-API-Key", "").strip() or None


def _split(keys: str | None) -> list[str]:
    return [k.strip() for k in (keys or "").split(",") if k.strip()]


def _refuse_twins(entries: list[Key]) -> None:
    """Two keys with one name would share jobs and limits; one key listed twice is a copy-paste slip."""
    names, digests = set(), set()
    for key in entries:
        if key.name in names:
            raise ValueError(f"two keys are named {key.name!r}: they would share jobs and limits; rename one")
        if key.digest in digests:
            raise ValueError(f"the key named {key.name!r} is listed twice")
        names.add(key.name)
        digests.add(key.digest)


def _policy(words: list[str], where: str) -> dict:
    from limits import parse

    policy: dict = {}
    for word in words:
        option, _, value = word.partition("=")
        if option not in _OPTIONS or not value:
            raise ValueError(f"{where}: {word!r}; options are {', '.join(o + '=...' for o in _OPTIONS)}")
        if option == "scope":
            scopes = frozenset(value.split(","))
            if not scopes <= set(SCOPES):
                raise ValueError(f"{where}: scope {value!r}; scopes are {', '.join(SCOPES)}")
            policy["scopes"] = scopes
        elif option in ("rate", "chars"):
            try:
                parse(value)
            except ValueError:
                raise ValueError(f"{where}: {option}={value!r} is not like 10/minute") from None
            policy[option] = value
        else:
            policy["origins"] = tuple(origin.rstrip("/") for origin in value.split(",") if origin)
    return policy


def _read_file(path: Path) -> list[Key]:
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            # Start-up fails loudly: a typo must not leave the service open or every key refused.
            raise ValueError(f"{path}:{number}: expected `name:sha256-hex [options]` (see `ringkas hash-key`)")
        stored = bytes.fromhex(match["digest"])
        policy = _policy(match["policy"].split(), f"{path}:{number}")
        entries.append(Key(match["name"] or f"key-{stored.hex()[:8]}", stored, **policy))
    return entries
