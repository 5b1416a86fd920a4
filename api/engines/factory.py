"""Builds a role's engine, the one way the runtime, `ringkas fetch-models` and the bench all use:
convert (CTranslate2), compute or load the kept vocabulary, add the vocabulary map, construct."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from api.config import Settings
from api.engines.base import Engine
from api.engines.languages import detect_scheme
from api.engines.loading import LoadedModel
from api.engines.vocab import KeptVocabulary, VocabSpec, load_or_build, uncopyable_ids
from api.prompts import Prompts


def kept_language(role: str, prompts: Prompts) -> str:
    """The language a role writes: the summary's, or the translator's default target."""
    return prompts.summarize.input.language if role == "summarizer" else prompts.translate.default_target


def kept_vocabulary(settings: Settings, role: str, loaded: LoadedModel, prompts: Prompts) -> KeptVocabulary | None:
    """The role's kept set (None with ``RINGKAS_VOCAB=full``), cached beside the converted models."""
    from api.engines.ct2 import model_slug

    if settings.vocab == "full":
        return None
    language = kept_language(role, prompts)
    spec = VocabSpec(language, settings.vocab_words, settings.corpus_files(role))
    extra: list[int] = []
    if role == "translator":
        forced = detect_scheme(loaded.tokenizer, prompts.translate).forced_bos(language)
        extra = [forced] if forced is not None else []
    cache = settings.converted_models_dir() / f"{model_slug(loaded.source, loaded.revision)}--kept-{spec.key()}.json"
    kept = load_or_build(loaded.tokenizer, spec, cache, extra)
    return pad_kept(kept, settings.vocab_min_size, _output_rows(loaded)) if settings.vocab_min_size else kept


def pad_kept(kept: KeptVocabulary, size: int, rows: int) -> KeptVocabulary:
    """Adds evenly spaced other rows up to ``size`` tokens: the bench's stand-in for the size a real
    tokenizer's kept set has, on models whose own tokenizer is tiny (otherwise the gain is overstated)."""
    missing = min(size, rows) - kept.size
    if missing <= 0:
        return kept
    have = set(kept.ids)
    others = [i for i in range(rows) if i not in have]
    step = len(others) / missing
    padding = {others[int(k * step)] for k in range(missing)}
    return replace(
        kept,
        ids=tuple(sorted(have | padding)),
        vocabulary_size=rows,
        sources=(*kept.sources, f"padded with {len(padding)} other rows (benchmark stand-in)"),
        key=f"{kept.key}-pad{size}",
    )


@dataclass(frozen=True)
class Prepared:
    """Everything a role's engine is built from, made on disk once (by fetch-models or the first start)."""

    kept: KeptVocabulary | None
    never: frozenset[int]
    folder: Path | None  # the CTranslate2 model folder (with its vocabulary map when kept); None for transformers


def prepare(settings: Settings, role: str, loaded: LoadedModel, prompts: Prompts) -> Prepared:
    kept = kept_vocabulary(settings, role, loaded, prompts)
    never = uncopyable_ids(loaded.tokenizer)
    folder = None
    if settings.engine == "ctranslate2":
        from api.engines.ct2 import ensure_converted, with_vocabulary_map

        root = settings.converted_models_dir()
        lead = None
        if kept is not None and role == "translator":
            forced = detect_scheme(loaded.tokenizer, prompts.translate).forced_bos(kept_language(role, prompts))
            lead = loaded.tokenizer.convert_ids_to_tokens(forced) if forced is not None else None
        folder = ensure_converted(loaded.source, loaded.revision, settings.ct2_compute_type, root, lead)
        if kept is not None:
            folder = with_vocabulary_map(folder, kept, never)
    return Prepared(kept, never, folder)


def build_engine(settings: Settings, role: str, loaded: LoadedModel, prompts: Prompts) -> Engine:
    ready = prepare(settings, role, loaded, prompts)
    if ready.folder is None:
        from api.engines.hf import TransformersEngine

        tokenizer = loaded.tokenizer
        return TransformersEngine(
            loaded.model,
            pad_id=tokenizer.pad_token_id,
            eos_id=tokenizer.eos_token_id,
            kept=ready.kept,
            never=ready.never,
        )
    from api.engines.ct2 import CTranslate2Engine

    return CTranslate2Engine(
        ready.folder,
        compute_type=settings.ct2_compute_type,
        threads=settings.math_threads(),
        parallel=settings.engine_parallel,
        kept=ready.kept,
    )


def _output_rows(loaded: LoadedModel) -> int:
    return int(getattr(loaded.config, "vocab_size", 0) or len(loaded.tokenizer))
