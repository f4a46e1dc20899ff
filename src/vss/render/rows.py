"""Write a list of row dicts in any format: JSON array, NDJSON, CSV, table, Markdown."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

import orjson

from vss.render.table import Table, csv_text

CellText = Callable[[str, Any], str]
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
        out.write(separator + orjson.dumps(row))
        separator = b",\n"
    out.write(b"\n]\n" if separator != b"\n" else b"]\n")


def write_ndjson(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> None:
    """One JSON object per line, streamed."""
    for row in rows:
        out.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))


def write_csv(
    columns: Sequence[str],
    rows: Iterable[dict[str, Any]],
    out: IO[bytes],
    cell: Callable[[str, Any], Any] | None = None,
) -> None:
    """RFC 4180 CSV of the given columns; `cell` flattens values that are not scalars."""
    values = ([cell(c, row[c]) if cell else row[c] for c in columns] for row in rows)
    out.write(csv_text(columns, values).encode())


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
