"""``ringkas fetch-models`` and ``ringkas make-tiny-models``: the model files a worker reads back."""

from __future__ import annotations

from pathlib import Path

import click

from api.cli.common import _fail, _sources, load_settings
from api.config import env_name, nest

FETCHING_HINT = (
    "fetch-models downloads a hub id where the hub is reachable (RINGKAS_MODELS__HUB_OFFLINE and HF_HUB_OFFLINE "
    "unset); on a machine without it, copy the model folder over and point RINGKAS_{0}__MODEL at it; to try Ringkas "
    "without the real models, add `--demo` to serve."
)


@click.command("fetch-models", short_help="Download and convert the configured checkpoints.")
@click.option(
    "--corpus",
    "corpus",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your Indonesian archive (text, JSONL or CSV; repeatable): its tokens join the summarizer's kept "
    "vocabulary. Same as RINGKAS_SUMMARIZER__VOCAB_CORPUS, which serving must also be given.",
)
@click.option(
    "--translation-corpus",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Text in the translation target language (RINGKAS_TRANSLATOR__VOCAB_CORPUS).",
)
def fetch_models(corpus: tuple[Path, ...], translation_corpus: tuple[Path, ...]) -> None:
    """Download the configured checkpoints into the cache, convert them for the configured engine and
    build each model's kept output vocabulary, so image builds and offline hosts start without network,
    conversion or vocabulary work."""
    from api.errors import ModelUnavailable
    from api.models.files import engine_files, load_model
    from api.models.loading import fetch
    from api.prompts import load_prompts

    overrides = {
        name: ",".join(str(path.resolve()) for path in files)
        for name, files in (("summarizer.vocab_corpus", corpus), ("translator.vocab_corpus", translation_corpus))
        if files
    }
    settings = load_settings(**nest(overrides))
    prompts = load_prompts(settings.models.prompts_dir)
    for role, source in _sources(settings).items():
        try:
            if source.is_local:
                click.echo(f"{role}: {source.ref} is a local folder; nothing to fetch")
            else:
                click.echo(f"{role}: fetching {source.ref}" + (f" at {source.revision}" if source.revision else ""))
                click.echo(f"{role}: ready in {fetch(source)}")
            loaded = load_model(settings, role, prompts, weights=False)
            ready = engine_files(settings, role, loaded, prompts)
            if ready.folder is not None:
                click.echo(f"{role}: converted for CTranslate2 ({settings.models.compute_type}) in {ready.folder}")
            kept = ready.kept
        except ModelUnavailable as exc:
            _fail(f"{role}: model {exc.ref!r} could not be fetched: {exc.reason}. {FETCHING_HINT.format(role.upper())}")
        except (OSError, ValueError) as exc:  # an unreadable corpus, a language wordfreq does not have
            _fail(f"{role}: kept vocabulary: {exc}")
        if kept is None:
            click.echo(f"{role}: full output vocabulary (RINGKAS_MODELS__VOCAB=full)")
            continue
        coverage = ", ".join(f"{name} {share:.2%}" for name, share in kept.coverage.items())
        click.echo(
            f"{role}: kept vocabulary for {kept.language}: {kept.size:,} of {kept.vocabulary_size:,} tokens "
            f"({kept.size / kept.vocabulary_size:.1%}); coverage: {coverage}; plus each request's source tokens"
        )
    for name, value in overrides.items():
        click.echo(f"serve with {env_name(name)}={value} to use this kept set")


@click.command("make-tiny-models", short_help="Write tiny random models for tests and demos.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--seeds", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Folder of *.txt articles."
)
def make_tiny_models(directory: Path, seeds: Path | None) -> None:
    """Write DIRECTORY/summarizer and DIRECTORY/translator: tiny random models for tests and demos."""
    from api.tiny_models import DEFAULT_SEEDS, build_tiny_models

    try:
        paths = build_tiny_models(directory, seeds or DEFAULT_SEEDS)
    except FileNotFoundError as exc:
        _fail(str(exc))
    for role, path in paths.items():
        click.echo(f"{role}: {path}")
