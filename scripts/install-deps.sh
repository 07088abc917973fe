#!/usr/bin/env bash
# Installs the Debian packages Athanor builds against, if any is missing. Idempotent and
# silent when everything is present; needs root (or sudo) only when it has to install.
set -euo pipefail
# (python3-venv: make test has TensorBoard, installed into a venv, read our event files.)
packages=(libopenblas-dev pkg-config libsdl2-dev libsdl2-image-dev libsdl2-ttf-dev fonts-dejavu-core libgif-dev python3-venv libhdf5-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} …" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
