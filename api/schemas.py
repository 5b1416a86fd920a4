"""Request and response models: the one description of the API that validation (and the OpenAPI
document, later) are built from. Requests are strict: a typo'd field or a string for a boolean is a 422,
never silently ignored."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SummarizeRequest(_Request):
    text: StrictStr = Field(description="The article, plain text. Paragraphs separated by newlines.")
    translate: StrictBool = Field(False, description="Also translate the summary.")
    target_lang: StrictStr = Field("eng_Latn", description="NLLB code of the translation's language.")
    length: StrictStr | None = Field(None, description="Preset name: short, medium (default) or long.")


class TranslateRequest(_Request):
    text: StrictStr = Field(description="Text to translate; split into sentences and translated as one batch.")
    source_lang: StrictStr = Field("ind_Latn", description="NLLB code of the text's language.")
    target_lang: StrictStr = Field("eng_Latn", description="NLLB code of the translation's language.")


class TextOut(BaseModel):
    text: str
    lang: str


class InputFacts(BaseModel):
    chars: int = Field(description="Characters after normalisation.")
    tokens: int = Field(description="Summarizer tokens of the whole article, before truncation.")
    max_tokens: int = Field(description="The summarizer's input window.")
    truncated: bool = Field(description="True exactly when tokens > max_tokens: the model read only the start.")


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
    models: ModelsUsed
    preset: str
    prompt_version: str
    timings_ms: SummarizeTimings


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
    load_seconds: float


class ModelsResponse(BaseModel):
    models: list[ModelInfo]
    presets: dict[str, dict]
    default_preset: str
    prompt_versions: dict[str, str]
