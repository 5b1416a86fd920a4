"""How a translator names languages, decided from its tokenizer's vocabulary, never from its hub id.

NLLB-200 has tokens like ``ind_Latn``; M2M100 has ``__id__``; Marian-style checkpoints have none and
translate one fixed pair. The API always speaks NLLB codes; each scheme maps them onto its tokens.
Input ids are built here rather than by setting ``tokenizer.src_lang``: that setter mutates shared
state, which concurrent requests with different source languages would race on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from api.errors import ValidationFailed, quote
from api.prompts import TranslatePrompts

_NLLB_CODE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
_M2M_CODE = re.compile(r"^__([a-z]{2,3})__$")


@dataclass(frozen=True)
class LanguageScheme:
    kind: str  # "nllb" | "m2m100" | "fixed"
    eos_id: int
    # NLLB code -> the token id that names it in this vocabulary (empty for fixed pairs).
    code_ids: dict[str, int] = field(default_factory=dict)
    fixed_source: str | None = None
    fixed_target: str | None = None
    legacy_suffix: bool = False  # old NLLB layout: tokens </s> src_code

    @property
    def sources(self) -> list[str]:
        return [self.fixed_source] if self.kind == "fixed" else sorted(self.code_ids)

    @property
    def targets(self) -> list[str]:
        return [self.fixed_target] if self.kind == "fixed" else sorted(self.code_ids)

    @property
    def special_tokens_per_segment(self) -> int:
        return 1 if self.kind == "fixed" else 2

    def check(self, source: str, target: str) -> None:
        problems = []
        if source not in self.sources:
            problems.append(
                {"loc": ["source_lang"], "msg": f"unsupported source language {quote(source)}", "type": "language"}
            )
        if target not in self.targets:
            problems.append(
                {"loc": ["target_lang"], "msg": f"unsupported target language {quote(target)}", "type": "language"}
            )
        if problems:
            wrong = [code for code, pool in ((source, self.sources), (target, self.targets)) if code not in pool]
            near = [code for code in self.targets if any(code[:3] == bad[:3] for bad in wrong)]  # zho_Hant, zho_Hans
            hint = f" (did you mean {', '.join(near[:3])}?)" if near else ""
            raise ValidationFailed(
                f"unsupported language {', '.join(map(quote, wrong))}{hint}; use an NLLB code such as eng_Latn "
                "or a two-letter code such as en; GET /v1/models lists the translator's languages",
                extra={"errors": problems},
            )

    def wrap_source(self, tokens: list[int], source: str) -> list[int]:
        """Encoder input for one segment of text tokens."""
        if self.kind == "fixed":
            return [*tokens, self.eos_id]
        code = self.code_ids[source]
        if self.legacy_suffix:
            return [*tokens, self.eos_id, code]
        return [code, *tokens, self.eos_id]

    def forced_bos(self, target: str) -> int | None:
        """The first decoder token: NLLB and M2M100 pick the output language with it."""
        return None if self.kind == "fixed" else self.code_ids[target]


def detect_scheme(tokenizer: Any, prompts: TranslatePrompts) -> LanguageScheme:
    vocab: dict[str, int] = tokenizer.get_vocab()
    eos_id = tokenizer.eos_token_id
    nllb = {token: idx for token, idx in vocab.items() if _NLLB_CODE.match(token)}
    if nllb:
        return LanguageScheme(
            "nllb", eos_id, code_ids=nllb, legacy_suffix=bool(getattr(tokenizer, "legacy_behaviour", False))
        )
    m2m_tokens = {m.group(1): idx for token, idx in vocab.items() if (m := _M2M_CODE.match(token))}
    if m2m_tokens:
        mapped = {nllb_code: m2m_tokens[iso] for nllb_code, iso in prompts.m2m100_codes.items() if iso in m2m_tokens}
        return LanguageScheme("m2m100", eos_id, code_ids=mapped)
    pair = prompts.fixed_pair
    return LanguageScheme("fixed", eos_id, fixed_source=pair.source, fixed_target=pair.target)
