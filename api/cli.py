"""``ringkas serve | summarize | worker | jobs | eval | fetch-models | make-tiny-models | hash-key | bench | docs``."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import click

from api.bench import OPTIONAL_SIDES
from api.config import PROCESS_ENV_DEFAULTS, Settings, env_name, field, nest

ROLES = ("summarizer", "translator")


def _use_demo_models(cache_dir: Path | None) -> None:
    """Points the settings at tiny random-weight models, building them once. For trying the service
    on a machine without the real checkpoints; the summaries are gibberish."""
    from api.tiny_models import build_tiny_models

    folder = (cache_dir or Path.home() / ".cache" / "ringkas") / "tiny-models"
    if not all((folder / role / "config.json").is_file() for role in ROLES):
        click.echo(f"building tiny demo models in {folder} ...", err=True)
        build_tiny_models(folder)
    for role in ROLES:
        os.environ[env_name(f"{role}.model")] = str(folder / role)
    click.echo("DEMO MODE: tiny random-weight models; output is gibberish, not a summary.", err=True)


def _sources(settings: Settings):
    from api.models.files import model_source

    return {role: model_source(settings, role) for role in ROLES}


def _require_port_free(host: str, port: int) -> None:
    """gunicorn retries a taken address for seconds with a traceback each time; one line is enough."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}; stop the other server or pick --port")


def _require_models(settings: Settings) -> None:
    """Config-only check of both models before anything heavy starts: one clear error, at once."""
    from api.errors import ModelUnavailable
    from api.models.loading import check_available

    for source in _sources(settings).values():
        try:
            check_available(source)
        except ModelUnavailable as exc:
            _fail(exc.detail)


def _setting_help(path: str, text: str, unset: str = "unset") -> str:
    """An option's help naming its setting and the setting's default, read from Settings (one place)."""
    default = field(path).default
    return f"{text} ({env_name(path)}, default {unset if default is None else default})."


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


demo_option = click.option(
    "--demo", is_flag=True, help="Use tiny random-weight models (no download; output is gibberish)."
)


# Commands that talk to a service (or build docs) run without PyTorch; the others load models.
NO_TORCH_NEEDED = {"jobs", "hash-key", "healthcheck", "docs"}
TORCH_MISSING = (
    "PyTorch is not installed (the README's first step installs it from PyTorch's CPU index); where that "
    'index cannot be reached, see the README, "Where PyTorch\'s CPU index cannot be reached": `pip install -e .`'
)


def _torch_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("torch") is not None
    except ValueError:  # a module set to None in sys.modules
        return False


@click.group()
@click.version_option(package_name="ringkas", prog_name="ringkas")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Ringkas: summarize Indonesian news with mT5, translate the summary with NLLB-200."""
    if ctx.invoked_subcommand not in NO_TORCH_NEEDED and not _torch_installed():
        _fail(TORCH_MISSING)


@main.command()
@click.option("--host", help=_setting_help("host", "Address to bind"))
@click.option("--port", type=int, help=_setting_help("port", "Port"))
@click.option("--workers", type=int, help=_setting_help("workers", "Worker processes"))
@demo_option
def serve(host: str | None, port: int | None, workers: int | None, demo: bool) -> None:
    """Run the HTTP service under gunicorn."""
    for name, value in (("HOST", host), ("PORT", port), ("WORKERS", workers)):
        if value is not None:
            os.environ[f"RINGKAS_{name}"] = str(value)
    if demo:
        _use_demo_models(Settings().models.cache_dir)
    settings = Settings()
    from api.exposure import PROXY_NOTICE, is_loopback, refusal

    if refusal(settings):
        _fail(refusal(settings), 2)
    if not is_loopback(settings.host):
        click.echo(PROXY_NOTICE.format(host=settings.host), err=True)
    _require_port_free(settings.host, settings.port)
    _require_models(settings)
    for name, value in PROCESS_ENV_DEFAULTS.items():
        os.environ.setdefault(name, value)
    click.echo(f"serving on http://{settings.host}:{settings.port} (workers={settings.workers})", err=True)
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", "python:api.gunicorn_config"])


def _check_length(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--length against the presets of the prompts folder in use, before any model loads."""
    if value is None:
        return None
    from api.prompts import load_prompts

    presets = list(load_prompts(Settings().models.prompts_dir).summarize.presets)
    if value not in presets:
        raise click.BadParameter(f"{value!r} is not a preset; choose one of {', '.join(presets)}")
    return value


length_option = click.option(
    "--length",
    default=None,
    callback=_check_length,
    help="Preset: short, medium (the default) or long, or another the prompts folder defines.",
)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@main.command(short_help="Summarize a file (or standard input), without a server.")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--translate", is_flag=True, help="Also translate the summary.")
@length_option
@click.option("--target-lang", default="eng_Latn", show_default=True, help="NLLB code for the translation.")
@click.option("--html", "as_html", is_flag=True, help="FILE is HTML (a CMS body or a whole page); .html files are.")
@click.option(
    "--long-input",
    type=click.Choice(["truncate", "chunk"]),
    default="truncate",
    show_default=True,
    help="Over the model window: read the opening, or summarize the whole article in parts.",
)
@click.option("--force", is_flag=True, help="Summarize even if the text is not Indonesian.")
@demo_option
def summarize(
    file, translate: bool, length: str | None, target_lang: str, as_html: bool, long_input: str, force: bool, demo: bool
) -> None:
    """Summarize FILE (or - for standard input) and print the JSON result, without a server."""
    if demo:
        _use_demo_models(Settings().models.cache_dir)
    from pydantic import ValidationError

    from api.errors import RingkasError, from_validation_error
    from api.pipeline import Caller
    from api.runtime import Runtime
    from api.schemas import SummarizeRequest

    settings = Settings(serving={"warmup": False})
    _require_models(settings)
    runtime = Runtime(settings)
    try:
        pipeline = runtime.start(background=False).require()
        source = "html" if as_html or str(getattr(file, "name", "")).lower().endswith(HTML_SUFFIXES) else "text"
        request = SummarizeRequest(
            **{source: file.read()},
            translate=translate,
            target_lang=target_lang,
            length=length,
            long_input=long_input,
            force=force,
        )
        result = pipeline.summarize(request, caller=Caller(options="cli"))
    except ValidationError as exc:
        problem = from_validation_error(exc)
        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in problem.extra["errors"]), 1)
    except RingkasError as exc:
        _fail(exc.detail, 2 if exc.status >= 500 else 1)
    finally:
        runtime.stop()
    click.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))


@main.command(short_help="One digest of several articles about the same story, without a server.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--translate", is_flag=True, help="Also translate the digest.")
@length_option
@click.option("--target-lang", default="eng_Latn", show_default=True, help="NLLB code for the translation.")
@click.option("--force", is_flag=True, help="Accept articles that do not look Indonesian.")
@demo_option
def digest(files: tuple[Path, ...], translate: bool, length: str | None, target_lang: str, force: bool, demo: bool):
    """Digest FILES (2 or more; .html files are read as HTML) and print the JSON result: the summary,
    the composed input with each sentence's article, the duplicates dropped and what was left out."""
    from api.digest_cli import run

    if demo:
        _use_demo_models(Settings().models.cache_dir)
    run(list(files), {"translate": translate, "length": length, "target_lang": target_lang, "force": force})


@main.command(short_help="Check this host's service and worker: 0 while loading or ready.")
@click.option("--url", help="Check only the service at URL.")
@click.option("--worker", "worker_only", is_flag=True, help="Check only this host's `ringkas worker` (its heartbeat).")
def healthcheck(url: str | None, worker_only: bool) -> None:
    """Exit 0 while the models load or once ready; 1 when they failed to load or nothing answers.

    \b
    With no option: the service at this host's RINGKAS_PORT and, if a `ringkas worker` runs here,
    the worker too; one line for each, and 1 if either is unhealthy.
    --url URL: only the service at URL. --worker: only the worker (a worker-only host or container).

    For a container HEALTHCHECK: /healthz alone stays green while a model that can never load (an
    unwritable volume, a missing checkpoint) keeps /readyz at 503 forever; /readyz alone turns a long
    first conversion red. This reports what an operator must act on."""
    if url and worker_only:
        _fail("--url checks the service, --worker the worker: give one of them (or neither, for both)")
    failures = []
    if not url:
        from api.jobs.alive import worker_health

        health = worker_health()
        if health is None and worker_only:
            failures.append("worker: no `ringkas worker` runs on this host")
        elif health == "ok":
            click.echo("worker: alive")
        elif health is not None:
            failures.append(f"worker: {health}")
    if not worker_only:
        problem = _service_health((url or f"http://127.0.0.1:{Settings().port}").rstrip("/"))
        if problem:
            failures.append(problem)
    if failures:
        _fail("; ".join(failures), 1)


def _service_health(url: str) -> str | None:
    """Prints the service's state and returns None while it loads or is ready; else what is wrong."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=4) as response:
            click.echo(f"service {url}: {response.read().decode()}")
            return None
    except urllib.error.HTTPError as exc:
        try:
            problem = json.loads(exc.read())
        except ValueError:
            problem = {}
        if exc.code == 503 and problem.get("state") in ("starting", "loading"):
            click.echo(f"service {url}: loading")
            return None
        return f"service {url}: " + (problem.get("detail") or f"/readyz answered {exc.code}")
    except (OSError, urllib.error.URLError) as exc:
        return f"service {url}: /readyz did not answer: {exc}"


@main.command(short_help="Run archive-job chunks from Redis (a Celery worker).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Chunks run at once; they share this process's one copy of the models.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    help=_setting_help("serving.math_threads", "Math threads", unset="all cores")
    + " One worker per core with 1 thread each did 1.5x the work of one worker with 2 threads on a 2-vCPU "
    "machine, at twice the memory.",
)
@click.option("--loglevel", default="INFO", show_default=True)
@demo_option
def worker(concurrency: int, threads: int | None, loglevel: str, demo: bool) -> None:
    """Run archive-job chunks from RINGKAS_REDIS_URL (a Celery worker; stop it with SIGTERM)."""
    if threads is not None:
        os.environ["RINGKAS_SERVING__MATH_THREADS"] = str(threads)
    if demo:
        _use_demo_models(Settings().models.cache_dir)
    from api.errors import RingkasError
    from api.jobs.service import NO_REDIS
    from api.logs import configure
    from api.runtime import Runtime

    settings = Settings()
    if not settings.redis_url:
        _fail(NO_REDIS)
    _require_models(settings)
    for name, value in PROCESS_ENV_DEFAULTS.items():
        os.environ.setdefault(name, value)
    configure(loglevel, settings.log_format)
    for line in settings.deprecated():  # old setting names: one line each, naming the new one
        logging.getLogger("ringkas.worker").warning(line)
    runtime = Runtime(settings)
    try:
        pipeline = runtime.start(background=False).require()
    except RingkasError as exc:
        _fail(exc.detail)
    from api.jobs.worker import run_worker

    try:
        run_worker(settings, pipeline, concurrency, loglevel)
    finally:
        runtime.stop()


@main.group(short_help="Archive jobs on a running service.")
def jobs() -> None:
    """Archive jobs on a running service: submit a file, watch it, download the results, cancel."""


def _client(url: str | None, key: str | None):
    from api.jobs.client import JobsClient

    return JobsClient(
        url or os.environ.get("RINGKAS_URL") or f"http://127.0.0.1:{Settings().port}",
        key or os.environ.get("RINGKAS_API_KEY"),
    )


_url_option = click.option("--url", help="The service (RINGKAS_URL; default http://127.0.0.1:RINGKAS_PORT).")
_key_option = click.option("--key", help="API key (RINGKAS_API_KEY).")


@jobs.command("submit", short_help="Submit a JSONL, CSV or JSON file of articles as a job.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_url_option
@_key_option
@click.option("--translate", is_flag=True, default=None, help="Translate every summary (a default for the items).")
@click.option(
    "--length", default=None, callback=_check_length, help="Preset for the items that name none: short, medium or long."
)
@click.option("--target-lang", default=None, help="Translation language for the items that name none.")
@click.option("--wait", is_flag=True, help="Show progress until the job ends, then print its results.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", help="Where --wait writes results.")
def jobs_submit(file: Path, url, key, translate, length, target_lang, wait: bool, output) -> None:
    """Submit FILE: JSONL (one item per line), CSV (columns id, text or html, options) or JSON.

    Prints the job id; with --wait, a progress bar on standard error, then the results as NDJSON."""
    client = _client(url, key)
    options = {
        k: v for k, v in {"translate": translate, "length": length, "target_lang": target_lang}.items() if v is not None
    }
    job = client.submit(file, options)
    click.echo(f"job {job['id']}: {job['total']} items queued", err=True)
    if not wait:
        click.echo(job["id"])
        return
    status = client.wait(job["id"], job["total"])
    written = client.results(job["id"], output)
    counts = status["counts"]
    click.echo(
        f"job {job['id']} {status['status']}: {counts['done']} done, {counts['failed']} failed, "
        f"{written} lines written",
        err=True,
    )


@jobs.command("status")
@click.argument("job_id")
@_url_option
@_key_option
def jobs_status(job_id: str, url, key) -> None:
    """Print a job's status as JSON."""
    click.echo(json.dumps(_client(url, key).status(job_id), indent=2))


@jobs.command("results")
@click.argument("job_id")
@_url_option
@_key_option
@click.option("--since", type=click.IntRange(0), default=0, help="First item index (resume a download).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ndjson", "csv", "xlsx"]),
    default="ndjson",
    show_default=True,
    help="csv and xlsx open in a spreadsheet (one row per item).",
)
@click.option("--output", type=click.File("wb"), default="-", help="File to write (default: standard output).")
def jobs_results(job_id: str, url, key, since: int, fmt: str, output) -> None:
    """Write a job's finished results, in item order."""
    if fmt == "xlsx" and output.isatty():
        _fail("an XLSX file is binary: name a file with --output results.xlsx", 1)
    written = _client(url, key).download(job_id, output, since, fmt)
    click.echo(f"{written} bytes of {fmt.upper()}", err=True)


@jobs.command("cancel")
@click.argument("job_id")
@_url_option
@_key_option
def jobs_cancel(job_id: str, url, key) -> None:
    """Cancel what has not started; finished results stay downloadable."""
    status = _client(url, key).cancel(job_id)
    click.echo(json.dumps(status, indent=2))


# The item fields each task reads by default: the source, and the reference.
EVAL_FIELDS = {"summarize": ("text", "summary"), "translate": ("source", "reference"), "digest": ("articles", "digest")}


def _eval_options(task: str):
    """The options both ``ringkas eval`` commands share."""

    def wrap(command):
        options = [
            click.option(
                "--data",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help={
                    "summarize": "JSONL or CSV of items. XL-Sum's JSONL (text, summary) works as it is.",
                    "digest": "JSONL of story clusters: articles (texts, or objects as /v1/digest takes) and digest.",
                }.get(task, "JSONL (source, reference) or CSV of items."),
            ),
            click.option("--text-field", default=EVAL_FIELDS[task][0], show_default=True),
            click.option("--reference-field", default=EVAL_FIELDS[task][1], show_default=True),
            click.option(
                "--dataset",
                help=(
                    "A public set, fetched online with `datasets`: xlsum:indonesian:test"
                    if task == "summarize"
                    else "A public set, fetched online: flores:ind_Latn-eng_Latn:devtest"
                ),
            ),
            click.option("--limit", type=click.IntRange(min=1), help="Only the first N items."),
            click.option(
                "--config",
                "configs",
                multiple=True,
                metavar="NAME=SETTING=VALUE[,...]",
                help=(
                    "A configuration to compare with the default, e.g. full=RINGKAS_MODELS__VOCAB=full (repeatable). "
                    "Keys are settings (RINGKAS_ prefix optional) or length=PRESET."
                ),
            ),
            click.option(
                "--concurrency",
                type=click.IntRange(min=1),
                default=1,
                show_default=True,
                help="Items in flight at once (they share generate calls, as in serving).",
            ),
            click.option(
                "--samples",
                type=click.IntRange(min=100),
                default=1000,
                show_default=True,
                help="Bootstrap resamples for the intervals.",
            ),
            click.option(
                "--json",
                "json_path",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Write the whole result (metrics, intervals, pairs, outputs) here.",
            ),
            click.option(
                "--plot",
                "plot_path",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Write a PNG of quality against speed here.",
            ),
            demo_option,
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return wrap


@main.group("eval", short_help="Quality and speed of configurations, side by side.")
def eval_group() -> None:
    """Quality and speed of configurations, side by side, on your own data or a public set."""


@eval_group.command("summarize", short_help="Summaries against references: ROUGE, latency, items/s.")
@_eval_options("summarize")
@click.option("--no-clean", is_flag=True, help="Skip boilerplate removal (for data sets that are clean already).")
def eval_summarize(no_clean: bool, **options) -> None:
    """Summaries against references: ROUGE-1/2/L (XL-Sum's tokenisation), latency and items/s."""
    _evaluate("summarize", clean=not no_clean, target_lang=None, **options)


@eval_group.command("digest", short_help="Digests of story clusters against reference digests: ROUGE, speed.")
@_eval_options("digest")
def eval_digest(**options) -> None:
    """Digests of story clusters (POST /v1/digest's path) against reference digests: ROUGE-1/2/L,
    latency and clusters/s."""
    _evaluate("digest", clean=True, target_lang=None, **options)


@eval_group.command("translate", short_help="Translations against references: chrF++, BLEU, speed.")
@_eval_options("translate")
@click.option(
    "--source",
    "source_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Aligned text file of sources (FLORES-200 style), with --reference.",
)
@click.option("--reference", "reference_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--target-lang", default="eng_Latn", show_default=True)
def eval_translate(source_file: Path | None, reference_file: Path | None, target_lang: str, **options) -> None:
    """Translations against references: chrF++ and BLEU (sacrebleu, signature printed), latency and items/s."""
    _evaluate("translate", clean=True, target_lang=target_lang, aligned=(source_file, reference_file), **options)


def _evaluate(task: str, *, clean: bool, target_lang: str | None, aligned=(None, None), **o) -> None:
    from tqdm import tqdm

    from api.eval import data, report, run

    if o["demo"]:
        _use_demo_models(Settings().models.cache_dir)
    try:
        if o["dataset"]:
            items = data.read_dataset(o["dataset"], task, o["limit"])
        elif all(aligned):
            items = data.read_aligned(*aligned, o["limit"])
        elif o["data"]:
            read = data.read_clusters if task == "digest" else data.read_file
            items = read(o["data"], o["text_field"], o["reference_field"], o["limit"])
        else:
            _fail("give --data FILE" + (", --source F --reference F" if task == "translate" else "") + " or --dataset")
        configs = run.with_default([run.parse_config(spec) for spec in o["configs"]])
    except (data.DataError, run.ConfigError, OSError) as exc:
        _fail(str(exc))
    outputs = {}
    for config in configs:
        with tqdm(total=len(items), desc=config.name, unit="item", file=sys.stderr) as bar:
            try:
                outputs[config.name] = run.decode(
                    config,
                    task,
                    items,
                    clean=clean,
                    concurrency=o["concurrency"],
                    target_lang=target_lang or "eng_Latn",
                    progress=bar.update,
                    ready=bar.reset,
                )
            except (run.ConfigError, ValueError) as exc:  # a setting pydantic refuses, a model that fails
                _fail(f"configuration {config.name!r}: {exc}")
    result = run.score(task, items, outputs, o["samples"])
    result["configurations"] = {c.name: {"settings": c.settings, "request": c.request} for c in configs}
    click.echo(report.table(result))
    if o["json_path"]:
        o["json_path"].write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"result written to {o['json_path']}", err=True)
    if o["plot_path"]:
        report.plot(result, o["plot_path"])
        click.echo(f"plot written to {o['plot_path']}", err=True)


FETCHING_HINT = (
    "fetch-models downloads a hub id where the hub is reachable (RINGKAS_MODELS__HUB_OFFLINE and HF_HUB_OFFLINE "
    "unset); on a machine without it, copy the model folder over and point RINGKAS_{0}__MODEL at it; to try Ringkas "
    "without the real models, add `--demo` to serve."
)


@main.command("fetch-models", short_help="Download and convert the configured checkpoints.")
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
    settings = Settings(**nest(overrides))
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


@main.command("docs", short_help="Build the documentation site and serve it locally.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port to serve the site on (loopback).")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Where to build.")
@click.option("--build-only", is_flag=True, help="Build the site and stop.")
def docs(port: int, site_dir: Path | None, build_only: bool) -> None:
    """Build the documentation site (MkDocs) from this checkout and serve it on 127.0.0.1, so an operator
    reads it without internet. Needs the docs extra: pip install -e '.[docs]'."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "mkdocs.yml").is_file():
        _fail("the documentation sources are not in this install: clone the repository to build them", 2)
    site = site_dir or (Settings().models.cache_dir or Path.home() / ".cache" / "ringkas") / "site"
    if not build_only:  # before the build, not after it: a taken port is one line, not a traceback
        _require_port_free("127.0.0.1", port)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
            cwd=root,
            check=True,
            env=env,
        )
    except subprocess.CalledProcessError:
        _fail("the site did not build (is the docs extra installed? pip install -e '.[docs]')", 1)
    click.echo(f"built {site / 'index.html'}", err=True)
    if build_only:
        return
    click.echo(f"serving the documentation on http://127.0.0.1:{port}/ (Ctrl+C to stop)", err=True)
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
    )


@main.command("hash-key", short_help="Make an API key and its line for the keys file.")
@click.option("--name", required=True, help="Who the key is for (shown in logs and metrics, e.g. cms).")
@click.option("--key", "key", default=None, help="Hash this key instead of making a new one (read - from stdin).")
def hash_key(name: str, key: str | None) -> None:
    """Make an API key (or take one) and print the line for RINGKAS_API_KEYS_FILE.

    The key goes to stderr, for the caller; the line with only its hash goes to stdout, for the file."""
    from api.auth import key_line, new_key

    if key == "-":
        key = sys.stdin.readline().strip()
    if not re.fullmatch(r"[A-Za-z0-9._\-]{1,64}", name):  # the keys-file format
        _fail("--name may use letters, digits, '.', '_' and '-' (at most 64)")
    key = key or new_key()
    click.echo(f"key for {name}: {key}", err=True)
    click.echo(key_line(key, name))


@main.command("make-tiny-models", short_help="Write tiny random models for tests and demos.")
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


@main.command(short_help="Measure Ringkas against the baseline and the peer.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write the figures here."
)
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path.home() / ".cache" / "ringkas" / "bench",
    show_default=True,
    help="Where the real-shape random models (~5 GB) are built once.",
)
@click.option(
    "--kept-vocab",
    type=click.IntRange(min=0),
    default=60_000,
    show_default=True,
    help="Kept-vocabulary size to stand in for a real tokenizer's (the bench models' tokenizer is tiny); "
    "`ringkas fetch-models` prints the real size.",
)
@click.option(
    "--without",
    type=click.Choice(OPTIONAL_SIDES),
    multiple=True,
    help="Leave out a side: baseline (the slow transformers run), full (Ringkas with the full vocabulary), "
    "memory (the component-by-component memory table). Repeatable.",
)
def bench(json_path: Path | None, cache: Path, kept_vocab: int, without: tuple[str, ...]) -> None:
    """Measure the default configuration against the naive transformers baseline and plain
    CTranslate2 (takes about fifteen minutes)."""
    from api.bench import run, table

    result = run(cache, echo=lambda message: click.echo(message, err=True), kept_vocab=kept_vocab, without=without)
    click.echo(table(result))
    if json_path:
        json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        click.echo(f"figures written to {json_path}", err=True)


if __name__ == "__main__":
    main()
