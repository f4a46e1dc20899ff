"""Shared test fixtures: paths resolved from this file, a quiet and fixed-width environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SAMPLES = ROOT / "sample_payloads"
SHARED = ROOT.parent / "shared"
EXAMPLES = SHARED / "examples"
OFFICIAL = SAMPLES / "official-examples.jsonl"

os.environ["NO_COLOR"] = "1"
os.environ["COLUMNS"] = "120"


@pytest.fixture(autouse=True)
def _quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
