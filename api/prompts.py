"""Loads ``prompts/``: model-input templates and generation presets, kept as data for editors."""

from __future__ import annotations

import math
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Preset(_Strict):
    max_new_tokens: int = Field(ge=1, le=1024)
    min_new_tokens: int = Field(0, ge=0)
    num_beams: int = Field(1, ge=1, le=16)
    no_repeat_ngram_size: int = Field(0, ge=0)
    length_penalty: float = 1.0

    @model_validator(mode="after")
    def _min_below_max(self) -> Preset:
        if self.min_new_tokens > self.max_new_tokens:
            raise ValueError("min_new_tokens must not exceed max_new_tokens")
        return self


class SummarizeInput(_Strict):
    template: str
    max_tokens: int = Field(ge=8)
    language: str

    @model_validator(mode="after")
    def _template_has_text(self) -> SummarizeInput:
        if "{text}" not in self.template:
            raise ValueError("input.template must contain {text}")
        return self


class SummarizePrompts(_Strict):
    version: str
    input: SummarizeInput
    default_preset: str
    presets: dict[str, Preset]

    @model_validator(mode="after")
    def _default_exists(self) -> SummarizePrompts:
        if self.default_preset not in self.presets:
            raise ValueError(f"default_preset {self.default_preset!r} is not among the presets")
        return self

    def render(self, text: str, prefix: str) -> str:
        return self.input.template.replace("{prefix}", prefix).replace("{text}", text)


class TranslateDecoding(_Strict):
    num_beams: int = Field(4, ge=1, le=16)
    min_new_tokens: int = Field(0, ge=0)
    no_repeat_ngram_size: int = Field(0, ge=0)
    length_penalty: float = 1.0
    ratio: float = Field(1.6, gt=0)
    margin: int = Field(10, ge=0)
    bucket: int = Field(32, ge=1)
    max_new_tokens: int = Field(400, ge=1)

    def max_new_for(self, input_tokens: int) -> int:
        """An explicit output limit for an input of this many tokens (NLLB's default is 20)."""
        wanted = self.ratio * input_tokens + self.margin
        return min(self.max_new_tokens, self.bucket * math.ceil(wanted / self.bucket))


class LanguagePair(_Strict):
    source: str
    target: str


class TranslatePrompts(_Strict):
    version: str
    max_input_tokens: int = Field(ge=8)
    decoding: TranslateDecoding
    default_source: str
    default_target: str
    fixed_pair: LanguagePair
    m2m100_codes: dict[str, str]


class Prompts(_Strict):
    summarize: SummarizePrompts
    translate: TranslatePrompts


def load_prompts(folder: Path) -> Prompts:
    """Reads and validates both files; a typo in a preset fails at start-up, not mid-request."""
    data = {}
    for name in ("summarize", "translate"):
        path = Path(folder) / f"{name}.yaml"
        with path.open(encoding="utf-8") as handle:
            data[name] = yaml.safe_load(handle)
    return Prompts.model_validate(data)
