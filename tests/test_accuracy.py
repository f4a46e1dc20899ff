"""The real CLI against the independent oracle: every figure of `vss stats --format json`.

Each case runs `python -m vss stats --format json FILE` in a subprocess (from the file's
directory, with the bare file name) and compares the whole JSON object with `oracle_stats` over
the same bytes: same keys, numbers within 1e-9 relative, int vs float reported for min/max/
percentiles. The inputs are the official examples, random messy dumps (`tests/messy.py`), and
the output of `vss generate`.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from messy import messy_dump
from oracle import CANONICAL_STATUSES, compare, oracle_stats, oracle_stats_inputs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT.parent / "shared" / "examples"
MESSY_CASES = [
    (1, 300),
    (2, 450),
    (3, 600),
    (4, 800),
    (5, 1000),
    (6, 1200),
    (7, 1400),
    (8, 1600),
    (9, 1800),
    (10, 2000),
]


def run_vss(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """`python -m vss ARGS` with the repository's `src/` first on the path."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, "-m", "vss", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def cli_stats(paths: list[Path], *options: str) -> dict[str, Any]:
    proc = run_vss(
        ["stats", "--format", "json", *options, *(p.name for p in paths)], paths[0].parent
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, f"exit {proc.returncode}\n{stderr[-3000:]}"
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def assert_same(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    diffs = compare(actual, expected)
    shown = "\n".join(diffs[:60])
    more = f"\n… and {len(diffs) - 60} more" if len(diffs) > 60 else ""
    assert not diffs, f"{len(diffs)} differences from the oracle:\n{shown}{more}"
    assert_spec_order(actual)


def assert_spec_order(actual: dict[str, Any]) -> None:
    """The orders §4 fixes: statuses canonical first, then by count; error codes by count."""
    for where, status in [("status", actual["status"])] + [
        (f"legs.{key}.status", leg["status"]) for key, leg in actual["legs"].items()
    ]:
        names = list(status)
        canonical = [s for s in names if s in CANONICAL_STATUSES]
        assert names[: len(canonical)] == [s for s in CANONICAL_STATUSES if s in status], where
        others = [status[s]["count"] for s in names[len(canonical) :]]
        assert others == sorted(others, reverse=True), f"{where}: others not by count"
    counts = [e["count"] for e in actual["errors"].values()]
    assert counts == sorted(counts, reverse=True), "errors not by count"


def test_official_examples() -> None:
    path = EXAMPLES / "official-examples.jsonl"
    actual = cli_stats([path])
    golden = json.loads((EXAMPLES / "official-examples.stats.json").read_text())
    assert compare(actual, golden, strict_types=True) == []
    assert_same(actual, oracle_stats(path.read_bytes(), [path.name]))


@pytest.mark.parametrize(("seed", "n"), MESSY_CASES)
def test_messy_dump(tmp_path: Path, seed: int, n: int) -> None:
    path = tmp_path / f"messy-{seed}.jsonl"
    path.write_bytes(messy_dump(seed, n))
    assert_same(cli_stats([path]), oracle_stats(path.read_bytes(), [path.name]))


def test_messy_dump_no_dedupe(tmp_path: Path) -> None:
    path = tmp_path / "messy-nodedupe.jsonl"
    path.write_bytes(messy_dump(11, 1000))
    expected = oracle_stats(path.read_bytes(), [path.name], dedupe=False)
    assert expected["input"]["duplicates"] == 0
    assert_same(cli_stats([path], "--no-dedupe"), expected)


def test_messy_gzip_detected_by_magic(tmp_path: Path) -> None:
    data = messy_dump(12, 800)
    path = tmp_path / "messy-gz.jsonl"  # no .gz suffix: the magic bytes decide
    path.write_bytes(gzip.compress(data[: len(data) // 2]) + gzip.compress(data[len(data) // 2 :]))
    assert_same(cli_stats([path]), oracle_stats(data, [path.name]))


def test_messy_two_files_dedupe_across_files(tmp_path: Path) -> None:
    first = messy_dump(13, 500)
    lines = first.split(b"\n")
    second = b"\n".join(lines[-150:]) + b"\n" + messy_dump(14, 300)  # re-sends part of the first
    paths = [tmp_path / "day1.jsonl", tmp_path / "day2.jsonl"]
    paths[0].write_bytes(first)
    paths[1].write_bytes(second)
    expected = oracle_stats_inputs([first, second], [p.name for p in paths])
    assert_same(cli_stats(paths), expected)


def test_generated_data(tmp_path: Path) -> None:
    proc = run_vss(["generate", "-n", "3000", "--seed", "7"], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
    path = tmp_path / "generated.jsonl"
    path.write_bytes(proc.stdout)
    expected = oracle_stats(proc.stdout, [path.name])
    assert expected["input"]["sessions"] > 0
    assert_same(cli_stats([path]), expected)


def test_extreme_numbers_do_not_crash(tmp_path: Path) -> None:
    """§9: never a traceback for bad input. Only the counters are compared (the figures of such
    codes and durations are not pinned down by the spec)."""
    huge = "1" * 5000
    items: list[Any] = [
        {"sessionId": "a", "errorDetails": {"errorCode": 18446744073709551616}},
        {"sessionId": "b", "errorDetails": {"errorCode": "18446744073709551616"}},
        {"sessionId": "c", "errorDetails": {"errorCode": huge}},
        {"sessionId": "d", "details": {"callA": {"callDuration": huge, "callStatus": "BUSY"}}},
        {"sessionId": "e", "details": {"callB": {"callDuration": "1e400"}}},
    ]
    path = tmp_path / "extreme.jsonl"
    data = b"".join(json.dumps(item).encode() + b"\n" for item in items)
    path.write_bytes(data)
    proc = run_vss(["stats", "--format", "json", path.name], tmp_path)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    assert proc.returncode == 0, stderr[-3000:]
    expected = oracle_stats(data, [path.name])
    assert json.loads(proc.stdout)["input"] == expected["input"]
