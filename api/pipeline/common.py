"""What every stage of the pipeline shares: the caller, the limits, each stage's output, the deadline
check, and the parts the stages read (``Stages``)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from api.cache import ResultCache
from api.digest import DigestLimits
from api.errors import DeadlineExceeded
from api.prompts import Preset, Prompts
from api.schemas import Cleaning, LanguageOut, ModelRef, SummarizeRequest
from api.tasks.summarizer import Summarizer
from api.tasks.translator import Translator
from api.text.boilerplate import Boilerplate, Cleaned
from api.text.language import LanguageDetector


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


Charge = Callable[[int], None]  # counts generations against the caller's limit; raises to refuse


@dataclass(frozen=True)
class Caller:
    """Who asks: results are cached per tenant (a second tenant sending the same embargoed text must
    not learn that someone already sent it), and chunk mode's generations are charged to them."""

    tenant: str = "public"
    charge: Charge | None = None
    request_id: str | None = None  # written into each batch item's problem, as into a request's own
    options: str = "json"  # how the caller sets options, for hints: json, query or cli (option_hint)


class Stages:
    """The parts every stage reads; ``Pipeline`` puts the stages together over them."""

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

    @staticmethod
    def model_ref(task: Summarizer | Translator) -> ModelRef:
        loaded = task.loaded
        return ModelRef(id=loaded.source.display, revision=loaded.revision, licence=loaded.licence)
