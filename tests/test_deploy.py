"""Production without containers (issue 37, item 13): the systemd units pass `systemd-analyze verify`
and its security review, and the nginx site file for a plain VM passes `nginx -t`, serves TLS and
answers with the same problem+json error pages as the compose proxy."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, free_port, wait_listening

pytestmark = pytest.mark.unit  # tests that need more say so themselves

SYSTEMD = REPO_ROOT / "deploy" / "systemd"
NGINX = REPO_ROOT / "deploy" / "nginx"
UNITS = ("ringkas.service", "ringkas-worker.service")
INSTALLED = "/opt/ringkas/venv/bin/ringkas"  # where docs/deployment.md installs it
HARDENING = (
    "User=ringkas", "ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes", "Restart=on-failure",
    "EnvironmentFile=/etc/ringkas/ringkas.env", "CacheDirectory=ringkas",
)  # fmt: skip


def _tool(name: str, package: str) -> str:
    found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if Path(p).exists()), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing in CI: .ci/run installs {package}", pytrace=False)
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return found


def _units(folder: Path) -> list[Path]:
    """The shipped units, with ExecStart pointing at this machine's `ringkas` (verify checks it exists)."""
    ringkas = shutil.which("ringkas") or str(Path(sys.executable).parent / "ringkas")
    paths = []
    for name in UNITS:
        text = (SYSTEMD / name).read_text(encoding="utf-8")
        assert f"ExecStart={INSTALLED} " in text
        (folder / name).write_text(text.replace(INSTALLED, ringkas), encoding="utf-8")
        paths.append(folder / name)
    return paths


@pytest.mark.system
def test_the_systemd_units_verify_and_are_hardened(tmp_path):
    analyze = _tool("systemd-analyze", "systemd")
    units = _units(tmp_path)
    verified = subprocess.run([analyze, "verify", *map(str, units)], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
    # systemd's own exposure score (0 safest, 10 unsafe): both stay in its "OK" band.
    review = subprocess.run(
        [analyze, "security", "--offline=true", "--threshold=25", *map(str, units)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert review.returncode == 0, review.stdout[-2000:]
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        for line in HARDENING:
            assert f"\n{line}\n" in text, (unit.name, line)
    assert "RINGKAS_HOST=127.0.0.1 RINGKAS_PORT=8000" in (SYSTEMD / "ringkas.service").read_text(encoding="utf-8")


def _server_lines(conf: str, first_server: int = 0) -> list[str]:
    """The directive lines of a config's proxying server{} block, comments stripped."""
    block = conf.split("server {")[1 + first_server].split("\n}")[0]
    lines = [line.split("#")[0].strip() for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("listen")]


@pytest.mark.system
def test_the_site_file_proxies_as_the_compose_proxy_does():
    compose = _server_lines((NGINX / "ringkas.conf").read_text(encoding="utf-8"))
    site = _server_lines((NGINX / "ringkas-site.conf").read_text(encoding="utf-8"), first_server=1)
    assert [line for line in compose if line not in site] == []
    assert "server 127.0.0.1:8000;" in (NGINX / "ringkas-site.conf").read_text(encoding="utf-8")


def _site(folder: Path, http_port: int, https_port: int) -> Path:
    """The site file as an operator installs it, with test ports and a self-signed certificate."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=ringkas.example.org",
         "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = (NGINX / "ringkas-site.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/letsencrypt/live/ringkas.example.org", str(folder))
    site = re.sub(r"listen (\[::\]:)?80;", lambda m: "" if m.group(1) else f"listen 127.0.0.1:{http_port};", site)
    site = re.sub(
        r"listen (\[::\]:)?443 ssl http2;", lambda m: "" if m.group(1) else f"listen 127.0.0.1:{https_port} ssl;", site
    )
    (folder / "sites-enabled").mkdir()
    (folder / "sites-enabled" / "ringkas").write_text(site, encoding="utf-8")
    shutil.copytree(NGINX / "snippets", folder / "snippets")
    temp = " ".join(
        f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{ worker_connections 64; }}\n"
        + f"http {{ access_log off; {temp} include {folder}/sites-enabled/*; }}\n"
    )
    return folder / "nginx.conf"


@pytest.mark.system
def test_the_site_file_passes_nginx_t_and_serves_tls_with_problem_pages(tmp_path):
    binary = _tool("nginx", "nginx-light")
    _tool("openssl", "openssl")
    http_port, https_port = free_port(), free_port()
    conf = _site(tmp_path, http_port, https_port)
    checked = subprocess.run([binary, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen([binary, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"])
    try:
        wait_listening(https_port, proc, why=lambda: (tmp_path / "error.log").read_text())
        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        plain.request("GET", "/v1/models", headers={"Host": "ringkas.example.org"})
        redirect = plain.getresponse()
        assert redirect.status == 301 and redirect.headers["Location"] == "https://ringkas.example.org/v1/models"
        context = ssl.create_default_context(cafile=str(tmp_path / "fullchain.pem"))
        context.check_hostname = False
        secure = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=10, context=context)
        secure.request("GET", "/v1/models")
        answer = secure.getresponse()  # nothing on 127.0.0.1:8000 here: nginx's own 502, as problem+json
        assert answer.status == 502 and answer.headers["Content-Type"] == "application/problem+json"
        assert json.loads(answer.read())["status"] == 502
        redirect.read()
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.system
def test_the_site_file_passes_answers_through_with_hsts(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Upstream(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = json.dumps({"forwarded_proto": self.headers["X-Forwarded-Proto"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    binary = _tool("nginx", "nginx-light")
    _tool("openssl", "openssl")
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    https_port = free_port()
    conf = _site(tmp_path, free_port(), https_port)
    site = tmp_path / "sites-enabled" / "ringkas"
    site.write_text(site.read_text().replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream.server_port};"))
    proc = subprocess.Popen([binary, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"])
    try:
        wait_listening(https_port, proc, why=lambda: (tmp_path / "error.log").read_text())
        context = ssl.create_default_context(cafile=str(tmp_path / "fullchain.pem"))
        context.check_hostname = False
        secure = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=10, context=context)
        secure.request("GET", "/v1/models")
        answer = secure.getresponse()
        assert answer.status == 200 and json.loads(answer.read()) == {"forwarded_proto": "https"}
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        proc.terminate()
        proc.wait(10)
        upstream.shutdown()


def test_the_documented_recipe_names_the_shipped_files_and_checks_them():
    page = (REPO_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    recipe = page.split("## Without containers (systemd)", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    named = set(re.findall(r"\bdeploy/[\w./-]+", recipe))
    assert named == {
        "deploy/systemd/ringkas.service", "deploy/systemd/ringkas-worker.service",
        "deploy/nginx/ringkas-site.conf", "deploy/nginx/snippets/ringkas-problems.conf",
    }  # fmt: skip
    assert all((REPO_ROOT / path).is_file() for path in named)
    assert "systemd-analyze verify" in recipe and "nginx -t" in recipe
    # The folders and the settings file the units read are the ones the recipe makes.
    for unit in UNITS:
        text = (SYSTEMD / unit).read_text(encoding="utf-8")
        assert f"ExecStart={INSTALLED} " in text and "/opt/ringkas/venv" in recipe
        assert "EnvironmentFile=/etc/ringkas/ringkas.env" in text and "/etc/ringkas/ringkas.env" in recipe
        assert (
            "RINGKAS_MODELS__CACHE_DIR=/var/cache/ringkas" in text
            and "RINGKAS_MODELS__CACHE_DIR=/var/cache/ringkas" in recipe
        )


@pytest.mark.system
def test_the_documented_site_file_check_runs_as_written_and_catches_a_fault(tmp_path):
    _tool("nginx", "nginx-light")
    _tool("openssl", "openssl")
    page = (REPO_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    block = page.split("**Check the site file before installing it**", 1)[1].split("```bash\n", 1)[1]
    block = block.split("```", 1)[0]
    assert "deploy/nginx/ringkas-site.conf" in block and "nginx -t" in block
    good = subprocess.run(["bash", "-c", block], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert good.returncode == 0 and "test is successful" in good.stderr, good.stderr
    # The same block on a clone whose site file lost a semicolon: the check fails and says where.
    shutil.copytree(NGINX, tmp_path / "deploy" / "nginx")
    site = tmp_path / "deploy" / "nginx" / "ringkas-site.conf"
    site.write_text(site.read_text(encoding="utf-8").replace("keepalive 16;", "keepalive 16"), encoding="utf-8")
    bad = subprocess.run(["bash", "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "site.conf" in bad.stderr, bad.stderr
