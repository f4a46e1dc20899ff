"""`vss trend` (SPEC §7) and local time (§6 `--tz`) against the oracle and hand-made expectations.

The buckets must hold every matched session that has a startTime (those without one are reported
apart), run without a hole from the first bucket to the last, and follow the zone's wall clock:
in Europe/London the day of 2024-03-31 is 23 hours long and the day of 2024-10-27 is 25 hours
long; the missing local hour 01:00 of 31 March gives no bucket and the repeated local hour
01:00 of 27 October gives two, told apart by their offsets.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from messy import messy_dump
from oracle import compare
from oracle_filters import Filters, apply, groups, load_sessions, trend
from vss.cli import app

runner = CliRunner()
LONDON = "Europe/London"
HOUR = timedelta(hours=1)


def run_json(*args: str) -> Any:
    result = runner.invoke(app, list(args), prog_name="vss", catch_exceptions=False)
    assert result.exit_code == 0, f"vss {' '.join(args)}\n{result.stderr[-2000:]}"
    return json.loads(result.stdout)


def session(session_id: str, start: str | None, answered: bool = True) -> dict[str, Any]:
    """A small but complete payload: callA, a callB with quality, answered or not."""
    payload: dict[str, Any] = {
        "sessionId": session_id,
        "sessionStatus": "COMPLETED" if answered else "NO_ANSWER",
        "details": {
            "callA": {"callStatus": "COMPLETED", "callQuality": {"mos": 4.4}},
            "callB": {
                "callStatus": "COMPLETED" if answered else "NO_ANSWER",
                "callDuration": 30 if answered else 0,
                "callQuality": {"mos": 3.9},
            },
        },
    }
    if start is not None:
        payload["startTime"] = start
    return payload


def write(tmp_path: Path, name: str, payloads: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(p) + "\n" for p in payloads))
    return path


def as_instant(start: str) -> datetime:
    """A bucket start as printed (`…T00:00+01:00` or `…T00:00Z`) → an aware UTC datetime."""
    return datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(UTC)


def oracle_buckets(path: Path, every: str, tz: str | None) -> dict[str, Any]:
    return trend(load_sessions([path.read_bytes()]), every, tz)


def without_utc(buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in b.items() if k != "start_utc"} for b in buckets]


# ---------------------------------------------------------------------------------------------
# Totals, holes, the oracle


@pytest.mark.parametrize(
    ("seed", "every", "tz"),
    [
        (51, "1h", None),
        (51, "1d", LONDON),
        (52, "15m", "Asia/Kathmandu"),
        (52, "1d", "America/Sao_Paulo"),
        (53, "1h", "Australia/Adelaide"),
    ],
)
def test_buckets_sum_to_the_session_total(
    tmp_path: Path, seed: int, every: str, tz: str | None
) -> None:
    path = tmp_path / "messy.jsonl"
    path.write_bytes(messy_dump(seed, 500))
    tz_args = ["--tz", tz] if tz else []
    got = run_json("trend", "-f", "json", "-q", "--every", every, *tz_args, str(path))
    matched = run_json("stats", "-f", "json", "-q", str(path))["input"]["matched"]
    want = oracle_buckets(path, every, tz)
    assert want["sessions_without_start"] > 0  # messy dumps have sessions without a startTime
    assert (got["schema"], got["every"], got["tz"]) == ("vss.trend/1", every, tz or "UTC")
    assert got.get("sessions_without_start") == want["sessions_without_start"]
    total = sum(b["sessions"] for b in got["buckets"])
    assert total + got["sessions_without_start"] == matched
    assert compare(got["buckets"], without_utc(want["buckets"])) == []
    assert any(b["sessions"] == 0 for b in got["buckets"]) or every == "1d"
    starts = [as_instant(b["start"]) for b in got["buckets"]]
    assert starts == sorted(set(starts))  # in time order, no bucket twice


def test_sessions_without_start_key_only_when_nonzero(tmp_path: Path) -> None:
    path = write(tmp_path, "all-dated.jsonl", [session("a", "2024-03-25T06:01:30Z")])
    got = run_json("trend", "-f", "json", str(path))
    assert "sessions_without_start" not in got
    assert [b["sessions"] for b in got["buckets"]] == [1]


def test_empty_buckets_are_included(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "gap.jsonl",
        [
            session("a", "2024-03-25T00:10:00Z"),
            session("b", "2024-03-25T03:20:00+00:00", answered=False),
            session("c", "2024-03-25T11:59:59+08:00"),  # 03:59:59Z
            session("d", None),
            session("e", "not a time"),
        ],
    )
    got = run_json("trend", "-f", "json", "--every", "1h", str(path))
    assert got["sessions_without_start"] == 2
    assert [(b["start"], b["sessions"]) for b in got["buckets"]] == [
        ("2024-03-25T00:00Z", 1),
        ("2024-03-25T01:00Z", 0),
        ("2024-03-25T02:00Z", 0),
        ("2024-03-25T03:00Z", 2),
    ]
    empty = got["buckets"][1]
    assert empty == {
        "start": "2024-03-25T01:00Z",
        "sessions": 0,
        "asr": None,
        "error_rate": None,
        "mos_p50": None,
    }
    assert got["buckets"][3]["asr"] == 0.5
    got = run_json("trend", "-f", "json", "--every", "15m", "--tz", "Asia/Kolkata", str(path))
    starts = [b["start"] for b in got["buckets"]]
    assert starts[0] == "2024-03-25T05:30+05:30" and starts[-1] == "2024-03-25T09:15+05:30"
    assert len(starts) == 16 and sum(b["sessions"] for b in got["buckets"]) == 3


def test_filtered_trend_starts_at_the_first_matched_bucket(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "filtered.jsonl",
        [
            session("a", "2024-03-25T00:10:00Z"),
            session("b", "2024-03-25T02:20:00Z", answered=False),
            session("c", "2024-03-25T05:00:00Z", answered=False),
            session("d", "2024-03-25T09:00:00Z"),
        ],
    )
    got = run_json("trend", "-f", "json", "--status", "no answer", str(path))
    assert [(b["start"], b["sessions"]) for b in got["buckets"]] == [
        ("2024-03-25T02:00Z", 1),
        ("2024-03-25T03:00Z", 0),
        ("2024-03-25T04:00Z", 0),
        ("2024-03-25T05:00Z", 1),
    ]


# ---------------------------------------------------------------------------------------------
# Europe/London across the daylight-saving changes of 2024

SPRING = {  # UTC instant → London local day
    "2024-03-30T12:00:00Z": "2024-03-30",
    "2024-03-30T23:59:59Z": "2024-03-30",
    "2024-03-31T00:00:00Z": "2024-03-31",  # 00:00 GMT
    "2024-03-31T00:59:59.5Z": "2024-03-31",  # 00:59:59 GMT, the last second before the jump
    "2024-03-31T01:00:00Z": "2024-03-31",  # 02:00 BST
    "2024-03-31T12:00:00+01:00": "2024-03-31",
    "2024-03-31T22:59:59Z": "2024-03-31",  # 23:59:59 BST
    "2024-03-31T23:00:00Z": "2024-04-01",  # 00:00 BST
    "2024-04-01T09:00:00Z": "2024-04-01",
}
FALL = {
    "2024-10-26T12:00:00Z": "2024-10-26",
    "2024-10-26T22:59:59Z": "2024-10-26",  # 23:59:59 BST
    "2024-10-26T23:00:00Z": "2024-10-27",  # 00:00 BST
    "2024-10-27T00:30:00Z": "2024-10-27",  # 01:30 BST, the first 01:30
    "2024-10-27T01:30:00Z": "2024-10-27",  # 01:30 GMT, the second 01:30
    "2024-10-27T02:15:00+01:00": "2024-10-27",  # 01:15Z: 01:15 GMT
    "2024-10-27T23:59:59Z": "2024-10-27",  # 23:59:59 GMT
    "2024-10-28T00:00:00Z": "2024-10-28",
}


def dst_file(tmp_path: Path, name: str, starts: dict[str, str]) -> Path:
    payloads = [session(f"{name}-{i}", s, answered=i % 3 != 0) for i, s in enumerate(starts)]
    return write(tmp_path, f"{name}.jsonl", payloads)


@pytest.mark.parametrize(
    ("name", "starts", "want", "lengths"),
    [
        (
            "spring",
            SPRING,
            [
                ("2024-03-30T00:00+00:00", 2),
                ("2024-03-31T00:00+00:00", 5),
                ("2024-04-01T00:00+01:00", 2),
            ],
            [24, 23],
        ),
        (
            "fall",
            FALL,
            [
                ("2024-10-26T00:00+01:00", 2),
                ("2024-10-27T00:00+01:00", 5),
                ("2024-10-28T00:00+00:00", 1),
            ],
            [24, 25],
        ),
    ],
)
def test_london_day_buckets_are_23_and_25_hours(
    tmp_path: Path,
    name: str,
    starts: dict[str, str],
    want: list[tuple[str, int]],
    lengths: list[int],
) -> None:
    path = dst_file(tmp_path, name, starts)
    got = run_json("trend", "-f", "json", "--every", "1d", "--tz", LONDON, str(path))
    assert got["tz"] == LONDON
    assert [(b["start"], b["sessions"]) for b in got["buckets"]] == want
    instants = [as_instant(b["start"]) for b in got["buckets"]]
    assert [(b - a) / HOUR for a, b in pairwise(instants)] == lengths
    assert compare(got["buckets"], without_utc(oracle_buckets(path, "1d", LONDON)["buckets"])) == []
    # the same days through --by day, and date-only bounds at local midnight
    days = run_json("stats", "-f", "json", "--by", "day", "--tz", LONDON, str(path))["groups"]
    expected_days: dict[str, int] = {}
    for day in starts.values():
        expected_days[day] = expected_days.get(day, 0) + 1
    assert {g["key"]: g["sessions"] for g in days} == expected_days
    middle = want[1][0][:10]
    following = want[2][0][:10]
    got_day = run_json(
        "stats", "-f", "json", "--since", middle, "--until", following, "--tz", LONDON, str(path)
    )
    assert got_day["input"]["matched"] == want[1][1]


def test_london_hours_across_spring_forward(tmp_path: Path) -> None:
    path = dst_file(tmp_path, "spring", SPRING)
    got = run_json("trend", "-f", "json", "--every", "1h", "--tz", LONDON, str(path))
    buckets = got["buckets"]
    assert_hourly_and_distinct(buckets)
    starts = [b["start"] for b in buckets]
    i = starts.index("2024-03-31T00:00+00:00")
    assert starts[i - 1 : i + 3] == [
        "2024-03-30T23:00+00:00",
        "2024-03-31T00:00+00:00",
        "2024-03-31T02:00+01:00",  # no 01:00 that night
        "2024-03-31T03:00+01:00",
    ]
    assert [b["sessions"] for b in buckets[i - 1 : i + 2]] == [1, 2, 1]
    assert not any(s.startswith("2024-03-31T01:") for s in starts)
    assert all(s.endswith("+00:00") for s in starts[: i + 1])
    assert all(s.endswith("+01:00") for s in starts[i + 1 :])
    assert compare(buckets, without_utc(oracle_buckets(path, "1h", LONDON)["buckets"])) == []


def test_london_hours_across_fall_back(tmp_path: Path) -> None:
    path = dst_file(tmp_path, "fall", FALL)
    got = run_json("trend", "-f", "json", "--every", "1h", "--tz", LONDON, str(path))
    buckets = got["buckets"]
    assert_hourly_and_distinct(buckets)
    pairs = [(b["start"], b["sessions"]) for b in buckets]
    i = pairs.index(("2024-10-27T00:00+01:00", 1))
    assert pairs[i : i + 4] == [
        ("2024-10-27T00:00+01:00", 1),
        ("2024-10-27T01:00+01:00", 1),  # the first 01:00, summer time
        ("2024-10-27T01:00+00:00", 2),  # the second 01:00, winter time
        ("2024-10-27T02:00+00:00", 0),
    ]
    assert compare(buckets, without_utc(oracle_buckets(path, "1h", LONDON)["buckets"])) == []
    hours = run_json("stats", "-f", "json", "--by", "hour", "--tz", LONDON, str(path))["groups"]
    by_key = {g["key"]: g["sessions"] for g in hours}
    assert by_key["2024-10-27T01:00+00:00"] == 2 and by_key["2024-10-27T01:00+01:00"] == 1
    sessions = load_sessions([path.read_bytes()])
    assert compare(hours, groups(sessions, "hour", LONDON)) == []


def assert_hourly_and_distinct(buckets: list[dict[str, Any]]) -> None:
    starts = [b["start"] for b in buckets]
    assert len(set(starts)) == len(starts), "a bucket start is printed twice"
    instants = [as_instant(s) for s in starts]
    assert all(b - a == HOUR for a, b in pairwise(instants)), "a missing or extra hour"


def test_london_quarter_hours_and_both_changes_in_one_run(tmp_path: Path) -> None:
    path = dst_file(tmp_path, "both", {**SPRING, **FALL})
    sessions = load_sessions([path.read_bytes()])
    got = run_json("trend", "-f", "json", "--every", "1d", "--tz", LONDON, str(path))
    instants = [as_instant(b["start"]) for b in got["buckets"]]
    lengths = [(b - a) / HOUR for a, b in pairwise(instants)]
    assert lengths.count(23) == 1 and lengths.count(25) == 1
    assert set(lengths) == {23, 24, 25}
    assert sum(b["sessions"] for b in got["buckets"]) == len(sessions)
    assert compare(got["buckets"], without_utc(trend(sessions, "1d", LONDON)["buckets"])) == []
    f = Filters(since="2024-10-27T00:00:00+01:00", until="2024-10-27T03:00:00+00:00", tz=LONDON)
    quarter = run_json("trend", "-f", "json", "--every", "15m", *f.args(), str(path))
    want = trend(apply(sessions, f), "15m", LONDON)
    assert compare(quarter["buckets"], without_utc(want["buckets"])) == []
    assert [b["start"] for b in quarter["buckets"]][:2] == [
        "2024-10-27T00:00+01:00",
        "2024-10-27T00:15+01:00",
    ]
    assert "2024-10-27T01:15+00:00" in [b["start"] for b in quarter["buckets"]]


def test_half_hour_daylight_saving_shift(tmp_path: Path) -> None:
    """Australia/Lord_Howe springs forward by 30 minutes (2024-10-06 02:00 +10:30 → 02:30
    +11:00, 15:30Z): local hour 01 is 14:30Z-15:30Z, local hour 02 only 15:30Z-16:00Z. Hour
    buckets must not overlap, and a session at 02:40 local is in the local hour 02."""
    starts = {
        "2024-10-05T14:45:00Z": "01:15 +10:30",
        "2024-10-05T15:10:00Z": "01:40 +10:30",
        "2024-10-05T15:40:00Z": "02:40 +11:00",
        "2024-10-05T16:10:00Z": "03:10 +11:00",
    }
    path = write(tmp_path, "lord-howe.jsonl", [session(f"lh{i}", s) for i, s in enumerate(starts)])
    got = run_json("trend", "-f", "json", "--tz", "Australia/Lord_Howe", str(path))
    pairs = [(b["start"], b["sessions"]) for b in got["buckets"]]
    instants = [as_instant(start) for start, _ in pairs]
    assert instants == sorted(instants)
    # each bucket starts after the previous one's local hour is over (no overlap)
    assert instants[1] >= datetime(2024, 10, 5, 15, 30, tzinfo=UTC), pairs
    assert pairs == [
        ("2024-10-06T01:00+10:30", 2),
        ("2024-10-06T02:30+11:00", 1),
        ("2024-10-06T03:00+11:00", 1),
    ]
