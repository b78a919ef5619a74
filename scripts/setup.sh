#!/usr/bin/env bash
# Set up everything Unsealed needs on a fresh Debian machine: system packages, .venv, the package.
# Idempotent: re-running installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libicu-dev pkg-config g++ libmagic1 tesseract-ocr tesseract-ocr-eng libtesseract-dev libleptonica-dev
  poppler-utils chromium fonts-dejavu-core iproute2)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.unsealed-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv (first run takes a few minutes)"
  # tesserocr is built against Debian's libtesseract, so OCR uses the same library and models as
  # the `tesseract` command (its PyPI wheel bundles a different Tesseract build).
  log=.venv/pip-install.log
  if ! { .venv/bin/python -m pip install --upgrade pip && PIP_NO_BINARY=tesserocr .venv/bin/python -m pip install -e ".[dev]"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "setup: pip install failed (full log: $log)" >&2
    exit 1
  fi
  touch "$stamp"
fi
echo "setup: ready (.venv/bin/unsealed)"
