#!/usr/bin/env bash
# Regenerates the image's lock files from pyproject.toml: every dependency pinned with its hashes,
# so an image built from the same commit installs the same files (pip --require-hashes).
#   bash deploy/lock.sh          # after changing a dependency in pyproject.toml, or to take updates
# torch is locked apart: it comes from PyTorch's CPU index (PyPI's Linux torch is the CUDA build),
# pinned to the CPU wheel's own hash; its own requirements (sympy, networkx, ...) are locked with the
# rest, from PyPI, since torch is installed without its dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null || pip install uv
torch_version="$(python -c "import tomllib; print(next(r for r in tomllib.load(open('pyproject.toml','rb'))['project']['dependencies'] if r.startswith('torch')).split('==')[1])")"
wheel="torch-${torch_version}+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"
folder="$(mktemp -d)"
deps="$(mktemp)"
trap 'rm -rf "$folder" "$deps"' EXIT
# PyTorch's CPU index (or a copy of the same wheel where pip is configured with one).
pip download --no-deps --only-binary :all: --python-version 3.11 --platform manylinux_2_28_x86_64 \
    -i https://download.pytorch.org/whl/cpu "torch==${torch_version}+cpu" -d "$folder" >/dev/null
python - "$folder/$wheel" > "$deps" <<'PY'
import sys, tomllib, zipfile
for requirement in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]:
    if not requirement.startswith("torch"):
        print(requirement)
with zipfile.ZipFile(sys.argv[1]) as wheel:
    [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    for line in wheel.read(name).decode().splitlines():
        if line.startswith("Requires-Dist: ") and "extra ==" not in line:
            print(line.removeprefix("Requires-Dist: "))
PY
uv pip compile "$deps" --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
    --no-header --custom-compile-command "bash deploy/lock.sh" --index-url https://pypi.org/simple \
    -o deploy/requirements.lock >/dev/null
if grep -qE '^(torch|nvidia-)' deploy/requirements.lock; then
  echo "a dependency pulled in torch or CUDA from PyPI: lock it apart" >&2
  exit 1
fi
digest="$(sha256sum "$folder/$wheel" | cut -d' ' -f1)"
printf 'torch==%s+cpu \\\n    --hash=sha256:%s\n' "$torch_version" "$digest" > deploy/requirements-torch.lock
echo "locked: $(grep -c '==' deploy/requirements.lock) packages, and torch ${torch_version}+cpu"
