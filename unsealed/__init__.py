"""Unsealed: turn a public document release into a searchable, entity-linked, citable archive."""

__version__ = "0.1.0"

# Bumped whenever a pipeline change alters what ingest writes for the same file; stored per document
# so a later `reprocess` can find documents made by an older pipeline.
PIPELINE_VERSION = "1"
