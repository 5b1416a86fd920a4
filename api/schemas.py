"""Request and response models: the one description of the API that validation (and the OpenAPI
document, later) are built from. Requests are strict: a typo'd field or a string for a boolean is a 422,
never silently ignored."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_serializer,
    model_validator,
)

from api.text.language import to_nllb

MAX_ID_CHARS = 256
# A language field: an NLLB code (ind_Latn) or a BCP 47 tag (en, pt-BR, zh-Hant-TW), checked for
# length and shape before any library parses it (RFC 5646 bounds a useful tag at 35 characters).
MAX_LANGUAGE_CHARS = 35
LANGUAGE_PATTERN = r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$"
LanguageCode = Annotated[StrictStr, Field(max_length=MAX_LANGUAGE_CHARS, pattern=LANGUAGE_PATTERN)]


def id_problem(value: str | int) -> str | None:
    """Why an item id cannot be stored, logged and echoed back, or None. A lone surrogate cannot be
    encoded at all (it wedged a job: every store of its chunk failed), control characters break the
    lines ids are written in, and an id is a label, not a second article."""
    if isinstance(value, int):
        return None if -(2**63) <= value < 2**63 else "an integer id must fit in 64 bits"
    if len(value) > MAX_ID_CHARS:
        return f"an id is at most {MAX_ID_CHARS} characters (this one has {len(value)})"
    if any("\ud800" <= char <= "\udfff" for char in value):
        return "an id must be valid Unicode text; this one holds a lone surrogate"
    if any(unicodedata.category(char) == "Cc" for char in value):
        return "an id must not hold control characters"
    return None


def id_shaped(value: object) -> bool:
    """A string or an integer (JSON's true and false are ints to Python, and are not ids)."""
    return isinstance(value, str | int) and not isinstance(value, bool)


def usable_id(value: object) -> str | int | None:
    """The id to echo back with an item's result, or None for one that cannot be (see id_problem)."""
    return value if id_shaped(value) and id_problem(value) is None else None


# Words a query string or a CSV cell may use for a boolean option.
FLAG_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def flag(text: str) -> bool | None:
    """``text`` as a boolean option, or None when it is not one of FLAG_WORDS."""
    return FLAG_WORDS.get(text.strip().lower())


def _valid_id(value: str | int) -> str | int:
    problem = id_problem(value)
    if problem:
        raise ValueError(problem)
    return value


ItemId = Annotated[StrictStr | StrictInt, AfterValidator(_valid_id)]
# A key sent in a body (LibreTranslate clients): its hash is all that is compared.
ApiKey = Annotated[StrictStr, Field(max_length=256)]
# A preset or option word: a short name, never a second article.
OptionWord = Annotated[StrictStr, Field(max_length=32)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("source_lang", "target_lang", mode="after", check_fields=False)
    @classmethod
    def _nllb_code(cls, code: str) -> str:
        """ "en" or "pt-BR" mean eng_Latn and por_Latn: the response's ``lang`` names the code used."""
        return to_nllb(code)


class SummarizeOptions(_Request):
    """How to summarize: members of a JSON body, or query options beside a raw text/plain or
    text/html body, and an archive job's defaults."""

    translate: StrictBool = Field(False, description="Also translate the summary.")
    target_lang: LanguageCode = Field(
        "eng_Latn", description="NLLB code of the translation's language (a two-letter code such as en works too)."
    )
    length: OptionWord | None = Field(None, description="Preset name: short, medium (default) or long.")
    long_input: Literal["truncate", "chunk"] = Field(
        "truncate", description="Over the model window: read the opening (truncate) or summarize in parts (chunk)."
    )
    force: StrictBool = Field(False, description="Summarize even if the text is not Indonesian.")
    return_clean_text: StrictBool = Field(False, description="Return the text after extraction and cleaning.")


# An article's text, as a summary and each article of a digest take it: exactly one of the two.
ArticleText = Annotated[StrictStr | None, Field(description="The article as plain text; paragraphs on separate lines.")]
ArticleHtml = Annotated[StrictStr | None, Field(description="The article as HTML (a CMS body or a whole page).")]


def _exactly_one_source(article: Any) -> Any:
    if (article.text is None) == (article.html is None):
        raise ValueError("give exactly one of 'text' or 'html'")
    return article


class SummarizeRequest(SummarizeOptions):
    text: ArticleText = None
    html: ArticleHtml = None

    _one_source = model_validator(mode="after")(_exactly_one_source)


class BatchItem(SummarizeRequest):
    id: ItemId | None = Field(
        None,
        description=f"Echoed back with the item's result; at most {MAX_ID_CHARS} characters of text, or an integer.",
    )


class BatchRequest(_Request):
    items: list[Any] = Field(
        description="Summarize requests, each with an optional id; an item with `articles` instead of `text` or "
        "`html` is a story cluster, answered with its digest. Validated one by one."
    )


MAX_OUTLET_CHARS = 200


def _valid_label(value: str) -> str:
    """An outlet's name is echoed back like an id: valid Unicode, on one line."""
    if any("\ud800" <= char <= "\udfff" or unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("must be valid Unicode text without control characters")
    return value


def _iso_date(value: str) -> str:
    """An ISO 8601 date or date-time ("2025-12-03", "2025-12-03T10:43:00+07:00"), kept as sent."""
    from datetime import datetime

    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("give the date in ISO 8601, e.g. 2025-12-03 or 2025-12-03T10:43:00+07:00") from None
    return value


class DigestOptions(_Request):
    """How to write a digest: a summary's options, less those that concern one article's text."""

    translate: StrictBool = Field(False, description="Also translate the digest.")
    target_lang: StrictStr = Field(
        "eng_Latn", description="NLLB code of the translation's language (a two-letter code such as en works too)."
    )
    length: StrictStr | None = Field(None, description="Preset name: short, medium (default) or long.")
    force: StrictBool = Field(False, description="Accept articles that do not look Indonesian.")


class DigestArticle(_Request):
    """One article of a story cluster: cleaned exactly as a summary's input is."""

    id: ItemId | None = Field(None, description="Echoed back in the sources; a string or an integer.")
    outlet: Annotated[StrictStr, Field(max_length=MAX_OUTLET_CHARS), AfterValidator(_valid_label)] | None = Field(
        None, description="Who published it, shown in the sources."
    )
    date: Annotated[StrictStr, Field(max_length=40), AfterValidator(_iso_date)] | None = Field(
        None, description="When it was published (ISO 8601); the earliest article leads the digest."
    )
    text: ArticleText = None
    html: ArticleHtml = None

    _one_source = model_validator(mode="after")(_exactly_one_source)


class DigestRequest(DigestOptions):
    """A story cluster and the options of its digest: one self-contained value, so a batch or job item
    can carry a cluster as it carries an article."""

    articles: list[DigestArticle] = Field(
        description="The cluster's articles (from 2 to the deployment's limit), each text or html."
    )


class ClusterItem(DigestRequest):
    """A batch or job item that is a story cluster: ``articles`` instead of ``text`` or ``html``; its
    result is the digest's answer."""

    id: ItemId | None = Field(
        None,
        description=f"Echoed back with the item's result; at most {MAX_ID_CHARS} characters of text, or an integer.",
    )


class TranslateOptions(_Request):
    source_lang: LanguageCode = Field("ind_Latn", description="NLLB code of the text's language (or e.g. id).")
    target_lang: LanguageCode = Field("eng_Latn", description="NLLB code of the translation's language (or e.g. en).")


class TranslateRequest(TranslateOptions):
    text: StrictStr = Field(description="Text to translate; split into sentences and translated as one batch.")


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details; some problems add members (errors, limit, language)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str = Field(description="What went wrong, in plain words; never quotes the article.")
    instance: str | None = Field(None, description="urn:request:<request id>.")
    request_id: str | None = None
    errors: list[FieldProblem] | None = Field(None, description="For 422: each field that failed, and why.")

    @model_serializer(mode="wrap")
    def _drop_empty(self, handler):
        # Members that do not apply are left out, as RFC 9457 expects, rather than sent as null.
        return {key: value for key, value in handler(self).items() if value is not None}


class TextOut(BaseModel):
    text: str
    lang: str


class LanguageOut(BaseModel):
    code: str | None = Field(description="NLLB code of the detected language; null if it cannot be told.")
    name: str | None
    confidence: float


class InputFacts(BaseModel):
    format: Literal["text", "html"]
    chars: int = Field(description="Characters after extraction, cleaning and normalisation.")
    tokens: int = Field(description="Summarizer tokens of the whole cleaned article.")
    max_tokens: int = Field(description="The summarizer's input window.")
    truncated: bool = Field(description="True exactly when the model read only the opening (tokens > max_tokens).")
    chunks: int = Field(description="Windows summarized separately (1 unless long_input is chunk).")
    fraction_read: float = Field(description="Share of the article's tokens the model read.")
    language: LanguageOut
    repaired: bool = Field(False, description="True when broken encoding (mojibake such as 'â€œ') was repaired.")


class Cleaning(BaseModel):
    rules_version: str
    removed_elements: int = Field(description="HTML elements removed before extraction (embeds, ad and related boxes).")
    removed_lines: int = Field(description="Whole lines removed by line, trailing, block and duplicate rules.")
    removed_spans: int = Field(description="Spans cut out of lines that stayed (a glued 'Baca juga: ...', initials).")
    removed: dict[str, int] = Field(description="Everything removed, at every stage, by rule name.")
    clean_text: str | None = Field(
        None, description="Only when return_clean_text is true: exactly the text the summarizer read."
    )


class ModelRef(BaseModel):
    id: str
    revision: str | None
    licence: str


class ModelsUsed(BaseModel):
    summarizer: ModelRef | None = None
    translator: ModelRef | None = None


class SummarizeTimings(BaseModel):
    summarize: float
    translate: float | None
    total: float


class SummarizeResponse(BaseModel):
    summary: TextOut
    translation: TextOut | None
    input: InputFacts
    cleaning: Cleaning
    warnings: list[str] = Field(
        description="Things the caller should know, e.g. Malay input or a low-confidence check."
    )
    models: ModelsUsed
    preset: str
    prompt_version: str
    cached: bool = Field(description="Served from the result cache.")
    timings_ms: SummarizeTimings


# An item's outcome, in a batch answer and in a job's results alike; a failed item's HTTP status is
# its problem's own ``status``.
Outcome = Literal["done", "failed"]


class SentenceRef(BaseModel):
    article: int = Field(description="The article's position in the request, from 0.")
    sentence: int = Field(description="The sentence's position in the article after cleaning, from 0.")


class DigestSentence(SentenceRef):
    text: str


class DroppedSentence(SentenceRef):
    duplicate_of: SentenceRef = Field(description="The kept sentence that says the same.")
    similarity: float = Field(description="TF-IDF cosine of the two (character n-grams), 0 to 1.")
    by: Literal["sentence", "quote"] = Field(description="Matched as whole sentences, or by the quotation alone.")


class DigestSource(BaseModel):
    """One article of the cluster, and how much of it the digest read."""

    article: int
    id: str | int | None
    outlet: str | None
    date: str | None
    format: Literal["text", "html"]
    chars: int = Field(description="Characters after extraction and cleaning.")
    language: LanguageOut
    repaired: bool
    sentences: int = Field(description="Its sentences after cleaning: used + duplicates + left_out.")
    used: int = Field(description="Sentences of its own in the composed input.")
    duplicates: int = Field(description="Sentences dropped because an earlier article said the same.")
    left_out: int = Field(description="Sentences of its own that did not fit the summarizer's window.")
    fraction_read: float = Field(description="Share of its characters (in sentences) the summarizer read.")
    warnings: list[str]


class DigestInput(BaseModel):
    sentences: int = Field(description="Sentences in all articles: used + duplicates + left_out.")
    used: int
    duplicates: int
    left_out: int
    chars: int = Field(description="Characters of the composed input.")
    tokens: int = Field(description="Summarizer tokens of the composed input.")
    max_tokens: int = Field(description="The summarizer's input window.")
    threshold: float = Field(description="The similarity from which two sentences are duplicates.")


class DigestTimings(BaseModel):
    read: float = Field(description="Extraction, cleaning and language checks of every article.")
    compose: float = Field(description="Duplicates found and the input composed.")
    summarize: float
    translate: float | None
    total: float


class DigestResponse(BaseModel):
    summary: TextOut
    translation: TextOut | None
    composed: list[DigestSentence] = Field(
        description="The summarizer's input, in order: each kept sentence with the article it came from."
    )
    dropped: list[DroppedSentence] = Field(
        description="Sentences left out as duplicates, each with its original (the first 200; input.duplicates "
        "counts them all)."
    )
    left_out: list[SentenceRef] = Field(
        description="Unique sentences that did not fit the summarizer's window, never cut silently (the first 200; "
        "input.left_out counts them all)."
    )
    sources: list[DigestSource]
    input: DigestInput
    warnings: list[str]
    models: ModelsUsed
    preset: str
    prompt_version: str
    cached: bool = Field(description="The summary was served from the result cache.")
    timings_ms: DigestTimings


class BatchResult(BaseModel):
    id: str | int | None
    status: Outcome = Field(description="done (result holds the summary) or failed (problem says why).")
    result: SummarizeResponse | DigestResponse | None = Field(
        None, description="A summary's answer, or a digest's for an item that is a cluster (articles)."
    )
    problem: Problem | None = Field(None, description="The item's own problem+json object when it failed.")


class BatchResponse(BaseModel):
    results: list[BatchResult]


class TranslateInput(BaseModel):
    chars: int
    tokens: int
    segments: int = Field(description="Sentence segments translated as one batch.")


class TranslateTimings(BaseModel):
    translate: float
    total: float


class TranslateResponse(BaseModel):
    translation: TextOut
    source_lang: str
    input: TranslateInput
    models: ModelsUsed
    prompt_version: str
    timings_ms: TranslateTimings
    warnings: list[str] = Field(default_factory=list, description="e.g. the text looks like another language")


class ModelInfo(BaseModel):
    role: str
    id: str
    revision: str | None
    architecture: str
    model_type: str
    licence: str
    languages: dict[str, list[str]]
    limits: dict[str, int]
    engine: str
    runtime: dict[str, Any] = Field(
        default_factory=dict,
        description="How the engine runs: compute type, GEMM library (`gemm`: which and why), threads, and "
        "the kept output vocabulary (its size, sources and coverage), or `full`.",
    )
    load_seconds: float
    demo: bool = Field(False, description="Random-weight demo model (`--demo`): its output is gibberish.")


class ModelsResponse(BaseModel):
    demo: bool = Field(description="Any model is a random-weight demo model: show users the output is not real.")
    jobs: bool = Field(False, description="Archive jobs (/v1/jobs) are on: Redis is configured.")
    models: list[ModelInfo]
    presets: dict[str, dict]
    default_preset: str
    prompt_versions: dict[str, str]


# --- archive jobs ----------------------------------------------------------------------------------
class JobRequest(_Request):
    items: list[Any] = Field(
        description="Summarize requests (`text` or `html`, options, an optional unique `id`) or clusters "
        "(`articles` as for /v1/digest, digested into one summary), each checked as a batch item is: an "
        "invalid one refuses the job (422 naming its line); what only summarizing can tell (too short, not "
        "Indonesian) becomes that item's result."
    )
    defaults: dict[str, Any] = Field(
        default_factory=dict, description="Summarize options for the items that do not name them."
    )


class JobLinks(BaseModel):
    self: str
    results: str


class JobAccepted(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "cancelled"]
    total: int
    links: JobLinks


class JobCounts(BaseModel):
    """They add up: total = done + failed + cancelled + pending."""

    total: int
    done: int
    failed: int
    cancelled: int = Field(
        description="Items a cancellation stopped before they ran (one already running may still finish: "
        "it then moves to done)."
    )
    pending: int


class JobUpload(BaseModel):
    format: Literal["json", "ndjson", "csv"] = Field(description="How the items came: offer the results back so.")
    delimiter: str | None = Field(description="A CSV upload's delimiter, which its CSV results keep.")


class JobStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "cancelled"]
    counts: JobCounts
    created_at: str
    started_at: str | None = Field(description="When a worker took its first chunk.")
    finished_at: str | None = Field(description="When the job ended: its last item, or its cancellation.")
    cancelled_at: str | None
    rate_per_s: float | None = Field(description="Items finished per second since the job started.")
    eta_s: float | None = Field(description="Seconds to go at that rate, while running.")
    workers: int = Field(description="Workers alive now (heartbeats); 0 says why nothing moves.")
    upload: JobUpload
    links: JobLinks


class ResultsQuery(_Request):
    """The query options of ``GET /v1/jobs/{id}/results``."""

    since: int = Field(0, ge=0, description="The first item index to return (resume where Ringkas-Next-Since said).")
    format: Literal["ndjson", "csv", "xlsx"] | None = Field(
        None, description="ndjson, csv or xlsx; without it, the Accept header chooses (NDJSON by default)."
    )
    delimiter: Literal[",", ";", "tab", "\t"] | None = Field(
        None,
        description="The CSV delimiter: ',' or ';' (spreadsheets set to a comma decimal mark) or tab; "
        "without it, a CSV upload's own, else ','.",
    )


class JobResultLine(BaseModel):
    """One line of ``GET /v1/jobs/{id}/results`` (NDJSON)."""

    id: str | int | None
    index: int = Field(description="The item's position in the job, from 0.")
    status: Outcome = Field(description="done (result holds the summary) or failed (problem says why).")
    result: SummarizeResponse | DigestResponse | None = Field(
        None, description="A summary's answer, or a digest's for an item that is a cluster (articles)."
    )
    problem: Problem | None = None


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    seconds_to_ready: float = Field(description="How long the models took to load and warm.")


# --- compatibility: Hugging Face Inference API and LibreTranslate ----------------------------------
class _Compat(BaseModel):
    # Their clients add members of their own (options, alternatives...): ignored, not refused.
    model_config = ConfigDict(extra="ignore", frozen=True)


class HFRequest(_Compat):
    inputs: StrictStr = Field(description="The text to summarize or translate.")
    parameters: dict[str, Any] | None = Field(
        None, description="summarization: length (short, medium, long); translation: src_lang, tgt_lang."
    )


class HFSummary(BaseModel):
    summary_text: str


class HFTranslation(BaseModel):
    translation_text: str


class LTTranslateRequest(_Compat):
    q: StrictStr | list[StrictStr] = Field(description="Text, or a list of texts, to translate.")
    source: LanguageCode = Field("auto", description="Two-letter code, an NLLB code, or auto.")
    target: LanguageCode = Field("en", description="Two-letter code or an NLLB code.")
    format: Literal["text", "html"] = Field("text", description="Only text is translated.")
    api_key: ApiKey | None = None


class LTDetectRequest(_Compat):
    q: StrictStr
    api_key: ApiKey | None = None


class LTDetection(BaseModel):
    confidence: float = Field(description="0 to 100.")
    language: str


class LTTranslateResponse(BaseModel):
    translatedText: str | list[str]  # noqa: N815 - LibreTranslate's member name
    detectedLanguage: LTDetection | None = None  # noqa: N815


class LTLanguage(BaseModel):
    code: str
    name: str
    targets: list[str]
