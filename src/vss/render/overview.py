"""The `vss stats` views: the §4 report as tables, and as the long CSV of SPEC §8."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vss.render.table import Cell, Table
from vss.render.text import fmt_count, fmt_number, fmt_share

DIST_FIELDS = ("count", "mean", "min", "p50", "p90", "p95", "p99", "max")
_INPUT_ROWS = (
    ("lines", "lines read"),
    ("blank", "blank"),
    ("malformed", "malformed"),
    ("invalid", "invalid"),
    ("other_events", "other events"),
    ("duplicates", "duplicates"),
    ("conflicts", "  of which conflicting"),
    ("sessions", "sessions"),
    ("matched", "matched"),
)
_QUALITY_ROWS = (("mos", "MOS"), ("jitter", "jitter (ms)"), ("packet_loss_rate", "packet loss"))
_LEG_ROWS = (("duration_s", "duration (s)"), ("answer_s", "time to answer (s)"), *_QUALITY_ROWS)
_KEYED_SECTIONS = ("status", "errors", "legs")


def stats_tables(report: dict[str, Any]) -> list[Table]:
    """Every table of `vss stats`, in reading order."""
    tables = [_input_table(report), _status_table(report), _kpi_table(report)]
    if report["errors"]:
        tables.append(_errors_table(report))
    tables.append(_quality_table(report))
    tables.append(_bands_table(report))
    for key, leg in report["legs"].items():
        tables.append(_leg_table(key, leg))
    return tables


def _input_table(report: dict[str, Any]) -> Table:
    data = report["input"]
    table = Table("Input", ["", "value"], numeric={1})
    for key, label in _INPUT_ROWS:
        table.rows.append([label, fmt_count(data[key])])
    period = report["period"]
    table.rows.append(["first start", period["first_start"] or "-"])
    table.rows.append(["last end", period["last_end"] or "-"])
    table.caption = [f"files: {' '.join(data['files']) or '-'}"]
    return table


def _status_table(report: dict[str, Any]) -> Table:
    table = Table("Session status", ["status", "sessions", "share"], numeric={1, 2})
    for name, entry in report["status"].items():
        table.rows.append([name, fmt_count(entry["count"]), fmt_share(entry["share"])])
    return table


def _kpi_table(report: dict[str, Any]) -> Table:
    kpi = report["kpi"]
    table = Table("KPIs", ["indicator", "value", "meaning"], numeric={1})
    acd = kpi["acd_s"]
    table.rows = [
        ["attempted", fmt_count(kpi["attempted"]), "sessions with a callB leg"],
        ["answered", fmt_count(kpi["answered"]), "callB COMPLETED"],
        ["ASR", fmt_share(kpi["asr"]), "answered / attempted"],
        ["NER", fmt_share(kpi["ner"]), "callB COMPLETED, BUSY or NO_ANSWER / attempted"],
        ["ACD", "-" if acd is None else f"{acd:.1f} s", "mean callB duration of answered"],
        ["short calls", fmt_count(kpi["short_calls"]), "answered, callB under 10 s"],
        ["short call rate", fmt_share(kpi["short_call_rate"]), "short calls / answered"],
        ["error sessions", fmt_count(kpi["error_sessions"]), "sessionStatus ERROR"],
        ["error rate", fmt_share(kpi["error_rate"]), "error sessions / sessions"],
        ["success rate", fmt_share(kpi["success_rate"]), "sessionStatus COMPLETED / sessions"],
    ]
    return table


def _errors_table(report: dict[str, Any]) -> Table:
    table = Table("Error codes", ["code", "message", "sessions", "share"], numeric={2, 3})
    for entry in report["errors"].values():
        table.rows.append(
            [
                str(entry["code"]),
                entry["message"],
                fmt_count(entry["count"]),
                fmt_share(entry["share"]),
            ]
        )
    return table


def _dist_row(label: str, dist: dict[str, Any]) -> list[str]:
    return [label, fmt_count(dist["count"]), *(fmt_number(dist[f]) for f in DIST_FIELDS[1:])]


def _quality_table(report: dict[str, Any]) -> Table:
    quality = report["quality"]
    table = Table("Call quality (all legs)", ["", *DIST_FIELDS], numeric=set(range(1, 9)))
    for key, label in _QUALITY_ROWS:
        table.rows.append(_dist_row(label, quality[key]))
    return table


def _bands_table(report: dict[str, Any]) -> Table:
    quality = report["quality"]
    bands = quality["mos_bands"]
    total = sum(bands.values())
    table = Table("MOS bands and quality flags (legs)", ["", "legs", "share"], numeric={1, 2})
    labels = {
        "excellent": "excellent (≥ 4.3)",
        "good": "good (4.0 to 4.3)",
        "fair": "fair (3.6 to 4.0)",
        "poor": "poor (3.1 to 3.6)",
        "bad": "bad (< 3.1)",
    }
    for name, n in bands.items():
        table.rows.append([labels[name], fmt_count(n), fmt_share(n / total if total else None)])
    flag_labels = {
        "high_jitter": "flag: jitter > 30 ms",
        "high_packet_loss": "flag: packet loss > 1 %",
        "low_mos": "flag: MOS < 3.5",
    }
    for name, n in quality["flags"].items():
        table.rows.append([flag_labels[name], fmt_count(n), ""])
    return table


def _leg_table(key: str, leg: dict[str, Any]) -> Table:
    count = leg["count"]
    title = f"Leg {key} ({count:,} {'leg' if count == 1 else 'legs'})"
    table = Table(title, ["", *DIST_FIELDS], numeric=set(range(1, 9)))
    for field, label in _LEG_ROWS:
        table.rows.append(_dist_row(label, leg[field]))
    statuses = ", ".join(f"{name} {entry['count']:,}" for name, entry in leg["status"].items())
    flags = ", ".join(f"{name} {n:,}" for name, n in leg["flags"].items())
    table.caption = [f"status: {statuses or '-'}", f"flags: {flags}"]
    return table


def stats_csv_rows(report: dict[str, Any]) -> Iterator[list[Cell]]:
    """SPEC §8: one long table `section,key,field,value` (e.g. `legs,callB,mos.p95,4.4`)."""
    for section, body in report.items():
        if section == "schema":
            continue
        if section in _KEYED_SECTIONS:
            for key, entry in body.items():
                for field, value in _flatten(entry, ""):
                    yield [section, key, field, value]
        elif section == "input":
            for field, value in body.items():
                if field == "files":
                    for name in value:
                        yield [section, "", "file", name]
                else:
                    yield [section, "", field, value]
        else:
            for field, value in _flatten(body, ""):
                yield [section, "", field, value]


def _flatten(value: Any, prefix: str) -> Iterator[tuple[str, Cell]]:
    """Nested objects → (dotted.path, scalar) pairs, in key order."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value
