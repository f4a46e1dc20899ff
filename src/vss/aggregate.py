"""`Stats`: the mergeable aggregate of SPEC §3-§4, and the figures derived from it at the end.

State is only what merges by addition: counters and value counters (exact percentiles are
taken from the distinct values and their counts, so memory grows with distinct values, not
with lines). `Stats()` is the identity of `merge`; `a.merge(b)` must be called with `b`
covering input that comes after `a`'s, so that the first-seen spelling of equal numbers
(13 before 13.0) is the same whatever the split.
"""

from __future__ import annotations

import math
from collections import Counter, _count_elements  # type: ignore[attr-defined]
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from vss.columns import PLAIN_TYPES, LegValues, block_columns, settled_status
from vss.columns import number as number_of
from vss.records import (
    BUSY,
    CANONICAL_STATUSES,
    CATALOG,
    COMPLETED,
    ERROR,
    NO_ANSWER,
    UNKNOWN_ERROR,
    Code,
    Number,
    Session,
    code_sort_key,
)
from vss.timestamps import format_timestamp
from vss.values import metric, status_name

SCHEMA = "vss.stats/1"
PERCENTILES = (50, 90, 95, 99)
SHORT_CALL_S = 10
HIGH_JITTER_MS = 30
HIGH_PACKET_LOSS = 0.01
LOW_MOS = 3.5
# Lower bounds, inclusive (SPEC §3).
MOS_BANDS = (("excellent", 4.3), ("good", 4.0), ("fair", 3.6), ("poor", 3.1), ("bad", -math.inf))
ANSWERED_LIKE = frozenset((COMPLETED, BUSY, NO_ANSWER))  # NER numerator (ITU-T E.425)


@dataclass(slots=True)
class InputCounts:
    """How the input lines were classified (SPEC §2); they add up to `lines`."""

    files: list[str] = field(default_factory=list)
    lines: int = 0
    blank: int = 0
    malformed: int = 0
    invalid: int = 0
    other_events: int = 0
    duplicates: int = 0
    conflicts: int = 0
    sessions: int = 0
    matched: int = 0

    def merge(self, other: InputCounts) -> None:
        """Add another part's counts (`files` is the caller's: parts may share a file)."""
        for f in fields(self):
            if f.name != "files":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def to_dict(self) -> dict[str, Any]:
        """The `input` object of SPEC §4 (undecodable bytes of file names as `\\xe9`)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["files"] = [
            name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            for name in self.files
        ]
        return out


@dataclass(slots=True)
class LegStats:
    """Everything kept about the legs of one key (callA, callB, ...).

    While counting, `status`, `duration`, `mos`, `jitter` and `packet_loss` count values
    as found in the data (strings, integral floats, None for a missing field): the rules
    of SPEC §2 are applied once per distinct value by `settled`, which the figures are
    taken from. `answer` holds seconds already.
    """

    count: int = 0
    status: dict[Any, int] = field(default_factory=dict)
    duration: dict[Any, int] = field(default_factory=dict)
    answer: dict[float, int] = field(default_factory=dict)
    mos: dict[Any, int] = field(default_factory=dict)
    jitter: dict[Any, int] = field(default_factory=dict)
    packet_loss: dict[Any, int] = field(default_factory=dict)

    def merge(self, other: LegStats) -> None:
        """Add another part's legs of the same key."""
        self.count += other.count
        for name in ("status", "duration", "answer", "mos", "jitter", "packet_loss"):
            add_counts(getattr(self, name), getattr(other, name))

    def subtract(self, other: LegStats) -> None:
        """Take back legs counted here too (see `Stats.subtract`). Values are counted as
        found, and the same value may be spelled differently in the two (`"4.5"`, 4.5), so
        both are first put in the form `settled` reads, where it is spelled one way."""
        self.count -= other.count
        for name in ("status", "duration", "answer", "mos", "jitter", "packet_loss"):
            mine = _unspelled(name, getattr(self, name))
            take_counts(mine, _unspelled(name, getattr(other, name)))
            setattr(self, name, mine)

    def add_values(self, found: LegValues) -> None:
        """Count a block's values as found (statuses, durations, answer times, MOS,
        jitter, packet loss), by C code: when a list holds only plain types, as they are;
        else (True equals 1 as a key, a list is no key) each made plain first."""
        statuses, durations, answers, moses, jitters, losses = found
        self.count += len(statuses)
        _count_plain(self.status, statuses, _text)
        _count_plain(self.duration, durations, metric)
        _count_elements(self.answer, answers)
        _count_plain(self.mos, moses, metric)
        _count_plain(self.jitter, jitters, metric)
        _count_plain(self.packet_loss, losses, metric)

    def settled(self) -> LegStats:
        """The same legs with values normalized (SPEC §2): statuses by name, numbers as
        int or float (13.0 and "13" are 13), missing and unreadable values left out."""
        out = LegStats(self.count, answer=dict(self.answer))
        for value, n in self.status.items():
            name = status_name(value)
            out.status[name] = out.status.get(name, 0) + n
        for name in ("duration", "mos", "jitter", "packet_loss"):
            counts = getattr(out, name)
            for value, n in getattr(self, name).items():
                number = number_of(value)
                if number is not None:
                    counts[number] = counts.get(number, 0) + n
        return out


@dataclass(slots=True)
class Stats:
    """The aggregate of SPEC §4 over matched sessions, plus the input counters."""

    input: InputCounts = field(default_factory=InputCounts)
    first_start: int | None = None
    last_end: int | None = None
    status: dict[str, int] = field(default_factory=dict)
    # the KPIs of the callB legs (read through the properties of the same names)
    _attempted: int = 0
    _answered: int = 0
    _reached: int = 0  # callB COMPLETED, BUSY or NO_ANSWER
    _short_calls: int = 0
    _answered_duration: dict[Number, int] = field(default_factory=dict)
    # callB legs not yet in the KPIs, as found: (status, duration) → count
    _call_b_found: dict[tuple[Any, Any], int] = field(default_factory=dict)
    codes: Counter[Code] = field(default_factory=Counter)
    code_countries: Counter[tuple[Code, str | None]] = field(default_factory=Counter)
    code_messages: dict[Code, Counter[str]] = field(default_factory=dict)
    legs: dict[str, LegStats] = field(default_factory=dict)

    def add(self, session: Session) -> None:
        """Count one matched session."""
        self.add_block([session.payload])

    def add_block(self, payloads: list[dict[str, Any]]) -> None:
        """Count matched sessions, given as their payload objects (with a string sessionId).

        The hot path of every overview: the block's values are gathered by
        `block_columns`; those of the legs are counted as found by `LegStats.add_values`,
        to be normalized once per distinct value by `LegStats.settled`.
        """
        columns = block_columns(payloads)
        self.input.matched += len(payloads)
        add_counts(self.status, columns.status)
        start, end = columns.first_start, columns.last_end
        if start is not None and (self.first_start is None or start < self.first_start):
            self.first_start = start
        if end is not None and (self.last_end is None or end > self.last_end):
            self.last_end = end
        legs = self.legs
        for key, values in columns.legs.items():
            stats = legs.get(key)
            if stats is None:
                stats = legs[key] = LegStats()
            stats.add_values(values)
        if columns.call_b_found is not None:  # counted as found, settled when read
            _count_elements(self._call_b_found, zip(*columns.call_b_found, strict=True))
        for (name, duration), count in columns.call_b.items():
            self._add_call_b(name, duration, count)
        for payload in columns.errored:
            self._add_errors(Session(payload["sessionId"], payload))

    def _add_call_b(self, name: str, duration: Number | None, count: int) -> None:
        """The KPIs of `count` callB legs of this status and duration."""
        self._attempted += count
        if name == COMPLETED:
            self._answered += count
            self._reached += count
            if duration is not None:
                counts = self._answered_duration
                counts[duration] = counts.get(duration, 0) + count
                if duration < SHORT_CALL_S:
                    self._short_calls += count
        elif name in ANSWERED_LIKE:
            self._reached += count

    def _settle(self) -> Stats:
        """Add the callB legs counted as found to the KPIs; returns self."""
        found = self._call_b_found
        if found:
            for (status, duration), count in found.items():
                self._add_call_b(settled_status(status), number_of(duration), count)
            found.clear()
        return self

    @property
    def attempted(self) -> int:
        """Sessions with a callB leg."""
        return self._settle()._attempted

    @property
    def answered(self) -> int:
        """Sessions whose callB leg is COMPLETED."""
        return self._settle()._answered

    @property
    def reached(self) -> int:
        """Sessions whose callB leg is COMPLETED, BUSY or NO_ANSWER."""
        return self._settle()._reached

    @property
    def short_calls(self) -> int:
        """Answered sessions whose callB leg lasted under SHORT_CALL_S seconds."""
        return self._settle()._short_calls

    @property
    def answered_duration(self) -> dict[Number, int]:
        """The callB durations of answered sessions, counted."""
        return self._settle()._answered_duration

    def _add_errors(self, session: Session) -> None:
        country = session.destination_country()
        for code in session.codes():
            self.codes[code] += 1
            self.code_countries[code, country] += 1
        for place in session.errors:
            if place.message is not None and place.code not in CATALOG:
                messages = self.code_messages.get(place.code)
                if messages is None:
                    messages = self.code_messages[place.code] = Counter()
                messages[place.message] += 1

    def merge(self, other: Stats) -> Stats:
        """Fold in the aggregate of input that comes after this one's; returns self."""
        self.input.merge(other.input)
        if other.first_start is not None and (
            self.first_start is None or other.first_start < self.first_start
        ):
            self.first_start = other.first_start
        if other.last_end is not None and (self.last_end is None or other.last_end > self.last_end):
            self.last_end = other.last_end
        add_counts(self.status, other.status)
        self._settle()
        self._attempted += other.attempted
        self._answered += other.answered
        self._reached += other.reached
        self._short_calls += other.short_calls
        add_counts(self._answered_duration, other.answered_duration)
        self.codes.update(other.codes)
        self.code_countries.update(other.code_countries)
        for code, messages in other.code_messages.items():
            self.code_messages.setdefault(code, Counter()).update(messages)
        for key, leg_stats in other.legs.items():
            mine = self.legs.get(key)
            if mine is None:
                mine = self.legs[key] = LegStats()
            mine.merge(leg_stats)
        return self

    def subtract(self, other: Stats, kept: Stats) -> bool:
        """Take back the aggregate of sessions that were counted here too (copies found to
        be duplicates after the parts were merged); `other` covers only such sessions.

        Every counter comes out as if they had never been added. The period cannot be
        taken back: returns whether it is in doubt, because `other` reaches one of its
        ends (the earliest start, the latest end) and `kept`, sessions that stay counted
        here, does not.
        """
        self.input.matched -= other.input.matched
        take_counts(self.status, other.status)
        self._settle()
        self._attempted -= other.attempted
        self._answered -= other.answered
        self._reached -= other.reached
        self._short_calls -= other.short_calls
        take_counts(self._answered_duration, other.answered_duration)
        take_counts(self.codes, other.codes)
        take_counts(self.code_countries, other.code_countries)
        for code, messages in other.code_messages.items():
            mine = self.code_messages[code]
            take_counts(mine, messages)
            if not mine:
                del self.code_messages[code]
        for key, leg_stats in other.legs.items():
            mine_leg = self.legs[key]
            mine_leg.subtract(leg_stats)
            if not mine_leg.count:
                del self.legs[key]
        start, end = self.first_start, self.last_end
        return (start is not None and other.first_start == start != kept.first_start) or (
            end is not None and other.last_end == end != kept.last_end
        )

    # ---- derived figures -------------------------------------------------------------

    def message(self, code: Code) -> str:
        """SPEC §3: catalog text, else the most frequent message seen (ties: smallest)."""
        if isinstance(code, int) and code in CATALOG:
            return CATALOG[code]
        messages = self.code_messages.get(code)
        if not messages:
            return UNKNOWN_ERROR
        return min(messages.items(), key=lambda item: (-item[1], item[0]))[0]

    def ordered_codes(self) -> list[Code]:
        """Error codes by count, descending; ties: integers ascending, then strings."""
        return sorted(self.codes, key=lambda c: (-self.codes[c], code_sort_key(c)))

    def top_countries(self, code: Code, limit: int = 3) -> list[tuple[str | None, int]]:
        """The destination countries most often seen with `code` (None: unknown)."""
        pairs = [(country, n) for (c, country), n in self.code_countries.items() if c == code]
        pairs.sort(key=lambda item: (-item[1], item[0] is None, item[0] or ""))
        return pairs[:limit]

    def acd(self) -> float | None:
        """Mean callB duration of answered sessions (seconds)."""
        return dist(self.answered_duration)["mean"]  # type: ignore[no-any-return]

    def mos_p50(self) -> Number | None:
        """The median MOS over every leg."""
        mos = _combined(leg.settled() for leg in self.legs.values()).mos
        return dist(mos)["p50"]  # type: ignore[no-any-return]

    def to_dict(self) -> dict[str, Any]:
        """The `vss.stats/1` object of SPEC §4."""
        sessions = self.input.matched
        errors_total = sum(self.codes.values())
        legs = {key: leg.settled() for key, leg in self.legs.items()}
        quality = _combined(legs.values())
        return {
            "schema": SCHEMA,
            "input": self.input.to_dict(),
            "period": {
                "first_start": None
                if self.first_start is None
                else format_timestamp(self.first_start),
                "last_end": None if self.last_end is None else format_timestamp(self.last_end),
            },
            "status": {
                name: {"count": n, "share": ratio(n, sessions)}
                for name, n in ordered_statuses(self.status)
            },
            "kpi": {
                "attempted": self.attempted,
                "answered": self.answered,
                "asr": ratio(self.answered, self.attempted),
                "ner": ratio(self.reached, self.attempted),
                "acd_s": self.acd(),
                "short_calls": self.short_calls,
                "short_call_rate": ratio(self.short_calls, self.answered),
                "error_sessions": self.status.get(ERROR, 0),
                "error_rate": ratio(self.status.get(ERROR, 0), sessions),
                "success_rate": ratio(self.status.get(COMPLETED, 0), sessions),
            },
            "errors": {
                str(code): {
                    "code": code,
                    "message": self.message(code),
                    "count": self.codes[code],
                    "share": ratio(self.codes[code], errors_total),
                }
                for code in self.ordered_codes()
            },
            "quality": {
                "mos": dist(quality.mos),
                "jitter": dist(quality.jitter),
                "packet_loss_rate": dist(quality.packet_loss),
                "mos_bands": mos_bands(quality.mos),
                "flags": flags(quality),
            },
            "legs": {key: _leg_dict(legs[key]) for key in sorted(legs)},
        }


def _combined(parts: Iterable[LegStats]) -> LegStats:
    """All legs' statistics together (quality covers every leg)."""
    total = LegStats()
    for part in parts:
        total.merge(part)
    return total


def _leg_dict(leg: LegStats) -> dict[str, Any]:
    return {
        "count": leg.count,
        "status": {name: {"count": n} for name, n in ordered_statuses(leg.status)},
        "duration_s": dist(leg.duration),
        "answer_s": dist(leg.answer),
        "mos": dist(leg.mos),
        "jitter": dist(leg.jitter),
        "packet_loss_rate": dist(leg.packet_loss),
        "flags": flags(leg),
    }


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    return numerator / denominator if denominator else None


def ordered_statuses(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """SPEC §4: the canonical statuses in order, then any other by count (ties: name)."""
    known = [(name, counts[name]) for name in CANONICAL_STATUSES if counts.get(name)]
    others = sorted(
        ((name, n) for name, n in counts.items() if name not in CANONICAL_STATUSES and n),
        key=lambda item: (-item[1], item[0]),
    )
    return known + others


def dist(values: Mapping[Number, int] | Mapping[float, int]) -> dict[str, Any]:
    """SPEC §3 distribution: count, mean, min, exact nearest-rank percentiles, max."""
    n = sum(values.values())
    if not n:
        return dict.fromkeys(("count", "mean", "min", "p50", "p90", "p95", "p99", "max"), None) | {
            "count": 0
        }
    ordered = sorted(values.items())
    mean = math.fsum(v * c for v, c in ordered) / n
    out: dict[str, Any] = {"count": n, "mean": float(mean), "min": ordered[0][0]}
    ranks = [(p, -(-p * n // 100)) for p in PERCENTILES]  # ⌈p·n/100⌉, exactly
    seen = 0
    i = 0
    for value, count in ordered:
        seen += count
        while i < len(ranks) and ranks[i][1] <= seen:
            out[f"p{ranks[i][0]}"] = value
            i += 1
        if i == len(ranks):
            break
    out["max"] = ordered[-1][0]
    return out


def mos_bands(mos: Mapping[Number, int]) -> dict[str, int]:
    """Legs per MOS band (SPEC §3, lower bounds inclusive)."""
    bands = dict.fromkeys((name for name, _ in MOS_BANDS), 0)
    for value, count in mos.items():
        for name, lower in MOS_BANDS:
            if value >= lower:
                bands[name] += count
                break
    return bands


def flags(leg: LegStats) -> dict[str, int]:
    """Legs over the quality thresholds of SPEC §3."""
    return {
        "high_jitter": sum(c for v, c in leg.jitter.items() if v > HIGH_JITTER_MS),
        "high_packet_loss": sum(c for v, c in leg.packet_loss.items() if v > HIGH_PACKET_LOSS),
        "low_mos": sum(c for v, c in leg.mos.items() if v < LOW_MOS),
    }


def _count_plain(counts: dict[Any, int], values: list[Any], plain: Callable[[Any], Any]) -> None:
    """Count values as found if all are plain, else each through `plain` first."""
    if PLAIN_TYPES.issuperset(map(type, values)):
        _count_elements(counts, values)
    else:
        _count_elements(counts, map(plain, values))


def _unspelled(name: str, counts: dict[Any, int]) -> dict[Any, int]:
    """A leg's value counts with each value as `settled` will read it: a status by name
    (None: missing), a number as int or float (unreadable values left out), answer times
    as they are. `settled` gives the same from these as from the values as found."""
    if name == "answer":
        return dict(counts)
    out: dict[Any, int] = {}
    for value, n in counts.items():
        if name == "status":
            settled: Any = status_name(value) if type(value) is str else None
        else:
            settled = number_of(value)
            if settled is None:
                continue
        out[settled] = out.get(settled, 0) + n
    return out


def _text(value: Any) -> str | None:
    """A status value that can be counted as found: its text, or None ((missing))."""
    return value if type(value) is str else None


def add_counts(counts: dict[Any, int], more: Mapping[Any, int]) -> None:
    """Add value counts to others."""
    for value, n in more.items():
        counts[value] = counts.get(value, 0) + n


def take_counts(counts: dict[Any, int], less: Mapping[Any, int]) -> None:
    """Take value counts back from others that hold them (a value left with none goes)."""
    for value, n in less.items():
        left = counts[value] - n
        if left:
            assert left > 0, "taking back more than was counted"
            counts[value] = left
        else:
            del counts[value]
