"""Ingestion: walk sources, store originals, read each file's pages, analyse them, write records."""
