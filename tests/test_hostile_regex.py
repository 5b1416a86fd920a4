"""Hostile input, part 1: no line of text can make matching slow.

Every cleaning rule, and every pattern of the code's own, is fed strings built to make a backtracking
engine blow up: runs of each character class, the rule's own words pumped, alternations of the
separators rules use, at one length and four times that. The time must grow in step with the input
(a ratio, see tests/helpers.growth), not with its square or worse as one backtracking rule's did (151 s
on an 81-byte line). A new rule that an editor adds to prompts/boilerplate.yaml is fed the same strings
here, so CI catches it; a rule RE2 cannot run in linear time is refused when the file loads.
"""

from __future__ import annotations

import re

import pytest
import yaml

from api.text import normalize_text, split_sentences
from api.text.boilerplate import RULE_LINE_CHARS, Boilerplate, BoilerplateRules
from api.text.html import html_to_text, looks_like_html
from api.text.linear import compile_linear
from tests.helpers import LINEAR, REPO_ROOT, growth

pytestmark = pytest.mark.unit

RULES_FILE = REPO_ROOT / "prompts" / "boilerplate.yaml"
RULES_DATA = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
TEXT_SECTIONS = ("drop_lines", "inline", "drop_trailing", "drop_blocks")
RULES = [(section, name) for section in TEXT_SECTIONS for name in RULES_DATA.get(section) or {}]
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

    def clean_all(strings):
        for string in strings:
            cleaner.clean(string)
            cleaner.clean(f"Pembuka berita.\n{string}")  # not the first line: trailing rules look at it too

    # Up to the longest line whole-line rules look at (a longer one is skipped, see below).
    small, large = ([*_adversarial(_pattern(RULES_DATA[section][name]), size)] for size in (
        RULE_LINE_CHARS // 4, RULE_LINE_CHARS))  # fmt: skip
    ratio = growth(clean_all, small, large)
    assert ratio < LINEAR, f"{name}: four times longer lines took {ratio:.1f} times as long"


ATTACKS = {
    # The findings, as sent at k=4 (the read-also-inline one: 81 bytes at k=1, and it ran 151 s).
    "read-also-inline": lambda k: "Baca juga: " + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 3 * k + " .",
    "author-initials": lambda k: "(ab" + " / a" * 100 * k,
    "caption-caps-credit": lambda k: "(A" + " / A" * 100 * k + "x",
    "credit-line": lambda k: "editor ab" + "|editor ab" * 100 * k + "!",
    "caption-credit": lambda k: "A-" * 12_500 * k,
    "promo-inline": lambda k: "ikuti berita " + "whatsapp " * 150 * k + "!",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_reported_attacks_clean_in_linear_time_with_the_whole_rule_file(name):
    cleaner = Boilerplate.from_file(RULES_FILE)
    small, large = ("Harga beras naik di pasar induk.\n" + ATTACKS[name](k) for k in (1, 4))
    assert cleaner.clean(large).text.startswith("Harga beras naik di pasar induk.")
    ratio = growth(cleaner.clean, small, large)
    assert ratio < LINEAR, f"{name}: four times the attack took {ratio:.1f} times as long"


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
    assert rule.fullmatch("a" * 100_000 + "!") is None
    ratio = growth(rule.fullmatch, "a" * 25_000 + "!", "a" * 100_000 + "!")
    assert ratio < LINEAR, f"{ratio:.1f}"


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
CLEANER = Boilerplate.from_file(RULES_FILE)


def _html(markup: str):
    return html_to_text(markup, {})


# Each as (the function, the input at scale k); k=4 is the size the attack was first sent at.
CODE_ATTACKS = {
    "sentences: a run of '!'": (split_sentences, lambda k: "!" * 10_000 * k),
    "sentences: '! ' without a capital after": (split_sentences, lambda k: "! " * 10_000 * k),
    "sentences: '.' and closing quotes": (split_sentences, lambda k: ".\u201d" * 20_000 * k + "x"),
    "sentences: abbreviation ends": (split_sentences, lambda k: "Dr. " * 10_000 * k),
    "html: a long run of spaces before a newline": (_html, lambda k: "<p>a" + " " * 25_000 * k + "\nb</p>"),
    "html: spaces and newlines": (_html, lambda k: "<p>a" + " \n" * 12_500 * k + "b</p>"),
    "normalize: spaces": (normalize_text, lambda k: "a" + " " * 25_000 * k + "b"),
    "clean: spaces inside a cut line": (CLEANER.clean, lambda k: "Kota itu ramai (Yas/Ahm)" + " " * 12_500 * k + "x"),
    # HTML sent as text is looked for in every text field (up to 10 x RINGKAS_LIMITS__MAX_TEXT_CHARS).
    "html in text: unclosed tags with long attributes": (looks_like_html, lambda k: "<p " + "a=b " * 62_500 * k),
    "html in text: almost-tags": (looks_like_html, lambda k: "<pa<div<br" * 25_000 * k),
    # Pasted-headline runs: title-case lines up to an article at the text limit, judged in one pass.
    "clean: thousands of title-case lines": (
        CLEANER.clean, lambda k: "\n".join(f"Harga Cabai Rawit Naik Lagi di Pasar {n}" for n in range(625 * k))),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CODE_ATTACKS))
def test_the_codes_own_text_handling_is_linear(name):
    run, make = CODE_ATTACKS[name]
    ratio = growth(run, make(1), make(4))
    assert ratio < LINEAR, f"{name}: four times the input took {ratio:.1f} times as long"


@pytest.mark.integration
def test_the_81_byte_request_is_answered_as_boilerplate_through_every_body(client):
    """The line that hung a worker is now what it is, boilerplate, through each way in (its matching
    time is proven linear above)."""
    line = "Baca juga: " + "ABCDEFGHIJKLMNOPQRSTUV" * 3 + " ."
    as_text = client.post("/v1/summarize", json={"text": line})
    as_html = client.post("/v1/summarize", data=f"<p>{line}</p>", content_type="text/html")
    in_batch = client.post("/v1/summarize/batch", json={"items": [{"id": "a", "text": line}]})
    assert (as_text.status_code, as_html.status_code, in_batch.status_code) == (422, 422, 200)
    assert as_text.get_json()["errors"][0]["loc"] == ["text"] and "boilerplate" in as_text.get_json()["detail"]
    assert as_html.get_json()["errors"][0]["loc"] == ["html"] and "no readable article" in as_html.get_json()["detail"]
    [item] = in_batch.get_json()["results"]
    assert (item["status"], item["problem"]["status"]) == ("failed", 422) and "boilerplate" in item["problem"]["detail"]
