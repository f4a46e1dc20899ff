"""`vss stats --fail-if 'METRIC OP NUMBER'` (SPEC §10, §9): operators, paths, null metrics, errors.

The official examples have known figures (kpi.asr 1.0, kpi.error_rate 0.5, one -2004 session,
MOS 4.5, callB answered after 7 s); the official failure alone has no callB and no quality, so
its ASR and its callB and MOS figures are null. Larger dumps are compared with `oracle.py`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from messy import messy_dump
from oracle import oracle_stats
from vss.cli import app

OFFICIAL = EXAMPLES / "official-examples.jsonl"
FAILURE_LINE = OFFICIAL.read_bytes().splitlines()[1]
BREACH = re.compile(r"^vss: threshold breached: (?P<expr>.+) \(value (?P<value>[^)]+)\)$")
NOT_EVALUABLE = re.compile(r"^vss: threshold not evaluable \(no data\): (?P<expr>.+)$")
CLOSEST = re.compile(r"closest valid path: ([^\s)]+)")

runner = CliRunner()


def run(*args: str | Path) -> Any:
    """`vss ARGS` in-process; the result has .exit_code, .stdout, .stderr."""
    return runner.invoke(app, [str(a) for a in args], prog_name="vss", catch_exceptions=False)


def fail_if(*exprs: str) -> list[str]:
    return [arg for expr in exprs for arg in ("--fail-if", expr)]


def stderr_lines(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def breaches(result: Any) -> list[str]:
    return [m["expr"] for line in stderr_lines(result) if (m := BREACH.match(line))]


def not_evaluable(result: Any) -> list[str]:
    return [m["expr"] for line in stderr_lines(result) if (m := NOT_EVALUABLE.match(line))]


@pytest.fixture
def failure_only(tmp_path: Path) -> Path:
    path = tmp_path / "failure.jsonl"
    path.write_bytes(FAILURE_LINE + b"\n")
    return path


@pytest.fixture
def with_malformed(tmp_path: Path) -> Path:
    path = tmp_path / "malformed.jsonl"
    path.write_bytes(OFFICIAL.read_bytes() + b"{oops\n")
    return path


@functools.cache
def official_json() -> str:
    return str(run("stats", "-f", "json", OFFICIAL).stdout)


# ---------------------------------------------------------------------------------------------
# Operators (kpi.asr is 1.0 on the official examples)

OPERATOR_CASES = [
    ("kpi.asr < 1.5", True),
    ("kpi.asr < 1", False),
    ("kpi.asr <= 1", True),
    ("kpi.asr <= 0.99", False),
    ("kpi.asr > 0.5", True),
    ("kpi.asr > 1", False),
    ("kpi.asr >= 1", True),
    ("kpi.asr >= 1.01", False),
    ("kpi.asr == 1", True),
    ("kpi.asr == 1.0", True),
    ("kpi.asr == 0.5", False),
    ("kpi.asr != 0.5", True),
    ("kpi.asr != 1", False),
    ("errors.-2004.count >= 1", True),
    ("errors.-2004.count > 1", False),
    ("kpi.error_rate <= 0.5", True),
    ("kpi.error_rate < 0.5", False),
]


@pytest.mark.parametrize(("expr", "breached"), OPERATOR_CASES)
def test_each_operator(expr: str, breached: bool) -> None:
    result = run("stats", "-f", "json", OFFICIAL, *fail_if(expr))
    assert result.stdout == official_json()  # the normal output, breached or not
    if breached:
        assert result.exit_code == 1
        assert breaches(result) == [expr]
        assert stderr_lines(result) == [f"vss: threshold breached: {expr} (value {_value(result)})"]
    else:
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""


def _value(result: Any) -> str:
    match = BREACH.match(stderr_lines(result)[0])
    assert match
    return match["value"]


def test_breach_line_shows_the_value() -> None:
    result = run("stats", OFFICIAL, *fail_if("kpi.error_rate > 0.1"))
    assert result.exit_code == 1
    (line,) = stderr_lines(result)
    match = BREACH.match(line)
    assert match and match["expr"] == "kpi.error_rate > 0.1"
    assert float(match["value"]) == 0.5


# ---------------------------------------------------------------------------------------------
# Paths into every section, absent codes/statuses/legs counting 0

PATH_VALUES = [
    ("input.sessions", 2),
    ("input.lines", 2),
    ("input.duplicates", 0),
    ("kpi.error_rate", 0.5),
    ("kpi.attempted", 1),
    ("kpi.acd_s", 13),
    ("status.COMPLETED.count", 1),
    ("status.ERROR.share", 0.5),
    ("status.BUSY.share", 0),  # absent status
    ("status.BUSY.count", 0),
    ("status.COMPLETED_UNSUBSCRIBED.share", 0),
    ("errors.-2004.count", 1),
    ("errors.-2004.share", 1),
    ("errors.-9999.count", 0),  # absent code
    ("errors.-9999.share", 0),
    ("quality.mos.p50", 4.5),
    ("quality.mos.count", 2),
    ("quality.jitter.max", 20),
    ("quality.packet_loss_rate.p99", 0),
    ("quality.mos_bands.excellent", 2),
    ("quality.flags.low_mos", 0),
    ("legs.callB.answer_s.p95", 7),
    ("legs.callA.answer_s.p50", 9),
    ("legs.callA.count", 2),
    ("legs.callA.duration_s.max", 13),
    ("legs.callB.status.COMPLETED.count", 1),
    ("legs.callB.status.BUSY.count", 0),  # absent status of a leg
    ("legs.callB.flags.high_jitter", 0),
    ("legs.callB.mos.p50", 4.5),
    ("legs.callC.count", 0),  # absent leg
]


@pytest.mark.parametrize(("path", "value"), PATH_VALUES)
def test_paths_into_every_section(path: str, value: float) -> None:
    """`PATH == V` holds and `PATH != V` does not: one breach line, with the value."""
    result = run(
        "stats", "-f", "json", OFFICIAL, *fail_if(f"{path} != {value}", f"{path} == {value}")
    )
    assert result.exit_code == 1, result.stderr
    assert stderr_lines(result) == [
        f"vss: threshold breached: {path} == {value} (value {_value(result)})"
    ]
    assert float(_value(result)) == value


def test_input_counters_are_paths(with_malformed: Path) -> None:
    result = run("stats", "-q", with_malformed, *fail_if("input.malformed > 0"))
    assert result.exit_code == 1
    assert breaches(result) == ["input.malformed > 0"]
    assert float(_value(result)) == 1
    assert run("stats", "-q", OFFICIAL, *fail_if("input.malformed > 0")).exit_code == 0


def test_thresholds_see_only_the_matched_sessions() -> None:
    result = run("stats", OFFICIAL, "--status", "ERROR", *fail_if("kpi.error_rate == 1"))
    assert result.exit_code == 1
    assert breaches(result) == ["kpi.error_rate == 1"]


# ---------------------------------------------------------------------------------------------
# Null metrics fail closed


@pytest.mark.parametrize(
    "expr",
    [
        "kpi.asr < 0.5",  # no callB: no attempt
        "kpi.asr != 12345",  # null is not "different": it cannot be compared at all
        "kpi.acd_s > 0",
        "kpi.short_call_rate >= 0",
        "legs.callB.answer_s.p95 > 30",
        "quality.mos.p50 < 3.5",
        "legs.callA.mos.mean >= 0",
    ],
)
def test_a_null_metric_is_not_evaluable(failure_only: Path, expr: str) -> None:
    plain = run("stats", "-f", "json", failure_only)
    result = run("stats", "-f", "json", failure_only, *fail_if(expr))
    assert result.exit_code == 1
    assert not_evaluable(result) == [expr]
    assert breaches(result) == []
    assert result.stdout == plain.stdout


def test_a_null_metric_of_an_absent_leg_is_not_evaluable() -> None:
    result = run("stats", "-f", "json", OFFICIAL, *fail_if("legs.callC.mos.p50 < 3"))
    assert result.exit_code == 1
    assert not_evaluable(result) == ["legs.callC.mos.p50 < 3"]


def test_counts_of_an_empty_day_are_0_and_ratios_null(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    result = run(
        "stats", "-f", "json", empty, *fail_if("input.sessions == 0", "kpi.error_rate < 0.05")
    )
    assert result.exit_code == 1
    assert breaches(result) == ["input.sessions == 0"]
    assert not_evaluable(result) == ["kpi.error_rate < 0.05"]


# ---------------------------------------------------------------------------------------------
# Several thresholds, output still printed, exit statuses


def test_several_thresholds_one_line_per_breach() -> None:
    exprs = [
        "kpi.error_rate > 0.1",  # breached
        "kpi.asr < 0.5",  # holds not
        "quality.mos.p50 < 4.6",  # breached
        "errors.-2004.count >= 5",  # holds not
        "legs.callC.mos.p50 > 1",  # null
    ]
    plain = run("stats", OFFICIAL)
    result = run("stats", OFFICIAL, *fail_if(*exprs))
    assert result.exit_code == 1
    assert sorted(breaches(result)) == sorted([exprs[0], exprs[2]])
    assert not_evaluable(result) == [exprs[4]]
    assert len(stderr_lines(result)) == 3
    assert result.stdout == plain.stdout and "KPIs" in result.stdout  # the table still printed


def test_json_report_still_printed_and_parses_when_breached() -> None:
    result = run("stats", "-f", "json", OFFICIAL, *fail_if("kpi.error_rate > 0"))
    assert result.exit_code == 1
    assert orjson.loads(result.stdout)["kpi"]["error_rate"] == 0.5


@pytest.mark.parametrize("fmt", ["csv", "markdown", "ndjson"])
def test_other_formats_still_printed(fmt: str) -> None:
    plain = run("stats", "-f", fmt, OFFICIAL)
    result = run("stats", "-f", fmt, OFFICIAL, *fail_if("kpi.error_rate > 0"))
    assert result.exit_code == 1
    assert result.stdout == plain.stdout != ""


def test_quiet_keeps_the_breach_lines(with_malformed: Path) -> None:
    """--quiet silences warnings and progress (§8); a breach is the result, not a warning."""
    result = run("stats", "--quiet", with_malformed, *fail_if("kpi.error_rate > 0"))
    assert result.exit_code == 1
    assert stderr_lines(result) == ["vss: threshold breached: kpi.error_rate > 0 (value 0.5)"]


def test_input_error_wins_over_a_breach(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    result = run("stats", "-f", "json", OFFICIAL, missing, *fail_if("kpi.error_rate > 0"))
    assert result.exit_code == 3
    assert breaches(result) == ["kpi.error_rate > 0"]
    assert "missing.jsonl" in result.stderr
    assert orjson.loads(result.stdout)["input"]["sessions"] == 2


def test_input_error_wins_over_a_null_metric(tmp_path: Path, failure_only: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    result = run("stats", failure_only, missing, *fail_if("kpi.asr < 0.5"))
    assert result.exit_code == 3
    assert not_evaluable(result) == ["kpi.asr < 0.5"]


# ---------------------------------------------------------------------------------------------
# Usage errors


@pytest.mark.parametrize(
    ("path", "closest"),
    [
        ("kpi.eror_rate", "kpi.error_rate"),
        ("kpi.asr_", "kpi.asr"),
        ("quality.mos.p42", None),
        ("status", None),
        ("foo.bar", None),
        ("kpi", None),
        ("legs.callB.answer.p95", None),
        ("input.sesions", "input.sessions"),
    ],
)
def test_a_path_outside_the_schema_is_a_usage_error(path: str, closest: str | None) -> None:
    result = run("stats", "-f", "json", OFFICIAL, *fail_if(f"{path} > 0.5"))
    assert result.exit_code == 2
    assert result.stdout == ""
    match = CLOSEST.search(result.stderr)
    assert match, result.stderr
    suggested = match[1]
    if closest is not None:
        assert suggested == closest
    # the suggestion is itself a valid path
    check = run("stats", "-f", "json", OFFICIAL, *fail_if(f"{suggested} == -123456"))
    assert check.exit_code == 0, (suggested, check.stderr)


def test_the_closest_path_of_a_percentile_typo_is_in_the_same_dist() -> None:
    result = run("stats", OFFICIAL, *fail_if("quality.mos.p42 > 3"))
    assert result.exit_code == 2
    match = CLOSEST.search(result.stderr)
    assert match and match[1].startswith("quality.mos."), result.stderr


@pytest.mark.parametrize(
    "expr",
    [
        "kpi.asr >> 1",
        "kpi.asr > abc",
        "kpi.asr",
        "kpi.asr >",
        "> 0.5",
        "kpi.asr = 1",
        "kpi.asr =< 1",
        "kpi.asr < 1 2",
        "",
    ],
)
def test_a_malformed_expression_is_a_usage_error(expr: str) -> None:
    result = run("stats", "-f", "json", OFFICIAL, *fail_if(expr))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_one_bad_threshold_among_good_ones_is_a_usage_error() -> None:
    result = run("stats", OFFICIAL, *fail_if("kpi.error_rate > 0", "kpi.eror_rate > 0"))
    assert result.exit_code == 2
    assert "kpi.error_rate" in result.stderr


# ---------------------------------------------------------------------------------------------
# Against the oracle on messy data


@pytest.mark.parametrize("seed", [3, 11])
def test_thresholds_follow_the_oracle_on_messy_data(tmp_path: Path, seed: int) -> None:
    data = messy_dump(seed, 600)
    path = tmp_path / "messy.jsonl"
    path.write_bytes(data)
    want = oracle_stats(data, [str(path)])
    top_code = next(iter(want["errors"]))
    metrics = {
        "kpi.error_rate": want["kpi"]["error_rate"],
        "kpi.asr": want["kpi"]["asr"],
        "quality.mos.p50": want["quality"]["mos"]["p50"],
        "legs.callB.answer_s.p95": want["legs"]["callB"]["answer_s"]["p95"],
        f"errors.{top_code}.count": want["errors"][top_code]["count"],
        "input.malformed": want["input"]["malformed"],
        "input.conflicts": want["input"]["conflicts"],
    }
    assert None not in metrics.values(), metrics
    at = [f"{name} >= {value!r}" for name, value in metrics.items()]
    result = run("stats", "-q", "-f", "json", path, *fail_if(*at))
    assert result.exit_code == 1
    assert sorted(breaches(result)) == sorted(at)
    above = [f"{name} > {value!r}" for name, value in metrics.items()]
    result = run("stats", "-q", "-f", "json", path, *fail_if(*above))
    assert (result.exit_code, result.stderr) == (0, "")
