"""A block of session payloads → the values the aggregate counts, gathered column by column.

The hot path of every overview. A regular block (objects where objects are expected,
hashable values) is read by C-level passes (`map(dict.get, …)`, `collections` counting),
one per field over the whole block, with no Python code per session; anything else takes
the same loop row by row. Both give the same `Columns`.
"""

from __future__ import annotations

from collections import _count_elements  # type: ignore[attr-defined]
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, repeat
from operator import is_, is_not, sub, truediv
from typing import Any

from vss.timestamps import seen as _times
from vss.timestamps import timestamp
from vss.values import MISSING, metric, status_name
from vss.values import status_cache as _names

Number = int | float
# per leg key: its statuses, durations, answer times (seconds), MOS, jitter, packet loss;
# all but the answer times as found in the data
LegValues = tuple[list[Any], list[Any], list[float], list[Any], list[Any], list[Any]]


@dataclass(slots=True)
class Columns:
    """What a block of matched sessions adds to the aggregate."""

    status: dict[str, int] = field(default_factory=dict)  # session status name → count
    first_start: int | None = None
    last_end: int | None = None
    legs: dict[str, LegValues] = field(default_factory=dict)
    # callB legs: (status name, duration as a number or None) → count
    call_b: dict[tuple[str, Number | None], int] = field(default_factory=dict)
    # or (by columns) their statuses and durations as found, all of plain types
    call_b_found: tuple[list[Any], list[Any]] | None = None
    errored: list[dict[str, Any]] = field(default_factory=list)  # payloads with errorDetails


def block_columns(payloads: list[dict[str, Any]]) -> Columns:
    """The values of a block of session payloads (objects with a string sessionId)."""
    try:
        found = _by_columns(payloads)
    except TypeError:  # an unhashable value where a counted one was expected
        found = None
    return found if found is not None else _by_rows(payloads)


def number(value: Any) -> Number | None:
    """`metric`, with the common types taken as they are."""
    if type(value) is int or (type(value) is float and not value.is_integer()):
        return value
    return metric(value)


def settled_status(value: Any) -> str:
    """A status as found → its name (SPEC §2)."""
    if type(value) is not str:
        return MISSING
    return _names.get(value) or status_name(value)


_get = dict.get
_ABSENT: dict[str, Any] = {}  # stands for a missing details object or leg; never changed
_DICT = frozenset((dict,))
_DICT_OR_NONE = frozenset((dict, type(None)))
# values that can be counted as found (no bool: True == 1 as a key; no list: no key at all)
PLAIN_TYPES = frozenset((str, int, float, type(None)))
_present = partial(is_not, _ABSENT)
_not_none = partial(is_not, None)
_CALL_KEYS = ("callA", "callB")


def _times_of(values: list[Any]) -> list[int | None]:
    """Timestamps as found → microseconds (None: not one); one look-up each when seen."""
    micros: list[int | None] = list(map(_times.get, values))
    if None in micros and micros.count(None) != values.count(None):  # not all missing ones
        # the others are parsed (and then seen)
        micros = [timestamp(v) if m is None else m for m, v in zip(micros, values, strict=True)]
    return micros


def _by_columns(payloads: list[dict[str, Any]]) -> Columns | None:
    """`block_columns` by C-level passes; None when the block is not regular."""
    n = len(payloads)
    out = Columns()
    raw: dict[Any, int] = {}
    _count_elements(raw, map(_get, payloads, repeat("sessionStatus")))
    for value, count in raw.items():
        name = settled_status(value)
        out.status[name] = out.status.get(name, 0) + count
    starts = [t for t in _times_of(list(map(_get, payloads, repeat("startTime")))) if t is not None]
    ends = [t for t in _times_of(list(map(_get, payloads, repeat("endTime")))) if t is not None]
    out.first_start = min(starts) if starts else None
    out.last_end = max(ends) if ends else None
    details = list(map(_get, payloads, repeat("details"), repeat(_ABSENT)))
    if not _DICT.issuperset(map(type, details)):
        return None
    errors = list(map(_get, payloads, repeat("errorDetails")))
    errored = set() if errors.count(None) == n else _indexes(errors)
    legs_seen = 0
    for key in _CALL_KEYS:
        seen = _leg_column(out, key, details, errored)
        if seen is None:
            return None
        legs_seen += seen
    if legs_seen != sum(map(len, details)):  # other leg keys, in the order first met
        for key in dict.fromkeys(chain.from_iterable(details)):
            if key not in _CALL_KEYS and _leg_column(out, key, details, errored) is None:
                return None
    out.errored = [payloads[i] for i in sorted(errored)]
    return out


def _leg_column(
    out: Columns, key: str, details: list[dict[str, Any]], errored: set[int]
) -> int | None:
    """Gather the legs of one key (adding the sessions with errors there to `errored`);
    how many there are, or None when they are not regular."""
    legs = list(map(_get, details, repeat(key), repeat(_ABSENT)))
    absent = sum(map(is_, legs, repeat(_ABSENT)))
    if absent == len(legs):
        return 0
    present = list(filter(_present, legs)) if absent else legs
    if not _DICT.issuperset(map(type, present)) or not _add_legs(out, key, present):
        return None
    errors = list(map(_get, legs, repeat("errorDetails")))
    if errors.count(None) != len(legs):
        errored |= _indexes(errors)
    return len(present)


def _indexes(values: list[Any]) -> set[int]:
    """Where the values that are not None are."""
    return {i for i, value in enumerate(values) if value is not None}


def _add_legs(out: Columns, key: str, legs: list[dict[str, Any]]) -> bool:
    """Gather the values of the legs of one key; False when they are not regular."""
    statuses = list(map(_get, legs, repeat("callStatus")))
    durations = list(map(_get, legs, repeat("callDuration")))
    connected = _times_of(list(map(_get, legs, repeat("connectedTimestamp"))))
    initiated = _times_of(list(map(_get, legs, repeat("initiatedTimestamp"))))
    answers: list[float]
    if None in connected or None in initiated:
        answers = [
            (c - i) / 1_000_000
            for c, i in zip(connected, initiated, strict=True)
            if c is not None and i is not None
        ]
    else:
        answers = list(map(truediv, map(sub, connected, initiated), repeat(1_000_000)))
    found: list[Any] = list(map(_get, legs, repeat("callQuality")))
    kinds = set(map(type, found))
    qualities: list[dict[str, Any]]
    if kinds == _DICT:
        qualities = found
    elif _DICT_OR_NONE.issuperset(kinds):
        qualities = list(filter(_not_none, found))
    else:
        qualities = [q for q in found if type(q) is dict]
    values: LegValues = (
        statuses,
        durations,
        answers,
        list(map(_get, qualities, repeat("mos"))),
        list(map(_get, qualities, repeat("jitter"))),
        list(map(_get, qualities, repeat("packetLossRate"))),
    )
    out.legs[key] = values
    if key == "callB":
        if not (
            PLAIN_TYPES.issuperset(map(type, durations))
            and PLAIN_TYPES.issuperset(map(type, statuses))
        ):
            return False
        out.call_b_found = (statuses, durations)
    return True


_SESSION_KEYS = ("sessionStatus", "startTime", "endTime", "details", "errorDetails")
_LEG_KEYS = (
    "callStatus",
    "callDuration",
    "connectedTimestamp",
    "initiatedTimestamp",
    "callQuality",
    "errorDetails",
)
_QUALITY_KEYS = ("mos", "jitter", "packetLossRate")


def _by_rows(payloads: list[dict[str, Any]]) -> Columns:
    """`block_columns` one session at a time: any block."""
    out = Columns()
    status, legs, call_b, errored = out.status, out.legs, out.call_b, out.errored
    first_start, last_end = None, None
    for payload in payloads:
        value, start, end, details, errors = map(payload.get, _SESSION_KEYS)
        name = settled_status(value)
        status[name] = status.get(name, 0) + 1
        start = timestamp(start)
        if start is not None and (first_start is None or start < first_start):
            first_start = start
        end = timestamp(end)
        if end is not None and (last_end is None or end > last_end):
            last_end = end
        if errors is not None:
            errored.append(payload)
        if type(details) is not dict:
            continue
        for key, raw in details.items():
            if type(raw) is not dict:
                continue
            found = legs.get(key)
            if found is None:
                found = legs[key] = ([], [], [], [], [], [])
            statuses, durations, answers, moses, jitters, losses = found
            value, duration, connected, initiated, quality, errors = map(raw.get, _LEG_KEYS)
            statuses.append(value)
            durations.append(duration)
            if key == "callB":
                settled = (settled_status(value), number(duration))
                call_b[settled] = call_b.get(settled, 0) + 1
            connected, initiated = timestamp(connected), timestamp(initiated)
            if connected is not None and initiated is not None:
                answers.append((connected - initiated) / 1_000_000)
            if type(quality) is dict:
                value, jitter, loss = map(quality.get, _QUALITY_KEYS)
                moses.append(value)
                jitters.append(jitter)
                losses.append(loss)
            if errors is not None and (not errored or errored[-1] is not payload):
                errored.append(payload)
    out.first_start, out.last_end = first_start, last_end
    return out
