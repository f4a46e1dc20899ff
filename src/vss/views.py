"""Row builders for the drill-down commands: sessions and stats → plain dicts (no I/O)."""

from __future__ import annotations

from typing import Any

from vss.aggregate import Stats, ratio
from vss.parse import format_timestamp
from vss.records import CATALOG, UNKNOWN_ERROR, Code, Session, text

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
        if place.where == "payload":
            leg = session.legs.get("callB") or session.legs.get("callA")
        else:
            leg = session.legs.get(place.where)
        raw = leg.raw if leg is not None else {}
        code = place.code
        if isinstance(code, int) and code in CATALOG:
            message = CATALOG[code]
        else:
            message = place.message or UNKNOWN_ERROR
        rows.append(
            {
                "sessionId": session.session_id,
                "startTime": timestamp_text(session.start),
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
