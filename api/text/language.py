"""Language identification with lingua, whose models ship inside the package (no download).

Low-accuracy mode over a fixed set of languages a newsroom meets: ~40 MB instead of ~1 GB for all
75 languages in high-accuracy mode, and reliable on article-length text, which is all it sees.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache, lru_cache

# lingua name -> NLLB code, the one language naming the API uses.
LANGUAGES = {
    "INDONESIAN": "ind_Latn",
    "MALAY": "zsm_Latn",
    "ENGLISH": "eng_Latn",
    "TAGALOG": "tgl_Latn",
    "DUTCH": "nld_Latn",
    "FRENCH": "fra_Latn",
    "GERMAN": "deu_Latn",
    "SPANISH": "spa_Latn",
    "PORTUGUESE": "por_Latn",
    "ITALIAN": "ita_Latn",
    "TURKISH": "tur_Latn",
    "VIETNAMESE": "vie_Latn",
    "ARABIC": "arb_Arab",
    "CHINESE": "zho_Hans",
    "JAPANESE": "jpn_Jpan",
    "KOREAN": "kor_Hang",
    "RUSSIAN": "rus_Cyrl",
    "THAI": "tha_Thai",
    "HINDI": "hin_Deva",
}
SAMPLE_CHARS = 3000  # the opening of an article says what language it is in


@dataclass(frozen=True)
class Detected:
    code: str | None  # NLLB code, None when nothing could be told (digits, emoji, symbols)
    name: str | None
    confidence: float


class LanguageDetector:
    def __init__(self) -> None:
        from lingua import Language, LanguageDetectorBuilder

        languages = [getattr(Language, name) for name in LANGUAGES]
        self._detector = (
            LanguageDetectorBuilder.from_languages(*languages)
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )

    def detect(self, text: str) -> Detected:
        values = self._detector.compute_language_confidence_values(text[:SAMPLE_CHARS])
        if not values or values[0].value <= 0:
            return Detected(None, None, 0.0)
        best = values[0]
        return Detected(LANGUAGES[best.language.name], best.language.name.title(), round(best.value, 3))


@cache
def iso_codes() -> dict[str, str]:
    """ISO 639-1 code -> NLLB code for the languages above (LibreTranslate and HF clients speak
    two-letter codes; the API speaks NLLB codes). Built once."""
    from lingua import Language

    return {getattr(Language, name).iso_code_639_1.name.lower(): code for name, code in LANGUAGES.items()}


@cache
def _nllb_to_iso() -> dict[str, str]:
    return {nllb: iso for iso, nllb in iso_codes().items()}


def iso_code(nllb_code: str | None) -> str | None:
    """The two-letter code of an NLLB code, or None for a language outside the table."""
    return _nllb_to_iso().get(nllb_code or "")


def language_name(nllb_code: str) -> str | None:
    return _NAMES.get(nllb_code)


_NAMES = {code: name.title() for name, code in LANGUAGES.items()}


_NLLB_CODE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
# The shape the schemas give every language field (schemas.LanguageCode): checked again here, so no
# caller can hand langcodes a string it was not meant to parse.
MAX_TAG_CHARS = 35
_TAG = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$")
# What decides the NLLB code: the language, and a script or region (zh-Hant, zh-TW) when given.
_REDUCED = re.compile(r"^([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|[0-9]{3}))?(?:-|$)")
# langcodes keeps every tag it ever parsed and every Language it ever made, in class-level dicts
# with no bound; they are emptied when they pass this size (they are caches: anything dropped is
# made again on demand). Our own answers are kept in an LRU of the same size.
LANGCODES_CACHE_BOUND = 2048
_langcodes_lock = threading.Lock()


def to_nllb(code: str) -> str:
    """The NLLB code a caller meant: NLLB codes as given; a two-letter or BCP 47 code ("en", "pt-BR",
    "zh-Hant") as its NLLB code, by the table above where NLLB picks a particular variety (ms is
    zsm_Latn, ar is arb_Arab), else by langcodes (ISO 639-3 code and the language's usual script).
    Anything else is returned unchanged, for the translator to refuse by name."""
    if _NLLB_CODE.match(code):
        return code
    if len(code) > MAX_TAG_CHARS or not _TAG.match(code):
        return code
    mapped = iso_codes().get(code.lower())
    if mapped:
        return mapped
    # Extensions, variants and private-use subtags never change the NLLB code: langcodes sees at
    # most language-script-region, so what it can be asked is small and shaped.
    reduced = _REDUCED.match(code.lower().replace("_", "-"))
    if not reduced:
        return code
    found = _from_langcodes("-".join(part for part in reduced.groups() if part))
    return found or code


@lru_cache(maxsize=LANGCODES_CACHE_BOUND)
def _from_langcodes(tag: str) -> str | None:
    import langcodes

    with _langcodes_lock:
        try:
            parsed = langcodes.Language.get(tag).maximize()
            language, script = parsed.language, parsed.script
            alpha3 = parsed.to_alpha3() if language and script else None
        except (langcodes.LanguageTagError, ValueError, LookupError):
            return None
        finally:
            for kept in (langcodes.Language._PARSE_CACHE, langcodes.Language._INSTANCES):
                if len(kept) > LANGCODES_CACHE_BOUND:
                    kept.clear()
    if not language or not script:
        return None
    table = iso_codes().get(language)
    if table and table.endswith("_" + script):
        return table
    return f"{alpha3}_{script}"
