#!/usr/bin/env bash
# Set up, write the bundled sample release, ingest its data sets into ./archive and serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export UNSEALED_ARCHIVE="${UNSEALED_ARCHIVE:-archive}"
.venv/bin/unsealed sample sample/corpus
for dataset in $(ls -d sample/corpus/dataset_* | sort -V); do
  # Exit code 1 means "some files failed": the sample has broken files on purpose.
  .venv/bin/unsealed ingest "$dataset" --dataset "$(basename "$dataset")" || [ $? -eq 1 ]
done
.venv/bin/unsealed status
exec .venv/bin/unsealed serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
