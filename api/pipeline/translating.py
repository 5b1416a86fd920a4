"""``/v1/translate``'s operations: one text, or several sharing one deadline and the batches."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from api.pipeline.common import _ms
from api.pipeline.reading import MIN_CHARS_FOR_LANGUAGE, Reading
from api.schemas import ModelsUsed, TextOut, TranslateInput, TranslateRequest, TranslateResponse, TranslateTimings


class Translating(Reading):
    """A text translated on its own (not a summary): checked as an article's text is, then the translator."""

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
