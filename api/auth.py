"""API keys: who is calling. Keys are kept and compared as SHA-256 digests, never logged.

A keys file holds one ``name:sha256-hex`` per line (``ringkas hash-key`` writes them), so the file
itself never holds a usable key. Keys given in ``RINGKAS_API_KEYS`` are hashed on load.
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

_LINE = re.compile(r"^(?:(?P<name>[A-Za-z0-9._\-]{1,64}):)?(?P<digest>[0-9a-fA-F]{64})$")


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def new_key() -> str:
    return "rk_" + secrets.token_urlsafe(32)


def key_line(key: str, name: str) -> str:
    """The keys-file line for ``key``: its name and its hash."""
    return f"{name}:{digest(key).hex()}"


@dataclass(frozen=True)
class KeyRing:
    entries: tuple[tuple[str, bytes], ...] = ()  # (key id shown in logs and metrics, digest)

    @property
    def enabled(self) -> bool:
        return bool(self.entries)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        entries = [(f"key-{digest(k).hex()[:8]}", digest(k)) for k in _split(settings.api_keys)]
        if settings.api_keys_file:
            entries += _read_file(settings.api_keys_file)
        return cls(tuple(entries))

    def identify(self, presented: str | None) -> str:
        """The key id for a presented key; 401 when none was sent, 403 when it is not known."""
        if not presented:
            raise Unauthorized("send an API key as `Authorization: Bearer KEY` or `X-API-Key: KEY`")
        given = digest(presented)
        found = None
        # Every entry is compared, in constant time, so timing tells nothing about which one matched.
        for key_id, stored in self.entries:
            if hmac.compare_digest(given, stored):
                found = key_id
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


def _read_file(path: Path) -> list[tuple[str, bytes]]:
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            # Start-up fails loudly: a typo must not leave the service open or every key refused.
            raise ValueError(f"{path}:{number}: expected `name:sha256-hex` (see `ringkas hash-key`)")
        stored = bytes.fromhex(match["digest"])
        entries.append((match["name"] or f"key-{stored.hex()[:8]}", stored))
    return entries
