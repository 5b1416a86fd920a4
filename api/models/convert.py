"""Conversion to CTranslate2, once per model revision: what ``fetch-models`` (or a first start) makes
on disk, in a child process (it needs transformers, torch and the float32 weights). It writes the
converted model with its fast tokenizer next to the hub cache; a file lock stops two workers
converting at once. The engine that runs the result is ``api.engines.ct2``; this module imports no
engine, and neither does its child process (``python -m api.models.convert``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from api.errors import ModelUnavailable
from api.models.loading import ModelSource
from api.models.vocab import KeptVocabulary

log = logging.getLogger(__name__)

# Written beside a converted model whose rows were reordered: row -> the tokenizer's id.
ORDER_FILE = "ringkas_row_order.json"
# T5-family config types whose decoder-output scaling CTranslate2 infers from tie_word_embeddings.
_T5_TYPES = {"t5", "mt5", "umt5"}


def _converter_class():
    import ctranslate2

    class RingkasConverter(ctranslate2.converters.TransformersConverter):
        """Fixes one flag before CTranslate2's loader reads it, and passes hub options through.

        transformers 5 forces ``MT5Config.tie_word_embeddings = True`` (the embeddings are tied in
        its module graph, but a real mT5 checkpoint keeps its own ``lm_head``, and its forward never
        scales the decoder output). CTranslate2's T5 loader reads that flag to decide whether to
        multiply the decoder output by ``d_model ** -0.5``: trusting it would silently change every
        logit of a real mT5. The truth is what transformers' own forward does:
        ``config.scale_decoder_outputs`` for T5 (v1.0 checkpoints), never for mT5.
        """

        def __init__(self, source: ModelSource, lead_token: str | None = None, **kwargs):
            super().__init__(source.path_or_id, revision=None if source.is_local else source.revision, **kwargs)
            self._hub = {} if source.is_local else {"cache_dir": source.cache_dir, "local_files_only": source.offline}
            self.lead_token = lead_token
            self.order: list[int] | None = None

        def _load(self):
            spec = super()._load()
            if self.lead_token is not None:
                self.order = _lead_token_first(spec, self.lead_token)
            return spec

        def load_model(self, model_class, model_name_or_path, **kwargs):
            model = super().load_model(model_class, model_name_or_path, **self._hub, **kwargs)
            if model.config.model_type in _T5_TYPES:
                model.config.tie_word_embeddings = bool(getattr(model.config, "scale_decoder_outputs", False))
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            return super().load_tokenizer(tokenizer_class, model_name_or_path, **self._hub, **kwargs)

    return RingkasConverter


def content_key(source: ModelSource, revision: str | None) -> str:
    """What identifies the weights: the hub commit, or for a folder its files' names, sizes and times."""
    if revision:
        return revision
    folder = Path(source.path_or_id)
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _lead_token_first(spec, token: str) -> list[int]:
    """Moves ``token`` to the row just after the structural special tokens, in the vocabulary and in
    every embedding and projection row, so the model computes exactly the same thing under new ids.

    Why: CTranslate2 (4.8) maps the decoder's start and prefix tokens to rows of the restricted output
    layer through a map it fills with ``emplace`` and never clears, so after the first batch a forced
    prefix keeps the row it had in the first candidate set. NLLB's language tokens have the highest
    ids, so their row moves with every batch's candidate count: the forced language token became
    another token, or an out-of-range row (IndexError). Placed right after the always-kept specials,
    it has the same row in every candidate set and in the full vocabulary. Returns the new order
    (CTranslate2 row -> original id)."""
    target = spec._vocabularies["target"][0]
    lead = target.index(token)
    specials = [i for i, t in enumerate(target) if t in ("<s>", "<pad>", "</s>", "<unk>")]
    first = len(specials)
    if sorted(specials) != list(range(first)):
        raise ValueError(f"special tokens are not the first rows of the vocabulary: {specials}")
    order = [*range(first), lead, *(i for i in range(first, len(target)) if i != lead)]
    for kind, vocabularies in spec._vocabularies.items():
        spec._vocabularies[kind] = [[vocab[i] for i in order] for vocab in vocabularies]
    rows = [*getattr(spec.encoder, "embeddings", []), spec.decoder.embeddings, spec.decoder.projection]
    for layer in rows:
        for name in ("weight", "bias"):
            value = getattr(layer, name, None)
            if value is not None and not isinstance(value, str) and getattr(value, "shape", (0,))[0] == len(order):
                setattr(layer, name, value[order])
    return order


def model_slug(source: ModelSource, revision: str | None) -> str:
    """A file name for one model at one revision (its weights' identity)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "--", source.ref.strip("/"))[-80:]
    return f"{name}--{content_key(source, revision)[:40]}"


def converted_path(
    source: ModelSource, revision: str | None, quantization: str, root: Path, lead_target: str | None = None
) -> Path:
    lead = f"--lead-{re.sub(r'[^A-Za-z0-9_]+', '', lead_target)}" if lead_target else ""
    return root / f"{model_slug(source, revision)}--{quantization}{lead}"


def _require_writable(root: Path, source: ModelSource, revision: str | None) -> None:
    """The conversion cache must be writable: say so plainly, not as a lock file's PermissionError
    (the usual cause is a volume mounted into the image owned by another user)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    if not (root.is_dir() and os.access(root, os.W_OK | os.X_OK)):
        raise ModelUnavailable(
            source.ref,
            revision,
            f"the conversion folder {root} is not writable by uid {os.getuid()}",
            hint="Mount a volume that user can write there (README: Docker), or set RINGKAS_MODELS__CONVERTED_DIR.",
        )


def ensure_converted(
    source: ModelSource,
    revision: str | None,
    quantization: str,
    root: Path,
    lead_target: str | None = None,
    prompts_dir: Path | None = None,
) -> Path:
    """Returns the converted model folder, converting once if it is not cached yet.

    Conversion runs in a child process: it needs transformers, torch and the float32 weights (2.4 GB
    for NLLB-600M), none of which a serving worker should keep. The folder also gets the fast
    tokenizer and config facts serving reads (``api.models.light``). ``lead_target`` (a translator's
    kept target language) has its language token moved to a fixed row; see ``_lead_token_first``."""
    from filelock import FileLock

    from api.models.light import has_serving_files

    target = converted_path(source, revision, quantization, root, lead_target)
    if (target / "model.bin").is_file() and has_serving_files(target):
        return target
    _require_writable(root, source, revision)
    with FileLock(str(target) + ".lock"):
        if (target / "model.bin").is_file() and has_serving_files(target):  # another worker finished it
            return target
        started = time.perf_counter()
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)  # a folder from before serving files existed
        job = {
            "source": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(source).items()},
            "quantization": quantization,
            "output": str(staging),
            "lead_target": lead_target,
            "prompts_dir": str(prompts_dir) if prompts_dir else None,
        }
        proc = subprocess.run(
            [sys.executable, "-m", "api.models.convert", json.dumps(job)], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
            raise ModelUnavailable(
                source.ref,
                revision,
                lines[-1] if lines else f"conversion exited {proc.returncode}",
                setting=source.setting,
            )
        staging.rename(target)
        log.info("converted %s to CTranslate2 %s in %.1f s", source.ref, quantization, time.perf_counter() - started)
    return target


def _convert(job: dict) -> None:
    """The child process: load tokenizer and config with transformers, convert, write serving files."""
    from api.config import DEFAULT_PROMPTS
    from api.models.languages import detect_scheme
    from api.models.light import write_serving_files
    from api.models.loading import load_seq2seq
    from api.prompts import load_prompts

    raw = job["source"]
    source = ModelSource(**{**raw, "cache_dir": Path(raw["cache_dir"]) if raw["cache_dir"] else None})
    loaded = load_seq2seq(source, weights=False)
    lead_token = None
    if job["lead_target"]:
        prompts = load_prompts(Path(job["prompts_dir"] or DEFAULT_PROMPTS))
        forced = detect_scheme(loaded.tokenizer, prompts.translate).forced_bos(job["lead_target"])
        lead_token = loaded.tokenizer.convert_ids_to_tokens(forced) if forced is not None else None
    output = Path(job["output"])
    converter = _converter_class()(source, lead_token)
    converter.convert(str(output), quantization=job["quantization"], force=True)
    if converter.order is not None:
        (output / ORDER_FILE).write_text(json.dumps(converter.order), encoding="utf-8")
    write_serving_files(loaded.tokenizer, loaded.config, output)


def with_vocabulary_map(converted: Path, kept: KeptVocabulary, never: frozenset[int]) -> Path:
    """A folder beside the converted model that adds the kept set as CTranslate2's vocabulary map
    (``vmap.txt``): the line with an empty source lists the kept tokens, always candidates; every other
    copyable token maps to itself, so a source token is a candidate whenever the batch contains it.
    The weights are linked, not copied: a new kept set costs a text file, not a conversion."""
    from filelock import FileLock

    target = converted.with_name(f"{converted.name}--vmap-{kept.key}")
    if (target / "vmap.txt").is_file():
        return target
    with FileLock(str(target) + ".lock"):
        if (target / "vmap.txt").is_file():
            return target
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for path in converted.iterdir():
            if path.name != "vmap.txt":
                (staging / path.name).symlink_to(path.resolve())
        vocab = vocabulary(converted)
        fixed = set(kept.ids)
        with (staging / "vmap.txt").open("w", encoding="utf-8") as handle:
            handle.write("\t" + " ".join(vocab[i] for i in kept.ids) + "\n")
            for index, token in enumerate(vocab):
                if index not in fixed and index not in never and index < kept.vocabulary_size:
                    handle.write(f"{token}\t{token}\n")
        staging.rename(target)
    return target


def vocabulary(model_dir: Path) -> list[str]:
    """The converted model's tokens by the tokenizer's ids (undoing a lead-token reordering)."""
    for name in ("shared_vocabulary.json", "target_vocabulary.json"):
        path = model_dir / name
        if path.is_file():
            rows = json.loads(path.read_text(encoding="utf-8"))
            order_file = model_dir / ORDER_FILE
            if not order_file.is_file():
                return rows
            by_id = list(rows)
            for row, original in enumerate(json.loads(order_file.read_text(encoding="utf-8"))):
                by_id[original] = rows[row]
            return by_id
    raise FileNotFoundError(f"no vocabulary in {model_dir}")


if __name__ == "__main__":
    try:
        _convert(json.loads(sys.argv[1]))
    except ModelUnavailable as exc:
        sys.exit(exc.reason)
    except Exception as exc:  # the parent reports the last line, with the model's name
        sys.exit(f"conversion failed: {type(exc).__name__}: {exc}")
