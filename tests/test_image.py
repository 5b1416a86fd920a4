"""The Dockerfile, built and run for real: buildah builds it, podman runs it with the tiny models.

No Docker daemon or image registry is needed: where docker.io's python:3.11-slim is not reachable,
a stand-in is made from Debian (tests/container/stand_in_base.sh). Skipped with a message where the
tools are missing, but never in CI (.ci/run installs them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, free_port, http_request

TAG = "localhost/ringkas:test"
BASE = "docker.io/library/python:3.11-slim"
TOOLS = ("buildah", "podman", "runc", "debootstrap")
# crun fails on this sandbox's cgroups, and the sandbox cannot raise resource limits.
RUN = ["podman", "--runtime", "runc", "run", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]
USER_ID = 10001

pytestmark = [pytest.mark.system, pytest.mark.timeout(1800)]


def _missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@pytest.fixture(scope="module", autouse=True)
def _tools():
    missing = _missing_tools()
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must build the image, but {', '.join(missing)} missing (see .ci/run)")
    if missing:
        pytest.skip(f"image not built: {', '.join(missing)} missing (apt-get install {' '.join(TOOLS)})")
    if os.geteuid() != 0 and not os.environ.get("CI"):
        pytest.skip("image not built: buildah with --isolation chroot needs root here")


def _pip_build_mounts(work: Path) -> list[str]:
    """This machine's pip configuration, merged into one file, and the local folders it names (the
    wheel folder holding torch's CPU build, local indexes, the CA bundle), for the build's RUN steps."""
    listed = subprocess.run(["pip", "config", "list"], capture_output=True, text=True, check=True).stdout
    values: dict[str, str] = {}
    for line in listed.splitlines():  # environment first: it wins, as it does for pip
        match = re.match(r"^[^.]*\.([\w-]+)='(.*)'$", line)
        if match:
            values.setdefault(match[1], match[2])
    conf = work / "pip.conf"
    conf.write_text("[global]\n" + "".join(f"{key} = {value}\n" for key, value in values.items()))
    mounts = [f"{conf}:/etc/pip.conf:ro"]
    for key in ("cert", "constraint", "find-links", "extra-index-url", "index-url"):
        for item in values.get(key, "").split():
            path = Path(item.removeprefix("file://"))
            if path.is_absolute() and path.exists():
                # An index's root, not one of its pages: mount /opt/pypi for file:///opt/pypi/simple.
                top = path.parent if path.name == "simple" else path
                mounts.append(f"{top}:{top}:ro")
    return [arg for mount in dict.fromkeys(mounts) for arg in ("-v", mount)]


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> str:
    if subprocess.run(["podman", "image", "exists", BASE]).returncode != 0:
        subprocess.run(["bash", str(REPO_ROOT / "tests" / "container" / "stand_in_base.sh"), BASE], check=True)
    work = tmp_path_factory.mktemp("image")
    build = ["buildah", "build", "--format", "docker", "--isolation", "chroot", "--pull=never", "--layers"]
    started = time.monotonic()
    proc = subprocess.run(
        [*build, *_pip_build_mounts(work), "-t", TAG, str(REPO_ROOT)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    print(f"image built in {time.monotonic() - started:.0f} s")
    return TAG


@pytest.fixture(scope="module")
def models_volume(tiny_dir, tmp_path_factory) -> Path:
    """A /models volume as an operator should make it: the models inside, owned by the image's user."""
    volume = tmp_path_factory.mktemp("models-volume")
    shutil.copytree(tiny_dir / "summarizer", volume / "tiny" / "summarizer")
    shutil.copytree(tiny_dir / "translator", volume / "tiny" / "translator")
    subprocess.run(["chown", "-R", f"{USER_ID}:{USER_ID}", str(volume)], check=True)
    return volume


TINY_ENV = [
    "-e",
    "RINGKAS_SUMMARIZER__MODEL=/models/tiny/summarizer",
    "-e",
    "RINGKAS_TRANSLATOR__MODEL=/models/tiny/translator",
]


class Container:
    def __init__(self, image: str, *args: str, volume: Path | None = None, command: tuple[str, ...] = ()):
        self.port = free_port()
        self.name = f"ringkas-test-{self.port}"
        mount = ["-v", f"{volume}:/models"] if volume else []
        # The host's network: loopback is this machine's, so the service may listen there unguarded.
        network = ["--network", "host", "-e", f"RINGKAS_PORT={self.port}", "-e", "RINGKAS_HOST=127.0.0.1"]
        subprocess.run([*RUN, "-d", "--name", self.name, *network, *mount, *args, image, *command], check=True)

    def wait(self, path: str, status: int, timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = http_request(self.port, "GET", path, timeout=5)
                if last[0] == status:
                    return json.loads(last[2])
            except OSError:
                pass
            time.sleep(1)
        raise AssertionError(f"{path} never answered {status} (last: {last}); logs:\n{self.logs()[-3000:]}")

    def healthcheck(self) -> int:
        return subprocess.run(["podman", "healthcheck", "run", self.name], capture_output=True).returncode

    def inspect(self, template: str) -> str:
        return subprocess.run(
            ["podman", "inspect", self.name, "--format", template], capture_output=True, text=True, check=True
        ).stdout.strip()

    def logs(self) -> str:
        proc = subprocess.run(["podman", "logs", self.name], capture_output=True, text=True)
        return proc.stdout + proc.stderr

    def remove(self) -> None:
        subprocess.run(["podman", "rm", "-f", "-t", "0", self.name], capture_output=True)


@pytest.fixture
def container(image):
    made: list[Container] = []

    def start(*args, **kwargs) -> Container:
        made.append(Container(image, *args, **kwargs))
        return made[-1]

    yield start
    for running in made:
        running.remove()


def test_image_serves_the_tiny_models_as_a_non_root_user_and_stops_cleanly(container, models_volume, seed_texts):
    box = container(*TINY_ENV, volume=models_volume)
    assert box.wait("/healthz", 200)["status"] == "ok"
    assert box.wait("/readyz", 200)["status"] == "ready"
    status, _, body = http_request(
        box.port,
        "POST",
        "/v1/summarize?translate=true",
        body=seed_texts[0].encode(),
        headers={"Content-Type": "text/plain"},
    )
    result = json.loads(body)
    assert status == 200 and result["summary"]["text"] and result["translation"]["lang"] == "eng_Latn"

    # huser: read from the host's /proc (the slim image has no ps). Master and worker, never root.
    users = subprocess.run(["podman", "top", box.name, "huser"], capture_output=True, text=True, check=True).stdout
    assert len(users.split()) >= 3 and set(users.split()[1:]) == {str(USER_ID)}, users
    assert box.healthcheck() == 0 and box.inspect("{{.State.Health.Status}}") == "healthy"
    # The converted models landed in the volume, so the next start skips conversion.
    assert any((models_volume / "ringkas-ct2").iterdir())

    subprocess.run(["podman", "stop", "-t", "60", box.name], check=True, capture_output=True)
    assert box.inspect("{{.State.ExitCode}}") == "0"
    assert "Shutting down: Master" in box.logs()


def test_unwritable_model_volume_fails_readiness_and_the_healthcheck(container, models_volume, tmp_path):
    root_owned = tmp_path / "models"
    shutil.copytree(models_volume / "tiny", root_owned / "tiny")  # the models, not what a run converted
    subprocess.run(["chown", "-R", "0:0", str(root_owned)], check=True)
    root_owned.chmod(0o755)
    box = container(*TINY_ENV, volume=root_owned)
    problem = box.wait("/readyz", 503)
    deadline = time.monotonic() + 120
    while problem.get("state") != "failed" and time.monotonic() < deadline:
        time.sleep(1)
        problem = json.loads(http_request(box.port, "GET", "/readyz")[2])
    assert problem["state"] == "failed" and "/models/ringkas-ct2 is not writable by uid 10001" in problem["detail"]
    assert box.healthcheck() != 0  # /healthz alone would have said healthy forever


def test_demo_mode_runs_inside_the_image_without_the_repository(container):
    box = container(command=("serve", "--demo"))
    assert box.wait("/readyz", 200)["status"] == "ready"
    models = json.loads(http_request(box.port, "GET", "/v1/models")[2])
    assert models["demo"] is True


def test_the_image_refuses_to_serve_all_interfaces_open(image):
    """The image listens on 0.0.0.0 (a container's port is published): without keys and a metrics
    token, or RINGKAS_ALLOW_OPEN, it stops at once and says why."""
    done = subprocess.run([*RUN, "--rm", image, "serve", "--demo"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "0.0.0.0:8000" in done.stderr and "RINGKAS_ALLOW_OPEN" in done.stderr


def test_image_holds_no_build_leftovers(image):
    found = subprocess.run(
        [
            *RUN,
            "--rm",
            "--entrypoint",
            "sh",
            image,
            "-c",
            "find / -xdev \\( -name 'ringkas*.egg-info' -o -path /src \\) -print 2>/dev/null;"
            "find / -xdev -maxdepth 3 -type d -name build -print 2>/dev/null;"
            "find /opt/ringkas -maxdepth 1 -name bin -print",  # a control: find itself works here
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert found == ["/opt/ringkas/bin"], found


def test_image_runs_an_archive_worker_that_the_healthcheck_follows(container, models_volume, tiny_dir, runtime):
    """`ringkas worker` inside the image (Celery and all), on a Redis outside it: a job submitted to
    the service is done by the container, whose HEALTHCHECK follows the worker's heartbeat."""
    from api.app import create_app
    from tests.conftest import tiny_settings
    from tests.helpers import redis_server

    with redis_server() as url:
        health = ["--health-cmd", '["ringkas", "healthcheck", "--worker"]']  # as compose.yaml's worker
        box = container(*TINY_ENV, *health, "-e", f"RINGKAS_REDIS_URL={url}", volume=models_volume, command=("worker",))
        client = create_app(tiny_settings(tiny_dir, redis_url=url), runtime).test_client()
        job = client.post(
            "/v1/jobs",
            json={
                "items": [
                    {
                        "id": n,
                        "text": "Pemerintah Indonesia mengumumkan rencana "
                        f"pembangunan jalan baru nomor {n} di Jawa Barat tahun depan.",
                    }
                    for n in range(3)
                ]
            },
        )
        assert job.status_code == 202
        deadline, status = time.monotonic() + 180, {}
        while time.monotonic() < deadline and status.get("status") != "done":
            time.sleep(1)
            status = client.get(f"/v1/jobs/{job.get_json()['id']}").get_json()
        assert status["status"] == "done" and status["counts"]["done"] == 3, (status, box.logs()[-3000:])
        assert box.healthcheck() == 0 and box.inspect("{{.State.Health.Status}}") == "healthy"
        subprocess.run(["podman", "stop", "-t", "60", box.name], check=True, capture_output=True)
        assert box.inspect("{{.State.ExitCode}}") == "0"  # a warm shutdown, not a kill
