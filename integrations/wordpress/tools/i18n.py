"""The plugin's translations: `python integrations/wordpress/tools/i18n.py` compiles each
languages/*.po into the .mo WordPress loads, and `--check` fails when a string of the plugin's PHP
has no translation or a .mo does not match its .po (tests/test_wordpress.py runs it).

Written here rather than with gettext's msgfmt, which this project's machines do not have: the .mo
format is a small, fixed table (GNU gettext manual, "The Format of GNU MO Files")."""

from __future__ import annotations

import ast
import re
import struct
import sys
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[1] / "ringkas"
# __( 'text', 'ringkas' ), esc_html_e(...), esc_html__(...), esc_attr__, _e, and _n( 'one', 'many', $n, 'ringkas' ).
_SINGLE = re.compile(r"\b(?:__|_e|esc_html__|esc_html_e|esc_attr__|esc_attr_e)\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*'ringkas'")
_PLURAL = re.compile(r"\b_n\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*'((?:[^'\\]|\\.)*)'\s*,[^,]+,\s*'ringkas'")


def _php_string(text: str) -> str:
    return text.replace("\\'", "'").replace("\\\\", "\\")


def source_strings() -> set[str]:
    found: set[str] = set()
    for path in sorted(PLUGIN.rglob("*.php")):
        code = path.read_text(encoding="utf-8")
        found |= {_php_string(m) for m in _SINGLE.findall(code)}
        found |= {_php_string(one) + "\0" + _php_string(many) for one, many in _PLURAL.findall(code)}
    return found


def read_po(path: Path) -> dict[str, str]:
    """msgid (plural forms joined by NUL) -> msgstr (likewise); the header is the empty msgid."""
    entries: dict[str, str] = {}
    current: dict[str, list[str]] = {}
    field = None

    def flush() -> None:
        if "msgid" in current:
            key = "".join(current["msgid"])
            if "msgid_plural" in current:
                key += "\0" + "".join(current["msgid_plural"])
                value = "\0".join("".join(current[f"msgstr[{i}]"]) for i in range(2) if f"msgstr[{i}]" in current)
            else:
                value = "".join(current.get("msgstr", []))
            entries[key] = value

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            current, field = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field].append(ast.literal_eval(line))
        else:
            field, _, rest = line.partition(" ")
            current[field] = [ast.literal_eval(rest)]
    return entries


def mo_bytes(entries: dict[str, str]) -> bytes:
    pairs = sorted((k.encode(), v.encode()) for k, v in entries.items() if v)
    header_size = 7 * 4
    ids_table, strs_table = header_size, header_size + len(pairs) * 8
    data_start = strs_table + len(pairs) * 8
    ids, strs, blob = [], [], b""
    for key, _ in pairs:
        ids.append((len(key), data_start + len(blob)))
        blob += key + b"\0"
    for _, value in pairs:
        strs.append((len(value), data_start + len(blob)))
        blob += value + b"\0"
    # No hash table (size 0), but its offset still points past the string tables: WordPress's MO
    # reader takes the translations' table to end there.
    out = struct.pack("<7I", 0x950412DE, 0, len(pairs), ids_table, strs_table, 0, data_start)
    return out + b"".join(struct.pack("<2I", *entry) for entry in ids + strs) + blob


def main(check: bool) -> int:
    wanted = source_strings()
    problems = []
    for po in sorted((PLUGIN / "languages").glob("*.po")):
        entries = read_po(po)
        missing = sorted(s for s in wanted if not entries.get(s))
        if missing:
            problems.append(f"{po.name}: no translation for {missing}")
        mo = po.with_suffix(".mo")
        if not check:
            mo.write_bytes(mo_bytes(entries))
        elif not mo.exists() or mo.read_bytes() != mo_bytes(entries):
            problems.append(f"{mo.name} does not match {po.name}: run {Path(__file__).name}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv))
