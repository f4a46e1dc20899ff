"""SPEC §6 `--by KEY` groups and §7 `trend` buckets: a `Stats` per group, mergeable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from vss.aggregate import Stats, ratio
from vss.filters import from_micros, to_micros
from vss.records import Session, text
from vss.timestamps import timestamp

GROUP_KEYS = (
    "subaccount",
    "status",
    "day",
    "hour",
    "destination-country",
    "source-country",
    "virtual-number",
    "last-action",
)
OTHER = "(other)"
EVERY = {"15m": 15 * 60, "1h": 3600, "1d": 86400}
KeyFunction = Callable[[Session], str | None]


def offset_text(moment: datetime) -> str:
    """`Z` for UTC, else `+01:00`."""
    offset = moment.utcoffset() or timedelta(0)
    if moment.tzinfo is UTC:
        return "Z"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def minute_text(micros: int, zone: tzinfo) -> str:
    """`2024-03-25T06:00Z`, or with a zone `2024-03-25T07:00+01:00`."""
    moment = from_micros(micros, zone)
    return moment.strftime("%Y-%m-%dT%H:%M") + offset_text(moment)


def key_function(by: str, zone: tzinfo = UTC) -> KeyFunction:
    """The group key of a session for `--by KEY` (None: the key is missing)."""
    if by == "subaccount":
        return lambda s: s.field("subAccountId")
    if by == "status":
        return lambda s: s.status
    if by == "day":
        return lambda s: None if s.start is None else from_micros(s.start, zone).date().isoformat()
    if by == "hour":
        return lambda s: None if s.start is None else minute_text(hour_start(s.start, zone), zone)
    if by == "destination-country":
        return Session.destination_country
    if by == "source-country":

        def source_country(s: Session) -> str | None:
            leg = s.legs.get("callA")
            return None if leg is None else text(leg.raw.get("sourceCountryCode"))

        return source_country
    if by == "virtual-number":
        return Session.virtual_number
    if by == "last-action":
        return lambda s: s.field("lastAction")
    raise ValueError(f"unknown key {by!r} (accepted: {', '.join(GROUP_KEYS)})")


def hour_start(micros: int, zone: tzinfo) -> int:
    """The start of the local hour holding `micros`."""
    return bucket_start(micros, 3600, zone)


def bucket_start(micros: int, step: int, zone: tzinfo) -> int:
    """The start of the `step`-second bucket holding `micros`, aligned on local time.

    A 1-day bucket runs from local midnight to local midnight, so it is 23 or 25 hours long
    on a daylight-saving day; an hour that the clock enters part-way (a 30-minute change)
    starts at the change.
    """
    if step >= 86400:
        day = from_micros(micros, zone).date()
        return to_micros(datetime(day.year, day.month, day.day, tzinfo=zone))
    step_us = step * 1_000_000
    if zone is UTC:
        return micros - micros % step_us
    offset = _offset_us(micros, zone)
    local = micros + offset
    start = local - local % step_us - offset
    if _offset_us(start, zone) == offset:
        return start
    # the clock changed inside this local bucket: find the change, to the minute
    low, high = start // _MINUTE, micros // _MINUTE
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_us(middle * _MINUTE, zone) == offset:
            high = middle
        else:
            low = middle
    return high * _MINUTE


_MINUTE = 60_000_000


def _offset_us(micros: int, zone: tzinfo) -> int:
    offset = from_micros(micros, zone).utcoffset() or timedelta(0)
    return (offset.days * 86400 + offset.seconds) * 1_000_000


def group_row(key: str | None, stats: Stats, total: int) -> dict[str, Any]:
    """One row of `vss.groups/1`."""
    codes = stats.ordered_codes()
    return {
        "key": key,
        "sessions": stats.input.matched,
        "share": ratio(stats.input.matched, total),
        "asr": ratio(stats.answered, stats.attempted),
        "acd_s": stats.acd(),
        "error_rate": ratio(stats.status.get("ERROR", 0), stats.input.matched),
        "mos_p50": stats.mos_p50(),
        "top_error": codes[0] if codes else None,
    }


@dataclass(slots=True)
class Groups:
    """A `Stats` per group key; merge adds the groups of a later part."""

    groups: dict[str | None, Stats] = field(default_factory=dict)

    def add_block(
        self, key_of: Callable[[Session], str | None], payloads: list[dict[str, Any]]
    ) -> None:
        """Count sessions (payload objects) in their groups."""
        members: dict[str | None, list[dict[str, Any]]] = {}
        for payload in payloads:
            key = key_of(Session(payload["sessionId"], payload))
            members.setdefault(key, []).append(payload)
        for key, found in members.items():
            stats = self.groups.get(key)
            if stats is None:
                stats = self.groups[key] = Stats()
            stats.add_block(found)

    def merge(self, other: Groups) -> Groups:
        """Fold in the groups of input that comes after this one's."""
        for key, stats in other.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                self.groups[key] = mine = Stats()
            mine.merge(stats)
        return self

    def subtract(self, other: Groups, kept: Groups) -> bool:
        """Take back sessions counted here too (`Stats.subtract`); groups show no period,
        so nothing is left in doubt: False."""
        _take_back(self.groups, other.groups)
        return False

    def rows(self, top: int | None = None) -> list[dict[str, Any]]:
        """Group rows by sessions descending, then key, the missing key last; `(other)`."""
        total = sum(s.input.matched for s in self.groups.values())
        ordered = sorted(
            self.groups.items(),
            key=lambda item: (item[0] is None, -item[1].input.matched, item[0] or ""),
        )
        if top is not None and len(ordered) > top:
            rest = Stats()
            for _, stats in ordered[top:]:
                rest.merge(stats)
            kept = [group_row(key, stats, total) for key, stats in ordered[:top]]
            return [*kept, group_row(OTHER, rest, total)]
        return [group_row(key, stats, total) for key, stats in ordered]


@dataclass(slots=True)
class Trend:
    """A `Stats` per time bucket of `startTime`; sessions without one are only counted."""

    step: int
    zone: tzinfo = UTC
    buckets: dict[int, Stats] = field(default_factory=dict)
    no_start: int = 0

    def add_block(self, payloads: list[dict[str, Any]]) -> None:
        """Count sessions (payload objects) in their buckets."""
        members: dict[int, list[dict[str, Any]]] = {}
        for payload in payloads:
            start = timestamp(payload.get("startTime"))
            if start is None:
                self.no_start += 1
                continue
            members.setdefault(bucket_start(start, self.step, self.zone), []).append(payload)
        for start, found in members.items():
            stats = self.buckets.get(start)
            if stats is None:
                stats = self.buckets[start] = Stats()
            stats.add_block(found)

    def merge(self, other: Trend) -> Trend:
        """Fold in the buckets of input that comes after this one's."""
        self.no_start += other.no_start
        for start, stats in other.buckets.items():
            mine = self.buckets.get(start)
            if mine is None:
                self.buckets[start] = mine = Stats()
            mine.merge(stats)
        return self

    def subtract(self, other: Trend, kept: Trend) -> bool:
        """Take back sessions counted here too (`Stats.subtract`); buckets show no period,
        so nothing is left in doubt: False."""
        self.no_start -= other.no_start
        _take_back(self.buckets, other.buckets)
        return False

    def starts(self) -> Iterator[int]:
        """Every bucket start from the first session's bucket to the last one's."""
        if not self.buckets:
            return
        current, last = min(self.buckets), max(self.buckets)
        while current <= last:
            yield current
            if self.step >= 86400:
                day = from_micros(current, self.zone).date() + timedelta(days=1)
                current = to_micros(datetime(day.year, day.month, day.day, tzinfo=self.zone))
            else:
                current = bucket_start(current + self.step * 1_000_000, self.step, self.zone)

    def rows(self) -> list[dict[str, Any]]:
        """`vss.trend/1` buckets in time order, empty ones included."""
        empty = Stats()
        rows = []
        for start in self.starts():
            stats = self.buckets.get(start, empty)
            rows.append(
                {
                    "start": minute_text(start, self.zone),
                    "sessions": stats.input.matched,
                    "asr": ratio(stats.answered, stats.attempted),
                    "error_rate": ratio(stats.status.get("ERROR", 0), stats.input.matched),
                    "mos_p50": stats.mos_p50(),
                }
            )
        return rows


def _take_back(parts: dict[Any, Stats], less: dict[Any, Stats]) -> None:
    """`Stats.subtract` per key; a key left with no session goes."""
    for key, stats in less.items():
        mine = parts[key]
        mine.subtract(stats, Stats())  # no period shown: none in doubt
        if not mine.input.matched:
            del parts[key]
