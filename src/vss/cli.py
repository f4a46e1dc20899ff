"""The `vss` command line: options, inputs, output streams and exit codes (SPEC §8-§9)."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import orjson
import typer
from rich.console import Console

from vss import __version__
from vss.aggregate import InputCounts
from vss.errors import StrictError, UsageError, VssError
from vss.parse import DEFAULT_MAX_LINE_BYTES, error_code
from vss.pipeline import ReadOptions, iter_sessions, summarize
from vss.records import Code
from vss.render.overview import stats_csv_rows, stats_tables
from vss.render.rows import rows_table, write_csv, write_json_array, write_ndjson
from vss.render.table import Table, csv_text, markdown, print_tables
from vss.render.text import fmt_count, fmt_share, sanitize
from vss.sources import STDIN
from vss.views import (
    ERROR_PLACE_COLUMNS,
    ERROR_PLACE_TABLE_COLUMNS,
    ERROR_SUMMARY_COLUMNS,
    error_place_rows,
    error_summary_rows,
)

MAX_WARNINGS = 20

app = typer.Typer(
    name="vss",
    help="Analyze archived 8x8 Voice Session Summary (Number Masking) webhook payloads.\n\n"
    "Input: NDJSON files (plain, gzip, bzip2, xz), or standard input.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(StrEnum):
    """Output formats (SPEC §8)."""

    table = "table"
    json = "json"
    csv = "csv"
    ndjson = "ndjson"
    markdown = "markdown"


FilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="NDJSON files (plain or compressed); '-' or none for standard input.",
        show_default=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Stop with exit 3 at the first malformed or invalid line.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings about skipped lines.")]
NoDedupeOpt = Annotated[
    bool,
    typer.Option("--no-dedupe", help="Count every copy of a sessionId (webhook retries)."),
]
MaxLineOpt = Annotated[
    int,
    typer.Option(
        "--max-line-bytes",
        min=1,
        help="Longer lines are malformed, without being parsed.",
    ),
]
CodeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--code",
        help="Only this error code (repeatable), e.g. --code -2004.",
        show_default=False,
    ),
]


# ---- stderr and stdout ---------------------------------------------------------------------


def _say(message: str) -> None:
    """One line on stderr, prefixed `vss: `, sanitized."""
    sys.stderr.write(f"vss: {sanitize(message)}\n")
    sys.stderr.flush()


class StderrReporter:
    """Shows the pipeline's warnings on stderr: at most 20, then a count (SPEC §2)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.warnings = 0
        self.failed = False

    def warn(self, source: str, line_no: int, reason: str) -> None:
        """A malformed or invalid line."""
        self.warnings += 1
        if not self.quiet and self.warnings <= MAX_WARNINGS:
            _say(f"{source}:{line_no}: {reason}")

    def error(self, message: str) -> None:
        """A file could not be read (fully); always shown, exit 3."""
        self.failed = True
        _say(message)

    def hint(self, message: str) -> None:
        """Advice about a file."""
        if not self.quiet:
            _say(message)

    def finish(self) -> int:
        """Print the summary of suppressed warnings; the exit status the input deserves."""
        if not self.quiet and self.warnings > MAX_WARNINGS:
            _say(
                f"{self.warnings - MAX_WARNINGS:,} more warnings not shown "
                f"({self.warnings:,} malformed or invalid lines in all)"
            )
        return 3 if self.failed else 0


def _stdout_quiet() -> None:
    """Point fd 1 at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


@contextmanager
def _output(status: int) -> Iterator[None]:
    """Guard writes to stdout: a closed pipe ends quietly, other write errors exit 3."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_quiet()
        raise typer.Exit(status) from None
    except OSError as exc:
        _stdout_quiet()
        _say(f"write error: {exc.strerror or exc}")
        raise typer.Exit(3) from None
    if status:
        raise typer.Exit(status)


def _stdout_bytes() -> Any:
    """The binary stdout (CliRunner gives one too)."""
    return sys.stdout.buffer


def _console() -> Console:
    """A Rich console on stdout: no colour unless a terminal without NO_COLOR."""
    is_tty = sys.stdout.isatty()
    width = None if is_tty else int(os.environ.get("COLUMNS", "0") or 0) or 160
    return Console(
        file=sys.stdout,
        no_color=not is_tty or "NO_COLOR" in os.environ,
        highlight=False,
        markup=False,
        emoji=False,
        width=width,
    )


def _write_tables(tables: list[Table], fmt: Format) -> None:
    if fmt is Format.markdown:
        sys.stdout.write(markdown(tables))
    else:
        print_tables(tables, _console())


# ---- inputs ----------------------------------------------------------------------------------


def _stdin_is_data() -> bool:
    """Whether standard input is a pipe, a socket or a regular file (not a terminal/device)."""
    stdin = sys.stdin
    if stdin is None:
        return False
    try:
        mode = os.fstat(stdin.fileno()).st_mode
    except (OSError, ValueError, io.UnsupportedOperation):
        return True  # an in-memory stream (tests): it is data
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)


def _inputs(files: list[str] | None) -> list[str]:
    """The input paths; no file means stdin, but only when stdin carries data."""
    if files:
        return files
    if _stdin_is_data():
        return [STDIN]
    raise UsageError(
        "no input: name one or more files, or pipe data in (use '-' for standard input); "
        "standard input is a terminal or a device"
    )


def _fail(exc: VssError) -> NoReturn:
    _say(str(exc))
    raise typer.Exit(exc.exit_code)


def _codes(values: list[str] | None) -> set[Code]:
    """`--code` values, normalized like the data (SPEC §2)."""
    codes: set[Code] = set()
    for value in values or ():
        code = error_code(value)
        if code is None or (isinstance(code, str) and not code.strip()):
            raise typer.BadParameter(
                f"{value!r} is not an error code "
                "(accepted: an integer such as -2004, or a text code)",
                param_hint="--code",
            )
        codes.add(code)
    return codes


# ---- commands --------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vss {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Analyze archived 8x8 Voice Session Summary (Number Masking) webhook payloads."""


@app.command()
def stats(
    files: FilesArg = None,
    fmt: FormatOpt = Format.table,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    no_dedupe: NoDedupeOpt = False,
    max_line_bytes: MaxLineOpt = DEFAULT_MAX_LINE_BYTES,
) -> None:
    """Overview: input counters, status breakdown, KPIs, error codes, quality, per-leg tables."""
    options = ReadOptions(not no_dedupe, max_line_bytes, strict)
    reporter = StderrReporter(quiet)
    try:
        result = summarize(_inputs(files), None, options, reporter)
    except (StrictError, UsageError) as exc:
        _fail(exc)
    status = reporter.finish()
    report = result.to_dict()
    with _output(status):
        if fmt is Format.json:
            _stdout_bytes().write(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
        elif fmt is Format.ndjson:
            _stdout_bytes().write(orjson.dumps(report, option=orjson.OPT_APPEND_NEWLINE))
        elif fmt is Format.csv:
            sys.stdout.write(csv_text(["section", "key", "field", "value"], stats_csv_rows(report)))
        else:
            _write_tables(stats_tables(report), fmt)


def _summary_cell(column: str, value: Any) -> Any:
    if column == "top_destination_countries":
        return " ".join(f"{entry['country'] or '?'}:{entry['count']}" for entry in value)
    return value


def _display(column: str, value: Any) -> str:
    if value is None:
        return "-"
    if column == "share":
        return fmt_share(value)
    if column == "count":
        return fmt_count(value)
    if column == "top_destination_countries":
        return ", ".join(f"{e['country'] or '?'} {e['count']:,}" for e in value) or "-"
    return str(value)


@app.command()
def errors(
    files: FilesArg = None,
    code: CodeOpt = None,
    fmt: FormatOpt = Format.table,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    no_dedupe: NoDedupeOpt = False,
    max_line_bytes: MaxLineOpt = DEFAULT_MAX_LINE_BYTES,
) -> None:
    """Error codes with catalog messages and top destinations; --code lists each occurrence."""
    codes = _codes(code)
    options = ReadOptions(not no_dedupe, max_line_bytes, strict)
    reporter = StderrReporter(quiet)
    try:
        paths = _inputs(files)
        if codes:
            rows: list[dict[str, Any]] = []
            counts = InputCounts(files=paths)
            for session, _line in iter_sessions(paths, counts, reporter, options):
                if session.errors:
                    rows.extend(error_place_rows(session, codes))
            columns: tuple[str, ...] = ERROR_PLACE_COLUMNS
            title = f"Sessions with error code {', '.join(sorted(map(str, codes)))}"
            numeric: tuple[str, ...] = ()
            shown: tuple[str, ...] = tuple(
                c for c in ERROR_PLACE_TABLE_COLUMNS if c != "code" or len(codes) > 1
            )
        else:
            rows = error_summary_rows(summarize(paths, None, options, reporter))
            columns = shown = ERROR_SUMMARY_COLUMNS
            title = "Error codes"
            numeric = ("count", "share")
    except (StrictError, UsageError) as exc:
        _fail(exc)
    status = reporter.finish()
    with _output(status):
        out = _stdout_bytes()
        if fmt is Format.json:
            write_json_array(rows, out)
        elif fmt is Format.ndjson:
            write_ndjson(rows, out)
        elif fmt is Format.csv:
            write_csv(columns, rows, out, _summary_cell)
        else:
            table = rows_table(title, shown, rows, _display, numeric, ("sessionId", "startTime"))
            if codes:
                messages = {row["code"]: row["message"] for row in rows}
                table.caption = [f"{code}: {message}" for code, message in messages.items()]
                table.caption.append(f"{len(rows):,} {'row' if len(rows) == 1 else 'rows'}")
            _write_tables([table], fmt)


@app.command()
def generate(
    n: Annotated[int, typer.Option("-n", "--sessions", min=0, help="Lines to write.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bytes).")] = 0,
) -> None:
    """Write realistic synthetic session summaries (NDJSON) to stdout, deterministically."""
    from vss.generate import generate_lines

    with _output(0):
        out = _stdout_bytes()
        batch: list[bytes] = []
        for line in generate_lines(n, seed):
            batch.append(line)
            if len(batch) >= 4096:
                out.write(b"".join(batch))
                batch.clear()
        out.write(b"".join(batch))


def main() -> None:
    """Console entry point: run the app; never a traceback for the project's own errors."""
    try:
        app(prog_name="vss")
    except VssError as exc:
        _say(str(exc))
        sys.exit(exc.exit_code)
