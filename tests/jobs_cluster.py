"""A job cluster for tests: one redis-server with its append-only file on (so it can be restarted
without loss) and real `ringkas worker` processes on the tiny models."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from api.jobs.store import WORKERS
from tests.helpers import REDIS_MEMORY_POLICY, free_port, redis_server, spawn, stop, tiny_env

WORKER_SETTINGS = {"serving__warmup": "false", "jobs__visibility_s": "6"}


class Cluster:
    """One redis-server (append-only file on, so it can be restarted without loss) and the
    `ringkas worker` processes on it."""

    def __init__(self, tiny_dir: Path, folder: Path):
        self.tiny_dir = tiny_dir
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.redis: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    def start_redis(self) -> None:
        self.redis = spawn(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--dir",
                str(self.folder),
                "--maxmemory",
                "512mb",
                *REDIS_MEMORY_POLICY,  # as deployed: a full Redis refuses writes, never evicts a job
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def restart_redis(self) -> None:
        stop(self.redis, 10)  # a clean shutdown (SIGTERM), as a restart for maintenance does
        self.start_redis()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)

    def start_worker(self, **settings: str) -> subprocess.Popen:
        env = tiny_env(self.tiny_dir, redis_url=self.url, **{**WORKER_SETTINGS, **settings})
        proc = spawn(
            [sys.executable, "-m", "api.cli", "worker", "--concurrency", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / f"worker-{len(self.workers)}.log", "wb"),  # noqa: SIM115
        )
        name = f"ringkas-{proc.pid}@{socket.gethostname()}"
        deadline = time.monotonic() + 120
        while self.client().zscore(WORKERS, name) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"worker did not start: {(self.folder / f'worker-{len(self.workers)}.log').read_text()[-2000:]}"
                )
            time.sleep(0.2)
        self.workers.append(proc)
        return proc

    def live(self) -> list[subprocess.Popen]:
        return [proc for proc in self.workers if proc.poll() is None]

    def ensure_workers(self, count: int) -> list[subprocess.Popen]:
        while len(self.live()) < count:
            self.start_worker()
        return self.live()

    def stop(self) -> None:
        for proc in self.live():
            proc.send_signal(signal.SIGTERM)
        for proc in self.workers:  # asked all at once above; each with its pool (a killed one's too)
            stop(proc, 30, sig=None)
        if self.redis is not None:
            stop(self.redis, 10)


def start_cluster(tiny_dir: Path, folder: Path) -> Cluster:
    with redis_server():  # the shared helper skips (or fails in CI) where redis-server is missing
        pass
    state = Cluster(tiny_dir, folder)
    state.start_redis()
    return state
