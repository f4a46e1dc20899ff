"""Tables that fit the terminal are drawn without Rich, in exactly Rich's layout."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from vss.render.table import Table, csv_chunks, csv_text, plain_lines, print_tables, rich_table

text = st.text(alphabet=st.sampled_from(list("ab Z09-_:.+é中😀\u0301\x1b\u202e")), max_size=8)
words = st.sampled_from(["", " ", "COMPLETED", "2024-03-25T06:01:30Z", "-2004"])
tabs = st.text(alphabet=st.sampled_from(list("ab\t ")), max_size=3)  # left to Rich
cells = st.one_of(text, text, words, words, tabs)
# all printable ASCII but now and then a character that is not (laid out by `str.format`)
ascii_cells = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab Z09-_:.+{}")), max_size=8),
    words,
    st.text(alphabet=st.sampled_from(list("a \x1b\x7f\t\n")), max_size=2),
)


@st.composite
def tables(draw: st.DrawFn, cells: st.SearchStrategy[str] = cells) -> Table:
    columns = draw(st.lists(cells, min_size=1, max_size=5))
    rows = draw(st.lists(st.lists(cells, min_size=len(columns), max_size=len(columns)), max_size=6))
    numeric = draw(st.sets(st.integers(0, len(columns) - 1)))
    caption = draw(st.lists(st.one_of(words, cells), max_size=2))
    title = draw(st.one_of(st.sampled_from(["", "T", "Errors"]), cells))
    return Table(title, columns, rows, numeric=numeric, caption=caption)


def rich_text(table: Table, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False).print(rich_table(table))
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(tables(), st.integers(10, 160))
def test_plain_lines_are_what_rich_draws(table: Table, width: int) -> None:
    lines = plain_lines(table, width)
    if lines is not None:
        assert "".join(line + "\n" for line in lines) == rich_text(table, width)


@settings(max_examples=300, deadline=None)
@given(tables(ascii_cells), st.integers(10, 160))
def test_ascii_tables_are_what_rich_draws(table: Table, width: int) -> None:
    lines = plain_lines(table, width)
    if lines is not None:
        assert "".join(line + "\n" for line in lines) == rich_text(table, width)


def test_a_wide_table_is_left_to_rich() -> None:
    table = Table("t", ["a", "b"], [["x" * 50, "y" * 50]])
    assert plain_lines(table, 80) is None
    out = io.StringIO()
    print_tables([table], Console(file=out, width=80, color_system=None))
    assert out.getvalue() == rich_text(table, 80)  # folded by Rich


def test_many_rows_are_drawn_quickly() -> None:
    """The reason for the plain path: 50,000 rows (a day of `errors --code`)."""
    table = Table("Sessions", ["id", "n"], [[f"s{i}", str(i)] for i in range(50_000)], {1})
    lines = plain_lines(table, 120)
    assert lines is not None and len(lines) == 50_003
    assert lines[3] == "s0" + " " * 10 + "0" and lines[-1] == "s49999  49999"


def test_csv_written_in_chunks_is_the_same_text() -> None:
    """`csv_chunks` hands on a few rows at a time (streamed output): joined, the same CSV,
    wherever the chunks end."""
    rows = [[f"=cell {i}", i, i / 3, None, "a,b", 'q"uote', "line\nbreak"] for i in range(23)]
    whole = csv_text(["a", "b", "c", "d", "e", "f", "g"], rows)
    for size in (1, 2, 5, 22, 23, 24):
        chunks = list(csv_chunks(["a", "b", "c", "d", "e", "f", "g"], rows, size))
        assert "".join(chunks) == whole
        assert len(chunks) == len(rows) // size + 1
