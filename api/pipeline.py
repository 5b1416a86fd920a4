"""One request's journey: normalise -> summarize -> translate, with limits, deadline and timings."""

from __future__ import annotations

import time
from dataclasses import dataclass

from api.engines.summarizer import Summarizer
from api.engines.translator import Translator
from api.errors import PayloadTooLarge, ValidationFailed
from api.prompts import Preset, Prompts
from api.schemas import (
    InputFacts,
    ModelInfo,
    ModelRef,
    ModelsResponse,
    ModelsUsed,
    SummarizeRequest,
    SummarizeResponse,
    SummarizeTimings,
    TextOut,
    TranslateInput,
    TranslateRequest,
    TranslateResponse,
    TranslateTimings,
)
from api.text import normalize_text


@dataclass(frozen=True)
class Limits:
    max_text_chars: int
    max_translate_chars: int
    timeout_s: float


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"errors": [{"loc": [field], "msg": message}]})


class Pipeline:
    """Built once per process; safe to call from many request threads (the batchers serialise the models)."""

    def __init__(self, summarizer: Summarizer, translator: Translator, prompts: Prompts, limits: Limits):
        self.summarizer = summarizer
        self.translator = translator
        self.prompts = prompts
        self.limits = limits

    # --- checks shared by the routes --------------------------------------------------------
    def _clean(self, raw: str, limit: int, field: str = "text") -> str:
        if len(raw) > limit * 4:  # cheap guard before normalising a huge string
            raise PayloadTooLarge(f"{field} has {len(raw)} characters; the limit is {limit}")
        text = normalize_text(raw)
        if not text:
            raise _invalid(field, f"{field} is empty (or only whitespace and control characters)")
        if len(text) > limit:
            raise PayloadTooLarge(f"{field} has {len(text)} characters; the limit is {limit}")
        return text

    def preset(self, name: str | None) -> tuple[str, Preset]:
        presets = self.prompts.summarize.presets
        name = name or self.prompts.summarize.default_preset
        if name not in presets:
            raise _invalid("length", f"unknown length {name!r}; choose one of {', '.join(presets)}")
        return name, presets[name]

    # --- operations ----------------------------------------------------------------------------
    def summarize(self, request: SummarizeRequest) -> SummarizeResponse:
        started = time.perf_counter()
        deadline = time.monotonic() + self.limits.timeout_s
        text = self._clean(request.text, self.limits.max_text_chars)
        preset_name, preset = self.preset(request.length)
        summary_lang = self.prompts.summarize.input.language
        if request.translate or "target_lang" in request.model_fields_set:
            # Fail before spending a summary on an impossible translation.
            self.translator.scheme.check(summary_lang, request.target_lang)

        summary = self.summarizer.summarize(text, preset, deadline)
        summarized = time.perf_counter()
        translation = None
        translate_ms = None
        if request.translate:
            result = self.translator.translate(summary.text, summary_lang, request.target_lang, deadline)
            translation = TextOut(text=result.text, lang=request.target_lang)
            translate_ms = _ms(time.perf_counter() - summarized)
        article = summary.article
        return SummarizeResponse(
            summary=TextOut(text=summary.text, lang=summary_lang),
            translation=translation,
            input=InputFacts(
                chars=len(text), tokens=article.tokens, max_tokens=article.window, truncated=article.truncated
            ),
            models=ModelsUsed(
                summarizer=self._ref(self.summarizer), translator=self._ref(self.translator) if translation else None
            ),
            preset=preset_name,
            prompt_version=self.prompts.summarize.version,
            timings_ms=SummarizeTimings(
                summarize=_ms(summarized - started), translate=translate_ms, total=_ms(time.perf_counter() - started)
            ),
        )

    def translate(self, request: TranslateRequest) -> TranslateResponse:
        started = time.perf_counter()
        deadline = time.monotonic() + self.limits.timeout_s
        text = self._clean(request.text, self.limits.max_translate_chars)
        result = self.translator.translate(text, request.source_lang, request.target_lang, deadline)
        elapsed = _ms(time.perf_counter() - started)
        return TranslateResponse(
            translation=TextOut(text=result.text, lang=request.target_lang),
            source_lang=request.source_lang,
            input=TranslateInput(chars=len(text), tokens=result.input_tokens, segments=result.segments),
            models=ModelsUsed(translator=self._ref(self.translator)),
            prompt_version=self.prompts.translate.version,
            timings_ms=TranslateTimings(translate=elapsed, total=elapsed),
        )

    def models(self) -> ModelsResponse:
        summarizer, translator = self.summarizer, self.translator
        scheme = translator.scheme
        return ModelsResponse(
            models=[
                self._info(
                    "summarizer",
                    summarizer,
                    {
                        "input": [self.prompts.summarize.input.language],
                        "output": [self.prompts.summarize.input.language],
                    },
                    {
                        "max_input_tokens": summarizer.window,
                        "max_new_tokens": max(p.max_new_tokens for p in self.prompts.summarize.presets.values()),
                        "max_text_chars": self.limits.max_text_chars,
                    },
                ),
                self._info(
                    "translator",
                    translator,
                    {"source": scheme.sources, "target": scheme.targets},
                    {
                        "max_input_tokens_per_segment": translator.window,
                        "max_new_tokens_per_segment": translator.max_new_cap,
                        "max_text_chars": self.limits.max_translate_chars,
                    },
                ),
            ],
            presets={name: preset.model_dump() for name, preset in self.prompts.summarize.presets.items()},
            default_preset=self.prompts.summarize.default_preset,
            prompt_versions={"summarize": self.prompts.summarize.version, "translate": self.prompts.translate.version},
        )

    @staticmethod
    def _ref(task: Summarizer | Translator) -> ModelRef:
        loaded = task.loaded
        return ModelRef(id=loaded.source.ref, revision=loaded.revision, licence=loaded.licence)

    @staticmethod
    def _info(role: str, task: Summarizer | Translator, languages: dict, limits: dict) -> ModelInfo:
        loaded = task.loaded
        return ModelInfo(
            role=role,
            id=loaded.source.ref,
            revision=loaded.revision,
            architecture=loaded.architecture,
            model_type=loaded.config.model_type,
            licence=loaded.licence,
            languages=languages,
            limits=limits,
            engine=task.batcher.engine.name,
            load_seconds=round(loaded.load_seconds, 2),
        )
