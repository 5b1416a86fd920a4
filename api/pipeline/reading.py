"""Stage 1, reading an article: HTML to text, repair, normalisation, boilerplate, the preset and the
language check. Every refusal that costs no model time happens here."""

from __future__ import annotations

import json

from api.errors import PayloadTooLarge, ValidationFailed, quote
from api.pipeline.common import Article, CleanInput, Stages, _check_deadline
from api.prompts import Preset
from api.schemas import LanguageOut, SummarizeRequest
from api.text import normalize_text
from api.text.boilerplate import Cleaned
from api.text.html import Extracted, HtmlTooComplex, html_to_text, looks_like_html
from api.text.json_text import json_object_members
from api.text.normalize import expanded_length
from api.text.repair import repair_text

MIN_CHARS_FOR_LANGUAGE = 120  # below this, the detector's answer is a guess: warn, never refuse


def option_hint(style: str, name: str, value: object) -> str:
    """How this caller sets an option: a JSON member, a query option (raw text bodies, and archive
    defaults) or a CLI flag."""
    word = str(value).lower() if isinstance(value, bool) else str(value)
    if style == "query":
        return f"add ?{name}={word} to the URL"
    if style == "cli":
        return f"pass --{name.replace('_', '-')}" + ("" if value is True else f" {word}")
    return f'send "{name}": {json.dumps(value)}'


def _json_in_text(members: list[str], style: str) -> str:
    """A JSON object where the article was expected: refused, naming what to send instead (reading it
    as a request would guess at a body the caller labelled as text)."""
    what = f"a JSON object ({', '.join(members) or 'no members'}), not an article"
    if style == "query":
        return f"the text/plain body is {what}: send JSON with -H 'Content-Type: application/json'"
    if style == "cli":
        return f"the file is {what}: give the article's own text"
    return f'text is {what}: send the article itself as "text"'


FLAT_TEXT_CHARS = 600  # shorter than this, one paragraph is an ordinary text, not a flattened file


def flattened_text_warning(text: str | None) -> str | None:
    """A long article with no line break has lost its paragraphs (``curl -d @article.txt`` strips
    them, so do some exports), and paragraph-level cleaning (bylines, captions, "Baca juga" lines)
    cannot see the lines it removes. Said for every entry: single, batch, job and eval."""
    if not text or "\n" in text or len(text) < FLAT_TEXT_CHARS:
        return None
    return (
        "the text has no line breaks, so paragraphs and boilerplate lines could not be told apart; keep the "
        "article's line breaks (curl -d removes them: send files with --data-binary @file)"
    )


class Reading(Stages):
    """Stage 1 (``read_article``) and the checks it shares with translation: text limits, the preset,
    the language."""

    def _clean(self, raw: str, limit: int, field: str, setting: str) -> tuple[str, bool]:
        """Normalised text and whether mojibake was repaired in it. ``setting`` raises ``limit``."""
        if len(raw) > limit * 4:  # cheap guard before normalising a huge string
            raise PayloadTooLarge(f"{field} has {len(raw)} characters; the limit is {limit} ({setting})")
        repaired, changed = repair_text(raw)  # before normalising, which drops the C1 bytes mojibake keeps
        text = normalize_text(repaired)
        if not text:
            raise ValidationFailed.at(field, f"{field} is empty (or only whitespace and control characters)")
        if len(text) > limit:
            raise PayloadTooLarge(f"{field} has {len(text)} characters; the limit is {limit} ({setting})")
        expanded = expanded_length(text)
        if expanded > limit:
            raise PayloadTooLarge(
                f"{field} has {expanded} characters after Unicode compatibility normalisation (NFKC, as the "
                f"tokenizer reads it); the limit is {limit} ({setting})"
            )
        return text, changed

    def preset(self, name: str | None) -> tuple[str, Preset]:
        presets = self.prompts.summarize.presets
        name = name or self.prompts.summarize.default_preset
        if name not in presets:
            raise ValidationFailed.at("length", f"unknown length {quote(name)}; choose one of {', '.join(presets)}")
        return name, presets[name]

    def clean_input(
        self, request: SummarizeRequest, clean: bool = True, deadline: float | None = None, options: str = "json"
    ) -> CleanInput:
        """HTML -> text, repair, normalise, remove boilerplate (unless ``clean`` is false: ``ringkas eval
        --no-clean`` on a data set that is clean already). What is left is what the model reads.

        Each stage's cost is bounded by the input limits (the HTML's elements and attributes, linear
        cleaning rules); the deadline is checked between stages as well, so a request never runs on
        past it before the model is reached."""
        limit = self.limits.max_text_chars
        extracted = Extracted(request.text or "")
        field, fmt = "text", "text"
        markup, html_in_text = request.html, False
        if markup is None and request.text is not None and len(request.text) <= limit * 10:
            if (members := json_object_members(request.text)) is not None:
                raise ValidationFailed.at("text", _json_in_text(members, options))
            html_in_text = looks_like_html(request.text)
            markup = request.text if html_in_text else None
        if markup is not None:
            if len(markup) > limit * 10:
                raise PayloadTooLarge(
                    f"html has {len(markup)} characters; the limit is {limit * 10} "
                    "(10 x RINGKAS_LIMITS__MAX_TEXT_CHARS)"
                )
            field, fmt = ("text" if html_in_text else "html"), "html"
            try:
                extracted = html_to_text(markup, self.boilerplate.rules.html_selectors())
            except HtmlTooComplex as exc:
                raise ValidationFailed.at(field, str(exc)) from None
            _check_deadline(deadline, "reading the html")
        text, repaired = ("", False)
        if extracted.text.strip():
            text, repaired = self._clean(extracted.text, limit, field, "RINGKAS_LIMITS__MAX_TEXT_CHARS")
        cleaned = self.boilerplate.clean(text) if clean else Cleaned(text)
        _check_deadline(deadline, "cleaning the article")
        if not cleaned.text:
            what = "no readable article text" if fmt == "html" else "nothing but boilerplate"
            raise ValidationFailed.at(field, f"{field} is empty or holds {what}")
        if len(cleaned.text) < self.limits.min_text_chars:
            raise ValidationFailed.at(
                field,
                f"{field} has {len(cleaned.text)} characters after cleaning; a summary needs at least "
                f"{self.limits.min_text_chars} (RINGKAS_LIMITS__MIN_TEXT_CHARS)",
                "string_too_short",
            )
        return CleanInput(cleaned.text, fmt, cleaned, extracted.removed, repaired, html_in_text)

    def check_language(self, text: str, force: bool, options: str = "json") -> tuple[LanguageOut, list[str]]:
        detected = self.detector.detect(text)
        found = LanguageOut(code=detected.code, name=detected.name, confidence=detected.confidence)
        warnings: list[str] = []
        expected = self.prompts.summarize.input.language
        if detected.code == expected:
            return found, warnings
        if force:
            warnings.append(f"language check skipped (force); the text looks {detected.name or 'unknown'}")
        elif detected.code is None:
            warnings.append("the language could not be detected")
        elif detected.code == "zsm_Latn":
            warnings.append("the text looks Malay; the summarizer is tuned for Indonesian")
        elif len(text) < MIN_CHARS_FOR_LANGUAGE:
            warnings.append(
                f"the text may be {detected.name}: at {len(text)} characters it is too short to tell its "
                f"language for sure (from {MIN_CHARS_FOR_LANGUAGE})"
            )
        elif detected.confidence < 0.5:
            warnings.append(f"the text may be {detected.name} (confidence {detected.confidence}, not enough to refuse)")
        else:
            raise ValidationFailed(
                f"the text looks {detected.name} ({detected.code}, confidence {detected.confidence}), not "
                f"Indonesian; {option_hint(options, 'force', True)} to summarize it anyway",
                extra={"detected_language": found.model_dump()},
            )
        return found, warnings

    def read_article(
        self, request: SummarizeRequest, clean: bool = True, deadline: float | None = None, options: str = "json"
    ) -> Article:
        """Stage 1: extract, clean, choose the preset and check the language. Every refusal that costs
        no model time happens here."""
        # The options first: a bad option is the caller's to fix whatever the article holds.
        preset_name, preset = self.preset(request.length)
        if request.translate or "target_lang" in request.model_fields_set:
            # Fail before spending a summary on an impossible translation.
            self.translator.scheme.check(self.prompts.summarize.input.language, request.target_lang)
        cleaned = self.clean_input(request, clean, deadline, options)
        language, warnings = self.check_language(cleaned.text, request.force, options)
        if cleaned.html_in_text:
            how = "pass --html" if options == "cli" else 'send it as "html" (or with Content-Type: text/html)'
            warnings.append(f"the text held HTML markup, so it was read as HTML; {how}")
        elif flattened := flattened_text_warning(request.text):
            warnings.append(flattened)
        return Article(request, cleaned, preset_name, preset, language, warnings, options)
