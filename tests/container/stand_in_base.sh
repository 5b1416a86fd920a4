#!/usr/bin/env bash
# Builds a stand-in for docker.io/library/python:3.11-slim where no registry of images is reachable
# (this project's CI): Debian bookworm minbase from the machine's own apt archive, Debian's Python 3.11
# with pip and venv, imported into podman under the official name so the Dockerfile builds unchanged.
# Like the official image: `python` and `pip` on PATH, and pip may install outside a venv.
set -euo pipefail
name="${1:-docker.io/library/python:3.11-slim}"
mirror="${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}"
mirror="${mirror:-http://deb.debian.org/debian}"
root="$(mktemp -d /var/tmp/ringkas-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-pip,python3-venv,python-is-python3,ca-certificates \
  bookworm "$root" "$mirror" >/dev/null
rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
[ -e "$root/usr/bin/pip" ] || ln -s pip3 "$root/usr/bin/pip"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
tar -C "$root" -c . | podman import --change 'CMD ["python3"]' --change 'ENV LANG=C.UTF-8' - "$name" >/dev/null
echo "stand-in base image: $name"
