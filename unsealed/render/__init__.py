"""Derived renderings of stored originals (page images for the web archive)."""
