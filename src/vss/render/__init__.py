"""Rendering: results → Rich tables, Markdown, CSV, JSON and NDJSON (one row builder per view)."""
