"""The `vss show` view: a session's header, its legs on one drawn time axis, errors, quality."""

from __future__ import annotations

from typing import Any

from vss.render.table import Table
from vss.render.text import fmt_number
from vss.timestamps import format_timestamp, timestamp

WAIT = "·"  # initiated, not (yet) connected
TALK = "█"  # connected
WIDTH = 40


def _seconds(value: int | None, origin: int) -> str:
    return "-" if value is None else f"+{fmt_number((value - origin) / 1_000_000)}s"


def timeline_table(show: dict[str, Any], width: int = WIDTH) -> Table:
    """Each leg as a bar on one axis: `·` from initiated to connected, `█` while connected."""
    marks = []
    for leg in show["legs"]:
        times = [timestamp(leg[k]) for k in ("initiated", "connected", "disconnected")]
        marks.append((leg, times))
    known = [t for _, times in marks for t in times if t is not None]
    start = timestamp(show["startTime"]) if show["startTime"] else None
    if start is not None:
        known.append(start)
    origin = min(known) if known else 0
    span = (max(known) - origin) if known else 0
    title = "Timeline"
    if known:
        title += f" (0 s = {format_timestamp(origin)}, {fmt_number(span / 1_000_000)} s in all)"
    table = Table(title, ["leg", "timeline", "initiated → connected → disconnected", "status"])
    table.nowrap = {1}

    def col(t: int) -> int:
        return 0 if span == 0 else round((t - origin) / span * (width - 1))

    for leg, (initiated, connected, disconnected) in marks:
        cells = [" "] * width
        begin = initiated if initiated is not None else connected
        end = disconnected if disconnected is not None else connected
        if begin is not None:
            stop = col(end) if end is not None else col(begin)
            talk_from = col(connected) if connected is not None else None
            for i in range(col(begin), stop + 1):
                cells[i] = TALK if talk_from is not None and i >= talk_from else WAIT
        elif connected is not None:
            cells[col(connected)] = TALK
        points = " → ".join(_seconds(t, origin) for t in (initiated, connected, disconnected))
        table.rows.append([leg["leg"], "".join(cells).rstrip() or "-", points, leg["callStatus"]])
    table.caption = [f"{WAIT} initiated, not connected   {TALK} connected"]
    return table


def show_tables(show: dict[str, Any]) -> list[Table]:
    """Every table of `vss show`."""
    head = Table("Session", ["", "value"])
    for label, key in (
        ("sessionId", "sessionId"),
        ("status", "sessionStatus"),
        ("subaccount", "subAccountId"),
        ("start", "startTime"),
        ("end", "endTime"),
        ("last action", "lastAction"),
        ("call count", "callCount"),
    ):
        value = show[key]
        head.rows.append([label, "-" if value is None else str(value)])
    tables = [head, timeline_table(show)]
    legs = Table(
        "Legs",
        [
            "leg",
            "direction",
            "source",
            "destination",
            "answer",
            "duration",
            "MOS",
            "jitter",
            "loss",
            "flags",
        ],
        numeric={4, 5, 6, 7, 8},
    )
    for leg in show["legs"]:
        mos = fmt_number(leg["mos"])
        if leg["mos_band"]:
            mos += f" ({leg['mos_band']})"
        legs.rows.append(
            [
                leg["leg"],
                leg["callDirection"] or "-",
                _route(leg["source"], leg["sourceCountryCode"]),
                _route(leg["destination"], leg["destinationCountryCode"]),
                "-" if leg["answer_s"] is None else f"{fmt_number(leg['answer_s'])} s",
                "-" if leg["duration_s"] is None else f"{fmt_number(leg['duration_s'])} s",
                mos,
                "-" if leg["jitter"] is None else f"{fmt_number(leg['jitter'])} ms",
                fmt_number(leg["packet_loss_rate"]),
                ", ".join(leg["flags"]) or "-",
            ]
        )
    tables.append(legs)
    if show["errors"]:
        errors = Table("Errors", ["code", "message", "where", "errorMsg"])
        for error in show["errors"]:
            errors.rows.append(
                [str(error["code"]), error["message"], error["where"], error["errorMsg"] or "-"]
            )
        tables.append(errors)
    return tables


def _route(number: str | None, country: str | None) -> str:
    if number is None:
        return "-"
    return f"{number} ({country})" if country else number
