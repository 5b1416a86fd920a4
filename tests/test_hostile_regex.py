"""Hostile input, part 1: no line of text can make matching slow.

Every cleaning rule, and every pattern of the code's own, is fed strings built to make a backtracking
engine blow up: runs of each character class, the rule's own words pumped, alternations of the
separators rules use. Matching must finish within a budget far above what linear matching needs and
far below what one backtracking rule took (151 s on an 81-byte line). A new rule that an editor adds
to prompts/boilerplate.yaml is fed the same strings here, so CI catches it; a rule RE2 cannot run in
linear time is refused when the file loads.
"""

from __future__ import annotations

import re
import time

import pytest
import yaml

from api.text import normalize_text, split_sentences
from api.text.boilerplate import RULE_LINE_CHARS, Boilerplate, BoilerplateRules
from api.text.html import html_to_text, looks_like_html
from api.text.linear import compile_linear
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

RULES_FILE = REPO_ROOT / "prompts" / "boilerplate.yaml"
RULES_DATA = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
TEXT_SECTIONS = ("drop_lines", "inline", "drop_trailing", "drop_blocks")
RULES = [(section, name) for section in TEXT_SECTIONS for name in RULES_DATA.get(section) or {}]
# Linear matching of all of one rule's strings takes milliseconds; one backtracking rule took
# minutes on far less. The budget sits between the two, wide enough for a slow, busy CI machine.
BUDGET_S = 3.0
# Separators and characters the rules are built from, and the runs the attacks used.
PIECES = ["A", "a", "0", " ", ".", "!", "/", "-", "|", "(", ")", ":", "'", "é", "A ", "a ", "A-", " / a", "(ab",
          "|editor ab", "Ab ", "A.", "a/", ". "]  # fmt: skip


def _pattern(rule) -> str:
    return rule if isinstance(rule, str) else rule["pattern"]


def _adversarial(pattern: str, size: int):
    """Strings of about ``size`` characters that pump what the pattern is made of."""
    words = sorted(set(re.findall(r"[^\W\d_]{2,}", pattern)))[:12]
    pieces = PIECES + [f"{w} " for w in words] + [f"{w.upper()} " for w in words] + [f"{w} / " for w in words]
    labels = ["", *(f"{w}: " for w in words[:2]), "Baca juga: "]
    for piece in pieces:
        run = piece * max(1, size // len(piece))
        for label in labels:
            yield label + run + " ."
        yield "(" + run + "!"


def _one_rule(section: str, name: str) -> Boilerplate:
    return Boilerplate(BoilerplateRules(version="t", **{section: {name: RULES_DATA[section][name]}}))


@pytest.mark.parametrize(("section", "name"), RULES, ids=[f"{s}:{n}" for s, n in RULES])
def test_every_rule_matches_adversarial_lines_in_linear_time(section, name):
    cleaner = _one_rule(section, name)
    # At the longest line whole-line rules look at, and ten times longer (inline rules see it in windows).
    strings = [s for size in (RULE_LINE_CHARS, 10 * RULE_LINE_CHARS) for s in _adversarial(
        _pattern(RULES_DATA[section][name]), size)]  # fmt: skip
    started = time.perf_counter()
    for string in strings:
        cleaner.clean(string)
        cleaner.clean(f"Pembuka berita.\n{string}")  # not the first line: trailing rules look at it too
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET_S, f"{name}: {len(strings)} adversarial lines took {elapsed:.2f} s"


ATTACKS = {
    # The findings, as sent (the read-also-inline one was 81 bytes and ran 151 s).
    "read-also-inline": "Baca juga: " + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 3 + " .",
    "author-initials": "(ab" + " / a" * 400,
    "caption-caps-credit": "(A" + " / A" * 400 + "x",
    "credit-line": "editor ab" + "|editor ab" * 400 + "!",
    "caption-credit": "A-" * 50_000,
    "promo-inline": "ikuti berita " + "whatsapp " * 600 + "!",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_reported_attacks_clean_quickly_with_the_whole_rule_file(name):
    cleaner = Boilerplate.from_file(RULES_FILE)
    started = time.perf_counter()
    cleaner.clean("Harga beras naik di pasar induk.\n" + ATTACKS[name])
    assert time.perf_counter() - started < BUDGET_S


@pytest.mark.parametrize(
    "pattern",
    [
        r"baca juga:.*?(?=[A-Z][a-z])",  # look-ahead, as the old read-also-inline rule had
        r"(?<=oleh )\w+",  # look-behind
        r"(\w+) \1",  # back-reference
    ],
)
def test_a_rule_that_needs_backtracking_is_refused_at_load_with_its_name(pattern):
    with pytest.raises(ValueError, match="sneaky") as caught:
        BoilerplateRules(version="t", drop_lines={"sneaky": pattern})
    assert "linear-time" in str(caught.value)


def test_nested_quantifiers_that_explode_a_backtracking_engine_run_linearly():
    # (a+)+$ on "aaaa…!" is the textbook catastrophic pattern: Python's re needs 2^n steps for it.
    rule = compile_linear(r"(a+)+$")
    started = time.perf_counter()
    assert rule.fullmatch("a" * 100_000 + "!") is None
    assert time.perf_counter() - started < BUDGET_S


def test_rules_keep_pythons_unicode_word_class():
    # RE2's \w is ASCII; the rules are written for Python's, where "é" and "ñ" are letters.
    assert compile_linear(r"oleh \w+").fullmatch("Oleh Désiré")
    assert not compile_linear(r"oleh \W+").fullmatch("oleh é")
    assert compile_linear(r"[\w .-]{2,10}").fullmatch("Café Niño")


def test_whole_line_rules_skip_a_line_longer_than_the_cap():
    # A pasted article on one line that starts "Baca juga" is story text, not one boilerplate line.
    article = "Baca juga kisah para nelayan di pesisir utara. " + "Mereka melaut sejak subuh. " * 100
    cleaner = Boilerplate.from_file(RULES_FILE)
    assert len(article) > RULE_LINE_CHARS
    assert cleaner.clean(article).text == article.strip()


def test_inline_rules_still_cut_inside_a_long_line():
    story = "Mereka melaut sejak subuh dan pulang membawa ikan. " * 60
    line = story + "Baca juga: Harga Ikan Naik di Pasar Muara Nelayan kembali melaut esok hari. " + story
    cleaned = Boilerplate.from_file(RULES_FILE).clean(line)
    assert "Harga Ikan" not in cleaned.text and "Nelayan kembali melaut esok hari." in cleaned.text
    assert cleaned.cut["read-also-inline"] == 1


# --- the code's own patterns -------------------------------------------------------------------
CODE_ATTACKS = {
    "sentences: a run of '!'": lambda: split_sentences("!" * 40_000),
    "sentences: '! ' without a capital after": lambda: split_sentences("! " * 40_000),
    "sentences: '.' and closing quotes": lambda: split_sentences(".\u201d" * 40_000 + "x"),
    "sentences: abbreviation ends": lambda: split_sentences("Dr. " * 40_000),
    "html: a long run of spaces before a newline": lambda: html_to_text("<p>a" + " " * 100_000 + "\nb</p>", {}),
    "html: spaces and newlines": lambda: html_to_text("<p>a" + " \n" * 50_000 + "b</p>", {}),
    "normalize: spaces": lambda: normalize_text("a" + " " * 100_000 + "b"),
    "clean: spaces inside a cut line": lambda: Boilerplate.from_file(RULES_FILE).clean(
        "Kota itu ramai (Yas/Ahm)" + " " * 50_000 + "x"
    ),
    # HTML sent as text is looked for in every text field (up to 10 x RINGKAS_MAX_TEXT_CHARS).
    "html in text: unclosed tags with long attributes": lambda: looks_like_html("<p " + "a=b " * 250_000),
    "html in text: almost-tags": lambda: looks_like_html("<pa<div<br" * 100_000),
    # Pasted-headline runs: an article at the text limit (100,000 characters) of title-case lines,
    # judged in one pass.
    "clean: thousands of title-case lines": lambda: Boilerplate.from_file(RULES_FILE).clean(
        "\n".join(f"Harga Cabai Rawit Naik Lagi di Pasar {n}" for n in range(2_500))
    ),
}


@pytest.mark.parametrize("name", sorted(CODE_ATTACKS))
def test_the_codes_own_text_handling_is_linear(name):
    started = time.perf_counter()
    CODE_ATTACKS[name]()
    assert time.perf_counter() - started < BUDGET_S, name


@pytest.mark.integration
def test_the_81_byte_request_is_answered_at_once_through_every_body(client):
    line = "Baca juga: " + "ABCDEFGHIJKLMNOPQRSTUV" * 3 + " ."
    started = time.perf_counter()
    for response in (
        client.post("/v1/summarize", json={"text": line}),
        client.post("/v1/summarize", data=f"<p>{line}</p>", content_type="text/html"),
        client.post("/v1/summarize/batch", json={"items": [{"id": "a", "text": line}]}),
    ):
        assert response.status_code in (200, 422), response.get_data(as_text=True)
    assert time.perf_counter() - started < 10 * BUDGET_S
