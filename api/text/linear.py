"""Cleaning-rule patterns compiled with RE2, so matching time grows linearly with the line whatever
an editor writes.

Python's ``re`` backtracks: one rule with a nested quantifier froze a worker for minutes on an
81-byte line, holding the GIL the whole time. RE2 (google-re2) runs every pattern as an automaton, and
refuses at load what it cannot run that way (look-around, back-references), so a new unsafe rule fails
at start and in CI instead of in production.

Rules keep Python's reading of the classes that matter for Indonesian text: ``\\w`` is any letter or
digit (RE2's is ASCII only). Text reaches the rules normalised (every Unicode space is already a
plain space), so RE2's ASCII ``\\s`` sees the same spaces Python's would. ``\\b`` stays ASCII: it only
ever stands beside ASCII keywords in the rules.
"""

from __future__ import annotations

import re2

# Python's Unicode \w, written for RE2 (inside a class and as a class of its own).
_WORD_CHARS = r"\p{L}\p{N}_"


class UnsafePattern(ValueError):
    """A rule RE2 cannot run in linear time (or cannot read)."""


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # the error is raised with the rule's name; no stray line on stderr
    return options


def translate(pattern: str) -> str:
    """Python's ``\\w`` and ``\\W`` spelled the Unicode way for RE2; everything else unchanged."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped == "w":
                out.append(_WORD_CHARS if in_class else f"[{_WORD_CHARS}]")
            elif escaped == "W":
                if in_class:
                    raise UnsafePattern(r"\W inside [...] cannot be translated; write the class out instead")
                out.append(f"[^{_WORD_CHARS}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            i += 1
            # A ']' right after '[' or '[^' is a literal member, not the end of the class.
            if i < len(pattern) and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < len(pattern) and pattern[i] == "]":
                out.append("]")
                i += 1
            continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def compile_linear(pattern: str, case_sensitive: bool = False):
    """An RE2 pattern with ``fullmatch``, ``search``, ``finditer`` and ``subn`` like ``re``'s."""
    source = ("" if case_sensitive else "(?i)") + f"(?:{translate(pattern)})"
    try:
        return re2.compile(source, _options())
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise UnsafePattern(
            f"{reason}: rules run on a linear-time engine (RE2), which has no look-around and no "
            "back-references; match the text itself, or use a rule's `then:` step"
        ) from None
