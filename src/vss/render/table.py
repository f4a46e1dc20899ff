"""A neutral table (title, columns, rows) and its writers: Rich, Markdown, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING

from vss.render.text import sanitize

if TYPE_CHECKING:  # Rich is imported only where a table is drawn (~60 ms of start-up)
    from rich.console import Console
    from rich.table import Table as RichTable

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
    """Print tables with Rich; every string goes in as `Text`, so markup is never parsed.

    A table that fits the console's width is drawn here in the same layout: Rich takes
    about 2 ms a row, which is minutes for the rows of a day's `errors --code`.
    """
    for index, table in enumerate(tables):
        if index:
            console.line()
        lines = plain_lines(table, console.width, bold=console.color_system is not None)
        if lines is not None:
            console.file.write("".join(line + "\n" for line in lines))
            continue
        console.print(rich_table(table))


def rich_table(table: Table) -> RichTable:
    """A table as Rich draws it."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    out = RichTable(
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
        out.add_column(
            Text(sanitize(name)),
            justify="right" if index in table.numeric else "left",
            overflow="fold",
            no_wrap=index in table.nowrap,
        )
    for row in table.rows:
        out.add_row(*(Text(sanitize(cell)) for cell in row))
    return out


_BOLD, _PLAIN = "\x1b[1m", "\x1b[0m"


def plain_lines(table: Table, width: int, bold: bool = False) -> list[str] | None:
    """The lines Rich draws for a table (SIMPLE_HEAD, as `print_tables` sets it up) when
    it fits in `width` without folding a cell; None when it does not.

    Text that is all printable ASCII (nearly always) is safe as it is and one cell per
    character, so it is measured by `len` and each row laid out by one `str.format`."""
    title, caption, header, rows = table.title, table.caption, table.columns, table.rows
    everything = chain((title,), caption, header, chain.from_iterable(rows))
    if _printable_ascii(" ".join(everything)):
        measure: Callable[[str], int] = len
    else:
        from rich.cells import cell_len

        measure = cell_len
        header = [sanitize(name) for name in header]
        rows = [[sanitize(cell) for cell in row] for row in rows]
        title = sanitize(title)
        caption = [sanitize(line) for line in caption]
        texts = [title, *caption, *header, *(cell for row in rows for cell in row)]
        if any("\t" in text for text in texts):  # Rich expands tabs
            return None
    widths = [max(map(measure, column)) for column in zip(header, *rows, strict=True)]
    total = sum(widths) + 2 * (len(widths) - 1)
    if not min(widths) or total > width:
        return None
    if measure(title) > total or any(measure(line) > total for line in caption):
        return None  # Rich would fold them

    if measure is len:  # the same layout, a row at a time in C
        template = "  ".join(
            ("{:>%d}" if index in table.numeric else "{:<%d}") % size
            for index, size in enumerate(widths)
        )

        def line(cells: list[str]) -> str:
            # as Rich: trailing blanks count in the width, are not drawn
            return template.format(*map(str.rstrip, cells))

    else:

        def line(cells: list[str]) -> str:
            out = []
            for index, (text, size) in enumerate(zip(cells, widths, strict=True)):
                cell = text.rstrip()
                pad = " " * (size - measure(cell))
                out.append(pad + cell if index in table.numeric else cell + pad)
            return "  ".join(out)

    def padded(text: str) -> str:
        return text + " " * (total - measure(text))

    head = line(header)
    lines = [_BOLD + head + _PLAIN if bold else head, "─" * total, *map(line, rows)]
    if title:
        lines.insert(0, _BOLD + padded(title) + _PLAIN if bold else padded(title))
    if "\n".join(caption):  # as Rich: no caption when its text is empty
        lines.extend(map(padded, caption))
    return lines


def _printable_ascii(text: str) -> bool:
    """Whether text is all printable ASCII: no character to escape (SPEC §8), no tab, and
    every character one cell wide."""
    return text.isascii() and text.isprintable()


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
    return "".join(csv_chunks(header, rows))


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], rows_per_chunk: int = 512
) -> Iterator[str]:
    """`csv_text` a few hundred rows at a time, as the rows come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for number, row in enumerate(rows, 1):
        writer.writerow([csv_cell(cell) for cell in row])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
