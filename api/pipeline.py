"""One request's journey: extract -> clean -> check language -> summarize -> translate, with limits,
cache, deadline and timings."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from api.cache import ResultCache, cache_key
from api.digest import Composition, DigestLimits, compose, reading_order, split
from api.errors import DeadlineExceeded, PayloadTooLarge, RingkasError, ValidationFailed, quote
from api.items import MAX_ARTICLES, check_item
from api.prompts import Preset, Prompts
from api.schemas import (
    BatchItem,
    BatchResponse,
    BatchResult,
    Cleaning,
    ClusterItem,
    DigestArticle,
    DigestInput,
    DigestOptions,
    DigestRequest,
    DigestResponse,
    DigestSentence,
    DigestSource,
    DigestTimings,
    DroppedSentence,
    InputFacts,
    LanguageOut,
    ModelRef,
    ModelsUsed,
    SentenceRef,
    SummarizeRequest,
    SummarizeResponse,
    SummarizeTimings,
    TextOut,
    TranslateInput,
    TranslateRequest,
    TranslateResponse,
    TranslateTimings,
    usable_id,
)
from api.tasks.summarizer import Summarizer
from api.tasks.translator import Translator
from api.text import normalize_text
from api.text.boilerplate import Boilerplate, Cleaned
from api.text.html import Extracted, HtmlTooComplex, html_to_text, looks_like_html
from api.text.json_text import json_object_members
from api.text.language import LanguageDetector
from api.text.normalize import expanded_length
from api.text.repair import repair_text

# A digest's answer lists at most this many dropped and left-out sentences: a cluster of many
# one-word repeats must not answer ten times its own size (the counts stay whole).
PROVENANCE_LISTED = 200
# Chunk mode: partial summaries are condensed again while they overflow the window (each round
# shrinks the text about window/max_new_tokens times; three rounds cover any article the body limit admits).
MAX_CONDENSE_ROUNDS = 3


def _engine_identity(engine) -> list[str]:
    kept = getattr(engine, "kept", None)
    return [engine.name, kept.key if kept is not None else "full"]


@dataclass(frozen=True)
class Limits:
    max_text_chars: int
    max_translate_chars: int
    timeout_s: float
    min_text_chars: int = 1
    digest: DigestLimits = DigestLimits()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _check_deadline(deadline: float | None, stage: str) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlineExceeded(f"{stage} did not finish before the request deadline", retry_after=10)


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


@dataclass(frozen=True)
class CleanInput:
    """What the model will read, and what extraction, repair and cleaning did to get there."""

    text: str
    format: str
    cleaned: Cleaned
    extracted: Counter  # HTML elements removed before extraction, by rule name
    repaired: bool
    html_in_text: bool = False  # the text field held markup, and was read as HTML

    def cleaning(self, rules_version: str, show_text: bool) -> Cleaning:
        return Cleaning(
            rules_version=rules_version,
            removed_elements=sum(self.extracted.values()),
            removed_lines=self.cleaned.removed_lines,
            removed_spans=sum(self.cleaned.cut.values()),
            removed=dict(self.extracted + self.cleaned.removed + self.cleaned.cut),
            clean_text=self.text if show_text else None,
        )


@dataclass(frozen=True)
class Article:
    """Stage 1's output: what the model will read and what the response reports about it."""

    request: SummarizeRequest
    input: CleanInput
    preset_name: str
    preset: Preset
    language: LanguageOut
    warnings: list[str]
    options: str = "json"  # the caller's way of setting options (option_hint)


class InputRead(BaseModel):
    """How much of the article the summarizer read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tokens: int
    max_tokens: int
    truncated: bool
    chunks: int
    fraction_read: float


@dataclass(frozen=True)
class Summarized:
    """Stage 2's output."""

    text: str
    input: InputRead
    warnings: list[str]


class ModelOutputs(BaseModel):
    """What the models wrote for one article: the result cache's payload, validated when it is read
    back, so an entry of another shape (an older version's, through a shared Redis) is a miss."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shape: Literal[3] = 3  # raise when the fields or what they mean change (3: no truncation warning)
    summary: str
    translation: str | None
    input: InputRead
    warnings: tuple[str, ...] = ()


ParsedItem = tuple[str | int | None, BatchItem | ClusterItem | RingkasError]
Charge = Callable[[int], None]  # counts generations against the caller's limit; raises to refuse


@dataclass(frozen=True)
class Caller:
    """Who asks: results are cached per tenant (a second tenant sending the same embargoed text must
    not learn that someone already sent it), and chunk mode's generations are charged to them."""

    tenant: str = "public"
    charge: Charge | None = None
    request_id: str | None = None  # written into each batch item's problem, as into a request's own
    options: str = "json"  # how the caller sets options, for hints: json, query or cli (option_hint)


def parse_item(item: object, defaults: dict | None = None, max_articles: int = MAX_ARTICLES) -> ParsedItem:
    """One batch or job item (an article, or a cluster of at most ``max_articles``), validated on its
    own, with the job's defaults under its own options. An item that fails validation still gets its
    id back, so the caller can tell which it was."""
    item_id = usable_id(item.get("id")) if isinstance(item, dict) else None  # an unusable id is never echoed
    try:
        return item_id, check_item(item, defaults, max_articles)
    except ValidationFailed as exc:
        return item_id, exc


def _at_article(exc: RingkasError, index: int) -> RingkasError:
    """An article's own problem, said of that article: ``articles[2]: text is empty...``, its
    field errors under ``["articles", 2, ...]`` and the index as ``article``."""
    exc.detail = f"articles[{index}]: {exc.detail}"
    exc.args = (exc.detail,)
    errors = exc.extra.get("errors")
    if errors:
        exc.extra["errors"] = [{**error, "loc": ["articles", index, *error["loc"]]} for error in errors]
    exc.extra["article"] = index
    return exc


class Pipeline:
    """Built once per process; safe to call from many request threads (the batchers serialise the models)."""

    def __init__(
        self,
        summarizer: Summarizer,
        translator: Translator,
        prompts: Prompts,
        limits: Limits,
        boilerplate: Boilerplate,
        detector: LanguageDetector,
        cache: ResultCache,
    ):
        self.summarizer = summarizer
        self.translator = translator
        self.prompts = prompts
        self.limits = limits
        self.boilerplate = boilerplate
        self.detector = detector
        self.cache = cache
        self._engines = [_engine_identity(task.batcher.engine) for task in (summarizer, translator)]

    # --- checks shared by the routes --------------------------------------------------------
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

    def _cache_key(self, text: str, request: SummarizeRequest, preset_name: str, preset: Preset, tenant: str) -> str:
        return cache_key(
            {
                "tenant": tenant,
                "text": text,
                "preset": [preset_name, preset.model_dump()],
                "translate": request.translate,
                "target_lang": request.target_lang if request.translate else None,
                "long_input": request.long_input,
                "models": [self.model_ref(self.summarizer).model_dump(), self.model_ref(self.translator).model_dump()],
                # The engine and its output vocabulary: both change what is written, so replicas that
                # differ in either (RINGKAS_MODELS__VOCAB, a corpus) never share results through Redis.
                "engines": self._engines,
                "prompts": [self.prompts.summarize.version, self.prompts.translate.version],
            }
        )

    # --- stages ------------------------------------------------------------------------------
    # One summary is prepare -> summarize -> translate -> assemble. HTTP, batch, archive jobs, eval
    # and bench all enter through ``summarize`` (or ``answer_items`` for many), so none repeats them.
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

    def summarize_stage(self, article: Article, deadline: float, charge: Charge | None = None) -> Summarized:
        """Stage 2: the summary, from the first window or (chunk mode) from every part of the article."""
        text, preset, request = article.input.text, article.preset, article.request
        encoded = self.summarizer.encode(text)
        warnings: list[str] = []
        if request.long_input == "chunk" and encoded.truncated:
            summary_text, chunks, fraction = self._condense(text, preset, deadline, warnings, charge)
            truncated = fraction < 1.0
        else:
            summary_text = self.summarizer.decode(self.summarizer.run([encoded.ids], preset, deadline)[0])
            chunks, truncated = 1, encoded.truncated
            fraction = min(1.0, encoded.window / encoded.tokens)
        read = InputRead(
            tokens=encoded.tokens,
            max_tokens=encoded.window,
            truncated=truncated,
            chunks=chunks,
            fraction_read=round(fraction, 4),
        )
        return Summarized(summary_text, read, warnings)

    def translate_stage(self, summary: Summarized, request: SummarizeRequest, deadline: float) -> str | None:
        """Stage 3: the summary in the target language, when asked for."""
        if not request.translate:
            return None
        source = self.prompts.summarize.input.language
        return self.translator.translate(summary.text, source, request.target_lang, deadline).text

    def assemble(
        self, article: Article, outputs: ModelOutputs, timings: dict[str, float], cached: bool, started: float
    ) -> SummarizeResponse:
        """Stage 4: the response, from the cleaned article and the (possibly cached) model outputs."""
        request, cleaned = article.request, article.input
        summary_lang = self.prompts.summarize.input.language
        translation = outputs.translation
        return SummarizeResponse(
            summary=TextOut(text=outputs.summary, lang=summary_lang),
            translation=TextOut(text=translation, lang=request.target_lang) if translation is not None else None,
            input=InputFacts(
                format=cleaned.format,
                chars=len(cleaned.text),
                language=article.language,
                repaired=cleaned.repaired,
                **outputs.input.model_dump(),
            ),
            cleaning=cleaned.cleaning(self.boilerplate.rules.version, request.return_clean_text),
            warnings=[*article.warnings, *self._read_warnings(outputs.input, article.options), *outputs.warnings],
            models=self._models_used(translation is not None),
            preset=article.preset_name,
            prompt_version=self.prompts.summarize.version,
            cached=cached,
            timings_ms=SummarizeTimings(
                summarize=timings.get("summarize", 0.0),
                translate=timings.get("translate", 0.0 if request.translate else None),
                total=_ms(time.perf_counter() - started),
            ),
        )

    def _models_used(self, translated: bool) -> ModelsUsed:
        return ModelsUsed(
            summarizer=self.model_ref(self.summarizer),
            translator=self.model_ref(self.translator) if translated else None,
        )

    @staticmethod
    def _read_warnings(read: InputRead, options: str) -> list[str]:
        """Said when the answer is made, not cached: the hint follows how this caller sets options."""
        if not read.truncated or read.chunks > 1:
            return []
        return [
            f"the model read the first {read.max_tokens} of {read.tokens} tokens "
            f"({option_hint(options, 'long_input', 'chunk')} to summarize the whole article)"
        ]

    # --- operations ----------------------------------------------------------------------------
    def summarize(self, request: SummarizeRequest, clean: bool = True, caller: Caller = Caller()) -> SummarizeResponse:
        """The caller's ``charge`` is told how many generations chunk mode is about to run, before it
        runs them (one request, up to 64 windows)."""
        started = time.perf_counter()
        deadline = time.monotonic() + self.limits.timeout_s
        article = self.read_article(request, clean, deadline, caller.options)
        key = self._cache_key(article.input.text, request, article.preset_name, article.preset, caller.tenant)
        outputs, timings = self._cached(key), {}
        cached = outputs is not None
        if not cached:
            outputs, timings = self._generate(article, deadline, caller.charge)
            self.cache.set(key, outputs.model_dump(mode="json"))
        return self.assemble(article, outputs, timings, cached, started)

    def _generate(
        self, article: Article, deadline: float, charge: Charge | None = None
    ) -> tuple[ModelOutputs, dict[str, float]]:
        """The model work behind one summary (what the cache stores), and its timings."""
        started = time.perf_counter()
        summary = self.summarize_stage(article, deadline, charge)
        summarized = time.perf_counter()
        translation = self.translate_stage(summary, article.request, deadline)
        timings = {"summarize": _ms(summarized - started)}
        if article.request.translate:
            timings["translate"] = _ms(time.perf_counter() - summarized)
        outputs = ModelOutputs(
            summary=summary.text, translation=translation, input=summary.input, warnings=tuple(summary.warnings)
        )
        return outputs, timings

    def _cached(self, key: str) -> ModelOutputs | None:
        raw = self.cache.get(key)
        if raw is None:
            return None
        try:
            return ModelOutputs.model_validate(raw)
        except ValidationError:
            return None  # another version's entry: recomputed, and overwritten

    def _condense(
        self, text: str, preset: Preset, deadline: float, warnings: list[str], charge: Charge | None = None
    ) -> tuple[str, int, float]:
        """Chunk mode: summarize every window in one batch, join the partial summaries, and repeat on
        the joined text until it fits one window; then summarize that. Returns the summary, the first
        round's window count and the share of the article the final summary rests on (1.0 unless the
        rounds stopped shrinking, which a preset longer than the window could cause)."""
        current, first_windows = text, 0
        for _ in range(MAX_CONDENSE_ROUNDS):
            windows = self.summarizer.chunks(current)
            if charge is not None:
                charge(len(windows))  # before the work: over the limit, nothing runs
            first_windows = first_windows or len(windows)
            partials = [self.summarizer.decode(ids) for ids in self.summarizer.run(windows, preset, deadline)]
            joined = "\n".join(partial for partial in partials if partial)
            before, encoded = self.summarizer.encode(current).tokens, self.summarizer.encode(joined)
            if not encoded.truncated or encoded.tokens >= before:
                break
            current = joined
        final = self.summarizer.summarize(joined, preset, deadline)
        fraction = min(1.0, final.article.window / final.article.tokens)
        if final.article.truncated:
            warnings.append(
                f"the partial summaries did not condense into one window; the summary rests on about "
                f"{fraction:.0%} of the article"
            )
        return final.text, first_windows, fraction

    def summarize_batch(self, items: list, max_items: int, caller: Caller = Caller()) -> BatchResponse:
        """Each item is validated and answered on its own; they run concurrently, so they meet in the
        batcher and share generate calls. One bad item never fails the others."""
        if len(items) > max_items:
            raise ValidationFailed.at("items", f"{len(items)} items; at most {max_items} per batch")
        if not items:
            raise ValidationFailed.at("items", "items is empty")
        parsed = [parse_item(item, max_articles=self.limits.digest.max_articles) for item in items]
        return BatchResponse(results=self.answer_items(parsed, caller=caller))

    def answer_items(
        self, parsed: list[ParsedItem], skip: Callable[[], bool] | None = None, caller: Caller = Caller()
    ) -> list[BatchResult]:
        """Answers parsed items concurrently (they share generate calls in the batcher); a problem of
        one item is that item's result. ``skip`` is asked before each item starts (a cancelled job):
        an item it stops answers None."""

        def answer(pair: ParsedItem) -> BatchResult | None:
            item_id, entry = pair
            if skip is not None and skip():
                return None
            try:
                if isinstance(entry, RingkasError):
                    raise entry
                if isinstance(entry, ClusterItem):
                    return BatchResult(id=item_id, status="done", result=self.digest(entry, caller=caller))
                return BatchResult(id=item_id, status="done", result=self.summarize(entry, caller=caller))
            except RingkasError as exc:
                problem = exc.to_problem()
                if caller.request_id:
                    problem["request_id"] = caller.request_id
                return BatchResult(id=item_id, status="failed", problem=problem)

        if len(parsed) == 1:
            return [answer(parsed[0])]
        with ThreadPoolExecutor(max_workers=max(1, len(parsed)), thread_name_prefix="batch-item") as pool:
            return list(pool.map(answer, parsed))

    # --- digest: one summary of a story cluster ------------------------------------------------
    def digest(self, request: DigestRequest, caller: Caller = Caller()) -> DigestResponse:
        """Each article read as a summary's input is; repeats dropped and the rest composed to fit the
        window (``api/digest.py``); then the summary and translation stages, cached like a summary's."""
        started = time.perf_counter()
        deadline = time.monotonic() + self.limits.timeout_s
        limits = self.limits.digest
        count = len(request.articles)
        if count < 2:
            raise ValidationFailed.at(
                "articles", f"a digest needs at least 2 articles, not {count}; send one to /v1/summarize", "too_short"
            )
        if count > limits.max_articles:
            raise ValidationFailed.at(
                "articles",
                f"{count} articles; a digest takes at most {limits.max_articles} (RINGKAS_DIGEST__MAX_ARTICLES)",
                "too_long",
            )
        # The options first, once: a bad option is the request's problem, not its first article's.
        self.preset(request.length)
        if request.translate or "target_lang" in request.model_fields_set:
            self.translator.scheme.check(self.prompts.summarize.input.language, request.target_lang)
        articles = self._read_cluster(request, deadline, caller.options)
        read = time.perf_counter()
        order = reading_order([article.date for article in request.articles])
        sentences = split([article.input.text for article in articles])
        total = sum(len(run) for run in sentences.values())
        if total > limits.max_sentences:
            raise PayloadTooLarge(
                f"the articles hold {total} sentences; a digest compares at most {limits.max_sentences} "
                "(RINGKAS_DIGEST__MAX_SENTENCES)"
            )
        overhead = self.summarizer.encode("").tokens  # the prompt and special tokens around any input
        composition = compose(
            sentences,
            order,
            lambda text: self.summarizer.encode(text).tokens - overhead,
            self.summarizer.window - overhead,
            limits.similarity,
        )
        _check_deadline(deadline, "composing the digest")
        composed = time.perf_counter()
        model_input = self._digest_article(request, composition, articles[order[0]], caller.options)
        key = self._cache_key(
            composition.text, model_input.request, model_input.preset_name, model_input.preset, caller.tenant
        )
        outputs, timings = self._cached(key), {}
        cached = outputs is not None
        if not cached:
            outputs, timings = self._generate(model_input, deadline, caller.charge)
            self.cache.set(key, outputs.model_dump(mode="json"))
        timings |= {"read": _ms(read - started), "compose": _ms(composed - read)}
        return self._assemble_digest(request, articles, composition, model_input, outputs, timings, cached, started)

    def _read_cluster(self, request: DigestRequest, deadline: float, options: str) -> list[Article]:
        """Every article through ``read_article``; a refusal names the article (its index in ``loc``
        and in the detail), and the cluster's characters together are capped."""
        articles: list[Article] = []
        chars = 0
        for index, item in enumerate(request.articles):
            try:
                article = self.read_article(self._as_summary(request, item), deadline=deadline, options=options)
            except RingkasError as exc:
                raise _at_article(exc, index) from None
            chars += len(article.input.text)
            if chars > self.limits.digest.max_chars:
                raise PayloadTooLarge(
                    f"articles[{index}]: the articles reach {chars} characters after cleaning with this one; "
                    f"a digest reads at most {self.limits.digest.max_chars} (RINGKAS_DIGEST__MAX_CHARS)",
                    extra={"article": index},
                )
            articles.append(article)
        return articles

    @staticmethod
    def _as_summary(request: DigestRequest, item: DigestArticle) -> SummarizeRequest:
        options = request.model_dump(include=set(DigestOptions.model_fields), exclude_unset=True)
        return SummarizeRequest(text=item.text, html=item.html, **options)

    def _digest_article(self, request: DigestRequest, composition: Composition, lead: Article, options: str) -> Article:
        """The composed input as the one article the summary and translation stages read."""
        text = composition.text
        summary_request = SummarizeRequest(
            text=text, translate=request.translate, target_lang=request.target_lang, length=request.length
        )
        clean = CleanInput(text, "text", Cleaned(text), Counter(), False)
        return Article(summary_request, clean, lead.preset_name, lead.preset, lead.language, [], options)

    def _assemble_digest(
        self,
        request: DigestRequest,
        articles: list[Article],
        composition: Composition,
        model_input: Article,
        outputs: ModelOutputs,
        timings: dict[str, float],
        cached: bool,
        started: float,
    ) -> DigestResponse:
        used = Counter(piece.article for piece in composition.used)
        duplicates = Counter(piece.article for piece, _, _ in composition.dropped)
        left = Counter(piece.article for piece in composition.left_out)
        read_chars = Counter()
        for piece in composition.used:
            read_chars[piece.article] += len(piece.text)
        sources = []
        for index, (item, article) in enumerate(zip(request.articles, articles, strict=True)):
            own = composition.sentences[index]
            sentence_chars = sum(len(sentence) for sentence in own) or 1
            sources.append(
                DigestSource(
                    article=index,
                    id=item.id,
                    outlet=item.outlet,
                    date=item.date,
                    format=article.input.format,
                    chars=len(article.input.text),
                    language=article.language,
                    repaired=article.input.repaired,
                    sentences=len(own),
                    used=used[index],
                    duplicates=duplicates[index],
                    left_out=left[index],
                    fraction_read=round(read_chars[index] / sentence_chars, 4),
                    warnings=article.warnings,
                )
            )
        warnings = [*outputs.warnings]
        if composition.left_out:
            warnings.append(
                f"{len(composition.left_out)} sentences said nothing an earlier article had said but did not fit "
                f"the summarizer's window of {self.summarizer.window} tokens; they are listed in left_out"
            )
        if outputs.input.truncated:
            warnings.append(
                f"the leading article's first sentence alone is longer than the window: the model read its first "
                f"{outputs.input.max_tokens} of {outputs.input.tokens} tokens"
            )
        if not composition.dropped:
            warnings.append("no sentence repeats another article's: are these articles about the same story?")
        if max(len(composition.dropped), len(composition.left_out)) > PROVENANCE_LISTED:
            warnings.append(
                f"dropped and left_out list their first {PROVENANCE_LISTED} sentences; input.duplicates and "
                "input.left_out count them all"
            )
        translation = outputs.translation
        return DigestResponse(
            summary=TextOut(text=outputs.summary, lang=self.prompts.summarize.input.language),
            translation=TextOut(text=translation, lang=request.target_lang) if translation is not None else None,
            composed=[DigestSentence(article=p.article, sentence=p.sentence, text=p.text) for p in composition.used],
            dropped=[
                DroppedSentence(
                    article=piece.article,
                    sentence=piece.sentence,
                    duplicate_of=SentenceRef(article=kept.article, sentence=kept.sentence),
                    similarity=match.similarity,
                    by=match.by,
                )
                for piece, kept, match in composition.dropped[:PROVENANCE_LISTED]
            ],
            left_out=[
                SentenceRef(article=p.article, sentence=p.sentence) for p in composition.left_out[:PROVENANCE_LISTED]
            ],
            sources=sources,
            input=DigestInput(
                sentences=sum(len(run) for run in composition.sentences.values()),
                used=len(composition.used),
                duplicates=len(composition.dropped),
                left_out=len(composition.left_out),
                chars=len(composition.text),
                tokens=outputs.input.tokens,
                max_tokens=outputs.input.max_tokens,
                threshold=self.limits.digest.similarity,
            ),
            warnings=warnings,
            models=self._models_used(translation is not None),
            preset=model_input.preset_name,
            prompt_version=self.prompts.summarize.version,
            cached=cached,
            timings_ms=DigestTimings(
                read=timings["read"],
                compose=timings["compose"],
                summarize=timings.get("summarize", 0.0),
                translate=timings.get("translate", 0.0 if request.translate else None),
                total=_ms(time.perf_counter() - started),
            ),
        )

    def translate_many(self, requests: list[TranslateRequest]) -> list[TranslateResponse]:
        """Several texts as one request: one deadline for all, run together so they share batches."""
        deadline = time.monotonic() + self.limits.timeout_s
        if len(requests) == 1:
            return [self.translate(requests[0], deadline)]
        with ThreadPoolExecutor(max_workers=len(requests), thread_name_prefix="translate-many") as pool:
            return list(pool.map(lambda request: self.translate(request, deadline), requests))

    def translate(self, request: TranslateRequest, deadline: float | None = None) -> TranslateResponse:
        started = time.perf_counter()
        deadline = deadline if deadline is not None else time.monotonic() + self.limits.timeout_s
        text, _ = self._clean(
            request.text, self.limits.max_translate_chars, "text", "RINGKAS_LIMITS__MAX_TRANSLATE_CHARS"
        )
        result = self.translator.translate(text, request.source_lang, request.target_lang, deadline)
        elapsed = _ms(time.perf_counter() - started)
        return TranslateResponse(
            translation=TextOut(text=result.text, lang=request.target_lang),
            source_lang=request.source_lang,
            input=TranslateInput(chars=len(text), tokens=result.input_tokens, segments=result.segments),
            models=ModelsUsed(translator=self.model_ref(self.translator)),
            prompt_version=self.prompts.translate.version,
            timings_ms=TranslateTimings(translate=elapsed, total=elapsed),
            warnings=self._source_language_warnings(text, request),
        )

    def _source_language_warnings(self, text: str, request: TranslateRequest) -> list[str]:
        """Translation never refuses a language (the caller names it), but text that looks like
        another one than source_lang is said: NLLB then mostly copies it or writes nonsense."""
        detected = self.detector.detect(text)
        if detected.code in (None, request.source_lang) or detected.confidence < 0.5:
            return []
        if {detected.code, request.source_lang} == {"ind_Latn", "zsm_Latn"}:
            return []  # close enough that the translation reads well
        unsure = "" if len(text) >= MIN_CHARS_FOR_LANGUAGE else f" (at {len(text)} characters, not for sure)"
        already = " (the target language already)" if detected.code == request.target_lang else ""
        return [
            f"the text looks {detected.name} ({detected.code}){already}{unsure}, not {request.source_lang}; "
            f"set source_lang to the text's language"
        ]

    @staticmethod
    def model_ref(task: Summarizer | Translator) -> ModelRef:
        loaded = task.loaded
        return ModelRef(id=loaded.source.display, revision=loaded.revision, licence=loaded.licence)
