"""The text encodings a body may name in ``charset=``: one allow-list for every reader.

Python's codec registry also holds codecs that are not text encodings (base64, rot13, zlib),
decoders that are quadratic in their input (punycode, idna) and caches every name it is asked for,
for the life of the process. So a caller's charset name is matched against this list first, by
its shape, and the registry only ever sees the names below.
"""

from __future__ import annotations

from api.errors import UnsupportedMediaType, quote

# Label (lowercase, '_' as '-') -> Python codec. What newsroom exports and browsers send: Unicode,
# Latin and Windows code pages, and the East Asian encodings of the detector's languages.
_CODECS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf-16": "utf-16",
    "utf-16le": "utf-16-le",
    "utf-16be": "utf-16-be",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-8859-1": "latin-1",
    "latin1": "latin-1",
    "latin-1": "latin-1",
    "iso-8859-15": "iso8859-15",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "windows-1250": "cp1250",
    "windows-1251": "cp1251",
    "windows-1254": "cp1254",
    "windows-1256": "cp1256",
    "windows-1258": "cp1258",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "koi8-r": "koi8-r",
    "shift-jis": "shift-jis",
    "euc-jp": "euc-jp",
    "euc-kr": "euc-kr",
    "gb2312": "gb2312",
    "gbk": "gbk",
    "gb18030": "gb18030",
    "big5": "big5",
}
ALLOWED = tuple(dict.fromkeys(_CODECS))
# Names the list could hold are short: a longer one is not looked at.
_MAX_NAME = 20


def codec_for(charset: str | None, default: str = "utf-8") -> str:
    """The Python codec for a body's ``charset`` (``default`` when none was named), or a 415 that
    names the allowed charsets. Only this list ever reaches the codec registry."""
    if charset is None or not charset.strip():
        return default
    label = charset.strip().strip('"').lower().replace("_", "-")
    codec = _CODECS.get(label) if len(label) <= _MAX_NAME else None
    if codec is None:
        raise UnsupportedMediaType(
            f"charset {quote(charset)} is not accepted; send UTF-8, or name one of: {', '.join(ALLOWED)}",
            extra={"charsets": list(ALLOWED)},
        )
    return codec
