"""Archive-job throughput: one `ringkas worker` against two, and what a SIGKILL mid-job costs.

    python bench/jobs.py --items 240                     # tiny models, built once in a temp folder
    python bench/jobs.py --items 240 --kill-at 0.3       # one of two workers SIGKILLed at 30 %
    python bench/jobs.py --models DIR --prompts ~/.cache/ringkas/bench/prompts \
        --kept-vocab 60000 --items 48 --layouts 1x2,2x1  # DIR: summarizer/ and translator/, real shapes

Each run starts a throwaway redis-server and the workers (each with cores / workers math threads),
queues one job through the service's own job code (``Jobs.submit``, as POST /v1/jobs does) and times
it from the first item taken to the last one stored. Items are distinct articles (the seeds with a
numbered line added), so none is answered from the cache. Not a unit test: numbers depend on the
machine; compare the rows of one run.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.config import SEEDS, Settings  # noqa: E402
from api.jobs.intake import JobInput  # noqa: E402
from api.jobs.service import Jobs  # noqa: E402
from api.jobs.store import WORKERS  # noqa: E402
from tests.helpers import free_port  # noqa: E402


def _items(count: int, translate: bool) -> list[dict]:
    seeds = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    return [
        {"id": n, "text": f"{seeds[n % len(seeds)]}\nCatatan arsip nomor {n}.", "translate": translate}
        for n in range(count)
    ]


def _worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker", "--concurrency", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        cwd=ROOT,
    )


def _wait_workers(jobs: Jobs, procs: list[subprocess.Popen], timeout: float = 600) -> None:
    names = {f"ringkas-{proc.pid}@{socket.gethostname()}" for proc in procs}
    deadline = time.monotonic() + timeout
    while not all(jobs.store.client.zscore(WORKERS, name) for name in names):
        if time.monotonic() > deadline or any(proc.poll() is not None for proc in procs):
            raise SystemExit("a worker did not start (see its log)")
        time.sleep(0.2)


def run(
    models: Path,
    workers: int,
    threads: int,
    count: int,
    translate: bool,
    kill_at: float | None,
    folder: Path,
    extra_env: dict,
) -> dict:
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "RINGKAS_SUMMARIZER__MODEL": str(models / "summarizer"),
        "RINGKAS_TRANSLATOR__MODEL": str(models / "translator"),
        "RINGKAS_MODELS__CONVERTED_DIR": str(models.parent / "ct2"),
        "RINGKAS_REDIS_URL": url,
        "RINGKAS_SERVING__MATH_THREADS": str(threads),
        "RINGKAS_JOBS__VISIBILITY_S": "10",
        "RINGKAS_LOGS__LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
        **extra_env,
    }
    procs: list[subprocess.Popen] = []
    try:
        time.sleep(0.3)
        jobs = Jobs.from_settings(Settings(redis_url=url))
        procs = [_worker(env, folder / f"worker-{workers}x{threads}-{kill_at}-{n}.log") for n in range(workers)]
        _wait_workers(jobs, procs)
        items = _items(count, translate)
        facts = jobs.submit("public", JobInput(items, {}, sum(len(item["text"]) for item in items)))
        killed_at = None
        while True:
            facts = jobs.store.facts(facts.id)
            if kill_at is not None and killed_at is None and facts.finished >= kill_at * count:
                procs[-1].send_signal(signal.SIGKILL)
                killed_at = time.time()
                procs.append(_worker(env, folder / "replacement.log"))  # as a supervisor would restart it
            if facts.status == "done":
                break
            time.sleep(0.2)
        seconds = facts.finished_at - facts.started_at
        return {
            "workers": workers,
            "threads": threads,
            "items": count,
            "seconds": round(seconds, 1),
            "rate": round(count / seconds, 2),
            "killed": killed_at is not None,
            "failed": facts.failed,
        }
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
        redis.terminate()
        redis.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=Path, help="Folder with summarizer/ and translator/ (default: tiny models).")
    parser.add_argument("--items", type=int, default=240)
    parser.add_argument("--no-translate", action="store_true")
    parser.add_argument("--prompts", type=Path, help="RINGKAS_MODELS__PROMPTS_DIR (the bench's pins output lengths).")
    parser.add_argument(
        "--kept-vocab", type=int, default=0, help="RINGKAS_MODELS__VOCAB_MIN_SIZE: a realistic kept set."
    )
    parser.add_argument("--layouts", default="", help="workers x threads to run, e.g. 1x2,2x1 (default: all).")
    parser.add_argument(
        "--kill-at", type=float, help="SIGKILL one of two workers at this share done; a new one starts."
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ringkas-jobs-bench-"))
    models = args.models
    if models is None:
        from api.tiny_models import build_tiny_models

        models = folder / "tiny"
        build_tiny_models(models)
    cores = os.cpu_count() or 1
    # One worker on all cores, one worker on half of them (the per-worker rate at equal threads) and
    # two workers sharing the cores.
    layouts = [(1, cores), (1, max(1, cores // 2)), (2, max(1, cores // 2))]
    if args.layouts:
        layouts = [tuple(int(n) for n in layout.split("x")) for layout in args.layouts.split(",")]
    extra_env = {"RINGKAS_MODELS__VOCAB_MIN_SIZE": str(args.kept_vocab)}
    if args.prompts:
        extra_env["RINGKAS_MODELS__PROMPTS_DIR"] = str(args.prompts)
    rows = []
    for workers, threads in layouts:
        rows.append(run(models, workers, threads, args.items, not args.no_translate, None, folder, extra_env))
        print(rows[-1], flush=True)
    if args.kill_at is not None:
        rows.append(
            run(models, 2, max(1, cores // 2), args.items, not args.no_translate, args.kill_at, folder, extra_env)
        )
        print(rows[-1], flush=True)
    print(
        "\n| workers x math threads | items | seconds | items/s | SIGKILL mid-job |\n| --- | ---: | ---: | ---: | --- |"
    )
    for row in rows:
        killed = "yes" if row["killed"] else "no"
        print(f"| {row['workers']} x {row['threads']} | {row['items']} | {row['seconds']} | {row['rate']} | {killed} |")


if __name__ == "__main__":
    main()
