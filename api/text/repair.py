"""Mojibake repair with ftfy (UTF-8 read as Windows-1252 and the like: ``â€œ`` for ``“``), before the
language check and the model see the text.

Only encoding repairs are switched on: ftfy's cosmetic fixes (straight quotes, full-width letters,
ligatures) would change text that was never broken and make ``input.repaired`` say so.
"""

from __future__ import annotations

import re

import ftfy

_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # the HTML parser already decoded entities; a literal "&amp;" in text is text
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    fix_line_breaks=False,
    normalization=None,  # normalize_text composes (NFC) next; here it would count as a repair
    explain=False,
)


# What is left of a closing quote ” (E2 80 9D) once a Windows-1252 decoder has dropped the 0x9D it
# has no character for. ftfy leaves it (the sequence is lossy, and a following space reads as a lost
# no-break space); put the byte back where plain ASCII follows, and ftfy decodes the quote.
_LOST_CLOSING_QUOTE = re.compile("\u00e2\u20ac(?=[\x00-\x7f]|$)")


def repair_text(text: str) -> tuple[str, bool]:
    """The repaired text, and whether anything changed."""
    fixed = ftfy.fix_text(_LOST_CLOSING_QUOTE.sub("\u00e2\u20ac\u009d", text), _CONFIG)
    return fixed, fixed != text
