"""Write a list of row dicts in any format: JSON array, NDJSON, CSV, table, Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

import orjson

from vss.render.table import Table, csv_chunks

CellText = Callable[[str, Any], str]

# DEL, C1 controls and bidi controls are valid raw in JSON strings; written as \u escapes
# they are the same data and cannot reorder or drive a terminal that shows the JSON.
_RAW_UNSAFE = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def _escape(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode())


def json_bytes(value: Any, indent: bool = False) -> bytes:
    """One JSON document and its newline; control characters from the data escaped."""
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
    if not data.isascii() or data.find(b"\x7f") >= 0:  # two fast passes: most rows are ASCII
        data = _RAW_UNSAFE.sub(_escape, data)
    return data + b"\n"


# Shorter headers for the table view; JSON and CSV keep the field names.
HEADERS = {
    "destinationCountryCode": "country",
    "sourceCountryCode": "src. country",
    "subAccountId": "subaccount",
    "sessionStatus": "status",
    "duration_s": "duration",
    "mos_min": "min MOS",
    "errorCodes": "codes",
    "count": "sessions",
    "top_destination_countries": "top destinations",
}


def write_json_array(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> None:
    """A JSON array, one row per line, streamed."""
    out.write(b"[")
    separator = b"\n"
    for row in rows:
        out.write(separator + json_bytes(row)[:-1])
        separator = b",\n"
    out.write(b"\n]\n" if separator != b"\n" else b"]\n")


def write_ndjson(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> None:
    """One JSON object per line, streamed."""
    for row in rows:
        out.write(json_bytes(row))


def write_csv(
    columns: Sequence[str],
    rows: Iterable[dict[str, Any]],
    out: IO[bytes],
    cell: Callable[[str, Any], Any] | None = None,
) -> None:
    """RFC 4180 CSV of the given columns, streamed; `cell` flattens values that are not
    scalars."""
    values = ([cell(c, row[c]) if cell else row[c] for c in columns] for row in rows)
    for chunk in csv_chunks(columns, values):
        out.write(chunk.encode())


def rows_table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[dict[str, Any]],
    display: CellText,
    numeric: Iterable[str] = (),
    nowrap: Iterable[str] = (),
) -> Table:
    """A `Table` of the rows, each cell through `display` (column name, value) → text."""
    right, whole = set(numeric), set(nowrap)
    table = Table(
        title,
        [HEADERS.get(c, c) for c in columns],
        numeric={i for i, c in enumerate(columns) if c in right},
        nowrap={i for i, c in enumerate(columns) if c in whole},
    )
    for row in rows:
        table.rows.append([display(c, row[c]) for c in columns])
    return table
