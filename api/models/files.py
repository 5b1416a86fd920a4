"""A role's model files, the one way the runtime, `ringkas fetch-models` and the bench all make
them: load or fetch the checkpoint, convert it (CTranslate2), compute or load the kept vocabulary
and add its vocabulary map. What runs them is ``api.engines.factory``; nothing here imports an engine."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path

from api.config import Settings, env_name
from api.models.languages import detect_scheme
from api.models.loading import LoadedModel, ModelSource, fetch, is_demo, load_seq2seq, read_licence
from api.models.vocab import KeptVocabulary, NoWordList, VocabSpec, load_or_build, uncopyable_ids
from api.prompts import Prompts

log = logging.getLogger(__name__)


def kept_language(role: str, prompts: Prompts) -> str:
    """The language a role writes: the summary's, or the translator's default target."""
    return prompts.summarize.input.language if role == "summarizer" else prompts.translate.default_target


def kept_vocabulary(settings: Settings, role: str, loaded: LoadedModel, prompts: Prompts) -> KeptVocabulary | None:
    """The role's kept set (None with ``RINGKAS_MODELS__VOCAB=full``), cached beside the converted models."""
    from api.models.convert import model_slug

    if settings.models.vocab == "full":
        return None
    language = kept_language(role, prompts)
    spec = VocabSpec(language, settings.models.vocab_words, settings.corpus_files(role))
    extra: list[int] = []
    if role == "translator":
        forced = detect_scheme(loaded.tokenizer, prompts.translate).forced_bos(language)
        extra = [forced] if forced is not None else []
    cache = settings.converted_models_dir() / f"{model_slug(loaded.source, loaded.revision)}--kept-{spec.key()}.json"
    try:
        kept = load_or_build(loaded.tokenizer, spec, cache, extra)
    except NoWordList as exc:  # e.g. a Javanese target: serve it, over the full vocabulary, and say so
        log.warning("%s: full output vocabulary: %s", role, exc)
        return None
    return (
        pad_kept(kept, settings.models.vocab_min_size, _output_rows(loaded)) if settings.models.vocab_min_size else kept
    )


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


def model_source(settings: Settings, role: str) -> ModelSource:
    """Where the settings say the summarizer or translator comes from."""
    return ModelSource(
        ref=getattr(settings, role).model,
        revision=getattr(settings, role).revision,
        cache_dir=settings.models.cache_dir,
        offline=settings.models.hub_offline,
        licence=getattr(settings, role).licence,
        name=getattr(settings, role).name,
        setting=env_name(f"{role}.model"),
    )


def lead_target(settings: Settings, role: str, prompts: Prompts) -> str | None:
    """The translator's kept target, whose language token gets a fixed row (see ``ct2._lead_token_first``)."""
    return kept_language(role, prompts) if role == "translator" and settings.models.vocab == "kept" else None


def load_model(settings: Settings, role: str, prompts: Prompts, weights: bool = True) -> LoadedModel:
    """A role's model as its engine needs it: the transformers checkpoint (weights in fp32), or for
    CTranslate2 the converted folder with its own tokenizer, converted first if needed, so that a
    CTranslate2 worker never imports transformers or torch."""
    source = model_source(settings, role)
    if settings.models.engine == "transformers":
        return load_seq2seq(source, weights=weights)
    from api.models.convert import ensure_converted
    from api.models.light import LightTokenizer, light_config

    started = time.perf_counter()
    # The hub commit names the weights (a local folder is named by its files): fetch() only reads the
    # cache when offline, and downloads what is missing otherwise, as from_pretrained would.
    revision = None if source.is_local else fetch(source).name
    folder = ensure_converted(
        source,
        revision,
        settings.models.compute_type,
        settings.converted_models_dir(),
        lead_target(settings, role, prompts),
        settings.models.prompts_dir,
    )
    licence = source.licence or read_licence(source) or "unknown"
    loaded = LoadedModel(
        source,
        None,
        LightTokenizer(folder),
        light_config(folder),
        licence,
        revision,
        time.perf_counter() - started,
        folder=folder,
        demo=is_demo(source),
    )
    log.info("loaded %s (%s, converted) in %.1f s", source.ref, loaded.config.model_type, loaded.load_seconds)
    return loaded


@dataclass(frozen=True)
class EngineFiles:
    """Everything a role's engine is built from, made on disk once (by fetch-models or the first start)."""

    kept: KeptVocabulary | None
    never: frozenset[int]
    folder: Path | None  # the CTranslate2 model folder (with its vocabulary map when kept); None for transformers


def engine_files(settings: Settings, role: str, loaded: LoadedModel, prompts: Prompts) -> EngineFiles:
    kept = kept_vocabulary(settings, role, loaded, prompts)
    never = uncopyable_ids(loaded.tokenizer)
    folder = loaded.folder
    if folder is not None and kept is not None:
        from api.models.convert import with_vocabulary_map

        folder = with_vocabulary_map(folder, kept, never)
    return EngineFiles(kept, never, folder)


def _output_rows(loaded: LoadedModel) -> int:
    return int(getattr(loaded.config, "vocab_size", 0) or len(loaded.tokenizer))
