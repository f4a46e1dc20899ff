"""Stats: add/merge/identity, exact nearest-rank percentiles, bands and flags."""

from __future__ import annotations

import itertools
import pickle
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vss.aggregate import Stats, dist, mos_bands
from vss.records import Number, Session

STATUSES = [
    "COMPLETED",
    "NO_ANSWER",
    "BUSY",
    "CANCELED",
    "FAILED",
    "ERROR",
    "odd one",
    7,
    True,
    ["COMPLETED"],  # unhashable: (missing), like any non-string
]
numbers = st.one_of(
    st.integers(-5, 200),
    st.floats(0, 6, allow_nan=False).map(lambda x: round(x, 1)),
    st.sampled_from(["4.5", " 13 ", "n/a", None, True, False, 1.0, [1], {"a": 1}]),
)
stamps = st.one_of(
    st.integers(0, 10_000).map(
        lambda s: f"2024-03-25T{s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z"
    ),
    st.sampled_from(["garbage", None, "2024-03-25T06:01:30.250+08:00"]),
)


@st.composite
def legs(draw: st.DrawFn) -> dict[str, Any]:
    leg: dict[str, Any] = {
        "callStatus": draw(st.sampled_from(STATUSES)),
        "callDuration": draw(numbers),
        "initiatedTimestamp": draw(stamps),
        "connectedTimestamp": draw(stamps),
        "destinationCountryCode": draw(st.sampled_from(["SG", "MY", None])),
    }
    if draw(st.booleans()):
        leg["callQuality"] = {"mos": draw(numbers), "jitter": draw(numbers)}
        leg["callQuality"]["packetLossRate"] = draw(numbers)
    if draw(st.integers(0, 4)) == 0:
        leg["errorDetails"] = {"errorCode": draw(st.sampled_from([-2004, "-2010", "abc", None]))}
    return leg


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    keys = draw(st.lists(st.sampled_from(["callA", "callB", "callC"]), unique=True, max_size=3))
    payload: dict[str, Any] = {
        "sessionId": "x",
        "sessionStatus": draw(st.sampled_from(STATUSES)),
        "startTime": draw(stamps),
        "endTime": draw(stamps),
        "details": {key: draw(legs()) for key in keys},
    }
    if draw(st.booleans()):
        message = draw(st.sampled_from(["boom", "bang", None]))
        code = draw(st.sampled_from([-2004, -2001, -3001, "E42", 12.0]))
        payload["errorDetails"] = {"errorCode": code, "errorMsg": message}
    return Session(payload["sessionId"], payload)


def one_pass(records: list[Session]) -> Stats:
    stats = Stats()
    for record in records:
        stats.add(record)
    return stats


@settings(max_examples=150, deadline=None)
@given(st.lists(sessions(), max_size=30), st.lists(st.integers(0, 30), max_size=4))
def test_any_split_merged_equals_one_pass(records: list[Session], cuts: list[int]) -> None:
    bounds = sorted({0, len(records), *(min(c, len(records)) for c in cuts)})
    merged = Stats()
    for lo, hi in itertools.pairwise(bounds):
        merged.merge(one_pass(records[lo:hi]))
    expected = one_pass(records).to_dict()
    assert merged.to_dict() == expected
    # key order and the spelling of numbers (13 vs 13.0) too
    assert repr(merged.to_dict()) == repr(expected)


@settings(max_examples=150, deadline=None)
@given(st.lists(sessions(), max_size=30), st.lists(st.integers(0, 30), max_size=4))
def test_blocks_of_any_size_equal_one_by_one(records: list[Session], cuts: list[int]) -> None:
    """`add_block` (the hot path, values counted per block) equals adding one at a time."""
    bounds = sorted({0, len(records), *(min(c, len(records)) for c in cuts)})
    blocks = Stats()
    for lo, hi in itertools.pairwise(bounds):
        blocks.add_block([record.payload for record in records[lo:hi]])
    expected = one_pass(records).to_dict()
    assert repr(blocks.to_dict()) == repr(expected)


@settings(max_examples=50, deadline=None)
@given(st.lists(sessions(), max_size=10))
def test_identity_and_pickle(records: list[Session]) -> None:
    stats = one_pass(records)
    assert Stats().merge(stats).to_dict() == stats.to_dict()
    assert stats.merge(Stats()).to_dict() == one_pass(records).to_dict()
    assert pickle.loads(pickle.dumps(stats)).to_dict() == stats.to_dict()


def _sorted_values(counter: Counter[Number]) -> list[Number]:
    return sorted(counter.elements())


@given(st.lists(st.integers(-50, 50) | st.floats(-5, 5, allow_nan=False), min_size=1))
def test_dist_is_exact_nearest_rank(values: list[Number]) -> None:
    counter: Counter[Number] = Counter(values)
    got = dist(counter)
    ordered = sorted(values)
    n = len(ordered)
    for p in (50, 90, 95, 99):
        rank = -(-p * n // 100)
        assert got[f"p{p}"] == ordered[rank - 1]
    assert got["count"] == n
    assert got["min"] == ordered[0]
    assert got["max"] == ordered[-1]
    assert abs(got["mean"] - sum(ordered) / n) <= 1e-9 * max(1.0, abs(sum(ordered) / n))


def test_dist_known_values() -> None:
    got = dist(Counter(range(1, 101)))
    assert (got["p50"], got["p90"], got["p95"], got["p99"]) == (50, 90, 95, 99)
    assert got["mean"] == 50.5
    empty = dist(Counter())
    assert empty == {
        "count": 0,
        "mean": None,
        "min": None,
        "p50": None,
        "p90": None,
        "p95": None,
        "p99": None,
        "max": None,
    }


def test_mos_band_bounds_are_inclusive_below() -> None:
    bands = mos_bands(Counter({4.3: 1, 4.29: 1, 4.0: 1, 3.6: 1, 3.1: 1, 3.09: 1, 1: 1}))
    assert bands == {"excellent": 1, "good": 2, "fair": 1, "poor": 1, "bad": 2}


def test_ratios_are_null_without_denominator() -> None:
    report = Stats().to_dict()
    kpi = report["kpi"]
    assert kpi["asr"] is None and kpi["ner"] is None and kpi["acd_s"] is None
    assert kpi["error_rate"] is None and kpi["success_rate"] is None
    assert report["period"] == {"first_start": None, "last_end": None}
    assert report["status"] == {} and report["errors"] == {} and report["legs"] == {}


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(sessions(), st.sampled_from(["taken", "kept", "other"])), max_size=30),
    st.lists(st.integers(0, 30), max_size=4),
)
def test_taking_back_equals_never_adding(
    marked: list[tuple[Session, str]], cuts: list[int]
) -> None:
    """`subtract` (copies found to be duplicates after a merge) leaves what adding only the
    others gives, values spelled differently in blocks of any size included; the period
    too, unless `subtract` says it is in doubt: the sessions taken back reach one of its
    ends and those said to be kept do not."""
    records = [record for record, _ in marked]
    taken = [record for record, mark in marked if mark == "taken"]
    kept = [record for record, mark in marked if mark == "kept"]
    bounds = sorted({0, len(records), *(min(c, len(records)) for c in cuts)})
    total = Stats()
    for lo, hi in itertools.pairwise(bounds):
        total.add_block([record.payload for record in records[lo:hi]])
    period_in_doubt = total.subtract(one_pass(taken), one_pass(kept))
    got = total.to_dict()
    expected = one_pass([record for record, mark in marked if mark != "taken"]).to_dict()
    if period_in_doubt:
        assert got["period"] != expected["period"] or taken
        got.pop("period")
        expected.pop("period")
    assert repr(got) == repr(expected)
