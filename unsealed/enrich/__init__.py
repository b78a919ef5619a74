"""Enrichment: entity mentions (NER + patterns) and their resolution into canonical entities."""
