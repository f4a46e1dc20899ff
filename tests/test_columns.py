"""`block_columns`: the C-level column passes gather what the row loop gathers, on any block."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vss import columns
from vss.columns import Columns, block_columns

# JSON values as orjson gives them (no NaN: JSON has none), biased to the fields' real types
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["COMPLETED", " busy ", "no answer", "", "13", "4.5", "x"]),
    st.sampled_from(
        ["2024-03-25T06:01:30Z", "2024-03-25T06:01:31.5+01:00", "2024-13-01T00:00:00Z"]
    ),
)
nested = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner, max_size=2)
    ),
    max_leaves=4,
)
values = st.one_of(scalars, scalars, scalars, scalars, nested)  # mostly regular blocks
errors = st.one_of(
    st.none(),
    st.fixed_dictionaries({"errorCode": values, "errorMsg": values}),
    st.lists(st.fixed_dictionaries({"errorCode": values}), max_size=2),
    values,
)
quality = st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional={"mos": values, "jitter": values, "packetLossRate": values}),
    values,
)
leg = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "callStatus": values,
            "callDuration": values,
            "connectedTimestamp": values,
            "initiatedTimestamp": values,
            "callQuality": quality,
            "errorDetails": errors,
        },
    ),
    st.just({"callStatus": "BUSY"}),
    nested,
)
details = st.one_of(
    st.dictionaries(st.sampled_from(["callA", "callB", "callC", "x"]), leg, max_size=3),
    st.dictionaries(st.sampled_from(["callA", "callB"]), leg, max_size=2),
    nested,
)


@st.composite
def payloads(draw: st.DrawFn) -> dict[str, Any]:
    payload: dict[str, Any] = {"sessionId": draw(st.text(max_size=3))}
    optional = {
        "sessionStatus": values,
        "startTime": values,
        "endTime": values,
        "details": details,
        "errorDetails": errors,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            payload[key] = draw(strategy)
    return payload


REGULAR = {
    "sessionId": "r",
    "sessionStatus": "COMPLETED",
    "startTime": "2024-03-25T06:01:30Z",
    "endTime": "2024-03-25T06:02:30Z",
    "details": {
        "callA": {
            "callStatus": "COMPLETED",
            "callDuration": 60,
            "initiatedTimestamp": "2024-03-25T06:01:28Z",
            "connectedTimestamp": "2024-03-25T06:01:30Z",
            "callQuality": {"mos": 4.4, "jitter": 3, "packetLossRate": 0},
        },
        "callB": {"callStatus": "NO_ANSWER", "callDuration": 0, "callQuality": None},
    },
}


def by_rows(block: list[dict[str, Any]]) -> Columns:
    return columns._by_rows(block)


@settings(max_examples=400, deadline=None)
@given(st.lists(payloads(), max_size=6), st.integers(0, 3))
def test_columns_gather_what_rows_gather(block: list[dict[str, Any]], regular: int) -> None:
    block = block + [REGULAR] * regular
    found = columns._by_columns(block) if _hashable_enough(block) else None
    expected = by_rows(block)
    if found is not None:
        assert _same(found, expected)
    assert _same(block_columns(block), expected)


def _hashable_enough(block: list[dict[str, Any]]) -> bool:
    """`_by_columns` may raise TypeError on unhashable values (`block_columns` catches it)."""
    try:
        columns._by_columns(block)
    except TypeError:
        return False
    return True


def _same(a: Columns, b: Columns) -> bool:
    """Equal, with the legs compared per key (their order in the dictionary is free)."""
    return (
        a.status == b.status
        and a.first_start == b.first_start
        and a.last_end == b.last_end
        and a.legs == b.legs
        and call_b(a) == call_b(b)
        and [id(p) for p in a.errored] == [id(p) for p in b.errored]
    )


def call_b(found: Columns) -> dict[tuple[str, Any], int]:
    """The callB legs of a block, settled: (status name, duration) → count, whether they
    were gathered settled (by rows) or as found (by columns)."""
    out = dict(found.call_b)
    if found.call_b_found is not None:
        for status, duration in zip(*found.call_b_found, strict=True):
            key = (columns.settled_status(status), columns.number(duration))
            out[key] = out.get(key, 0) + 1
    return out


def test_a_regular_block_is_read_by_columns() -> None:
    block = [REGULAR, {**REGULAR, "errorDetails": {"errorCode": -2004}}]
    found = columns._by_columns(block)
    assert found is not None
    assert found.status == {"COMPLETED": 2}
    assert call_b(found) == {("NO_ANSWER", 0): 2}
    assert found.legs["callA"][2] == [2.0, 2.0]  # answer times, seconds
    assert found.legs["callB"][3] == []  # no callQuality object
    assert found.errored == [block[1]]


def test_irregular_blocks_take_the_row_loop() -> None:
    odd = {**REGULAR, "details": {"callA": [1], "callB": {}}}
    assert columns._by_columns([REGULAR, odd]) is None
    flag = {**REGULAR, "details": {"callB": {"callStatus": "COMPLETED", "callDuration": True}}}
    assert columns._by_columns([flag]) is None  # True would count as the duration 1
    assert block_columns([flag]).call_b == {("COMPLETED", None): 1}
