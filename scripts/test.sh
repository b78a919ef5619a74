#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: lint, then pytest (browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
.venv/bin/ruff check unsealed tests bench
.venv/bin/mypy unsealed
# loadgroup: the tests marked xdist_group (the web tests, which share one sample archive) run on
# one worker; the others are handed out one by one as with the default scheduling
exec .venv/bin/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider "$@"
