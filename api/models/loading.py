"""Loads a seq2seq checkpoint from a hub id or a local folder, the same way for real and tiny models."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api.errors import ModelUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSource:
    """Where a model comes from: a hub id or a local path, an optional pinned revision."""

    ref: str
    revision: str | None = None
    cache_dir: Path | None = None
    offline: bool = False
    licence: str | None = None
    name: str | None = None  # what responses call it; default: the hub id, or a local folder's name
    setting: str | None = None  # the environment variable that named it, for error messages

    @property
    def display(self) -> str:
        """The model's public name: never a path on this machine."""
        if self.name:
            return self.name
        return Path(self.ref).expanduser().name if self.is_local else self.ref

    @property
    def is_local(self) -> bool:
        return Path(self.ref).expanduser().is_dir()

    def hub_kwargs(self) -> dict[str, Any]:
        if self.is_local:
            return {}
        return {"revision": self.revision, "cache_dir": self.cache_dir, "local_files_only": self.offline}

    @property
    def path_or_id(self) -> str:
        return str(Path(self.ref).expanduser()) if self.is_local else self.ref


@dataclass
class LoadedModel:
    source: ModelSource
    model: Any
    tokenizer: Any
    config: Any
    licence: str
    revision: str | None
    load_seconds: float
    folder: Path | None = None  # the converted model (CTranslate2), with its own tokenizer files
    demo: bool = False  # random weights (tiny demo/test models): the output is gibberish

    @property
    def architecture(self) -> str:
        names = getattr(self.config, "architectures", None) or [type(self.config).__name__]
        return names[0]


def load_seq2seq(source: ModelSource, weights: bool = True) -> LoadedModel:
    """``from_pretrained`` on config, tokenizer and (unless an engine brings its own) the weights;
    any failure becomes one clear error."""
    from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # one log line per model, not a progress bar per worker
    started = time.perf_counter()
    require_folder_or_hub_id(source)
    try:
        config = AutoConfig.from_pretrained(source.path_or_id, **source.hub_kwargs())
    except Exception as exc:  # OSError, hub errors, bad JSON: all mean "not usable as given"
        raise ModelUnavailable(source.ref, source.revision, _reason(exc), setting=source.setting) from exc
    if not getattr(config, "is_encoder_decoder", False):
        raise ModelUnavailable(
            source.ref, source.revision, f"{config.model_type!r} is not an encoder-decoder (seq2seq) model"
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(source.path_or_id, **source.hub_kwargs())
        model = None
        if weights:
            model = AutoModelForSeq2SeqLM.from_pretrained(source.path_or_id, dtype="float32", **source.hub_kwargs())
            model.eval()
    except Exception as exc:
        raise ModelUnavailable(source.ref, source.revision, _reason(exc), setting=source.setting) from exc
    revision = getattr(config, "_commit_hash", None) or source.revision
    licence = source.licence or read_licence(source) or "unknown"
    seconds = time.perf_counter() - started
    log.info("loaded %s (%s) in %.1f s", source.ref, config.model_type, seconds)
    return LoadedModel(source, model, tokenizer, config, licence, revision, seconds, demo=is_demo(source))


def check_available(source: ModelSource) -> None:
    """Cheap start-up check (config only, no weights): fails fast with the same clear error."""
    from transformers import AutoConfig

    require_folder_or_hub_id(source)
    _require_hub_or_cache(source)
    try:
        AutoConfig.from_pretrained(source.path_or_id, **source.hub_kwargs())
    except Exception as exc:
        raise ModelUnavailable(source.ref, source.revision, _reason(exc), setting=source.setting) from exc


def require_folder_or_hub_id(source: ModelSource) -> None:
    """A path that is no folder is a missing folder, not a hub id: say so before the hub client
    rejects it as a malformed repository name; a folder without a config.json holds no checkpoint."""
    named = f" ({source.setting})" if source.setting else ""
    hint = ModelUnavailable.FOLDER_HINT.format(setting=source.setting or "the model setting")
    if source.is_local:
        if not (Path(source.path_or_id) / "config.json").is_file():
            reason = f"the folder {source.ref}{named} holds no checkpoint (no config.json)"
            raise ModelUnavailable(source.ref, None, reason, hint=hint)
        return
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    ref = source.ref
    looks_like_path = ref.startswith(("/", "./", "../", "~")) or Path(ref).expanduser().exists()
    try:
        validate_repo_id(ref)
    except HFValidationError:
        looks_like_path = True
    if looks_like_path:
        raise ModelUnavailable(ref, None, f"no such folder: {ref}{named}", hint=hint)


def _require_hub_or_cache(source: ModelSource) -> None:
    """A hub model that is not cached needs the hub: when its host cannot even be reached, say so at
    once, not after huggingface_hub's five retries with backoff (~30 s)."""
    if source.is_local or source.offline:
        return
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants, try_to_load_from_cache

    if isinstance(try_to_load_from_cache(source.ref, "config.json", cache_dir=source.cache_dir), str):
        return
    url = urlparse(constants.ENDPOINT)
    try:
        socket.create_connection((url.hostname, url.port or 443), timeout=5).close()
    except OSError as exc:
        raise ModelUnavailable(
            source.ref, source.revision, f"it is not in the cache and {url.hostname} cannot be reached ({exc})"
        ) from None


def fetch(source: ModelSource) -> Path:
    """Downloads a hub checkpoint into the cache (with progress bars); local folders are left alone."""
    if source.is_local:
        return Path(source.path_or_id)
    require_folder_or_hub_id(source)
    from huggingface_hub import snapshot_download, try_to_load_from_cache

    if source.offline and not isinstance(
        try_to_load_from_cache(source.ref, "config.json", cache_dir=source.cache_dir), str
    ):
        raise ModelUnavailable(source.ref, source.revision, OFFLINE_NOT_CACHED, setting=source.setting)

    try:
        return Path(
            snapshot_download(
                source.ref,
                revision=source.revision,
                cache_dir=source.cache_dir,
                local_files_only=source.offline,
                # Weights in safetensors when offered; the .bin twins and TF/Flax copies are not needed.
                allow_patterns=["*.json", "*.model", "*.safetensors", "README.md", "*.txt"],
            )
        )
    except Exception as exc:
        raise ModelUnavailable(source.ref, source.revision, _reason(exc), setting=source.setting) from exc


OFFLINE_NOT_CACHED = (
    "it is not in the cache and the hub is switched off (RINGKAS_MODELS__HUB_OFFLINE or HF_HUB_OFFLINE)"
)

# The tag `ringkas make-tiny-models` (and `--demo`) puts on its cards: /v1/models and the editor's page
# then say plainly that the output is gibberish.
DEMO_TAG = "random-weights"


def read_licence(source: ModelSource) -> str | None:
    """The ``license`` field of the model card's YAML front matter, when the card is at hand."""
    value = read_card(source).get("license")
    return str(value) if value else None


def is_demo(source: ModelSource) -> bool:
    tags = read_card(source).get("tags")
    return isinstance(tags, list) and DEMO_TAG in tags


def read_card(source: ModelSource) -> dict:
    """The model card's YAML front matter ({} when the card is not at hand or has none)."""
    card: Path | None = None
    if source.is_local:
        card = Path(source.path_or_id) / "README.md"
    else:
        from huggingface_hub import hf_hub_download, try_to_load_from_cache

        cached = try_to_load_from_cache(source.ref, "README.md", cache_dir=source.cache_dir, revision=source.revision)
        if isinstance(cached, str):
            card = Path(cached)
        elif not source.offline:
            try:
                card = Path(
                    hf_hub_download(source.ref, "README.md", revision=source.revision, cache_dir=source.cache_dir)
                )
            except Exception:  # the card is a nicety; the model itself loaded
                return {}
    if card is None or not card.is_file():
        return {}
    return parse_card(card.read_text(encoding="utf-8", errors="replace"))


def parse_card(card_text: str) -> dict:
    if not card_text.startswith("---"):
        return {}
    parts = card_text.split("---", 2)
    if len(parts) < 3:
        return {}
    try:
        meta = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _reason(exc: BaseException) -> str:
    """First line of the underlying error: enough to act on, no traceback."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
