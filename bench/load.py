"""Load run: `ringkas serve` (gunicorn) with the tiny models, driven by locust, with a report.

    pip install -e '.[load]'
    python bench/load.py --users 16 --seconds 60                 # steady mixed load
    python bench/load.py --users 32 --seconds 60 --queue-size 4  # deliberate overload: 503s allowed
    python bench/load.py --seconds 60 --kill KILL                # a worker killed hard mid-run
    python bench/load.py --seconds 60 --kill TERM                # a worker stopped gracefully mid-run

Reports requests served, answers by kind and status, p50/p95 latency, workers' RSS at start and end,
and, with --kill, how the master replaced the worker and what /readyz said meanwhile. Loopback only;
every loop is bounded in time. Not a unit test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import free_port, http_request  # noqa: E402

# Stated bound on a worker's RSS growth from the end of the warm-up quarter of the run to its end.
# The first quarter is excluded: the first batches of each size and length allocate the engine's
# buffers and the allocator's pools (+40-70 MB on the tiny models), which is growth once, not a leak.
RSS_GROWTH_BOUND_MB = 32


def _get(port: int, path: str) -> int:
    """The status of a GET, or 0 when nothing answers (a worker being replaced)."""
    try:
        return http_request(port, "GET", path, timeout=5)[0]
    except OSError:
        return 0


def _workers(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _start_server(models: Path, port: int, args) -> subprocess.Popen:
    env = {
        **os.environ,
        "RINGKAS_SUMMARIZER__MODEL": str(models / "summarizer"),
        "RINGKAS_TRANSLATOR__MODEL": str(models / "translator"),
        "RINGKAS_MODELS__CONVERTED_DIR": str(models.parent / "ct2"),
        "RINGKAS_WORKERS": str(args.workers),
        "RINGKAS_SERVING__QUEUE_SIZE": str(args.queue_size),
        "RINGKAS_LIMITS__MAX_BODY_BYTES": str(args.max_body_bytes),
        "RINGKAS_SERVING__CACHE_SIZE": "0",  # every request does model work
        "RINGKAS_LOGS__LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_all_ready(port: int, master: int, workers: int, timeout: float) -> float:
    """Seconds until every worker has loaded (read off the metrics, which add up all workers)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if _get(port, "/readyz") == 200 and len(_workers(master)) == workers:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/metrics")
                text = conn.getresponse().read().decode()
            except OSError:
                text = ""
            finally:
                conn.close()
            for line in text.splitlines():
                if line.startswith("ringkas_workers_ready ") and float(line.split()[1]) >= workers:
                    return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"workers not ready in {timeout} s")


def _kill_and_watch(port: int, master: int, sig: signal.Signals, watch: dict) -> None:
    victim = _workers(master)[0]
    watch.update(victim=victim, signal=sig.name, killed_at=time.monotonic())
    os.kill(victim, sig)
    readyz: list[tuple[float, int]] = []
    deadline = time.monotonic() + 60
    replaced = None
    while time.monotonic() < deadline:
        readyz.append((round(time.monotonic() - watch["killed_at"], 2), _get(port, "/readyz")))
        workers = _workers(master)
        if replaced is None and victim not in workers and len(workers) == watch["workers"]:
            replaced = sorted(set(workers) - set(watch["before"]))
            watch["replacement_seen_s"] = round(time.monotonic() - watch["killed_at"], 2)
        if replaced:
            try:
                _wait_all_ready(port, master, watch["workers"], 1)
                watch["all_ready_again_s"] = round(time.monotonic() - watch["killed_at"], 2)
                break
            except SystemExit:
                pass
        time.sleep(0.2)
    watch["replacement"] = replaced
    statuses: dict[int, int] = {}
    for _, status in readyz:
        statuses[status] = statuses.get(status, 0) + 1
    watch["readyz_while_recovering"] = statuses


def _locust_stats(prefix: str) -> dict:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "per_endpoint_p95_ms": {name: float(row["95%"]) for name, row in rows.items() if name != "Aggregated"},
        "requests_per_s": round(float(total["Requests/s"]), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queue-size", type=int, default=64)
    parser.add_argument("--max-body-bytes", type=int, default=200_000)
    parser.add_argument("--kill", choices=["KILL", "TERM"], help="Signal one worker at half time.")
    parser.add_argument("--models", type=Path, help="Tiny models folder (default: built now).")
    parser.add_argument("--json", type=Path, help="Write the report here too.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ringkas-load-"))
    models = args.models
    if models is None:
        from api.tiny_models import build_tiny_models

        models = work / "models"
        build_tiny_models(models)
    port = free_port()
    server = _start_server(models, port, args)
    report: dict = {"settings": {k: v for k, v in vars(args).items() if k not in ("models", "json")}}
    try:
        report["seconds_to_all_ready"] = round(_wait_all_ready(port, server.pid, args.workers, 180), 1)
        before = {pid: _rss_mb(pid) for pid in _workers(server.pid)}
        stats_file, prefix = work / "counts.json", str(work / "locust")
        locust = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.users),
                "-t",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                prefix,
                "--only-summary",
                "--stop-timeout",
                "30",
            ],
            env={**os.environ, "LOAD_STATS": str(stats_file), "LOAD_OVERSIZED_BYTES": str(args.max_body_bytes + 1)},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        watch: dict = {"workers": args.workers, "before": list(before)}
        warmed: dict[int, float | None] = {}
        sampler = threading.Timer(
            args.seconds / 4, lambda: warmed.update({pid: _rss_mb(pid) for pid in _workers(server.pid)})
        )
        sampler.start()
        if args.kill:
            timer = threading.Timer(
                args.seconds / 2, _kill_and_watch, (port, server.pid, signal.Signals[f"SIG{args.kill}"], watch)
            )
            timer.start()
        locust.wait(args.seconds + 120)
        if args.kill:
            timer.join(90)
            report["kill"] = {k: v for k, v in watch.items() if k not in ("before", "workers", "killed_at")}
        after = {pid: _rss_mb(pid) for pid in _workers(server.pid)}
        survivors = {pid: (warmed[pid], after[pid]) for pid in warmed if warmed[pid] and after.get(pid)}
        growth = max((end - start for start, end in survivors.values()), default=0.0)
        report["worker_rss_mb"] = {
            "start": {str(pid): round(mb, 1) for pid, mb in before.items() if mb},
            "after_first_quarter": {str(pid): round(mb, 1) for pid, mb in warmed.items() if mb},
            "end": {str(pid): round(mb, 1) for pid, mb in after.items() if mb},
            "max_growth_after_first_quarter": round(growth, 1),
            "bound": RSS_GROWTH_BOUND_MB,
            "within_bound": growth <= RSS_GROWTH_BOUND_MB,
        }
        report["locust"] = _locust_stats(prefix)
        report.update(json.loads(stats_file.read_text()))
        counts = report["counts"]
        unexpected = {
            key: n
            for key, n in counts.items()
            if key not in ("good 200", "good 503", "bad-json 400", "bad-field 422", "oversized 413")
        }
        report["unexpected_answers"] = unexpected
        report["server_alive"] = server.poll() is None and _get(port, "/healthz") == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
