"""Stages 2 to 4 of one summary (summarize, translate, assemble), the result cache around the model
work, and chunk mode's condensing rounds."""

from __future__ import annotations

import time

from pydantic import ValidationError

from api.cache import cache_key
from api.pipeline.common import Article, Caller, Charge, InputRead, ModelOutputs, Summarized, _ms
from api.pipeline.reading import Reading, option_hint
from api.prompts import Preset
from api.schemas import InputFacts, ModelsUsed, SummarizeRequest, SummarizeResponse, SummarizeTimings, TextOut

# Chunk mode: partial summaries are condensed again while they overflow the window (each round
# shrinks the text about window/max_new_tokens times; three rounds cover any article the body limit admits).
MAX_CONDENSE_ROUNDS = 3


class Summarizing(Reading):
    """One summary: ``read_article`` below, then summarize -> translate -> assemble, cached."""

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
