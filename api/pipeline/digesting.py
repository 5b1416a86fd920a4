"""A digest, one summary of a story cluster: each article read as a summary's input is, repeats
dropped and the rest composed to fit the window (``api/digest.py``), then the summary and translation
stages, cached like a summary's."""

from __future__ import annotations

import time
from collections import Counter

from api.digest import Composition, compose, reading_order, split
from api.errors import PayloadTooLarge, RingkasError, ValidationFailed
from api.pipeline.common import Article, Caller, CleanInput, ModelOutputs, _check_deadline, _ms
from api.pipeline.summarizing import Summarizing
from api.schemas import (
    DigestArticle,
    DigestInput,
    DigestOptions,
    DigestRequest,
    DigestResponse,
    DigestSentence,
    DigestSource,
    DigestTimings,
    DroppedSentence,
    SentenceRef,
    SummarizeRequest,
    TextOut,
)
from api.text.boilerplate import Cleaned

# A digest's answer lists at most this many dropped and left-out sentences: a cluster of many
# one-word repeats must not answer ten times its own size (the counts stay whole).
PROVENANCE_LISTED = 200


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


class Digesting(Summarizing):
    """One summary of a story cluster, through the summary's own reading, stages and cache."""

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
