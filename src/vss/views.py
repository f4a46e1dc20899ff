"""Row builders for the drill-down commands: sessions and stats → plain dicts (no I/O)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from heapq import nlargest, nsmallest
from itertools import islice
from typing import Any

from vss.aggregate import HIGH_JITTER_MS, HIGH_PACKET_LOSS, LOW_MOS, MOS_BANDS, Stats, ratio
from vss.records import CATALOG, MISSING, UNKNOWN_ERROR, Code, Leg, Session, text
from vss.timestamps import format_timestamp, found_timestamp_text, timestamp
from vss.values import metric

ERROR_PLACE_COLUMNS = (
    "sessionId",
    "startTime",
    "subAccountId",
    "code",
    "message",
    "leg",
    "source",
    "destination",
    "sourceCountryCode",
    "destinationCountryCode",
    "lastAction",
)
# The table view leaves out what the caption or the other formats carry.
ERROR_PLACE_TABLE_COLUMNS = tuple(
    c for c in ERROR_PLACE_COLUMNS if c not in ("message", "source", "sourceCountryCode")
)
ERROR_SUMMARY_COLUMNS = ("code", "message", "count", "share", "top_destination_countries")


def timestamp_text(micros: int | None) -> str | None:
    """An output timestamp (UTC, `Z`), or None."""
    return None if micros is None else format_timestamp(micros)


def error_summary_rows(stats: Stats, countries: int = 3) -> list[dict[str, Any]]:
    """SPEC §5 without --code: the error-code table with each code's top destinations."""
    total = sum(stats.codes.values())
    return [
        {
            "code": code,
            "message": stats.message(code),
            "count": stats.codes[code],
            "share": ratio(stats.codes[code], total),
            "top_destination_countries": [
                {"country": country, "count": n}
                for country, n in stats.top_countries(code, countries)
            ],
        }
        for code in stats.ordered_codes()
    ]


def error_place_rows(session: Session, codes: set[Code]) -> list[dict[str, Any]]:
    """SPEC §5 with --code: one row per place of the session where one of `codes` appears."""
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, Code]] = set()
    for place in session.errors:
        if place.code not in codes or (place.where, place.code) in seen:
            continue
        seen.add((place.where, place.code))
        raw = _leg_object(session, place.where)
        code = place.code
        if isinstance(code, int) and code in CATALOG:
            message = CATALOG[code]
        else:
            message = place.message or UNKNOWN_ERROR
        rows.append(
            {
                "sessionId": session.session_id,
                "startTime": found_timestamp_text(session.payload.get("startTime")),
                "subAccountId": session.field("subAccountId"),
                "code": code,
                "message": message,
                "leg": place.where,
                "source": text(raw.get("source")),
                "destination": text(raw.get("destination")),
                "sourceCountryCode": text(raw.get("sourceCountryCode")),
                "destinationCountryCode": text(raw.get("destinationCountryCode")),
                "lastAction": session.field("lastAction"),
            }
        )
    return rows


def _leg_object(session: Session, where: str) -> dict[str, Any]:
    """The leg object an error place refers to, as found (a payload-level error: callB's,
    else callA's); {} when there is none."""
    legs = session.payload.get("details")
    if type(legs) is not dict:
        return {}
    leg = legs.get(where)
    if where == "payload":
        leg = legs.get("callB")
        if type(leg) is not dict:
            leg = legs.get("callA")
    return leg if type(leg) is dict else {}


SESSION_COLUMNS = (
    "sessionId",
    "startTime",
    "endTime",
    "subAccountId",
    "sessionStatus",
    "lastAction",
    "callCount",
    "source",
    "destination",
    "destinationCountryCode",
    "duration_s",
    "mos_min",
    "errorCodes",
)
SESSION_TABLE_COLUMNS = tuple(
    c
    for c in SESSION_COLUMNS
    if c not in ("endTime", "lastAction", "callCount", "source", "destination")
)


def _number(value: Any) -> Any:
    """A JSON number as it is, anything else None."""
    return value if type(value) in (int, float) else None


def session_row(session: Session) -> dict[str, Any]:
    """SPEC §7 `vss sessions`: one row per session (legs read as they are: a row needs
    only a few of their fields, not `Session.legs`)."""
    payload = session.payload
    details = payload.get("details")
    legs = [leg for leg in details.values() if type(leg) is dict] if type(details) is dict else []
    a = _call_leg(details, "callA")
    b = _call_leg(details, "callB")
    to = a if b is None else b
    moses = []
    for leg in legs:
        quality = leg.get("callQuality")
        if type(quality) is dict:
            mos = metric(quality.get("mos"))
            if mos is not None:
                moses.append(mos)
    return {
        "sessionId": session.session_id,
        "startTime": found_timestamp_text(session.payload.get("startTime")),
        "endTime": found_timestamp_text(session.payload.get("endTime")),
        "subAccountId": session.field("subAccountId"),
        "sessionStatus": session.status,
        "lastAction": session.field("lastAction"),
        "callCount": _number(payload.get("callCount")),
        "source": None if a is None else text(a.get("source")),
        "destination": None if to is None else text(to.get("destination")),
        "destinationCountryCode": session.destination_country(),
        "duration_s": None if b is None else metric(b.get("callDuration")),
        "mos_min": min(moses) if moses else None,
        "errorCodes": " ".join(str(code) for code in session.codes()),
    }


def _call_leg(details: Any, key: str) -> dict[str, Any] | None:
    """A leg of `details` when it is an object (SPEC §2: else no leg)."""
    leg = details.get(key) if type(details) is dict else None
    return leg if type(leg) is dict else None


def pick_rows(
    rows: Iterable[dict[str, Any]], sort: str | None, reverse: bool, limit: int | None
) -> Iterable[dict[str, Any]]:
    """`vss sessions` rows in order (`sort_key` of a column, else input order; reversed,
    missing values still last) and at most `limit` of them.

    Holds no more rows than it gives: in input order rows are passed on as they come (and
    no more is read than needed), and with a limit only the best so far are kept (the
    heapq selections are documented to equal sorting and slicing, ties included).
    """
    if sort is None:
        if not reverse:
            return rows if limit is None else islice(rows, limit)
        if limit is None:
            return list(rows)[::-1]
        return list(deque(rows, maxlen=limit))[::-1]
    key = sort_key(sort)
    if not reverse:  # missing values sort last already
        return sorted(rows, key=key) if limit is None else nsmallest(limit, rows, key=key)
    missing: list[dict[str, Any]] = []  # in input order, after the others

    def others() -> Iterator[dict[str, Any]]:
        for row in rows:
            if key(row)[0] != MISSING_RANK:
                yield row
            elif limit is None or len(missing) < limit:
                missing.append(row)

    ordered = (
        sorted(others(), key=key, reverse=True)
        if limit is None
        else nlargest(limit, others(), key=key)
    )
    return (ordered + missing)[:limit]


MISSING_RANK = 2  # where `sort_key` puts missing values: after numbers (0) and text (1)


def sort_key(column: str) -> Any:
    """Order rows by a column: times as instants, missing values last, numbers before text."""
    is_time = column in ("startTime", "endTime")

    def key(row: dict[str, Any]) -> tuple[int, Any]:
        value = row[column]
        if value is None or value == "" or value == MISSING:
            return (MISSING_RANK, 0)
        if is_time:
            return (0, timestamp(value))
        if isinstance(value, int | float):
            return (0, value)
        return (1, str(value))

    return key


def mos_band(mos: float) -> str:
    """SPEC §3 MOS band of a value."""
    for name, lower in MOS_BANDS:
        if mos >= lower:
            return name
    return "bad"


def leg_flags(leg: Leg) -> list[str]:
    """The quality flags of one leg (SPEC §3)."""
    flags = []
    if leg.jitter is not None and leg.jitter > HIGH_JITTER_MS:
        flags.append("high_jitter")
    if leg.packet_loss is not None and leg.packet_loss > HIGH_PACKET_LOSS:
        flags.append("high_packet_loss")
    if leg.mos is not None and leg.mos < LOW_MOS:
        flags.append("low_mos")
    return flags


def show_dict(session: Session) -> dict[str, Any]:
    """SPEC §7 `vss show`: the session, its legs on one time line, errors, quality."""
    legs = []
    for key, leg in sorted(session.legs.items()):
        legs.append(
            {
                "leg": key,
                "callStatus": leg.status,
                "callDirection": text(leg.raw.get("callDirection")),
                "source": text(leg.raw.get("source")),
                "destination": text(leg.raw.get("destination")),
                "sourceCountryCode": text(leg.raw.get("sourceCountryCode")),
                "destinationCountryCode": text(leg.raw.get("destinationCountryCode")),
                "initiated": timestamp_text(leg.initiated),
                "connected": timestamp_text(leg.connected),
                "disconnected": timestamp_text(leg.disconnected),
                "answer_s": leg.answer_s,
                "duration_s": leg.duration,
                "mos": leg.mos,
                "mos_band": None if leg.mos is None else mos_band(leg.mos),
                "jitter": leg.jitter,
                "packet_loss_rate": leg.packet_loss,
                "flags": leg_flags(leg),
            }
        )
    errors = []
    for place in session.errors:
        code = place.code
        catalog = CATALOG.get(code) if isinstance(code, int) else None
        errors.append(
            {
                "code": code,
                "message": catalog or place.message or UNKNOWN_ERROR,
                "errorMsg": place.message,
                "where": place.where,
            }
        )
    return {
        "schema": "vss.show/1",
        "sessionId": session.session_id,
        "subAccountId": session.field("subAccountId"),
        "sessionStatus": session.status,
        "startTime": found_timestamp_text(session.payload.get("startTime")),
        "endTime": found_timestamp_text(session.payload.get("endTime")),
        "lastAction": session.field("lastAction"),
        "callCount": _number(session.payload.get("callCount")),
        "legs": legs,
        "errors": errors,
    }
