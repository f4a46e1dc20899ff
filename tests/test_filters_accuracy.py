"""SPEC §6 against the independent oracle (`tests/oracle_filters.py`): filters, `--by`, `--top`.

Every analysis command is run in-process (Typer's CliRunner) over random messy dumps and the
output of `vss generate`, and compared with what the oracle computes from the same bytes: the
matched count and every figure of `stats` for a table of filter combinations, every group of
every `--by` key, the CSV of `--by`, and the sessions that `sessions`, `trend`, `errors` and
`filter` see. A few real subprocess runs check `vss filter … | vss stats` and the exact bytes
`filter` writes. Bad option values must be usage errors (exit 2) that say what is accepted.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import vss
from messy import messy_dump
from oracle import compare, summarize
from oracle_filters import (
    BY_KEYS,
    Filters,
    Session,
    apply,
    destination_country,
    group_key,
    groups,
    load_sessions,
    session_codes,
    trend,
)
from vss.cli import app

runner = CliRunner()
SRC = Path(vss.__file__).resolve().parents[1]  # the tree under test, for subprocesses too
MESSY_SEEDS = {"messy-31": (31, 600), "messy-32": (32, 600)}


def run(*args: str) -> Any:
    """Invoke vss in-process; the result has .exit_code, .stdout, .stderr."""
    return runner.invoke(app, list(args), prog_name="vss", catch_exceptions=False)


def run_json(*args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, f"vss {' '.join(args)}\n{result.stderr[-2000:]}"
    return json.loads(result.stdout)


def subprocess_env() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return env


def vss_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "vss", *args]


# ---------------------------------------------------------------------------------------------
# Data sets


@dataclass
class Dataset:
    name: str
    path: Path
    sessions: list[Session]


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Dataset]:
    """Two messy dumps and `vss generate -n 3000 --seed 11`, written to files."""
    root = tmp_path_factory.mktemp("filters")
    out: dict[str, Dataset] = {}
    for name, (seed, n) in MESSY_SEEDS.items():
        path = root / f"{name}.jsonl"
        path.write_bytes(messy_dump(seed, n))
        out[name] = Dataset(name, path, load_sessions([path.read_bytes()]))
    proc = subprocess.run(
        vss_cmd("generate", "-n", "3000", "--seed", "11"),
        capture_output=True,
        env=subprocess_env(),
        check=True,
        timeout=120,
    )
    path = root / "generated-11.jsonl"
    path.write_bytes(proc.stdout)
    out["generated-11"] = Dataset("generated-11", path, load_sessions([proc.stdout]))
    return out


DATASET_NAMES = [*MESSY_SEEDS, "generated-11"]


def most_common(values: list[Any], n: int) -> list[Any]:
    return [v for v, _ in Counter(v for v in values if v is not None).most_common(n)]


def combinations(sessions: list[Session]) -> list[Filters]:
    """A table of filter combinations whose values are taken from the data itself."""
    subs = most_common([s.payload.get("subAccountId") for s in sessions], 2)
    countries = most_common([destination_country(s.payload) for s in sessions], 2)
    ranked = most_common([c for s in sessions for c in session_codes(s.payload)], 100)
    int_codes = [c for c in ranked if isinstance(c, int)][:2]
    text_codes = [c for c in ranked if isinstance(c, str)]
    starts = sorted(s.start for s in sessions if s.start is not None)
    q1, q2 = starts[len(starts) // 3], starts[2 * len(starts) // 3]
    day = q1.date()
    next_day = (day + timedelta(days=1)).isoformat()
    q1_sg = q1.astimezone(timezone(timedelta(hours=8)))
    q2_in = q2.astimezone(timezone(-timedelta(hours=5, minutes=30)))
    combos = [
        Filters(),
        # one filter
        Filters(status=("COMPLETED",)),
        Filters(status=("no answer",)),
        Filters(subaccount=(subs[0],)),
        Filters(country=(countries[0].lower(),)),
        Filters(code=(str(int_codes[0]),)),
        Filters(code=(f" {int_codes[1]} ",)),
        Filters(since=day.isoformat()),
        Filters(until=next_day),
        Filters(since=q1.strftime("%Y-%m-%dT%H:%MZ")),
        # repeated values of one filter are OR-ed
        Filters(status=("error", "Busy")),
        Filters(subaccount=tuple(subs)),
        Filters(country=(countries[0], countries[1].lower())),
        Filters(code=tuple(str(c) for c in int_codes)),
        # different filters are AND-ed
        Filters(status=("COMPLETED",), country=(countries[0],), subaccount=(subs[0],)),
        Filters(status=("ERROR", "FAILED"), code=(str(int_codes[0]),), subaccount=tuple(subs)),
        Filters(since=day.isoformat(), country=(countries[1],), status=("completed",)),
        # --tz moves date-only bounds to local midnight
        Filters(since=day.isoformat(), tz="Asia/Tokyo"),
        Filters(until=next_day, tz="America/Los_Angeles"),
        Filters(since=day.isoformat(), until=next_day, tz="Europe/London"),
        # date-times: an offset counts, no offset is UTC even with --tz
        Filters(
            since=q1_sg.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
            until=q2_in.strftime("%Y-%m-%dT%H:%M:%S-05:30"),
        ),
        Filters(since=q1.strftime("%Y-%m-%dT%H:%M:%S"), tz="Asia/Kolkata"),
        Filters(until=q2.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), status=("COMPLETED", "no answer")),
    ]
    if text_codes:
        combos.append(Filters(code=(text_codes[0],)))
        combos.append(Filters(code=(text_codes[0], str(int_codes[0])), country=(countries[0],)))
    return combos


def check_stats(ds: Dataset, f: Filters) -> list[str]:
    """Differences between `vss stats -f json F` and the oracle, one line each."""
    got = run_json("stats", "-f", "json", "-q", *f.args(), str(ds.path))
    matched = apply(ds.sessions, f)
    diffs = []
    if got["input"]["sessions"] != len(ds.sessions):
        diffs.append(f"input.sessions {got['input']['sessions']} != {len(ds.sessions)}")
    if got["input"]["matched"] != len(matched):
        diffs.append(f"input.matched {got['input']['matched']} != {len(matched)}")
    figures = {k: v for k, v in got.items() if k not in ("schema", "input")}
    diffs += compare(figures, summarize([s.payload for s in matched]))
    return [f"[{f}] {d}" for d in diffs]


@pytest.mark.parametrize(("name", "step"), [("messy-31", 1), ("messy-32", 1), ("generated-11", 2)])
def test_filter_combinations_match_oracle(
    datasets: dict[str, Dataset], name: str, step: int
) -> None:
    """The whole table on the messy dumps; every other row on the (larger) generated day."""
    ds = datasets[name]
    combos = combinations(ds.sessions)
    total = len(ds.sessions)
    # the table must bite: every single filter keeps some sessions and drops others (a date
    # alone may not, on one day of generated data; shifted by --tz it does)
    for f in combos[1:10]:
        if all(bound is None or "T" in bound for bound in (f.since, f.until)):
            assert 0 < len(apply(ds.sessions, f)) < total, f"trivial combination {f}"
    assert any(0 < len(apply(ds.sessions, f)) < total for f in combos if f.tz)
    diffs = [d for f in combos[::step] for d in check_stats(ds, f)]
    assert not diffs, "\n".join(diffs[:40])


@pytest.mark.parametrize(("name", "step"), [("messy-31", 2), ("generated-11", 11)])
def test_every_analysis_command_applies_the_filters(
    datasets: dict[str, Dataset], name: str, step: int
) -> None:
    """`filter --count`, `sessions`, `trend` and `errors` see exactly the matched sessions."""
    ds = datasets[name]
    failures = []
    for f in combinations(ds.sessions)[1::step]:
        matched = apply(ds.sessions, f)
        ids = [s.payload["sessionId"] for s in matched]
        count = run("filter", "--count", "-q", *f.args(), str(ds.path))
        if count.exit_code != 0 or count.stdout.strip() != str(len(matched)):
            failures.append(f"[{f}] filter --count {count.stdout.strip()!r} != {len(matched)}")
        rows = run_json("sessions", "-f", "json", "-q", *f.args(), str(ds.path))
        if [r["sessionId"] for r in rows] != ids:
            failures.append(f"[{f}] sessions: {len(rows)} rows, oracle {len(ids)}")
        got = run_json("trend", "-f", "json", "-q", "--every", "1d", *f.args(), str(ds.path))
        in_buckets = sum(b["sessions"] for b in got["buckets"])
        want = trend(matched, "1d", f.tz)
        if in_buckets + got.get("sessions_without_start", 0) != len(matched) or compare(
            got["buckets"], [strip_utc(b) for b in want["buckets"]]
        ):
            failures.append(f"[{f}] trend buckets differ from the oracle")
        errors = run_json("errors", "-f", "json", "-q", *f.args(), str(ds.path))
        if f.code:  # §5: with --code, one row per session and place of the code
            if {row["sessionId"] for row in errors} != set(ids):
                failures.append(f"[{f}] errors --code rows cover other sessions")
        else:
            want_errors = summarize([s.payload for s in matched])["errors"]
            got_counts = {str(e["code"]): e["count"] for e in errors}
            if got_counts != {k: e["count"] for k, e in want_errors.items()}:
                failures.append(f"[{f}] errors {got_counts} != {want_errors.keys()}")
    assert not failures, "\n".join(failures)


def strip_utc(bucket: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in bucket.items() if k != "start_utc"}


def test_country_is_the_section_3_destination_country(tmp_path: Path) -> None:
    """callB's destinationCountryCode when there is a callB (even without the field), else
    callA's; compared in any case on both sides."""
    payloads = {
        "lower-a": {"callA": {"destinationCountryCode": "sg"}},
        "upper-a": {"callA": {"destinationCountryCode": "SG"}},
        "b-without-field": {"callA": {"destinationCountryCode": "SG"}, "callB": {}},
        "b-null": {"callA": {"destinationCountryCode": "SG"}, "callB": None},
        "b-other": {
            "callA": {"destinationCountryCode": "SG"},
            "callB": {"destinationCountryCode": "MY"},
        },
        "b-number": {"callB": {"destinationCountryCode": 65}},
    }
    path = tmp_path / "countries.jsonl"
    path.write_text(
        "".join(json.dumps({"sessionId": k, "details": v}) + "\n" for k, v in payloads.items())
    )
    for value in ("SG", "sg", "sG"):
        rows = run_json("sessions", "-f", "json", "--country", value, str(path))
        assert [r["sessionId"] for r in rows] == ["lower-a", "upper-a", "b-null"]
    rows = run_json("sessions", "-f", "json", "--country", "my", "--country", "XX", str(path))
    assert [r["sessionId"] for r in rows] == ["b-other"]
    by = run_json("stats", "-f", "json", "--by", "destination-country", str(path))["groups"]
    want = groups(load_sessions([path.read_bytes()]), "destination-country")
    assert compare(by, want) == []
    assert [g["key"] for g in by] == ["SG", "MY", "sg", None]  # the data's own spelling


def test_code_option_takes_negative_numbers_either_way(datasets: dict[str, Dataset]) -> None:
    path = str(datasets["messy-31"].path)
    spaced = run_json("stats", "-f", "json", "-q", "--code", "-2004", path)["input"]
    joined = run_json("stats", "-f", "json", "-q", "--code=-2004", path)["input"]
    want = len(apply(datasets["messy-31"].sessions, Filters(code=("-2004",))))
    assert spaced["matched"] == joined["matched"] == want > 0


# ---------------------------------------------------------------------------------------------
# --by and --top


def by_cases(name: str) -> list[tuple[str, Filters, int | None]]:
    """Every key; every key with --top 3 on the messy dumps; zones and filters."""
    cases: list[tuple[str, Filters, int | None]] = [(by, Filters(), None) for by in BY_KEYS]
    cases.append(("hour", Filters(tz="Asia/Kathmandu"), None))
    if name.startswith("messy"):
        cases += [(by, Filters(), 3) for by in BY_KEYS]
        cases += [
            ("day", Filters(tz="Asia/Kolkata"), None),
            ("hour", Filters(tz="America/New_York"), 3),
            ("day", Filters(tz="UTC"), None),
            ("status", Filters(country=("sg", "PH")), None),
            ("destination-country", Filters(status=("COMPLETED", "ERROR")), 2),
        ]
    return cases


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_by_keys_match_oracle(datasets: dict[str, Dataset], name: str) -> None:
    ds = datasets[name]
    failures = []
    for by, f, top in by_cases(name):
        top_args = ["--top", str(top)] if top else []
        got = run_json("stats", "-f", "json", "-q", "--by", by, *top_args, *f.args(), str(ds.path))
        want = groups(apply(ds.sessions, f), by, f.tz, top)
        label = f"--by {by} {' '.join(top_args)} {f}"
        if got.get("schema") != "vss.groups/1" or got.get("by") != by:
            failures.append(f"[{label}] schema/by: {got.get('schema')!r} {got.get('by')!r}")
        diffs = compare(got["groups"], want)
        if diffs:
            keys = [g["key"] for g in got["groups"]][:8]
            failures.append(f"[{label}] {diffs[:4]} (keys {keys} / {[g['key'] for g in want][:8]})")
        if top is not None and len(got["groups"]) > top + 1:
            failures.append(f"[{label}] {len(got['groups'])} groups with --top {top}")
    assert not failures, "\n".join(failures)


def test_by_groups_are_not_trivial(datasets: dict[str, Dataset]) -> None:
    """The data exercise what the comparisons claim: a null group, several groups, ties."""
    ds = datasets["messy-31"]
    for by in BY_KEYS:
        found = groups(ds.sessions, by)
        assert len(found) >= 2, by
    assert any(g["key"] is None for g in groups(ds.sessions, "destination-country"))
    assert groups(ds.sessions, "status", top=3)[-1]["key"] == "(other)"
    assert any(isinstance(g["top_error"], str) for g in groups(ds.sessions, "hour"))


def test_group_figures_agree_with_the_stats_oracle(datasets: dict[str, Dataset]) -> None:
    """The group oracle's figures are those of `oracle.summarize` over the same sessions."""
    sessions = datasets["messy-32"].sessions
    for by in ("status", "day", "destination-country"):
        members: dict[Any, list[dict[str, Any]]] = {}
        for s in sessions:
            members.setdefault(group_key(s, by), []).append(s.payload)
        for group in groups(sessions, by):
            summary = summarize(members[group["key"]])
            kpi, codes = summary["kpi"], summary["errors"]
            want = {
                "asr": kpi["asr"],
                "acd_s": kpi["acd_s"],
                "error_rate": kpi["error_rate"],
                "mos_p50": summary["quality"]["mos"]["p50"],
                "top_error": next(iter(codes.values()))["code"] if codes else None,
            }
            assert compare({k: group[k] for k in want}, want) == [], (by, group["key"])


def csv_value(text: str) -> Any:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


@pytest.mark.parametrize("by", BY_KEYS)
def test_by_csv_matches_json(datasets: dict[str, Dataset], by: str) -> None:
    path = str(datasets["messy-32"].path)
    want = run_json("stats", "-f", "json", "-q", "--by", by, "--tz", "Europe/London", path)
    raw = run("stats", "-f", "csv", "-q", "--by", by, "--tz", "Europe/London", path).stdout
    rows = list(csv.reader(io.StringIO(raw)))
    header = ["key", "sessions", "share", "asr", "acd_s", "error_rate", "mos_p50", "top_error"]
    assert rows[0] == header
    assert len(rows) - 1 == len(want["groups"])
    for row, group in zip(rows[1:], want["groups"], strict=True):
        assert row[0] == (group["key"] or ""), row
        for name, cell in zip(header[1:], row[1:], strict=True):
            value, expected = csv_value(cell), group[name]
            if isinstance(expected, float):
                assert isinstance(value, int | float), (name, row)
                assert math.isclose(value, expected, rel_tol=1e-12), (name, row)
            elif name == "top_error" and isinstance(expected, str):
                assert cell.lstrip("'") == expected, (name, row)
            else:
                assert value == expected, (name, row)


# ---------------------------------------------------------------------------------------------
# vss filter


def pipe(filter_args: list[str], stats_args: list[str], path: Path) -> Any:
    """`vss filter ARGS PATH | vss stats -f json STATS_ARGS` through a real OS pipe."""
    env = subprocess_env()
    with subprocess.Popen(
        vss_cmd("filter", "-q", *filter_args, str(path)), stdout=subprocess.PIPE, env=env
    ) as producer:
        consumer = subprocess.run(
            vss_cmd("stats", "-f", "json", *stats_args),
            stdin=producer.stdout,
            capture_output=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert producer.stdout is not None
        producer.stdout.close()
        assert producer.wait(timeout=120) == 0
    assert consumer.returncode == 0, consumer.stderr.decode()[-2000:]
    return json.loads(consumer.stdout)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(status=("COMPLETED", "no answer"), country=("sg",)),
        Filters(code=("abc", "-2004", "-3001")),
        Filters(since="2024-03-08", until="2024-03-20", tz="Asia/Singapore", subaccount=("acme",)),
    ],
    ids=str,
)
def test_filter_then_stats_equals_stats_with_filters(
    datasets: dict[str, Dataset], filters: Filters
) -> None:
    ds = datasets["messy-31"]
    assert 0 < len(apply(ds.sessions, filters)) < len(ds.sessions)
    piped = pipe(filters.args(), [], ds.path)
    direct = run_json("stats", "-f", "json", "-q", *filters.args(), str(ds.path))
    assert piped["input"]["sessions"] == piped["input"]["matched"] == direct["input"]["matched"]
    assert piped["input"]["duplicates"] == piped["input"]["malformed"] == 0
    piped.pop("input")
    direct.pop("input")
    assert compare(piped, direct, strict_types=True) == []


def build_two_inputs(tmp_path: Path) -> tuple[list[Path], list[bytes]]:
    """A gzip file (two members) and a plain file with a BOM, CRLF lines and re-sent copies."""
    first = messy_dump(41, 400)
    lines = first.split(b"\n")
    second = (
        b"\xef\xbb\xbf"
        + b'{"sessionId": "crlf-only", "sessionStatus": "COMPLETED",  "x": "\\r"}\r\n'
        + b"\r\n".join(lines[5:40])  # re-sent: all duplicates, dropped
        + b"\n  \n"
        + messy_dump(42, 200)
    )
    gz = tmp_path / "day1.jsonl.gz"
    gz.write_bytes(
        gzip.compress(first[: len(first) // 2]) + gzip.compress(first[len(first) // 2 :])
    )
    plain = tmp_path / "day2.jsonl"
    plain.write_bytes(second)
    return [gz, plain], [first, second]


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(status=("COMPLETED",)), Filters(country=("SG", "my"), since="2024-03-05")],
    ids=str,
)
def test_filter_writes_original_lines_byte_for_byte(tmp_path: Path, filters: Filters) -> None:
    paths, raw = build_two_inputs(tmp_path)
    sessions = load_sessions(raw)
    matched = apply(sessions, filters)
    expected = b"".join(s.line + b"\n" for s in matched)
    # the case covers what it claims: CRLF lines, lines from the gzip file, dropped duplicates
    gz_lines = {s.line for s in load_sessions([raw[0]])}
    assert any(s.line.endswith(b"\r") for s in matched)
    assert any(s.line in gz_lines for s in matched)
    assert len(load_sessions(raw, dedupe=False)) > len(sessions)
    proc = subprocess.run(
        vss_cmd("filter", "-q", *filters.args(), *map(str, paths)),
        capture_output=True,
        env=subprocess_env(),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    if proc.stdout != expected:
        got_lines, want_lines = proc.stdout.split(b"\n"), expected.split(b"\n")
        i = 0
        while i < min(len(got_lines), len(want_lines)) and got_lines[i] == want_lines[i]:
            i += 1
        pytest.fail(
            f"filter output differs at line {i}: {len(got_lines)} vs {len(want_lines)} lines\n"
            f" got: {got_lines[i][:200] if i < len(got_lines) else 'EOF'!r}\n"
            f"want: {want_lines[i][:200] if i < len(want_lines) else 'EOF'!r}"
        )
    count = run("filter", "--count", "-q", *filters.args(), *map(str, paths))
    assert count.stdout == f"{len(matched)}\n"


def test_filter_no_dedupe_keeps_every_copy(tmp_path: Path) -> None:
    paths, raw = build_two_inputs(tmp_path)
    expected = b"".join(s.line + b"\n" for s in load_sessions(raw, dedupe=False))
    result = run("filter", "--no-dedupe", "-q", *map(str, paths))
    assert result.exit_code == 0
    assert result.stdout_bytes == expected


# ---------------------------------------------------------------------------------------------
# Relative times (back from the real clock)


def test_relative_since_and_until(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    minutes_ago = [5, 30, 80, 100, 23 * 60, 25 * 60, 6 * 1440, 8 * 1440, 30 * 1440]
    lines = [
        json.dumps(
            {
                "sessionId": f"rel-{m}",
                "sessionStatus": "COMPLETED",
                "startTime": (now - timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
        for m in minutes_ago
    ]
    lines.append(json.dumps({"sessionId": "no-start", "sessionStatus": "COMPLETED"}))
    path = tmp_path / "relative.jsonl"
    path.write_text("\n".join(lines) + "\n")
    sessions = load_sessions([path.read_bytes()])
    cases = {
        ("--since", "90m"): 3,
        ("--since", "24h"): 5,
        ("--since", "7d"): 7,
        ("--until", "90m"): 6,
        ("--until", "7d"): 2,
    }
    for (option, value), want in cases.items():
        f = Filters(**{option[2:]: value})
        assert len(apply(sessions, f, now)) == want  # the oracle reads them the same way
        got = run_json("stats", "-f", "json", option, value, str(path))["input"]
        assert (got["sessions"], got["matched"]) == (10, want), (option, value)
    both = run("filter", "--count", "--since", "7d", "--until", "24h", str(path))
    assert both.stdout == "2\n"


# ---------------------------------------------------------------------------------------------
# Bad values


@pytest.mark.parametrize(
    ("args", "option", "accepted"),
    [
        (["stats", "--since", "yesterday"], "--since", "90m"),
        (["filter", "--until", "2024-13-01"], "--until", "2024-03-25"),
        (["stats", "--since", "7 days"], "--since", "7d"),
        (["stats", "--tz", "Mars/Base"], "--tz", "Europe/London"),
        (["trend", "--tz", "Mars/Base"], "--tz", "Europe/London"),
        (["stats", "--by", "nonsense"], "--by", "destination-country"),
        (["trend", "--every", "5m"], "--every", "15m"),
        (["trend", "--every", "1w"], "--every", "1d"),
        (["stats", "--status", ""], "--status", "COMPLETED"),
        (["sessions", "--status", "  "], "--status", "COMPLETED"),
        (["sessions", "--sort", "nonsense"], "--sort", "startTime"),
        (["errors", "--code", " "], "--code", "-2004"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_values_are_usage_errors(args: list[str], option: str, accepted: str) -> None:
    official = Path(__file__).resolve().parents[1] / "sample_payloads" / "official-examples.jsonl"
    result = runner.invoke(app, [*args, str(official)], prog_name="vss")
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)  # not a crash inside the command
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert option in result.stderr, result.stderr
    assert accepted in result.stderr, result.stderr


def test_bad_value_in_a_real_process_has_no_traceback() -> None:
    proc = subprocess.run(
        vss_cmd("stats", "--since", "yesterday", "--tz", "Europe/London", "-"),
        input=b"",
        capture_output=True,
        env=subprocess_env(),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr and b"--since" in proc.stderr
