"""Independent reference for SPEC §6 filters, `stats --by`, `trend` and `sessions` rows, for tests.

Written from the spec alone, on top of the §2-§4 oracle in `tests/oracle.py` (its line
classification, normalization, dedupe comparison and `summarize`), never from `src/vss`. Slow and
simple on purpose: whole input in memory, plain lists, `zoneinfo` for every local-time question.

Choices where the spec is silent (the implementation must agree, or the spec must say otherwise):

- `--since`/`--until` accept `YYYY-MM-DD` (local midnight in `--tz`), an ISO date-time as
  `datetime.fromisoformat` reads it (UTC when it carries no offset, whatever `--tz` is), or
  `<N>m|h|d` back from `now`.
- `--country` compares case-insensitively on both sides (`str.upper`).
- `--status` values are normalized like the data (`oracle.norm_status`); `--code` values like an
  `errorCode` string (`oracle.norm_code`).
- `--by status` uses the §2 status key, so a missing status is the group `(missing)`, not `null`.
  `subaccount`, `last-action`, `source-country`, `destination-country`, `virtual-number`: a value
  that is not a string is the `null` group.
- `virtual-number`: `callA.destinationRefId`, else `callB.sourceRefId`, else the legs in
  `details` order, each leg's `sourceRefId` before its `destinationRefId`.
- `hour`/`day` keys and trend starts: `Z` when the zone is UTC (the default or `--tz UTC`),
  else the local time followed by the zone's offset then (`+01:00`, `+00:00`).
- Groups: sessions desc, key asc (code point order), the `null` group last of all. `--top N` keeps
  the first N groups of that order; when there are more, the others are merged into one
  `(other)` group whose figures are recomputed over the union of their sessions.
- Group and bucket figures are those of §3/§4 over the group's sessions (the same definitions as
  `oracle.summarize`, recomputed here without the other sections): `mos_p50` is the nearest-rank
  p50 of every leg's MOS (`quality.mos.p50`); `top_error` counts a code once per session (like
  `errors`); ties: ints ascending first, then strings ascending.
- Trend buckets are local wall-clock periods (quarter-hours, hours, days) of the zone; a bucket
  start is an instant, so on a fall-back night the repeated local hour gives two buckets told
  apart by their offsets, and the spring-forward hour gives none.
- `sessions` rows: `startTime`/`endTime` as normalized UTC timestamps (`null` when not a
  timestamp); `subAccountId`, `lastAction`, `source`, `destination` strings or `null`;
  `callCount` an integer JSON number or `null`; `duration_s` the callB `callDuration` metric;
  `mos_min` the lowest MOS metric of any leg; `errorCodes` compared as a set of codes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from oracle import (
    classify,
    dist,
    error_entries,
    format_timestamp,
    json_equal,
    legs_of,
    mos_band,
    norm_code,
    norm_metric,
    norm_status,
    parse_timestamp,
    quality_of,
    ratio,
    split_lines,
)

BY_KEYS = (
    "subaccount",
    "status",
    "day",
    "hour",
    "destination-country",
    "source-country",
    "virtual-number",
    "last-action",
)
EVERY = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "1d": timedelta(days=1)}
OTHER = "(other)"

_RELATIVE_RE = re.compile(r"([0-9]+)([mhd])", re.ASCII)
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_RELATIVE_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


# ---------------------------------------------------------------------------------------------
# Input: first copies with their original lines


@dataclass
class Session:
    """One unique valid session: its payload, its original line and its parsed startTime."""

    payload: dict[str, Any]
    line: bytes
    start: datetime | None = field(init=False)

    def __post_init__(self) -> None:
        self.start = parse_timestamp(self.payload.get("startTime"))


def load_sessions(inputs: Sequence[bytes], dedupe: bool = True) -> list[Session]:
    """The unique valid sessions of decompressed inputs (argument order), first copies only."""
    seen: set[str] = set()
    sessions = []
    for data in inputs:
        for line in split_lines(data):
            kind, payload = classify(line)
            if kind != "session":
                continue
            if dedupe and payload["sessionId"] in seen:
                continue
            seen.add(payload["sessionId"])
            sessions.append(Session(payload, line))
    return sessions


def conflicting_copies(inputs: Sequence[bytes]) -> int:
    """How many later copies differ from their first copy (a sanity figure for test data)."""
    first: dict[str, Any] = {}
    conflicts = 0
    for data in inputs:
        for line in split_lines(data):
            kind, payload = classify(line)
            if kind != "session":
                continue
            sid = payload["sessionId"]
            if sid in first:
                conflicts += not json_equal(first[sid], payload)
            else:
                first[sid] = payload
    return conflicts


# ---------------------------------------------------------------------------------------------
# Session attributes (§3)


def leg(payload: dict[str, Any], key: str) -> dict[str, Any] | None:
    details = payload.get("details")
    value = details.get(key) if isinstance(details, dict) else None
    return value if isinstance(value, dict) else None


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def destination_country(payload: dict[str, Any]) -> str | None:
    """callB's `destinationCountryCode` when there is a callB leg, else callA's."""
    call_b = leg(payload, "callB")
    chosen = call_b if call_b is not None else leg(payload, "callA")
    return None if chosen is None else _string(chosen.get("destinationCountryCode"))


def source_country(payload: dict[str, Any]) -> str | None:
    call_a = leg(payload, "callA")
    return None if call_a is None else _string(call_a.get("sourceCountryCode"))


def virtual_number(payload: dict[str, Any]) -> str | None:
    call_a, call_b = leg(payload, "callA"), leg(payload, "callB")
    if call_a is not None and _string(call_a.get("destinationRefId")) is not None:
        return str(call_a["destinationRefId"])
    if call_b is not None and _string(call_b.get("sourceRefId")) is not None:
        return str(call_b["sourceRefId"])
    for _key, entry in legs_of(payload):
        for name in ("sourceRefId", "destinationRefId"):
            if _string(entry.get(name)) is not None:
                return str(entry[name])
    return None


def session_codes(payload: dict[str, Any]) -> set[int | str]:
    """The distinct error codes of a session: payload level and every leg."""
    entries = error_entries(payload.get("errorDetails"))
    for _key, entry in legs_of(payload):
        entries += error_entries(entry.get("errorDetails"))
    codes = {norm_code(e.get("errorCode")) for e in entries}
    codes.discard(None)
    return codes  # type: ignore[return-value]


def code_order(code: int | str) -> tuple[int, int, str]:
    """Ints ascending, then strings ascending."""
    return (0, code, "") if isinstance(code, int) else (1, 0, code)


# ---------------------------------------------------------------------------------------------
# Filters (§6)


def zone_of(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def parse_time_arg(text: str, tz: str, now: datetime | None = None) -> datetime:
    """A `--since`/`--until` value → an aware UTC instant."""
    relative = _RELATIVE_RE.fullmatch(text)
    if relative:
        if now is None:
            now = datetime.now(UTC)
        unit = _RELATIVE_UNITS[relative.group(2)]
        return now - timedelta(**{unit: int(relative.group(1))})
    if _DATE_RE.fullmatch(text):
        day = date.fromisoformat(text)
        return local_midnight(day, zone_of(tz))
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Filters:
    """One combination of §6 filters; `args()` spells it for the CLI."""

    since: str | None = None
    until: str | None = None
    status: tuple[str, ...] = ()
    subaccount: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    tz: str | None = None

    def args(self) -> list[str]:
        out: list[str] = []
        for name in ("since", "until", "tz"):
            value = getattr(self, name)
            if value is not None:
                out.append(f"--{name}={value}")
        for name in ("status", "subaccount", "country", "code"):
            for value in getattr(self, name):
                out.append(f"--{name}={value}")  # `=`: values may start with `-`
        return out

    @property
    def zone(self) -> str:
        return self.tz or "UTC"

    def __str__(self) -> str:
        return " ".join(self.args()) or "(none)"


def matches(session: Session, f: Filters, now: datetime | None = None) -> bool:
    """Whether a session passes every filter (values of one filter OR-ed)."""
    p = session.payload
    if f.since is not None or f.until is not None:
        if session.start is None:
            return False
        if f.since is not None and session.start < parse_time_arg(f.since, f.zone, now):
            return False
        if f.until is not None and session.start >= parse_time_arg(f.until, f.zone, now):
            return False
    if f.status and norm_status(p.get("sessionStatus")) not in {norm_status(s) for s in f.status}:
        return False
    if f.subaccount and p.get("subAccountId") not in f.subaccount:
        return False
    if f.country:
        country = destination_country(p)
        if country is None or country.upper() not in {c.upper() for c in f.country}:
            return False
    return not (f.code and not session_codes(p) & {norm_code(c) for c in f.code})


def apply(sessions: Iterable[Session], f: Filters, now: datetime | None = None) -> list[Session]:
    return [s for s in sessions if matches(s, f, now)]


# ---------------------------------------------------------------------------------------------
# Local time


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local calendar day, in UTC."""
    naive = datetime(day.year, day.month, day.day)
    # a gap at midnight (a few zones) would push the day's start forward; not exercised
    return naive.replace(tzinfo=zone).astimezone(UTC)


def bucket_start(moment: datetime, every: str, zone: ZoneInfo) -> datetime:
    """The UTC instant where the local bucket holding `moment` starts."""
    local = moment.astimezone(zone)
    if every == "1d":
        return local_midnight(local.date(), zone)
    minutes = 60 if every == "1h" else 15
    floored = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
    return floored.astimezone(UTC)  # `fold` survives replace(): the repeated hour stays itself


def next_bucket(start: datetime, every: str, zone: ZoneInfo) -> datetime:
    if every == "1d":
        return local_midnight(start.astimezone(zone).date() + timedelta(days=1), zone)
    return bucket_start(start + EVERY[every], every, zone)


def format_key(moment: datetime, tz: str | None) -> str:
    """`2024-03-25T06:00Z`, or with a zone other than UTC `2024-03-25T07:00+01:00`."""
    if tz is None or tz == "UTC":
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    local = moment.astimezone(zone_of(tz))
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return local.strftime("%Y-%m-%dT%H:%M") + f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


# ---------------------------------------------------------------------------------------------
# Groups (§6 --by)


def group_key(session: Session, by: str, tz: str | None = None) -> str | None:
    p = session.payload
    zone = zone_of(tz or "UTC")
    if by == "subaccount":
        return _string(p.get("subAccountId"))
    if by == "status":
        return norm_status(p.get("sessionStatus"))
    if by == "day":
        return None if session.start is None else session.start.astimezone(zone).date().isoformat()
    if by == "hour":
        if session.start is None:
            return None
        return format_key(bucket_start(session.start, "1h", zone), tz)
    if by == "destination-country":
        return destination_country(p)
    if by == "source-country":
        return source_country(p)
    if by == "virtual-number":
        return virtual_number(p)
    if by == "last-action":
        return _string(p.get("lastAction"))
    raise ValueError(by)


def top_error(payloads: list[dict[str, Any]]) -> int | str | None:
    counts: dict[int | str, int] = {}
    for p in payloads:
        for code in session_codes(p):
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], *code_order(c)))


def figures(payloads: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """sessions, share, asr, acd_s, error_rate, mos_p50, top_error of a set of sessions."""
    if not payloads:
        return {
            "sessions": 0,
            "share": 0.0 if total else None,
            "asr": None,
            "acd_s": None,
            "error_rate": None,
            "mos_p50": None,
            "top_error": None,
        }
    attempted = answered = errors = 0
    durations: list[Any] = []
    mos: list[Any] = []
    for p in payloads:
        errors += norm_status(p.get("sessionStatus")) == "ERROR"
        for _key, entry in legs_of(p):
            value = norm_metric(quality_of(entry).get("mos"))
            if value is not None:
                mos.append(value)
        call_b = leg(p, "callB")
        if call_b is None:
            continue
        attempted += 1
        if norm_status(call_b.get("callStatus")) == "COMPLETED":
            answered += 1
            duration = norm_metric(call_b.get("callDuration"))
            if duration is not None:
                durations.append(duration)
    return {
        "sessions": len(payloads),
        "share": len(payloads) / total if total else None,
        "asr": ratio(answered, attempted),
        "acd_s": math.fsum(durations) / len(durations) if durations else None,
        "error_rate": ratio(errors, len(payloads)),
        "mos_p50": dist(mos)["p50"],
        "top_error": top_error(payloads),
    }


def groups(
    sessions: list[Session], by: str, tz: str | None = None, top: int | None = None
) -> list[dict[str, Any]]:
    """The `groups` array of vss.groups/1 for matched sessions."""
    members: dict[str | None, list[dict[str, Any]]] = {}
    for s in sessions:
        members.setdefault(group_key(s, by, tz), []).append(s.payload)
    ordered = sorted(members, key=lambda k: (k is None, -len(members[k]), k or ""))
    total = len(sessions)
    result = [{"key": k, **figures(members[k], total)} for k in ordered]
    if top is not None and len(ordered) > top:
        rest = [p for k in ordered[top:] for p in members[k]]
        result = [*result[:top], {"key": OTHER, **figures(rest, total)}]
    return result


# ---------------------------------------------------------------------------------------------
# Trend (§7)


def trend(sessions: list[Session], every: str, tz: str | None = None) -> dict[str, Any]:
    """`buckets` (start key, figures) from the first matched bucket to the last, and the count
    of sessions without a startTime."""
    zone = zone_of(tz or "UTC")
    members: dict[datetime, list[dict[str, Any]]] = {}
    without_start = 0
    for s in sessions:
        if s.start is None:
            without_start += 1
            continue
        members.setdefault(bucket_start(s.start, every, zone), []).append(s.payload)
    buckets = []
    if members:
        current, last = min(members), max(members)
        while current <= last:
            stats = figures(members.get(current, []), 1)
            buckets.append(
                {
                    "start": format_key(current, tz),
                    "start_utc": current,
                    **{k: stats[k] for k in ("sessions", "asr", "error_rate", "mos_p50")},
                }
            )
            current = next_bucket(current, every, zone)
    return {"buckets": buckets, "sessions_without_start": without_start}


# ---------------------------------------------------------------------------------------------
# Sessions rows (§7)


def session_row(session: Session) -> dict[str, Any]:
    p = session.payload
    call_a, call_b = leg(p, "callA"), leg(p, "callB")
    destination_leg = call_b if call_b is not None else call_a
    call_count = p.get("callCount")
    mos = [
        m
        for _key, entry in legs_of(p)
        if (q := entry.get("callQuality")) is not None
        and isinstance(q, dict)
        and (m := norm_metric(q.get("mos"))) is not None
    ]
    return {
        "sessionId": p["sessionId"],
        "startTime": format_timestamp(session.start),
        "endTime": format_timestamp(parse_timestamp(p.get("endTime"))),
        "subAccountId": _string(p.get("subAccountId")),
        "sessionStatus": norm_status(p.get("sessionStatus")),
        "lastAction": _string(p.get("lastAction")),
        "callCount": call_count
        if isinstance(call_count, int) and not isinstance(call_count, bool)
        else None,
        "source": None if call_a is None else _string(call_a.get("source")),
        "destination": None
        if destination_leg is None
        else _string(destination_leg.get("destination")),
        "destinationCountryCode": destination_country(p),
        "duration_s": None if call_b is None else norm_metric(call_b.get("callDuration")),
        "mos_min": min(mos) if mos else None,
        "errorCodes": sorted(session_codes(p), key=code_order),
    }


# ---------------------------------------------------------------------------------------------
# show (§7): what each leg and error entry must say


def show_legs(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Per leg, in `details` order: the figures `show` derives from the spec."""
    out = []
    for key, entry in legs_of(payload):
        quality = quality_of(entry)
        initiated = parse_timestamp(entry.get("initiatedTimestamp"))
        connected = parse_timestamp(entry.get("connectedTimestamp"))
        mos = norm_metric(quality.get("mos"))
        jitter = norm_metric(quality.get("jitter"))
        plr = norm_metric(quality.get("packetLossRate"))
        flags = []
        if jitter is not None and jitter > 30:
            flags.append("high_jitter")
        if plr is not None and plr > 0.01:
            flags.append("high_packet_loss")
        if mos is not None and mos < 3.5:
            flags.append("low_mos")
        out.append(
            {
                "leg": key,
                "callStatus": norm_status(entry.get("callStatus")),
                "initiated": format_timestamp(initiated),
                "connected": format_timestamp(connected),
                "disconnected": format_timestamp(
                    parse_timestamp(entry.get("disconnectedTimestamp"))
                ),
                "answer_s": (connected - initiated).total_seconds()
                if initiated is not None and connected is not None
                else None,
                "duration_s": norm_metric(entry.get("callDuration")),
                "mos": mos,
                "mos_band": None if mos is None else mos_band(mos),
                "flags": sorted(flags),
            }
        )
    return out


def show_error_places(payload: dict[str, Any]) -> set[tuple[int | str, str]]:
    """(code, where) for every code: `payload` or the leg key."""
    places = {
        (code, "payload")
        for e in error_entries(payload.get("errorDetails"))
        if (code := norm_code(e.get("errorCode"))) is not None
    }
    for key, entry in legs_of(payload):
        for e in error_entries(entry.get("errorDetails")):
            code = norm_code(e.get("errorCode"))
            if code is not None:
                places.add((code, key))
    return places
