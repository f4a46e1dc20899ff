"""The test oracle itself: the official worked example, and hand-checked cases of each rule.

Every expected figure here was worked out by hand from SPEC §2-§4, not by running code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from messy import messy_dump
from oracle import compare, nearest_rank, norm_code, norm_metric, oracle_stats, parse_timestamp

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"


def leg(status: Any = "COMPLETED", **fields: Any) -> dict[str, Any]:
    return {"callStatus": status, **fields}


def payload(session_id: str, status: Any = "COMPLETED", **fields: Any) -> dict[str, Any]:
    return {"sessionId": session_id, "sessionStatus": status, **fields}


def envelope(body: Any, **fields: Any) -> dict[str, Any]:
    return {
        "payload": body,
        "namespace": "VOICE",
        "eventType": "SESSION_SUMMARY",
        "description": "Summary of a completed call session",
        **fields,
    }


def dump(*items: Any) -> bytes:
    """One line per item: bytes as they are, anything else as compact JSON; final newline."""
    lines = [i if isinstance(i, bytes) else json.dumps(i).encode() for i in items]
    return b"".join(line + b"\n" for line in lines)


def stats(*items: Any, dedupe: bool = True) -> dict[str, Any]:
    return oracle_stats(dump(*items), ["t.jsonl"], dedupe=dedupe)


def counters(result: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in result["input"].items() if k != "files"}


ZERO = {
    "lines": 0,
    "blank": 0,
    "malformed": 0,
    "invalid": 0,
    "other_events": 0,
    "duplicates": 0,
    "conflicts": 0,
    "sessions": 0,
    "matched": 0,
}


def test_official_examples_exactly() -> None:
    data = (EXAMPLES / "official-examples.jsonl").read_bytes()
    expected = json.loads((EXAMPLES / "official-examples.stats.json").read_text())
    actual = oracle_stats(data, ["official-examples.jsonl"])
    assert compare(actual, expected, strict_types=True) == []
    assert list(actual["status"]) == list(expected["status"])


def test_compare_reports_differences() -> None:
    base = {"a": {"min": 1, "mean": 1.0}, "b": [1, "x"], "c": None}
    assert compare(base, base) == []
    assert compare({"c": None, "b": [1, "x"], "a": {"mean": 1, "min": 1}}, base) == []
    assert compare({**base, "a": {"min": 1.0, "mean": 1.0}}, base)  # int vs float at min
    assert compare({**base, "a": {"min": 1, "mean": 1.0000001}}, base)
    assert compare({**base, "c": 0}, base)
    assert compare({**base, "b": [True, "x"]}, base)  # a boolean is not 1
    assert compare({**base, "d": 1}, base)
    assert compare({"a": base["a"]}, base)
    assert compare({**base, "a": {"min": 1, "mean": 1}}, base, strict_types=True)


def test_every_line_kind_is_counted() -> None:
    first = payload("S1", details={"callB": leg(callDuration=13)})
    reordered = {"details": {"callB": {"callDuration": 13, "callStatus": "COMPLETED"}}}
    result = stats(
        b"",
        b"  \t ",
        b'{"payload": {"sessionId": "S9"',  # truncated
        [envelope(first)],  # an array
        envelope(payload("S2"), eventType="CALL_STATUS"),
        envelope(first),
        first,  # duplicate: bare vs envelope is the same payload
        envelope(payload("S1", details={"callB": leg(callDuration=14)})),  # conflict
        payload("S1", details={"callB": leg(callDuration=13.0)}),  # 13 == 13.0
        {**reordered, "sessionStatus": "COMPLETED", "sessionId": "S1"},  # key order
    )
    assert counters(result) == {
        **ZERO,
        "lines": 10,
        "blank": 2,
        "malformed": 1,
        "invalid": 1,
        "other_events": 1,
        "duplicates": 4,
        "conflicts": 1,
        "sessions": 1,
        "matched": 1,
    }
    assert result["input"]["files"] == ["t.jsonl"]
    assert result["legs"]["callB"]["duration_s"]["max"] == 13  # the first copy counts


def test_line_splitting_bom_crlf_and_final_newline() -> None:
    line = json.dumps(payload("S1")).encode()
    assert counters(oracle_stats(b"", [])) == ZERO
    assert counters(oracle_stats(b"\n", []))["blank"] == 1
    assert counters(oracle_stats(b"\xef\xbb\xbf", []))["lines"] == 0
    for data in (line, line + b"\n", line + b"\r\n", b"\xef\xbb\xbf" + line + b"\r\n"):
        assert counters(oracle_stats(data, [])) == {**ZERO, "lines": 1, "sessions": 1, "matched": 1}
    data = line + b"\r\n\r\n" + b"\xef\xbb\xbf" + line + b"\n"  # a BOM mid-file is not stripped
    assert counters(oracle_stats(data, [])) == {
        **ZERO,
        "lines": 3,
        "blank": 1,
        "malformed": 1,
        "sessions": 1,
        "matched": 1,
    }
    # U+2028, U+0085 and an escaped CR inside strings never split a line
    raw = json.dumps(payload("S2", lastAction="a\u2028b\u0085c\rd"), ensure_ascii=False)
    assert counters(oracle_stats(raw.encode(), []))["sessions"] == 1


@pytest.mark.parametrize(
    "line",
    [
        b"{",
        b"NaN",
        b'{"sessionId": "x", "mos": NaN}',
        b'{"sessionId": "x", "mos": -Infinity}',
        b'{"sessionId": "x", "callDuration": 1e400}',
        b'{"sessionId": "x\xff"}',
        b'{"sessionId": "x\xed\xa0\x80"}',  # a surrogate encoded in UTF-8
        b'{"sessionId": "x\\ud800"}',  # an escaped lone surrogate
        b'{"sessionId": "x"} {"sessionId": "y"}',
        b'{"sessionId": "x",}',
        b"{'sessionId': 'x'}",
        b"\x0c",  # form feed: not one of space, tab, CR
        b"[" * 1025 + b"]" * 1025,
    ],
)
def test_malformed(line: bytes) -> None:
    assert counters(stats(line))["malformed"] == 1


@pytest.mark.parametrize(
    "item",
    [
        [1, 2],
        "text",
        42,
        None,
        {},
        {"payload": None, "eventType": "SESSION_SUMMARY"},
        {"payload": {"subAccountId": "a"}},
        {"payload": {"sessionId": 5}},
        {"payload": "x", "sessionId": "S1"},
        {"sessionId": None},
        b"[" * 1024 + b"]" * 1024,  # deep but within the limit: JSON, just not an object
    ],
)
def test_invalid(item: Any) -> None:
    assert counters(stats(item))["invalid"] == 1


def test_other_events_do_not_enter_dedupe() -> None:
    result = stats(
        envelope(payload("S1"), eventType=None),
        envelope(payload("S1"), eventType="session_summary"),
        {**payload("S1"), "eventType": "CALL_STATUS"},
        {"eventType": 7},
        envelope(payload("S1")),
        # a bare payload is the whole object, its eventType key included: not the first copy
        {**payload("S1"), "eventType": "SESSION_SUMMARY"},
    )
    assert counters(result) == {
        **ZERO,
        "lines": 6,
        "other_events": 4,
        "duplicates": 1,
        "conflicts": 1,
        "sessions": 1,
        "matched": 1,
    }


def test_conflicts_compare_json_values() -> None:
    base = payload("S1", callCount=1, details={"callA": leg(callDuration="13")})
    same = [
        envelope(base, description="other text", namespace="X"),
        json.loads(json.dumps(base).replace('"callCount": 1', '"callCount": 1.0')),
        b'{"details": {"callA": {"callDuration": "13", "callStatus": "COMPLETED"}}, '
        b'"callCount": 10e-1, "sessionStatus": "COMPLETED", "sessionId": "S1"}',
    ]
    different = [
        {**base, "callCount": True},  # true is not 1
        payload("S1", callCount=1, details={"callA": leg(callDuration=13)}),  # "13" is not 13
        {**base, "extra": None},
        {**base, "sessionStatus": "completed"},
    ]
    result = stats(base, *same, *different)
    assert result["input"]["duplicates"] == len(same) + len(different)
    assert result["input"]["conflicts"] == len(different)


def test_no_dedupe_counts_every_copy() -> None:
    copies = [payload("S1", details={"callB": leg(callDuration=d)}) for d in (5, 5, 20)]
    result = stats(*copies, dedupe=False)
    assert counters(result) == {**ZERO, "lines": 3, "sessions": 3, "matched": 3}
    assert result["kpi"]["attempted"] == 3
    assert result["kpi"]["short_calls"] == 2
    assert result["legs"]["callB"]["duration_s"]["mean"] == 10.0


def test_error_code_normalization() -> None:
    assert norm_code(-2004) == -2004
    assert norm_code(-2004.0) == -2004
    assert norm_code("-2004") == -2004
    assert norm_code(" -2010 ") == -2010
    assert norm_code("abc") == "abc"
    assert norm_code("+5") == "+5"
    assert norm_code("-20.5") == "-20.5"
    for no_code in (None, True, False, {}, [], {"a": 1}, [1]):
        assert norm_code(no_code) is None


def test_errors_section() -> None:
    result = stats(
        payload("S1", "ERROR", errorDetails={"errorMsg": "x", "errorCode": "-2004"}),
        payload(
            "S2",
            "ERROR",
            errorDetails=[{"errorCode": -2004.0}, {"errorCode": " -2004 "}],  # once per session
            details={"callB": leg("ERROR", errorDetails={"errorCode": "abc", "errorMsg": "m1"})},
        ),
        payload(
            "S3",
            errorDetails={"errorCode": "abc", "errorMsg": "m2"},
            details={"callA": leg(errorDetails={"errorCode": -2004})},
        ),
        payload("S4", errorDetails={"errorCode": -3001, "errorMsg": "zeta"}),
        payload("S5", errorDetails=[{"errorCode": -3001, "errorMsg": "zeta"}, {"errorCode": "E"}]),
        payload("S6", errorDetails={"errorCode": -3001, "errorMsg": "alpha"}),
        payload("S7", errorDetails={"errorCode": {}, "errorMsg": "no code"}),
        payload("S8", errorDetails={"errorCode": True}),
        payload("S9", errorDetails={"errorCode": None, "errorMsg": "n"}),
        payload("S10", errorDetails="oops", details=[leg(errorDetails={"errorCode": -2001})]),
    )
    total = 3 + 2 + 3 + 1
    assert result["errors"] == {
        "-2004": {
            "code": -2004,
            "message": "No coverage available for requested area",
            "count": 3,
            "share": 3 / total,
        },
        "-3001": {"code": -3001, "message": "zeta", "count": 3, "share": 3 / total},
        "abc": {"code": "abc", "message": "m1", "count": 2, "share": 2 / total},  # tie: smaller
        "E": {"code": "E", "message": "unknown error", "count": 1, "share": 1 / total},
    }
    assert result["kpi"]["error_sessions"] == 2
    assert result["kpi"]["error_rate"] == 2 / 10


def test_status_normalization_and_order() -> None:
    result = stats(
        payload("S1", "NO ANSWER"),
        payload("S2", " no answer "),
        payload("S3", "COMPLETED_UNSUBSCRIBED"),
        payload("S4", 123),
        {"sessionId": "S5"},
        payload("S6", "Completed"),
        payload("S7", "ZZZ"),
        payload("S8", "AAA"),
        payload("S9", "error"),
    )
    status = result["status"]
    assert list(status) == [
        "COMPLETED",
        "NO_ANSWER",
        "ERROR",
        "(missing)",
        "AAA",
        "COMPLETED_UNSUBSCRIBED",
        "ZZZ",
    ]
    assert status["NO_ANSWER"] == {"count": 2, "share": 2 / 9}
    assert status["(missing)"] == {"count": 2, "share": 2 / 9}
    assert result["kpi"]["success_rate"] == 1 / 9
    assert result["kpi"]["error_rate"] == 1 / 9


def test_metric_tolerance() -> None:
    assert norm_metric(4.5) == 4.5
    assert norm_metric("4.5") == 4.5
    assert norm_metric(" 4.5 ") == 4.5
    assert norm_metric("13") == 13
    assert type(norm_metric("13")) is int
    assert norm_metric("-1e-3") == -0.001
    for dropped in ("n/a", "", "NaN", "inf", "1e400", "4,5", "0x10", "+1", "01", True, None, [1]):
        assert norm_metric(dropped) is None
    quality = [
        {"mos": "4.5", "jitter": "19", "packetLossRate": 0},
        {"mos": "n/a", "jitter": True, "packetLossRate": "0.02"},
        {"mos": 3.2, "jitter": 31, "packetLossRate": None},
    ]
    legs = {f"call{i}": leg(callQuality=q) for i, q in enumerate(quality)}
    result = stats(payload("S1", details=legs), payload("S2", details={"callA": leg()}))
    assert result["quality"]["mos"] == {
        "count": 2,
        "mean": 3.85,
        "min": 3.2,
        "p50": 3.2,
        "p90": 4.5,
        "p95": 4.5,
        "p99": 4.5,
        "max": 4.5,
    }
    assert result["quality"]["jitter"]["min"] == 19
    assert type(result["quality"]["jitter"]["min"]) is int
    assert result["quality"]["packet_loss_rate"]["count"] == 2
    assert result["quality"]["flags"] == {"high_jitter": 1, "high_packet_loss": 1, "low_mos": 1}
    assert result["quality"]["mos_bands"] == {
        "excellent": 1,
        "good": 0,
        "fair": 0,
        "poor": 1,
        "bad": 0,
    }
    assert result["legs"]["callA"]["count"] == 1
    assert result["legs"]["callA"]["mos"]["count"] == 0
    assert result["legs"]["callA"]["mos"]["mean"] is None


def test_mos_bands_and_flag_boundaries() -> None:
    moses = [4.3, 4.29, 4.0, 3.6, 3.59, 3.5, 3.49, 3.1, 3.09]
    jitters = [30, 30.5, 31, 0, 0, 0, 0, 0, 0]
    losses = [0.01, 0.0100001, 0.011, 0, 0, 0, 0, 0, 0]
    details = {
        f"leg{i}": leg(callQuality={"mos": m, "jitter": j, "packetLossRate": p})
        for i, (m, j, p) in enumerate(zip(moses, jitters, losses, strict=True))
    }
    result = stats(payload("S1", details=details))
    assert result["quality"]["mos_bands"] == {
        "excellent": 1,
        "good": 2,
        "fair": 1,
        "poor": 4,
        "bad": 1,
    }
    assert result["quality"]["flags"] == {"high_jitter": 2, "high_packet_loss": 2, "low_mos": 3}
    assert len(result["legs"]) == 9


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (list(range(1, 101)), {"min": 1, "p50": 50, "p90": 90, "p95": 95, "p99": 99, "max": 100}),
        ([30, 10, 20], {"min": 10, "p50": 20, "p90": 30, "p95": 30, "p99": 30, "max": 30}),
        ([20, 19], {"min": 19, "p50": 19, "p90": 20, "p95": 20, "p99": 20, "max": 20}),
        ([7], {"min": 7, "p50": 7, "p90": 7, "p95": 7, "p99": 7, "max": 7}),
    ],
)
def test_nearest_rank_percentiles(values: list[int], expected: dict[str, int]) -> None:
    details = {f"leg{v}": leg(callDuration=v) for v in values}
    result = stats(payload("S1", details=details))
    dist = result["quality"]["mos"]
    assert dist == dict.fromkeys(dist, None) | {"count": 0}
    durations = [d["duration_s"] for d in result["legs"].values()]
    assert all(d["count"] == 1 for d in durations)
    # all legs in one distribution: callDuration of the callA legs of many sessions
    many = stats(*(payload(f"S{v}", details={"callA": leg(callDuration=v)}) for v in values))
    got = many["legs"]["callA"]["duration_s"]
    assert {k: got[k] for k in expected} == expected
    assert got["count"] == len(values)
    assert got["mean"] == sum(values) / len(values)
    assert all(type(got[k]) is int for k in expected)


def test_nearest_rank_arithmetic() -> None:
    assert [nearest_rank(p, 100) for p in (50, 90, 95, 99)] == [50, 90, 95, 99]
    assert [nearest_rank(p, 1) for p in (50, 90, 95, 99)] == [1, 1, 1, 1]
    assert nearest_rank(50, 3) == 2
    assert nearest_rank(99, 101) == 100


def test_equal_values_of_two_types_report_the_first_seen() -> None:
    result = stats(
        payload("S1", details={"callA": leg(callDuration=13.0)}),
        payload("S2", details={"callA": leg(callDuration=13)}),
    )
    assert type(result["legs"]["callA"]["duration_s"]["p50"]) is float


def test_timestamps_and_period() -> None:
    assert parse_timestamp("2024-03-25T06:01:30Z") == parse_timestamp("2024-03-25T14:01:30+08:00")
    assert parse_timestamp("2024-03-25T06:01:30") == parse_timestamp("2024-03-25T06:01:30.000Z")
    for missing in ("2024-03-25", "2024-02-30T10:00:00Z", "n/a", "", 1711346490, None):
        assert parse_timestamp(missing) is None
    result = stats(
        payload("S1", startTime="2024-03-25T14:01:30.5+08:00", endTime="2024-03-25T06:01:50Z"),
        payload("S2", startTime="2024-03-25", endTime="2024-03-25T23:30:00-05:30"),
        payload("S3", startTime=None, endTime="2024-03-26T05:00:00.250Z"),
        payload("S4", startTime="2024-03-25T07:00:00"),
    )
    assert result["period"] == {
        "first_start": "2024-03-25T06:01:30.5Z",
        "last_end": "2024-03-26T05:00:00.25Z",
    }
    assert stats(payload("S1", startTime="x"))["period"] == {"first_start": None, "last_end": None}


def test_time_to_answer() -> None:
    call_a = leg(
        initiatedTimestamp="2024-03-25T06:01:28Z",
        connectedTimestamp="2024-03-25T14:01:37.250+08:00",
    )
    call_b = leg(
        initiatedTimestamp="2024-03-25T06:01:40Z",
        connectedTimestamp="2024-03-25T06:01:37Z",  # negative: kept
    )
    no_connect = leg("FAILED", initiatedTimestamp="2024-03-25T06:01:40Z")
    bad = leg(initiatedTimestamp="2024-03-25", connectedTimestamp="2024-03-25T06:01:37Z")
    result = stats(
        payload("S1", details={"callA": call_a, "callB": call_b}),
        payload("S2", details={"callA": no_connect, "callB": bad}),
    )
    assert result["legs"]["callA"]["answer_s"]["count"] == 1
    assert result["legs"]["callA"]["answer_s"]["p50"] == 9.25
    assert result["legs"]["callB"]["answer_s"]["min"] == -3.0
    assert result["legs"]["callB"]["answer_s"]["count"] == 1


def test_legs_and_kpis() -> None:
    result = stats(
        payload("S1", details={"callA": leg(), "callB": leg(callDuration=13)}),
        payload("S2", details={"callA": leg(), "callB": leg(" completed ", callDuration="7")}),
        payload("S3", details={"callA": leg(), "callB": leg(callDuration="n/a")}),  # no duration
        payload("S4", "NO_ANSWER", details={"callA": leg(), "callB": leg("no answer")}),
        payload("S5", "BUSY", details={"callA": leg(), "callB": leg("BUSY")}),
        payload("S6", "FAILED", details={"callA": leg(), "callB": leg("FAILED")}),
        payload("S7", details={"callA": leg(), "callB": None}),  # no callB
        payload("S8", details=[leg(), leg()]),  # not an object: no legs
        payload("S9", details={"callA": leg(), "callC": leg("BUSY"), "callX": "not a leg"}),
        payload("S10", "ERROR", details={"callA": leg("ERROR")}),
    )
    assert result["kpi"] == {
        "attempted": 6,
        "answered": 3,
        "asr": 3 / 6,
        "ner": 5 / 6,
        "acd_s": 10.0,
        "short_calls": 1,
        "short_call_rate": 1 / 3,
        "error_sessions": 1,
        "error_rate": 0.1,
        "success_rate": 0.6,
    }
    assert set(result["legs"]) == {"callA", "callB", "callC"}
    assert result["legs"]["callA"]["count"] == 9
    assert result["legs"]["callB"]["count"] == 6
    assert result["legs"]["callB"]["status"] == {
        "COMPLETED": {"count": 3},
        "NO_ANSWER": {"count": 1},
        "BUSY": {"count": 1},
        "FAILED": {"count": 1},
    }
    assert result["legs"]["callC"]["status"] == {"BUSY": {"count": 1}}
    assert result["legs"]["callB"]["duration_s"]["count"] == 2


def test_empty_input() -> None:
    result = oracle_stats(b"", ["empty.jsonl"])
    none_dist = dict.fromkeys(("mean", "min", "p50", "p90", "p95", "p99", "max")) | {"count": 0}
    assert result == {
        "schema": "vss.stats/1",
        "input": {"files": ["empty.jsonl"], **ZERO},
        "period": {"first_start": None, "last_end": None},
        "status": {},
        "kpi": {
            "attempted": 0,
            "answered": 0,
            "asr": None,
            "ner": None,
            "acd_s": None,
            "short_calls": 0,
            "short_call_rate": None,
            "error_sessions": 0,
            "error_rate": None,
            "success_rate": None,
        },
        "errors": {},
        "quality": {
            "mos": none_dist,
            "jitter": none_dist,
            "packet_loss_rate": none_dist,
            "mos_bands": dict.fromkeys(("excellent", "good", "fair", "poor", "bad"), 0),
            "flags": dict.fromkeys(("high_jitter", "high_packet_loss", "low_mos"), 0),
        },
        "legs": {},
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_messy_dump_is_deterministic_and_covers_every_counter(seed: int) -> None:
    data = messy_dump(seed, 800)
    assert data == messy_dump(seed, 800)
    result = oracle_stats(data, ["m.jsonl"])
    numbers = counters(result)
    assert all(numbers[k] > 0 for k in numbers), numbers
    kinds = ("blank", "malformed", "invalid", "other_events", "duplicates", "sessions")
    assert sum(numbers[k] for k in kinds) == numbers["lines"]
    assert numbers["conflicts"] < numbers["duplicates"]
    assert b"\r\n" in data
    assert {"callA", "callB", "callC"} <= set(result["legs"])
    assert {"(missing)", "COMPLETED_UNSUBSCRIBED"} <= set(result["status"])
    assert {"abc", "E42", "-3001", "-2004"} <= set(result["errors"])
    no_dedupe = oracle_stats(data, ["m.jsonl"], dedupe=False)
    assert no_dedupe["input"]["sessions"] == numbers["sessions"] + numbers["duplicates"]
