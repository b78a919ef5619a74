"""Persistence: the database schema and queries, and the blob store of original files."""
