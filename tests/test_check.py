"""`vss check` (SPEC §7, §9): each problem kind, counted per session, checked independently.

Expected counts come from `planted.problems_of`, written from §7 and the reference's "Session
statuses" table; the dumps are built by `planted.py` (clean sessions with problems planted), by
`vss generate`, and by hand for each rule and its boundaries.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from oracle import norm_status
from planted import (
    KINDS,
    NULL,
    SIX,
    STATUS_TABLE,
    SUBACCOUNTS,
    check_sessions,
    clean_dump,
    expected_counts,
    planted_dump,
    problems_of,
    retries_with_other_problems,
)
from vss.cli import app

OFFICIAL = EXAMPLES / "official-examples.jsonl"
OFFICIAL_LINES = OFFICIAL.read_bytes().splitlines()
SUCCESS: dict[str, Any] = orjson.loads(OFFICIAL_LINES[0])["payload"]
FAILURE: dict[str, Any] = orjson.loads(OFFICIAL_LINES[1])["payload"]
ZERO = dict.fromkeys(KINDS, 0)
PLANTED_SEEDS = (1, 4, 5, 20240325)
TABLE_ROW = re.compile(r"^([a-z_]+)\s+(\d+)\s+(yes|-)\s*$")

runner = CliRunner()


def run(*args: str | Path) -> Any:
    """`vss ARGS` in-process; the result has .exit_code, .stdout, .stderr."""
    return runner.invoke(app, [str(a) for a in args], prog_name="vss", catch_exceptions=False)


def check_json(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = run("check", "-f", "json", "--quiet", *args)
    assert result.exit_code in (0, 1), result.stderr
    report = orjson.loads(result.stdout)
    assert report["schema"] == "vss.check/1"
    assert list(report["problems"]) == list(KINDS), "every kind, in the spec's order"
    return result.exit_code, report


def table_rows(stdout: str) -> dict[str, tuple[int, bool]]:
    """{kind: (sessions, ignored)} from the table of `vss check`."""
    rows = {}
    for line in stdout.splitlines():
        match = TABLE_ROW.match(line.strip())
        if match and match[1] in KINDS:
            rows[match[1]] = (int(match[2]), match[3] == "yes")
    return rows


def write(tmp_path: Path, data: bytes, name: str = "dump.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def session_line(payload: dict[str, Any]) -> bytes:
    return orjson.dumps({"payload": payload, "eventType": "SESSION_SUMMARY"}) + b"\n"


# ---------------------------------------------------------------------------------------------
# Clean dumps


def test_official_examples_are_clean_in_json() -> None:
    code, report = check_json(OFFICIAL)
    assert code == 0
    assert report["sessions"] == 2
    assert report["problems"] == ZERO
    assert report["examples"] == []


def test_official_examples_are_clean_in_the_table() -> None:
    result = run("check", OFFICIAL)
    assert result.exit_code == 0, result.stderr
    assert table_rows(result.stdout) == dict.fromkeys(KINDS, (0, False))


@pytest.mark.parametrize("fmt", ["csv", "markdown", "ndjson"])
def test_official_examples_are_clean_in_other_formats(fmt: str) -> None:
    result = run("check", "-f", fmt, OFFICIAL)
    assert result.exit_code == 0, result.stderr
    for kind in KINDS:
        assert re.search(rf"\b{kind}\b\W+0\b", result.stdout), (kind, result.stdout)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_clean_dump_with_noise_is_clean(tmp_path: Path, seed: int) -> None:
    """Realistic variety (spellings, offsets, bounds) and non-session lines with problems."""
    data = clean_dump(seed, 400)
    assert expected_counts(data) == ZERO  # the reference agrees that it is clean
    code, report = check_json(write(tmp_path, data))
    assert (code, report["problems"], report["examples"]) == (0, ZERO, [])
    assert report["sessions"] == check_sessions(data)[0]


# ---------------------------------------------------------------------------------------------
# Planted dumps


@functools.cache
def planted_300(seed: int) -> tuple[bytes, dict[str, int]]:
    return planted_dump(seed, 300)


@pytest.fixture(scope="module", params=PLANTED_SEEDS)
def planted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    data, counts = planted_300(request.param)
    path = tmp_path_factory.mktemp("planted") / f"planted-{request.param}.jsonl"
    path.write_bytes(data)
    return data, counts, path


def test_planted_counts_per_kind_in_json(planted: Any) -> None:
    data, counts, path = planted
    code, report = check_json(path)
    assert report["problems"] == counts
    assert report["sessions"] == check_sessions(data)[0]
    assert code == 1


def test_planted_counts_per_kind_in_the_table(planted: Any) -> None:
    _data, counts, path = planted
    result = run("check", "--quiet", path)
    assert result.exit_code == 1, result.stderr
    assert table_rows(result.stdout) == {kind: (counts[kind], False) for kind in KINDS}


def test_planted_counts_in_csv(planted: Any) -> None:
    _data, counts, path = planted
    result = run("check", "-f", "csv", "--quiet", path)
    assert result.exit_code == 1, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    got = {row[0]: int(row[1]) for row in rows[1:] if row and row[0] in KINDS}
    assert got == counts


def test_planted_dumps_cover_every_kind_and_hold_retry_traps() -> None:
    """The fixtures can fail: each kind is planted somewhere, and retries differ from first
    copies (a check that counted later copies, or the last one, would be off)."""
    seen = set()
    for seed in PLANTED_SEEDS:
        data, counts = planted_300(seed)
        seen |= {kind for kind, n in counts.items() if n}
        assert retries_with_other_problems(data) > 0
        assert sum(counts.values()) > len(KINDS)
    assert seen == set(KINDS)


def test_examples_name_real_sessions_at_most_five_per_kind(planted: Any) -> None:
    data, counts, path = planted
    _code, report = check_json(path)
    _n, ids = check_sessions(data)
    per_kind: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for example in report["examples"]:
        assert set(example) >= {"sessionId", "problem", "detail"}
        assert isinstance(example["detail"], str) and example["detail"]
        assert example["sessionId"] in ids[example["problem"]], example
        per_kind[example["problem"]].append(example["sessionId"])
    for kind, examples in per_kind.items():
        assert len(examples) <= 5, kind
        assert len(set(examples)) == len(examples), kind
        assert bool(examples) == bool(counts[kind]), kind


def test_ignoring_every_found_kind_exits_0_and_still_reports(planted: Any) -> None:
    _data, counts, path = planted
    found = [kind for kind in KINDS if counts[kind]]
    ignores = [arg for kind in found for arg in ("--ignore", kind)]
    code, report = check_json(path, *ignores)
    assert code == 0
    assert report["problems"] == counts
    result = run("check", "--quiet", path, *ignores)
    assert result.exit_code == 0
    assert table_rows(result.stdout) == {k: (counts[k], k in found) for k in KINDS}


def test_ignoring_all_found_kinds_but_one_still_fails(planted: Any) -> None:
    _data, counts, path = planted
    found = [kind for kind in KINDS if counts[kind]]
    for kept in (found[0], found[-1]):
        ignores = [arg for kind in found if kind != kept for arg in ("--ignore", kind)]
        code, report = check_json(path, *ignores)
        assert code == 1, kept
        assert report["problems"] == counts


def test_ignoring_a_kind_that_is_not_found_changes_nothing() -> None:
    code, report = check_json(OFFICIAL, "--ignore", "unknown_code")
    assert (code, report["problems"]) == (0, ZERO)


@pytest.mark.parametrize("kind", ["nonsense", ""])
def test_ignoring_an_unknown_kind_is_a_usage_error(kind: str) -> None:
    result = run("check", "--ignore", kind, OFFICIAL)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("subaccount", SUBACCOUNTS)
def test_filters_count_only_matched_sessions(planted: Any, subaccount: str) -> None:
    data, _counts, path = planted

    def keep(p: dict[str, Any]) -> bool:
        return p.get("subAccountId") == subaccount

    n, _ids = check_sessions(data, keep)
    code, report = check_json(path, "--subaccount", subaccount)
    assert report["problems"] == expected_counts(data, keep)
    assert report["sessions"] == n
    assert code == (1 if any(report["problems"].values()) else 0)


def test_status_filter_and_two_filters_anded(planted: Any) -> None:
    data, _counts, path = planted

    def is_error(p: dict[str, Any]) -> bool:
        return norm_status(p.get("sessionStatus")) == "ERROR"

    _code, report = check_json(path, "--status", "error")
    assert report["problems"] == expected_counts(data, is_error)
    assert report["sessions"] == check_sessions(data, is_error)[0]

    def both(p: dict[str, Any]) -> bool:
        return is_error(p) and p.get("subAccountId") in SUBACCOUNTS[:2]

    args = ["--status", "ERROR", "--subaccount", SUBACCOUNTS[0], "--subaccount", SUBACCOUNTS[1]]
    _code, report = check_json(path, *args)
    assert report["problems"] == expected_counts(data, both)


def test_a_filter_that_leaves_only_clean_sessions_exits_0(tmp_path: Path) -> None:
    data = clean_dump(3, 50) + session_line({**SUCCESS, "sessionId": "bad", "callCount": 7})
    path = write(tmp_path, data)
    assert check_json(path)[0] == 1
    code, report = check_json(path, "--subaccount", SUBACCOUNTS[0])
    assert (code, report["problems"]) == (0, ZERO)


# ---------------------------------------------------------------------------------------------
# `vss generate`: whatever it plants, check agrees with the independent count


@pytest.mark.parametrize("seed", [0, 7, 42])
def test_generated_dump_matches_the_independent_count(tmp_path: Path, seed: int) -> None:
    generated = run("generate", "-n", "1500", "--seed", str(seed))
    assert generated.exit_code == 0
    data = generated.stdout_bytes
    counts = expected_counts(data)
    code, report = check_json(write(tmp_path, data))
    assert report["problems"] == counts
    assert report["sessions"] == check_sessions(data)[0]
    assert code == (1 if any(counts.values()) else 0)


# ---------------------------------------------------------------------------------------------
# Each rule by hand, one session at a time (expected kinds written out, not computed)


DELETE = object()
B = "details.callB"
A = "details.callA"
BQ = "details.callB.callQuality"
AQ = "details.callA.callQuality"
EC = "errorDetails.errorCode"
S = "sessionStatus"
CALL_C = {**SUCCESS["details"]["callB"], "callStatus": "BUSY"}


def apply(payload: dict[str, Any], changes: dict[str, Any]) -> None:
    """Set (or delete, with DELETE) each dotted path of `changes`, in order."""
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = payload
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = copy.deepcopy(value)


CASES: list[tuple[str, dict[str, Any], dict[str, Any], set[str]]] = [
    ("success as is", SUCCESS, {}, set()),
    ("failure as is", FAILURE, {}, set()),
    # status_mismatch / undocumented_combination
    ("BUSY on a completed pair", SUCCESS, {S: "BUSY"}, {"status_mismatch"}),
    ("status spelled No Answer", SUCCESS, {S: "No Answer"}, {"status_mismatch"}),
    ("both spelled", SUCCESS, {S: " no answer ", f"{B}.callStatus": "No Answer"}, set()),
    ("callB CANCELED", SUCCESS, {f"{B}.callStatus": "CANCELED"}, {"undocumented_combination"}),
    ("no callA", SUCCESS, {A: DELETE, "callCount": 1}, {"undocumented_combination"}),
    ("callB null is no callB", SUCCESS, {B: None, "callCount": 1}, set()),
    (
        "no callB, NO_ANSWER",
        SUCCESS,
        {B: None, "callCount": 1, S: "NO_ANSWER"},
        {"status_mismatch"},
    ),
    (
        "other documented status",
        SUCCESS,
        {S: "COMPLETED_UNSUBSCRIBED", f"{B}.callStatus": "BUSY"},
        set(),
    ),
    ("unknown status not judged", SUCCESS, {S: "HANGUP"}, {"unknown_status"}),
    ("a callC is not in the pair", SUCCESS, {"details.callC": CALL_C, "callCount": 3}, set()),
    # unknown_status
    ("missing sessionStatus", SUCCESS, {S: DELETE}, {"unknown_status"}),
    ("UNSUBSCRIBED_CONTACT session", FAILURE, {S: "unsubscribed contact"}, set()),
    ("COMPLETED_UNSUB_ERROR session", FAILURE, {S: "COMPLETED_UNSUB_ERROR"}, set()),
    (
        "a session status on a leg",
        SUCCESS,
        {f"{B}.callStatus": "COMPLETED_UNSUBSCRIBED"},
        {"unknown_status", "undocumented_combination"},
    ),
    (
        "RINGING on callC",
        SUCCESS,
        {"details.callC": {"callStatus": "RINGING"}, "callCount": 3},
        {"unknown_status"},
    ),
    (
        "callStatus missing",
        SUCCESS,
        {f"{B}.callStatus": DELETE},
        {"unknown_status", "undocumented_combination"},
    ),
    (
        "callStatus a number",
        FAILURE,
        {f"{A}.callStatus": 3},
        {"unknown_status", "undocumented_combination"},
    ),
    # call_count_mismatch
    ("callCount 3", SUCCESS, {"callCount": 3}, {"call_count_mismatch"}),
    ("callCount 0", FAILURE, {"callCount": 0}, {"call_count_mismatch"}),
    ("callCount 2.0", SUCCESS, {"callCount": 2.0}, set()),
    ("callCount a string", SUCCESS, {"callCount": "3"}, set()),
    ("callCount missing", SUCCESS, {"callCount": DELETE}, set()),
    ("callB null is not a leg", SUCCESS, {B: None}, {"call_count_mismatch"}),
    # end_before_start
    ("end 1 s early", SUCCESS, {"endTime": "2024-03-25T06:01:29Z"}, {"end_before_start"}),
    ("end 0.5 s early", SUCCESS, {"endTime": "2024-03-25T06:01:29.5Z"}, {"end_before_start"}),
    ("end at start", SUCCESS, {"endTime": "2024-03-25T06:01:30Z"}, set()),
    (
        "end early by offset",
        SUCCESS,
        {"endTime": "2024-03-25T07:01:00+01:00"},
        {"end_before_start"},
    ),
    ("start later as text only", SUCCESS, {"startTime": "2024-03-25T07:01:30+01:00"}, set()),
    ("end not a timestamp", SUCCESS, {"endTime": "yesterday"}, set()),
    # connected_before_initiated
    (
        "callB connected early",
        SUCCESS,
        {f"{B}.initiatedTimestamp": "2024-03-25T06:01:38Z"},
        {"connected_before_initiated"},
    ),
    (
        "callA early by offset",
        SUCCESS,
        {f"{A}.initiatedTimestamp": "2024-03-25T14:01:40+08:00"},
        {"connected_before_initiated"},
    ),
    (
        "connected when initiated",
        SUCCESS,
        {f"{B}.initiatedTimestamp": "2024-03-25T06:01:37Z"},
        set(),
    ),
    # duration_mismatch (connected 13 s)
    ("3 s over", SUCCESS, {f"{B}.callDuration": 16}, {"duration_mismatch"}),
    ("2 s over", SUCCESS, {f"{B}.callDuration": 15}, set()),
    ("2 s under", SUCCESS, {f"{A}.callDuration": 11}, set()),
    ("2.5 s under", SUCCESS, {f"{A}.callDuration": 10.5}, {"duration_mismatch"}),
    ("'20' as a string", SUCCESS, {f"{B}.callDuration": "20"}, {"duration_mismatch"}),
    ("duration not a number", SUCCESS, {f"{B}.callDuration": "n/a"}, set()),
    ("never connected, 1 s", FAILURE, {f"{A}.callDuration": 1}, {"duration_mismatch"}),
    ("never connected, 0.5 s", FAILURE, {f"{A}.callDuration": 0.5}, {"duration_mismatch"}),
    # error_without_details
    ("ERROR without errorDetails", FAILURE, {"errorDetails": DELETE}, {"error_without_details"}),
    ("ERROR with a null code", FAILURE, {EC: None}, {"error_without_details"}),
    (
        "error, lower case, no code",
        FAILURE,
        {"errorDetails": DELETE, S: "error"},
        {"error_without_details"},
    ),
    (
        "ERROR with the code in a leg",
        FAILURE,
        {f"{A}.errorDetails": FAILURE["errorDetails"], "errorDetails": DELETE},
        set(),
    ),
    ("ERROR with a string code", FAILURE, {EC: " -2004 "}, set()),
    # unknown_code
    ("code -3001", FAILURE, {EC: -3001}, {"unknown_code"}),
    ("code E42", FAILURE, {EC: "E42"}, {"unknown_code"}),
    ("code -2004.0", FAILURE, {EC: -2004.0}, set()),
    ("code '-2004'", FAILURE, {EC: "-2004"}, set()),
    (
        "unknown code in a leg",
        SUCCESS,
        {f"{B}.errorDetails": {"errorMsg": "x", "errorCode": -2011}},
        {"unknown_code"},
    ),
    (
        "catalog code on a success",
        SUCCESS,
        {"errorDetails": {"errorMsg": "x", "errorCode": -9999}},
        set(),
    ),
    # implausible_quality
    ("MOS 5.5", SUCCESS, {f"{BQ}.mos": 5.5}, {"implausible_quality"}),
    ("MOS 0.9", SUCCESS, {f"{AQ}.mos": 0.9}, {"implausible_quality"}),
    ("MOS '6' as a string", SUCCESS, {f"{AQ}.mos": "6"}, {"implausible_quality"}),
    ("MOS 5 and 1", SUCCESS, {f"{AQ}.mos": 5, f"{BQ}.mos": 1}, set()),
    ("MOS n/a", SUCCESS, {f"{AQ}.mos": "n/a"}, set()),
    ("loss 1.5 (percent)", SUCCESS, {f"{BQ}.packetLossRate": 1.5}, {"implausible_quality"}),
    ("loss -0.1", SUCCESS, {f"{BQ}.packetLossRate": -0.1}, {"implausible_quality"}),
    ("loss 1", SUCCESS, {f"{BQ}.packetLossRate": 1}, set()),
    ("jitter -1", SUCCESS, {f"{BQ}.jitter": -1}, {"implausible_quality"}),
    ("negative duration", FAILURE, {f"{A}.callDuration": -1}, {"implausible_quality"}),
    # several kinds, each once per session
    (
        "three kinds",
        SUCCESS,
        {S: "BUSY", "callCount": 5, f"{AQ}.mos": 9},
        {"status_mismatch", "call_count_mismatch", "implausible_quality"},
    ),
    (
        "two bad legs count once",
        SUCCESS,
        {f"{AQ}.mos": 9, f"{BQ}.jitter": -3, f"{A}.callDuration": 30, f"{B}.callDuration": 30},
        {"implausible_quality", "duration_mismatch"},
    ),
]


@pytest.mark.parametrize(
    ("base", "changes", "kinds"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule_on_one_session(
    tmp_path: Path, base: dict[str, Any], changes: dict[str, Any], kinds: set[str]
) -> None:
    payload = copy.deepcopy(base)
    apply(payload, changes)
    assert problems_of(payload) == kinds  # the reference reads the rule the same way
    code, report = check_json(write(tmp_path, session_line(payload)))
    assert report["problems"] == {kind: int(kind in kinds) for kind in KINDS}
    assert code == (1 if kinds else 0)
    assert sorted(e["problem"] for e in report["examples"]) == sorted(kinds)


def _pair_session(a: str, b: str, status: str, index: int) -> dict[str, Any]:
    """The official success session with the given (callA, callB) statuses (NULL: no leg)."""
    payload = copy.deepcopy(SUCCESS)
    payload["sessionId"] = f"pair-{index}"
    for key, leg_status in (("callA", a), ("callB", b)):
        if leg_status == NULL:
            del payload["details"][key]
        else:
            payload["details"][key]["callStatus"] = leg_status
    payload["callCount"] = len(payload["details"])
    payload["sessionStatus"] = status
    if status == "ERROR":  # keep error_without_details out of the way
        payload["errorDetails"] = {"errorMsg": "x", "errorCode": -2002}
    return payload


def test_every_row_of_the_status_table(tmp_path: Path) -> None:
    """Each row's own status is consistent; each other of the six is a status_mismatch."""
    rows = [
        ("COMPLETED", "COMPLETED", "COMPLETED"),
        ("COMPLETED", "NO_ANSWER", "NO_ANSWER"),
        ("COMPLETED", "BUSY", "BUSY"),
        ("COMPLETED", "FAILED", "FAILED"),
        ("CANCELED", "CANCELED", "CANCELED"),
        ("COMPLETED", NULL, "COMPLETED"),
        ("ERROR", NULL, "ERROR"),
        ("COMPLETED", "ERROR", "ERROR"),
    ]
    assert {(a, b): s for a, b, s in rows} == STATUS_TABLE  # written out twice, on purpose
    consistent = [_pair_session(a, b, s, i) for i, (a, b, s) in enumerate(rows)]
    data = b"".join(map(session_line, consistent))
    code, report = check_json(write(tmp_path, data, "rows.jsonl"))
    assert (code, report["problems"]) == (0, ZERO)

    wrong = [
        _pair_session(a, b, other, i * 10 + j)
        for i, (a, b, s) in enumerate(rows)
        for j, other in enumerate(SIX)
        if other != s
    ]
    data = b"".join(map(session_line, wrong))
    code, report = check_json(write(tmp_path, data, "wrong.jsonl"))
    assert code == 1
    assert report["problems"] == ZERO | {"status_mismatch": len(rows) * 5}


def test_every_pair_outside_the_table_is_undocumented(tmp_path: Path) -> None:
    statuses = (*SIX, NULL)
    pairs = [(a, b) for a in statuses for b in statuses if (a, b) not in STATUS_TABLE]
    sessions = [
        _pair_session(a, b, SIX[i % 6], i) for i, (a, b) in enumerate(pairs)
    ]  # any of the six
    data = b"".join(map(session_line, sessions))
    code, report = check_json(write(tmp_path, data))
    assert code == 1
    assert report["problems"] == ZERO | {"undocumented_combination": len(pairs)}
    assert len(pairs) == 7 * 7 - 8


def test_first_copy_wins(tmp_path: Path) -> None:
    clean = {**SUCCESS, "sessionId": "s1"}
    bad = {**SUCCESS, "sessionId": "s2", "callCount": 9}
    other = {**clean, "sessionId": "s3", "callCount": 9}
    other_event = orjson.dumps({"payload": other, "eventType": "CALL_STATUS"})
    data = b"".join(
        [
            session_line(clean),
            session_line({**clean, "callCount": 9}),  # a later copy with a problem
            session_line(bad),
            session_line({**bad, "callCount": 2}),  # a later clean copy
            b"{truncated\n",
            other_event + b"\n",  # another event type, with a problem
        ]
    )
    code, report = check_json(write(tmp_path, data))
    assert (code, report["sessions"]) == (1, 2)
    assert report["problems"] == ZERO | {"call_count_mismatch": 1}
    assert [e["sessionId"] for e in report["examples"]] == ["s2"]


def test_jobs_do_not_change_the_report(tmp_path: Path) -> None:
    """§11: the output is identical whatever --jobs is (examples included)."""
    data, counts = planted_300(PLANTED_SEEDS[0])
    path = write(tmp_path, data * 3)  # retries of everything: dedupe across byte ranges
    one = run("check", "-f", "json", "-q", "--jobs", "1", path)
    two = run("check", "-f", "json", "-q", "--jobs", "3", path)
    assert (one.exit_code, one.stdout) == (two.exit_code, two.stdout)
    assert orjson.loads(two.stdout)["problems"] == counts
