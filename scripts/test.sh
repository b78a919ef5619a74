#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: lint, then pytest (browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
.venv/bin/ruff check unsealed tests bench
.venv/bin/mypy unsealed
exec .venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
