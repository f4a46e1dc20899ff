"""End to end through the Typer app: the worked example, the contract, golden outputs."""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, SAMPLES, TESTS
from vss import __version__
from vss.cli import app

GOLDEN = TESTS / "golden"
UPDATE = os.environ.get("VSS_UPDATE_GOLDEN") == "1"
GENERATED = SAMPLES / "generated-3000.jsonl.gz"
OFFICIAL = SAMPLES / "official-examples.jsonl"
runner = CliRunner()


def run(*args: str, cwd: Path | None = None) -> Any:
    """Invoke vss in-process; the result has .exit_code, .stdout, .stderr."""
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(app, list(args), prog_name="vss", catch_exceptions=False)
    finally:
        os.chdir(old)


def close(want: Any, got: Any, path: str = "$") -> list[str]:
    """Differences between two JSON values; floats to 1e-9, ints vs floats by value."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(want) != set(got):
            return [
                f"{path}: keys {sorted(want)} != {sorted(got) if isinstance(got, dict) else got}"
            ]
        return [d for k in want for d in close(want[k], got[k], f"{path}.{k}")]
    if isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            return [f"{path}: {want!r} != {got!r}"]
        return [
            d for i, (w, g) in enumerate(zip(want, got, strict=True)) for d in close(w, g, path)
        ]
    if isinstance(want, bool) or want is None or isinstance(want, str):
        return [] if want == got and type(want) is type(got) else [f"{path}: {want!r} != {got!r}"]
    if isinstance(got, bool) or not isinstance(got, int | float):
        return [f"{path}: {want!r} != {got!r}"]
    return (
        [] if math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-12) else [f"{path}: {want} != {got}"]
    )


def test_worked_example_is_reproduced_exactly() -> None:
    result = run("stats", "--format", "json", "official-examples.jsonl", cwd=EXAMPLES)
    assert result.exit_code == 0, result.stderr
    want = orjson.loads((EXAMPLES / "official-examples.stats.json").read_bytes())
    got = orjson.loads(result.stdout)
    assert close(want, got) == []
    # the integer/float spelling of every figure is the worked example's too
    assert orjson.dumps(got, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        want, option=orjson.OPT_SORT_KEYS
    )


DIST = {"count", "mean", "min", "p50", "p90", "p95", "p99", "max"}
CONTRACT: dict[str, set[str]] = {
    "input": {
        "files",
        "lines",
        "blank",
        "malformed",
        "invalid",
        "other_events",
        "duplicates",
        "conflicts",
        "sessions",
        "matched",
    },
    "period": {"first_start", "last_end"},
    "kpi": {
        "attempted",
        "answered",
        "asr",
        "ner",
        "acd_s",
        "short_calls",
        "short_call_rate",
        "error_sessions",
        "error_rate",
        "success_rate",
    },
    "quality": {"mos", "jitter", "packet_loss_rate", "mos_bands", "flags"},
}
LEG_KEYS = {
    "count",
    "status",
    "duration_s",
    "answer_s",
    "mos",
    "jitter",
    "packet_loss_rate",
    "flags",
}
FLAGS = {"high_jitter", "high_packet_loss", "low_mos"}


@pytest.mark.parametrize("sample", [OFFICIAL, GENERATED], ids=lambda p: p.name)
def test_stats_json_contract(sample: Path) -> None:
    """The documented keys of `vss.stats/1` (SPEC §4) are all there."""
    report = orjson.loads(run("stats", "-f", "json", str(sample)).stdout)
    assert report["schema"] == "vss.stats/1"
    assert {"schema", "input", "period", "status", "kpi", "errors", "quality", "legs"} <= set(
        report
    )
    for section, keys in CONTRACT.items():
        assert keys <= set(report[section]), section
    for entry in report["status"].values():
        assert set(entry) == {"count", "share"}
    for key, entry in report["errors"].items():
        assert set(entry) == {"code", "message", "count", "share"}
        assert str(entry["code"]) == key
    quality = report["quality"]
    for name in ("mos", "jitter", "packet_loss_rate"):
        assert set(quality[name]) == DIST
    assert set(quality["mos_bands"]) == {"excellent", "good", "fair", "poor", "bad"}
    assert set(quality["flags"]) == FLAGS
    assert report["legs"]
    for leg in report["legs"].values():
        assert set(leg) == LEG_KEYS
        for name in ("duration_s", "answer_s", "mos", "jitter", "packet_loss_rate"):
            assert set(leg[name]) == DIST
        assert set(leg["flags"]) == FLAGS
        for entry in leg["status"].values():
            assert set(entry) == {"count"}


def test_status_order_is_canonical_then_by_count() -> None:
    report = orjson.loads(run("stats", "-f", "json", str(GENERATED)).stdout)
    names = list(report["status"])
    canonical = ["COMPLETED", "NO_ANSWER", "BUSY", "CANCELED", "FAILED", "ERROR"]
    known = [n for n in names if n in canonical]
    assert known == [n for n in canonical if n in names]
    assert names[: len(known)] == known
    counts = [report["status"][n]["count"] for n in names[len(known) :]]
    assert counts == sorted(counts, reverse=True)
    errors = [e["count"] for e in report["errors"].values()]
    assert errors == sorted(errors, reverse=True)
    assert math.isclose(sum(e["share"] for e in report["errors"].values()), 1.0)


GOLDEN_CASES = {
    "official.stats.txt": ("stats", str(OFFICIAL)),
    "official.stats.json": ("stats", "-f", "json", str(OFFICIAL)),
    "official.stats.csv": ("stats", "-f", "csv", str(OFFICIAL)),
    "official.stats.md": ("stats", "-f", "markdown", str(OFFICIAL)),
    "generated.stats.txt": ("stats", str(GENERATED)),
    "generated.stats.json": ("stats", "-f", "json", str(GENERATED)),
    "generated.stats.csv": ("stats", "-f", "csv", str(GENERATED)),
    "generated.errors.txt": ("errors", str(GENERATED)),
    "generated.errors.json": ("errors", "-f", "json", str(GENERATED)),
    "generated.errors-2004.txt": ("errors", "--code", "-2004", str(GENERATED)),
    "generated.errors-2004.csv": ("errors", "--code=-2004", "-f", "csv", str(GENERATED)),
    "official.errors-2004.ndjson": ("errors", "--code", "-2004", "-f", "ndjson", str(OFFICIAL)),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name: str) -> None:
    """Output on the samples, byte for byte (VSS_UPDATE_GOLDEN=1 rewrites on purpose)."""
    args = [a.replace(str(SAMPLES), "sample_payloads") for a in GOLDEN_CASES[name]]
    result = run(*args, cwd=SAMPLES.parent)
    assert result.exit_code == 0, result.stderr
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(result.stdout_bytes)
    assert result.stdout_bytes == path.read_bytes()


def test_stats_csv_is_long_and_loads() -> None:
    raw = run("stats", "-f", "csv", str(OFFICIAL)).stdout_bytes
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(raw.decode())))
    assert rows[0] == ["section", "key", "field", "value"]
    assert ["kpi", "", "asr", "1.0"] in rows
    assert ["legs", "callB", "mos.p95", "4.5"] in rows
    assert ["errors", "-2004", "count", "1"] in rows
    assert all(len(row) == 4 for row in rows)


def test_errors_code_rows() -> None:
    result = run("errors", "--code", "-2004", "-f", "json", str(OFFICIAL))
    rows = orjson.loads(result.stdout)
    assert rows == [
        {
            "sessionId": "47f19e66-2163-11ee-8ccd-27b543a164ea",
            "startTime": "2023-07-13T09:54:38Z",
            "subAccountId": "wavecell_voice",
            "code": -2004,
            "message": "No coverage available for requested area",
            "leg": "payload",
            "source": "+6568332048",
            "destination": "+6591178965",
            "sourceCountryCode": "SG",
            "destinationCountryCode": "SG",
            "lastAction": "PLAY_TTS",
        }
    ]
    assert orjson.loads(run("errors", "--code", "-2001", "-f", "json", str(OFFICIAL)).stdout) == []


def test_errors_summary_json() -> None:
    rows = orjson.loads(run("errors", "-f", "json", str(OFFICIAL)).stdout)
    assert rows == [
        {
            "code": -2004,
            "message": "No coverage available for requested area",
            "count": 1,
            "share": 1.0,
            "top_destination_countries": [{"country": "SG", "count": 1}],
        }
    ]


def test_bad_code_is_a_usage_error() -> None:
    result = runner.invoke(app, ["errors", "--code", " ", str(OFFICIAL)], prog_name="vss")
    assert result.exit_code == 2
    assert "error code" in result.stderr


def test_version_and_help() -> None:
    assert run("--version").stdout == f"vss {__version__}\n"
    top = run("--help")
    assert top.exit_code == 0
    for command in ("stats", "errors", "generate"):
        assert command in top.stdout
        sub = run(command, "--help")
        assert sub.exit_code == 0 and "Usage: vss " + command in sub.stdout


def test_generate_is_deterministic_and_readable(tmp_path: Path) -> None:
    first = run("generate", "-n", "300", "--seed", "5").stdout_bytes
    assert first == run("generate", "-n", "300", "--seed", "5").stdout_bytes
    assert first != run("generate", "-n", "300", "--seed", "6").stdout_bytes
    assert first.count(b"\n") == 300
    path = tmp_path / "g.jsonl"
    path.write_bytes(first)
    report = orjson.loads(run("stats", "-f", "json", str(path)).stdout)
    counts = report["input"]
    assert counts["lines"] == 300 and counts["malformed"] == counts["invalid"] == 0
    assert counts["sessions"] + counts["duplicates"] == 300


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "vss", "stats", "-f", "json", str(OFFICIAL)],
        capture_output=True,
        check=True,
    )
    assert orjson.loads(out.stdout)["input"]["sessions"] == 2
