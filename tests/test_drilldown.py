"""Drill-down commands (SPEC §7): `show`, `trend` golden outputs, `sessions`/`list`.

Golden files hold `show` and `trend` output on the two samples byte for byte
(`VSS_UPDATE_GOLDEN=1` rewrites them, on purpose only). The rest is checked against the oracle
(`tests/oracle_filters.py`): the rows of `sessions`, its `--sort`/`--limit`, and what `show` says
about each leg and error of sessions of a messy dump.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import SAMPLES, TESTS
from messy import messy_dump
from oracle import CATALOG, compare, parse_timestamp
from oracle_filters import load_sessions, session_row, show_error_places, show_legs
from vss.cli import app

GOLDEN = TESTS / "golden"
UPDATE = os.environ.get("VSS_UPDATE_GOLDEN") == "1"
GENERATED = SAMPLES / "generated-3000.jsonl.gz"
OFFICIAL = SAMPLES / "official-examples.jsonl"
COMPLETED_ID = "1f048a84-ea6d-11ee-911b-078f7290bf52"
ERROR_ID = "47f19e66-2163-11ee-8ccd-27b543a164ea"
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


def run_json(*args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, f"vss {' '.join(args)}\n{result.stderr[-2000:]}"
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------------------
# Golden outputs

GOLDEN_CASES = {
    "official.show-completed.txt": ("show", COMPLETED_ID, str(OFFICIAL)),
    "official.show-completed.json": ("show", COMPLETED_ID, "-f", "json", str(OFFICIAL)),
    "official.show-error.txt": ("show", ERROR_ID, str(OFFICIAL)),
    "official.show-error.json": ("show", ERROR_ID, "-f", "json", str(OFFICIAL)),
    "official.trend-1d.txt": ("trend", "--every", "1d", str(OFFICIAL)),
    "official.trend-1d.json": ("trend", "--every", "1d", "-f", "json", str(OFFICIAL)),
    # answered, callB initiated 2 s after callA
    "generated.show-completed.txt": (
        "show",
        "cdfdb7cd-ea3a-11ee-a586-72e0dddfd325",
        str(GENERATED),
    ),
    # every quality flag on both legs, MOS band "bad"
    "generated.show-bad-quality.txt": (
        "show",
        "e75c2ceb-ea3d-11ee-9fb7-5c78a347a8cc",
        str(GENERATED),
    ),
    # a leg-level error (-2010 on callB)
    "generated.show-leg-error.txt": (
        "show",
        "204c14a0-ea3f-11ee-98a9-1b95afcc4567",
        str(GENERATED),
    ),
    "generated.show-leg-error.json": (
        "show",
        "204c14a0-ea3f-11ee-98a9-1b95afcc4567",
        "-f",
        "json",
        str(GENERATED),
    ),
    # a payload-level code sent as a string ("-2002")
    "generated.show-string-code.txt": (
        "show",
        "8e4298ec-ea3e-11ee-9024-d3c4616dcd2a",
        str(GENERATED),
    ),
    # one leg only (TTS), connected
    "generated.show-tts.txt": ("show", "1ddd3867-ea3b-11ee-b826-abc915058b6e", str(GENERATED)),
    "generated.trend.txt": ("trend", str(GENERATED)),
    "generated.trend.json": ("trend", "-f", "json", str(GENERATED)),
    "generated.trend.csv": ("trend", "-f", "csv", str(GENERATED)),
    "generated.trend-15m-kolkata.txt": (
        "trend",
        "--every",
        "15m",
        "--tz",
        "Asia/Kolkata",
        "--status",
        "ERROR",
        str(GENERATED),
    ),
    "generated.sessions-longest.txt": (
        "sessions",
        "--sort",
        "duration_s",
        "--reverse",
        "--limit",
        "10",
        str(GENERATED),
    ),
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


# ---------------------------------------------------------------------------------------------
# show


def timeline_rows(text: str) -> dict[str, str]:
    """The drawn part of each leg row of the timeline table: {leg: bar}."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Timeline"))
    header = lines[start + 1]
    left = header.index("timeline")
    right = header.index("initiated")
    rows = {}
    for line in lines[start + 3 :]:
        if not line.startswith("call"):
            break
        rows[line.split()[0]] = line[left:right].rstrip()
    return rows


def test_show_draws_the_legs_on_one_time_axis() -> None:
    """Official example: callA initiated at +0 s, callB at +2 s, both connected at +9 s and
    disconnected at +22 s; the bars must say so, not only the numbers."""
    result = run("show", COMPLETED_ID, str(OFFICIAL))
    assert result.exit_code == 0
    rows = timeline_rows(result.stdout)
    assert set(rows) == {"callA", "callB"}
    a, b = rows["callA"], rows["callB"]
    assert a.startswith("·") and set(a) == {"·", "█"}
    assert b.lstrip(" ").startswith("·") and b.startswith(" ")
    # same instants → same columns: connected (first █) and disconnected (end of the bar)
    assert a.index("█") == b.index("█") and len(a) == len(b)
    width = len(a)
    assert abs(a.index("█") / width - 9 / 22) < 0.1  # connected at 9 s of 22 s
    assert abs((len(b) - len(b.lstrip(" "))) / width - 2 / 22) < 0.1  # callB starts at 2 s
    assert "+0s → +9s → +22s" in result.stdout and "+2s → +9s → +22s" in result.stdout
    assert "4.5 (excellent)" in result.stdout


def test_show_error_session_lists_errors_with_catalog_message() -> None:
    result = run("show", ERROR_ID, str(OFFICIAL))
    assert result.exit_code == 0
    assert re.search(r"-2004\s+No coverage available for requested area\s+payload", result.stdout)
    report = run_json("show", ERROR_ID, "-f", "json", str(OFFICIAL))
    assert report["schema"] == "vss.show/1" and report["sessionId"] == ERROR_ID
    assert [(e["code"], e["message"], e["where"]) for e in report["errors"]] == [
        (-2004, CATALOG[-2004], "payload")
    ]
    assert [leg["leg"] for leg in report["legs"]] == ["callA"]


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_show_missing_session(fmt: str) -> None:
    result = runner.invoke(app, ["show", "no-such-id", "-f", fmt, str(OFFICIAL)], prog_name="vss")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no-such-id" in result.stderr and "not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_uses_the_first_copy_and_only_sessions(tmp_path: Path) -> None:
    first = {"sessionId": "dup", "sessionStatus": "completed", "details": {"callA": {}}}
    second = {"sessionId": "dup", "sessionStatus": "FAILED", "details": {}}
    other = {"eventType": "CALL_STATUS", "payload": {"sessionId": "other-event"}}
    path = tmp_path / "dups.jsonl"
    path.write_text("\n".join(json.dumps(v) for v in (first, second, other)) + "\n")
    report = run_json("show", "dup", "-f", "json", "-q", str(path))
    assert report["sessionStatus"] == "COMPLETED"
    assert [leg["leg"] for leg in report["legs"]] == ["callA"]
    missing = runner.invoke(app, ["show", "other-event", "-q", str(path)], prog_name="vss")
    assert missing.exit_code == 1


@pytest.mark.parametrize(
    "extra",
    [
        ["--jobs", "2"],
        ["--no-dedupe"],
        ["--status", "completed", "--subaccount", "8x8_test"],
        ["--since", "2024-03-25", "--until", "2024-03-26", "--tz", "Asia/Singapore"],
        ["--country", "sg", "--since", "30000d"],
    ],
)
def test_show_takes_the_common_options(extra: list[str]) -> None:
    """SPEC §11: `show` takes the common options; a filter its session passes changes nothing."""
    plain = runner.invoke(app, ["show", COMPLETED_ID, str(OFFICIAL)], prog_name="vss")
    given = runner.invoke(app, ["show", COMPLETED_ID, str(OFFICIAL), *extra], prog_name="vss")
    assert plain.exit_code == 0 and given.exit_code == 0, given.stderr
    assert given.stdout == plain.stdout and given.stderr == ""


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ([], "COMPLETED"),
        (["--status", "completed"], "COMPLETED"),
        (["--status", "failed"], None),  # the retry passes it, but it is a duplicate
        (["--no-dedupe", "--status", "failed"], None),
        (["--since", "2024-03-25T06:00"], "COMPLETED"),
        (["--since", "2024-03-25T07:00"], None),
    ],
)
def test_show_judges_the_first_copy_by_the_filters(
    tmp_path: Path, extra: list[str], shown: str | None
) -> None:
    first = {"sessionId": "dup", "sessionStatus": "COMPLETED", "startTime": "2024-03-25T06:01:30Z"}
    retry = {**first, "sessionStatus": "FAILED", "startTime": "2024-03-25T08:00:00Z"}
    path = tmp_path / "retry.jsonl"
    path.write_text(f"{json.dumps(first)}\n{json.dumps(retry)}\n")
    result = runner.invoke(app, ["show", "dup", "-f", "json", str(path), *extra], prog_name="vss")
    if shown is None:
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr == "vss: session dup does not pass the filters\n"
    else:
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["sessionStatus"] == shown


@pytest.mark.parametrize(
    "extra", [["--jobs", "0"], ["--since", "not-a-time"], ["--tz", "Mars/Olympus"]]
)
def test_show_bad_common_option_is_a_usage_error(extra: list[str]) -> None:
    result = runner.invoke(app, ["show", COMPLETED_ID, str(OFFICIAL), *extra], prog_name="vss")
    assert result.exit_code == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr


def test_show_odd_sessions_do_not_crash(tmp_path: Path) -> None:
    payloads: list[dict[str, Any]] = [
        {"sessionId": "no-details"},
        {"sessionId": "details-list", "details": [{"callStatus": "COMPLETED"}]},
        {"sessionId": "no-times", "details": {"callA": {"callStatus": "BUSY"}, "callB": None}},
        {
            "sessionId": "negative-answer",
            "details": {
                "callA": {
                    "initiatedTimestamp": "2024-03-25T06:00:10Z",
                    "connectedTimestamp": "2024-03-25T06:00:05Z",
                    "disconnectedTimestamp": "2024-03-25T06:00:20Z",
                    "callDuration": "15",
                    "callQuality": {"mos": "2.5", "jitter": "n/a"},
                }
            },
        },
        {
            "sessionId": "[bold]markup[/]\u202e",
            "details": {"callA": {"source": "[/]", "initiatedTimestamp": "2024-03-25T06:00:00Z"}},
        },
    ]
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in payloads))
    for payload in payloads:
        sid = payload["sessionId"]
        table = run("show", sid, str(path))
        assert table.exit_code == 0, (sid, table.stderr)
        assert "\u202e" not in table.stdout
        report = run_json("show", sid, "-f", "json", str(path))
        assert compare(project(report["legs"]), show_legs(payload)) == [], sid
    negative = run_json("show", "negative-answer", "-f", "json", str(path))["legs"][0]
    assert negative["answer_s"] == -5 and negative["mos_band"] == "bad"


def project(legs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fields of `show` JSON legs that the oracle computes (flags as a sorted list)."""
    keys = ("leg", "callStatus", "initiated", "connected", "disconnected", "answer_s")
    keys += ("duration_s", "mos", "mos_band", "flags")
    return [{k: (sorted(leg[k]) if k == "flags" else leg[k]) for k in keys} for leg in legs]


def test_show_agrees_with_the_oracle_on_messy_sessions(tmp_path: Path) -> None:
    path = tmp_path / "messy.jsonl"
    path.write_bytes(messy_dump(61, 300))
    sessions = load_sessions([path.read_bytes()])
    with_errors = [s for s in sessions if show_error_places(s.payload)]
    picked = sessions[:12] + with_errors[:12]
    assert len(with_errors) >= 12
    for s in picked:
        sid = s.payload["sessionId"]
        report = run_json("show", sid, "-f", "json", "-q", str(path))
        assert report["sessionId"] == sid
        assert compare(project(report["legs"]), show_legs(s.payload)) == [], sid
        places = {(e["code"], e["where"]) for e in report["errors"]}
        assert places == show_error_places(s.payload), sid
        for error in report["errors"]:
            if error["code"] in CATALOG:
                assert error["message"] == CATALOG[error["code"]]
        row = session_row(s)
        for key in ("sessionStatus", "startTime", "endTime", "callCount", "lastAction"):
            assert report[key] == row[key], (sid, key)


# ---------------------------------------------------------------------------------------------
# sessions / list


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_list_is_an_alias_of_sessions(fmt: str) -> None:
    args = ["-f", fmt, "--limit", "25", "--sort", "startTime", "--reverse", str(GENERATED)]
    sessions = run("sessions", *args)
    listed = run("list", *args)
    assert sessions.exit_code == listed.exit_code == 0
    assert sessions.stdout_bytes == listed.stdout_bytes
    assert len(sessions.stdout_bytes) > 1000


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    path = tmp_path_factory.mktemp("sessions") / "messy.jsonl"
    path.write_bytes(messy_dump(62, 600))
    return path, [session_row(s) for s in load_sessions([path.read_bytes()])]


def normalized(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """errorCodes as a sorted list of strings: the spec fixes no order inside the cell."""
    out = []
    for row in rows:
        codes = row["errorCodes"]
        codes = codes.split() if isinstance(codes, str) else [str(c) for c in codes]
        out.append({**row, "errorCodes": sorted(codes)})
    return out


def test_sessions_rows_match_oracle(messy: tuple[Path, list[dict[str, Any]]]) -> None:
    path, want = messy
    got = run_json("sessions", "-f", "json", "-q", str(path))
    assert [r["sessionId"] for r in got] == [r["sessionId"] for r in want]  # input order
    assert compare(normalized(got), normalized(want), strict_types=True) == []
    assert all(isinstance(r["errorCodes"], str) for r in got)


def sort_key(column: str, value: Any) -> Any:
    return parse_timestamp(value) if column in ("startTime", "endTime") else value


SORTABLE = [
    "sessionId",
    "startTime",
    "endTime",
    "subAccountId",
    "lastAction",
    "callCount",
    "source",
    "destination",
    "destinationCountryCode",
    "duration_s",
    "mos_min",
]


@pytest.mark.parametrize("column", SORTABLE)
def test_sessions_sort(messy: tuple[Path, list[dict[str, Any]]], column: str) -> None:
    """Ascending (stable), missing values last; --reverse descending, missing still last."""
    path, rows = messy
    present = [r for r in rows if r[column] is not None]
    missing = [r for r in rows if r[column] is None]
    ascending = sorted(present, key=lambda r: sort_key(column, r[column])) + missing
    descending = sorted(present, key=lambda r: sort_key(column, r[column]), reverse=True)
    got = run_json("sessions", "-f", "json", "-q", "--sort", column, str(path))
    assert [r["sessionId"] for r in got] == [r["sessionId"] for r in ascending]
    got = run_json("sessions", "-f", "json", "-q", "--sort", column, "--reverse", str(path))
    assert [r[column] for r in got] == [r[column] for r in descending + missing]
    got = run_json("sessions", "-f", "json", "-q", "--sort", column, "--limit", "7", str(path))
    assert [r["sessionId"] for r in got] == [r["sessionId"] for r in ascending[:7]]
    # with a limit only the best rows so far are kept: the same rows, ties in input order
    for limit in (1, 7, len(present) + 2):
        got = run_json(
            "sessions", "-f", "json", "-q", "--sort", column, "-r", "-n", str(limit), str(path)
        )
        assert [r["sessionId"] for r in got] == [
            r["sessionId"] for r in (descending + missing)[:limit]
        ]


def test_sessions_sort_times_by_instant_not_by_text(tmp_path: Path) -> None:
    starts = {
        "a": "2024-03-01T00:00:00.5Z",
        "b": "2024-03-01T00:00:01Z",
        "c": "2024-03-01T07:59:59+08:00",  # 2024-02-29T23:59:59Z
        "d": "2024-02-29T23:59:59.900Z",
        "e": "not a time",
        "f": "2024-03-01T00:00:00",  # no offset: UTC
    }
    path = tmp_path / "times.jsonl"
    path.write_text(
        "".join(json.dumps({"sessionId": k, "startTime": v}) + "\n" for k, v in starts.items())
    )
    got = run_json("sessions", "-f", "json", "--sort", "startTime", str(path))
    assert [r["sessionId"] for r in got] == ["c", "d", "f", "a", "b", "e"]
    assert [r["startTime"] for r in got][:3] == [
        "2024-02-29T23:59:59Z",
        "2024-02-29T23:59:59.9Z",
        "2024-03-01T00:00:00Z",
    ]
    got = run_json("sessions", "-f", "json", "--sort", "startTime", "--reverse", str(path))
    assert [r["sessionId"] for r in got] == ["b", "a", "f", "d", "c", "e"]


def test_sessions_limit(messy: tuple[Path, list[dict[str, Any]]]) -> None:
    path, rows = messy
    assert run_json("sessions", "-f", "json", "-q", "--limit", "0", str(path)) == []
    got = run_json("sessions", "-f", "json", "-q", "--limit", "3", str(path))
    assert [r["sessionId"] for r in got] == [r["sessionId"] for r in rows[:3]]
    table = run("sessions", "-q", "--limit", "3", str(path))
    assert table.exit_code == 0
    shown = [r["sessionId"] for r in rows if r["sessionId"] in table.stdout]
    assert shown == [r["sessionId"] for r in rows[:3]]
    ndjson = run("sessions", "-f", "ndjson", "-q", "--limit", "5", str(path)).stdout
    assert [json.loads(line)["sessionId"] for line in ndjson.splitlines()] == [
        r["sessionId"] for r in rows[:5]
    ]
    got = run_json("sessions", "-f", "json", "-q", "--reverse", "--limit", "4", str(path))
    assert [r["sessionId"] for r in got] == [r["sessionId"] for r in rows[::-1][:4]]


def test_sessions_limit_in_input_order_reads_no_further(tmp_path: Path) -> None:
    """Like `head`: once N sessions are out, the rest of the input is not read (a bad
    line well after them is not reported); sorted or reversed, all of it is."""
    path = tmp_path / "head.jsonl"
    sessions = [{"sessionId": f"s{i}", "startTime": f"2024-03-01T00:00:{i:02d}Z"} for i in range(3)]
    filler = [{"sessionId": f"f{i}"} for i in range(200)]  # lines are read in runs
    path.write_text("".join(json.dumps(s) + "\n" for s in sessions + filler) + "{broken\n")
    result = run("sessions", "-f", "csv", "--limit", "2", str(path))
    assert result.exit_code == 0 and result.stderr == ""
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["s0", "s1"]
    for order in (["--reverse"], ["--sort", "startTime"]):
        result = run("sessions", "-f", "csv", "--limit", "2", *order, str(path))
        assert f"{path}:204: not valid JSON" in result.stderr


@pytest.mark.parametrize(
    "command",
    [("sessions",), ("errors", "--code", "-2004")],
    ids=" ".join,
)
@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_rows_under_strict_are_all_or_nothing(
    tmp_path: Path, command: tuple[str, ...], fmt: str
) -> None:
    """Rows are written as they are read, except under --strict: a bad line ends the run
    with nothing on stdout (not the start of a JSON array or the first rows)."""
    path = tmp_path / "strict.jsonl"
    good = '{"sessionId": "a", "errorDetails": {"errorCode": -2004}}\n'
    path.write_text(good + "{bad\n" + good.replace('"a"', '"b"'))
    result = run(*command, "-f", fmt, "--strict", str(path))
    assert result.exit_code == 3 and result.stdout == ""
    assert f"{path}:2: not valid JSON" in result.stderr
    path.write_text(good)
    result = run(*command, "-f", fmt, "--strict", str(path))
    assert result.exit_code == 0 and result.stdout.count("\n") >= 1 and "a" in result.stdout
