"""Scenario models, the YAML loader and the curated library (no Textual here)."""
