"""A neutral table (title, columns, rows) and its writers: Rich, Markdown, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from vss.render.text import sanitize

Cell = str | int | float | list[str] | None


@dataclass(slots=True)
class Table:
    """One table of a view. Cells are raw values for CSV; `display` holds the text shown."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)  # right-aligned column indexes
    nowrap: set[int] = field(default_factory=set)  # columns never folded (ids, timestamps)
    caption: list[str] = field(default_factory=list)  # lines under the table


def print_tables(tables: Iterable[Table], console: Console) -> None:
    """Print tables with Rich; every string goes in as `Text`, so markup is never parsed."""
    for index, table in enumerate(tables):
        if index:
            console.line()
        rich_table = RichTable(
            title=Text(sanitize(table.title), style="bold"),
            caption=Text("\n".join(sanitize(line) for line in table.caption))
            if table.caption
            else None,
            box=box.SIMPLE_HEAD,
            padding=(0, 1, 0, 0),
            pad_edge=False,
            show_edge=False,
            title_justify="left",
            caption_justify="left",
            header_style="bold",
        )
        for index, name in enumerate(table.columns):
            rich_table.add_column(
                Text(sanitize(name)),
                justify="right" if index in table.numeric else "left",
                overflow="fold",
                no_wrap=index in table.nowrap,
            )
        for row in table.rows:
            rich_table.add_row(*(Text(sanitize(cell)) for cell in row))
        console.print(rich_table)


def markdown(tables: Iterable[Table]) -> str:
    """Tables as GitHub-flavoured Markdown, each under a `###` heading."""
    out: list[str] = []
    for table in tables:
        out.append(f"### {_md(table.title)}\n")
        out.append("| " + " | ".join(_md(c) for c in table.columns) + " |")
        out.append(
            "|"
            + "|".join("---:" if i in table.numeric else "---" for i in range(len(table.columns)))
            + "|"
        )
        for row in table.rows:
            out.append("| " + " | ".join(_md(c) for c in row) + " |")
        if table.caption:
            out.append("")
            out.extend(f"{_md(line)}  " for line in table.caption)
        out.append("")
    return "\n".join(out)


def _md(text: str) -> str:
    """A Markdown cell: sanitized, pipes and backslashes escaped, on one line."""
    return sanitize(text).replace("\\", "\\\\").replace("|", "\\|")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Cell) -> str:
    """One CSV cell: numbers as they are; text that a spreadsheet would run is neutralized."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        return csv_cell(" ".join(str(item) for item in value))
    if not isinstance(value, str):
        return csv_cell(str(value))
    if value.startswith(_FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower().lstrip("+-") not in ("inf", "nan", "infinity")


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """RFC 4180 CSV (CRLF line ends) with formula-safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()
