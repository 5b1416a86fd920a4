"""Builds a role's engine from its model files (``api.models.files``): the one way every entry that
runs a model gets its engine."""

from __future__ import annotations

import logging

from api.config import Settings
from api.engines.base import Engine
from api.engines.gemm import GemmChoice
from api.engines.gemm import apply as choose_gemm
from api.models.files import engine_files
from api.models.loading import LoadedModel
from api.prompts import Prompts

log = logging.getLogger(__name__)


def build_engine(
    settings: Settings, role: str, loaded: LoadedModel, prompts: Prompts, gemm: GemmChoice | None = None
) -> Engine:
    """``gemm``: the process's GEMM choice when the caller already made it (the runtime builds both
    engines at once, so it chooses first); otherwise it is made here, before CTranslate2 loads."""
    ready = engine_files(settings, role, loaded, prompts)
    if ready.folder is None:
        from api.engines.hf import TransformersEngine

        tok = loaded.tokenizer
        return TransformersEngine(
            loaded.model, pad_id=tok.pad_token_id, eos_id=tok.eos_token_id, kept=ready.kept, never=ready.never
        )
    from api.engines.ct2 import CTranslate2Engine

    gemm = gemm or choose_gemm(settings.models.gemm)
    return CTranslate2Engine(
        ready.folder,
        tokenizer=loaded.tokenizer.backend_tokenizer,
        compute_type=settings.models.compute_type,
        threads=settings.math_threads(),
        parallel=settings.engine_replicas(),
        kept=ready.kept,
        gemm=gemm,
    )
