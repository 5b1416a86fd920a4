"""What ``GET /v1/models`` shows: the loaded models, their languages and limits, the presets.
Presentation of the pipeline's parts, kept out of the pipeline itself."""

from __future__ import annotations

from api.pipeline import Pipeline
from api.schemas import ModelInfo, ModelsResponse
from api.tasks.summarizer import Summarizer
from api.tasks.translator import Translator


def describe_models(pipeline: Pipeline, jobs: bool = False) -> ModelsResponse:
    """``jobs``: whether this deployment runs archive jobs, so a page can say so before an upload."""
    summarizer, translator, prompts, limits = (
        pipeline.summarizer,
        pipeline.translator,
        pipeline.prompts,
        pipeline.limits,
    )
    scheme = translator.scheme
    return ModelsResponse(
        demo=summarizer.loaded.demo or translator.loaded.demo,
        jobs=jobs,
        models=[
            _info(
                "summarizer",
                summarizer,
                {"input": [prompts.summarize.input.language], "output": [prompts.summarize.input.language]},
                {
                    "max_input_tokens": summarizer.window,
                    "max_new_tokens": max(p.max_new_tokens for p in prompts.summarize.presets.values()),
                    "max_text_chars": limits.max_text_chars,
                },
            ),
            _info(
                "translator",
                translator,
                {"source": scheme.sources, "target": scheme.targets},
                {
                    "max_input_tokens_per_segment": translator.window,
                    "max_new_tokens_per_segment": translator.max_new_cap,
                    "max_text_chars": limits.max_translate_chars,
                },
            ),
        ],
        presets={name: preset.model_dump() for name, preset in prompts.summarize.presets.items()},
        default_preset=prompts.summarize.default_preset,
        prompt_versions={"summarize": prompts.summarize.version, "translate": prompts.translate.version},
    )


def _info(role: str, task: Summarizer | Translator, languages: dict, limits: dict) -> ModelInfo:
    loaded = task.loaded
    return ModelInfo(
        role=role,
        id=loaded.source.display,
        revision=loaded.revision,
        architecture=loaded.architecture,
        model_type=loaded.config.model_type,
        licence=loaded.licence,
        languages=languages,
        limits=limits,
        engine=task.batcher.engine.name,
        runtime=task.batcher.engine.describe(),
        load_seconds=round(loaded.load_seconds, 2),
        demo=loaded.demo,
    )
