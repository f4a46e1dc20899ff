"""The vss commands (SPEC §4-§7): each reads through the pipeline and renders one view."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import chain
from typing import Annotated, Any, TypeVar

import typer

from vss import __version__
from vss.aggregate import InputCounts, Stats
from vss.check import KINDS, CheckReport
from vss.cli.common import (
    DEDUPE_OPTIONS,
    FILTER_OPTIONS,
    JOBS_OPTIONS,
    READ_OPTIONS,
    FilesArg,
    Format,
    FormatOpt,
    RedactOpt,
    Run,
    fail,
    needle,
    output,
    prepare,
    say,
    stdout_bytes,
    with_options,
    write_tables,
)
from vss.errors import StrictError, UsageError, VssError
from vss.filters import Filters
from vss.groups import EVERY, GROUP_KEYS, Groups, Trend, key_function
from vss.parallel import aggregate as parallel_aggregate
from vss.parallel import default_jobs, plan, plan_prefilter, prefiltered
from vss.pipeline import Payload, batches, iter_blocks_of_sessions, iter_sessions
from vss.records import Session
from vss.redact import redact_line
from vss.render.detail import show_tables
from vss.render.overview import stats_csv_rows, stats_tables
from vss.render.rows import json_bytes, rows_table, write_csv, write_json_array, write_ndjson
from vss.render.table import csv_text
from vss.render.text import fmt_count, fmt_number, fmt_share
from vss.thresholds import Threshold, parse_threshold
from vss.views import (
    ERROR_PLACE_COLUMNS,
    ERROR_PLACE_TABLE_COLUMNS,
    ERROR_SUMMARY_COLUMNS,
    SESSION_COLUMNS,
    SESSION_TABLE_COLUMNS,
    error_place_rows,
    error_summary_rows,
    pick_rows,
    session_row,
    show_dict,
)

app = typer.Typer(
    name="vss",
    help="Analyze archived 8x8 Voice Session Summary (Number Masking) webhook payloads.\n\n"
    "Input: NDJSON files (plain, gzip, bzip2, xz), or standard input.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Sessions = Iterator[tuple[Session, bytes]]


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


def _read(run: Run, consume: Callable[[Sessions], None], counts: InputCounts | None = None) -> int:
    """Feed the matched sessions (first copies passing the filters) to `consume`.

    Returns the exit status the input deserves (3 when a file could not be read).
    """
    return _read_each(run, _pair, consume, counts, in_workers=False)


def _pair(session: Session, line: bytes) -> tuple[Session, bytes]:
    return session, line


def _line(session: Session, line: bytes) -> bytes:
    return line


T = TypeVar("T")


def _read_each(
    run: Run,
    each: Callable[[Session, bytes], T],
    consume: Callable[[Iterator[T]], None],
    counts: InputCounts | None = None,
    in_workers: bool = True,
) -> int:
    """`_read`, feeding `consume` with what `each` makes of every matched session; when the
    prefilter reads over processes, the workers make it (`in_workers`) or this process does
    from the lines read again. Returns the exit status the input deserves."""
    counts = counts if counts is not None else InputCounts(files=run.paths)
    match = run.filters if run.filters.active else None
    jobs = run.jobs if run.jobs is not None else default_jobs(run.paths)
    pieces = plan_prefilter(run.paths, jobs, run.options)
    if pieces is not None:  # over processes, no progress bar
        options = run.options
        consume(prefiltered(counts, run.reporter, options, match, pieces, jobs, each, in_workers))
        return run.reporter.finish()

    def made() -> Iterator[T]:
        for session, line in iter_sessions(run.paths, counts, run.reporter, run.options):
            if match is None or match(session):
                yield each(session, line)

    return _reading(run, lambda: consume(made()))


def _reading(run: Run, work: Callable[[], None]) -> int:
    """Run `work` (which reads the input) between the reporter's start and finish; a
    --strict failure ends the program. Returns the exit status the input deserves."""
    run.reporter.start(run.paths)
    try:
        work()
    except StrictError as exc:
        run.reporter.finish()
        fail(exc, run.redact)
    return run.reporter.finish()


A = TypeVar("A")


def _aggregate(
    run: Run,
    new: Callable[[], A],
    add: Callable[[A, list[Payload]], None],
    merge: Callable[[A, A], A],
    subtract: Callable[[A, A, A], bool],
    counts: InputCounts,
    any_order: bool = True,
) -> tuple[A, int]:
    """Fold the matched sessions into an accumulator, over `--jobs` processes when it pays;
    `add` takes a list of session payloads (`subtract`, `any_order`: see
    `parallel.aggregate`, which may leave the input to one process after all).

    Returns the accumulator and the exit status the input deserves.
    """
    jobs = run.jobs if run.jobs is not None else default_jobs(run.paths)
    pieces = plan(run.paths, jobs, run.options)
    match = run.filters if run.filters.active else None
    if pieces is not None:
        total = parallel_aggregate(
            run.paths,
            counts,
            run.reporter,
            run.options,
            match,
            new,
            add,
            merge,
            pieces,
            jobs,
            subtract,
            any_order,
        )
        if total is not None:
            return total, run.reporter.finish()
    accumulator = new()

    def fold() -> None:
        blocks = iter_blocks_of_sessions(run.paths, counts, run.reporter, run.options)
        for batch in batches(blocks, match):
            add(accumulator, batch)

    return accumulator, _reading(run, fold)


def _display(column: str, value: Any) -> str:
    """A cell of a row view as text (strings, most cells, first)."""
    if type(value) is str:
        return value or "-"
    if value is None:
        return "-"
    if column in ("share", "asr", "error_rate"):
        return fmt_share(value)
    if column in ("count", "sessions"):
        return fmt_count(value)
    if column == "top_destination_countries":
        return ", ".join(f"{e['country'] or '?'} {e['count']:,}" for e in value) or "-"
    if isinstance(value, float):
        return fmt_number(value)
    return str(value)


def _write_rows(
    rows: Iterable[dict[str, Any]],
    fmt: Format,
    columns: tuple[str, ...],
    *,
    title: str,
    table_columns: tuple[str, ...] | None = None,
    numeric: tuple[str, ...] = (),
    caption: list[str] | None = None,
    cell: Callable[[str, Any], Any] | None = None,
) -> None:
    """A list of row dicts in any format."""
    out = stdout_bytes()
    if fmt is Format.json:
        write_json_array(rows, out)
    elif fmt is Format.ndjson:
        write_ndjson(rows, out)
    elif fmt is Format.csv:
        write_csv(columns, rows, out, cell)
    else:
        shown = table_columns or columns
        table = rows_table(title, shown, rows, _display, numeric, ("sessionId", "startTime"))
        table.caption = caption or []
        write_tables([table], fmt)


Rows = Iterable[dict[str, Any]]


def _listing(
    run: Run,
    read: Callable[[Callable[[Rows], None]], int],
    fmt: Format,
    columns: tuple[str, ...],
    *,
    title: str,
    table_columns: tuple[str, ...],
    numeric: tuple[str, ...] = (),
    caption: Callable[[list[dict[str, Any]]], list[str]],
) -> None:
    """Rows made while the input is read (`read` feeds them to the function it is given and
    returns the input's exit status): JSON, NDJSON and CSV are written as they come, so
    memory stays flat; a table once all are in (its widths need them), with a caption.
    Under --strict nothing is written until the input has all been read: a bad line ends
    the run with no output (not half a JSON array)."""
    held: list[dict[str, Any]] = []
    streamed = fmt in (Format.json, Format.ndjson, Format.csv) and not run.options.strict

    def consume(rows: Rows) -> None:
        if streamed:
            _write_rows(map(run.present, rows), fmt, columns, title=title)
        else:
            held.extend(rows)

    with output(0):
        status_code = read(consume)
        if not streamed:
            shown = run.present(held)
            _write_rows(
                shown,
                fmt,
                columns,
                title=title,
                table_columns=table_columns,
                numeric=numeric,
                caption=caption(shown),
            )
    if status_code:
        raise typer.Exit(status_code)


# ---- stats ---------------------------------------------------------------------------------

ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        help=f"One row per group: {', '.join(GROUP_KEYS)}.",
        metavar="KEY",
        show_default=False,
    ),
]
TopOpt = Annotated[
    int | None,
    typer.Option(
        "--top", min=1, help="With --by: keep the N largest groups, sum the rest as (other)."
    ),
]
FailIfOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-if",
        help="Exit 1 when 'METRIC OP NUMBER' holds, e.g. 'kpi.error_rate > 0.05' (repeatable).",
        metavar="EXPR",
        show_default=False,
    ),
]
GROUP_COLUMNS = ("key", "sessions", "share", "asr", "acd_s", "error_rate", "mos_p50", "top_error")


@app.command()
@with_options(FILTER_OPTIONS, READ_OPTIONS, DEDUPE_OPTIONS, JOBS_OPTIONS)
def stats(
    files: FilesArg = None,
    fmt: FormatOpt = Format.table,
    by: ByOpt = None,
    top: TopOpt = None,
    fail_if: FailIfOpt = None,
    *,
    options: dict[str, Any],
) -> None:
    """Overview: input counters, status breakdown, KPIs, error codes, quality, per-leg tables.

    With --by KEY, one compact row per group instead.
    """
    if by is not None and by not in GROUP_KEYS:
        fail(UsageError(f"--by: unknown key {by!r} (accepted: {', '.join(GROUP_KEYS)})"))
    if top is not None and by is None:
        fail(UsageError("--top goes with --by"))
    if fail_if and by is not None:
        fail(UsageError("--fail-if goes with the overview, not with --by"))
    try:
        thresholds = [parse_threshold(text) for text in fail_if or ()]
    except ValueError as exc:
        fail(UsageError(f"--fail-if: {exc}"))
    run = prepare(files, **options)
    if by is not None:
        _stats_by(run, by, top, fmt)
        return
    counts = InputCounts(files=run.paths)
    result, status_code = _aggregate(
        run, Stats, Stats.add_block, Stats.merge, Stats.subtract, counts
    )
    counts.matched = result.input.matched
    result.input = counts
    report = run.present(result.to_dict())
    breaches = _breaches(report, thresholds)
    with output(max(status_code, 1 if breaches else 0)):
        if fmt is Format.json:
            stdout_bytes().write(json_bytes(report, indent=True))
        elif fmt is Format.ndjson:
            stdout_bytes().write(json_bytes(report))
        elif fmt is Format.csv:
            sys.stdout.write(csv_text(["section", "key", "field", "value"], stats_csv_rows(report)))
        else:
            write_tables(stats_tables(report), fmt)
        sys.stdout.flush()  # the report first, then what breached
        for line in breaches:
            say(line)


def _breaches(report: dict[str, Any], thresholds: list[Threshold]) -> list[str]:
    """One message per threshold that holds (or cannot be evaluated)."""
    lines = []
    for threshold in thresholds:
        breached, value = threshold.evaluate(report)
        if not breached:
            continue
        if value is None:
            lines.append(f"threshold not evaluable (no data): {threshold.text}")
        else:
            lines.append(f"threshold breached: {threshold.text} (value {value!r})")
    return lines


def _stats_by(run: Run, by: str, top: int | None, fmt: Format) -> None:
    key_of = key_function(by, run.zone)

    def add(groups: Groups, payloads: list[Payload]) -> None:
        groups.add_block(key_of, payloads)

    groups, status_code = _aggregate(
        run, Groups, add, Groups.merge, Groups.subtract, InputCounts(files=run.paths)
    )
    rows = run.present(groups.rows(top))
    with output(status_code):
        if fmt is Format.json:
            document = {"schema": "vss.groups/1", "by": by, "groups": rows}
            stdout_bytes().write(json_bytes(document, indent=True))
        else:
            total = sum(row["sessions"] for row in rows)
            _write_rows(
                rows,
                fmt,
                GROUP_COLUMNS,
                title=f"Sessions by {by}",
                numeric=GROUP_COLUMNS[1:],
                caption=[f"{len(rows):,} groups, {total:,} sessions"],
            )


# ---- errors --------------------------------------------------------------------------------


def _summary_cell(column: str, value: Any) -> Any:
    if column == "top_destination_countries":
        return " ".join(f"{entry['country'] or '?'}:{entry['count']}" for entry in value)
    return value


@app.command()
@with_options(FILTER_OPTIONS, READ_OPTIONS, DEDUPE_OPTIONS, JOBS_OPTIONS)
def errors(
    files: FilesArg = None,
    fmt: FormatOpt = Format.table,
    *,
    options: dict[str, Any],
) -> None:
    """Error codes with catalog messages and top destinations; --code lists each occurrence."""
    run = prepare(files, **options, prefilter=True)
    codes = set(run.filters.codes)
    if codes:

        def places(session: Session, _: bytes) -> list[dict[str, Any]]:
            return error_place_rows(session, codes)

        def caption(rows: list[dict[str, Any]]) -> list[str]:
            messages = {row["code"]: row["message"] for row in rows}
            lines = [f"{c}: {message}" for c, message in messages.items()]
            return [*lines, f"{len(rows):,} {'row' if len(rows) == 1 else 'rows'}"]

        _listing(
            run,
            lambda consume: _read_each(
                run, places, lambda found: consume(chain.from_iterable(found))
            ),
            fmt,
            ERROR_PLACE_COLUMNS,
            title=f"Sessions with error code {', '.join(sorted(map(str, codes)))}",
            table_columns=tuple(
                c for c in ERROR_PLACE_TABLE_COLUMNS if c != "code" or len(codes) > 1
            ),
            caption=caption,
        )
        return
    result, status_code = _aggregate(
        run, Stats, Stats.add_block, Stats.merge, Stats.subtract, InputCounts(files=run.paths)
    )
    with output(status_code):
        _write_rows(
            run.present(error_summary_rows(result)),
            fmt,
            ERROR_SUMMARY_COLUMNS,
            title="Error codes",
            numeric=("count", "share"),
            cell=_summary_cell,
        )


# ---- trend ---------------------------------------------------------------------------------

TREND_COLUMNS = ("start", "sessions", "asr", "error_rate", "mos_p50")
BARS = " ▁▂▃▄▅▆▇█"


@app.command()
@with_options(FILTER_OPTIONS, READ_OPTIONS, DEDUPE_OPTIONS, JOBS_OPTIONS)
def trend(
    files: FilesArg = None,
    every: Annotated[
        str, typer.Option("--every", help="Bucket size: 15m, 1h or 1d.", metavar="15m|1h|1d")
    ] = "1h",
    fmt: FormatOpt = Format.table,
    *,
    options: dict[str, Any],
) -> None:
    """Sessions, ASR, error rate and MOS p50 per time bucket of startTime, with a bar."""
    if every not in EVERY:
        fail(UsageError(f"--every: {every!r} is not a bucket size (accepted: 15m, 1h, 1d)"))
    run = prepare(files, **options)
    step, zone = EVERY[every], run.zone
    buckets, status_code = _aggregate(
        run,
        lambda: Trend(step, zone),
        Trend.add_block,
        Trend.merge,
        Trend.subtract,
        InputCounts(files=run.paths),
    )
    rows = buckets.rows()
    with output(status_code):
        if fmt is Format.json:
            document: dict[str, Any] = {
                "schema": "vss.trend/1",
                "every": every,
                "tz": options["tz"],
                "buckets": rows,
            }
            if buckets.no_start:
                document["sessions_without_start"] = buckets.no_start
            stdout_bytes().write(json_bytes(document, indent=True))
            return
        if fmt in (Format.table, Format.markdown):
            peak = max((row["sessions"] for row in rows), default=0)
            for row in rows:
                row["bar"] = _bar(row["sessions"], peak)
        caption = [f"{sum(r['sessions'] for r in rows):,} sessions, every {every}, {options['tz']}"]
        if buckets.no_start:
            caption.append(f"{buckets.no_start:,} sessions without a startTime are not shown")
        _write_rows(
            rows,
            fmt,
            TREND_COLUMNS,
            title="Trend",
            table_columns=(*TREND_COLUMNS, "bar")
            if fmt in (Format.table, Format.markdown)
            else None,
            numeric=TREND_COLUMNS[1:],
            caption=caption,
        )


def _bar(value: int, peak: int, width: int = 30) -> str:
    """A horizontal bar, in eighths of a character."""
    if not peak or not value:
        return ""
    eighths = max(1, round(value / peak * width * 8))
    return "█" * (eighths // 8) + (BARS[eighths % 8] if eighths % 8 else "")


# ---- sessions, show, filter ----------------------------------------------------------------

LimitOpt = Annotated[
    int | None, typer.Option("--limit", "-n", min=0, help="At most N rows.", show_default=False)
]


@with_options(FILTER_OPTIONS, READ_OPTIONS, DEDUPE_OPTIONS, JOBS_OPTIONS)
def _sessions_command(
    files: FilesArg = None,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            help="Order by this column (default: input order); missing values last.",
            metavar="COLUMN",
            show_default=False,
        ),
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Descending order.")] = False,
    *,
    options: dict[str, Any],
) -> None:
    """One row per session: ids, times, status, numbers, callB duration, lowest MOS, codes."""
    if sort is not None and sort not in SESSION_COLUMNS:
        fail(
            UsageError(f"--sort: unknown column {sort!r} (accepted: {', '.join(SESSION_COLUMNS)})")
        )
    run = prepare(files, **options, prefilter=True)

    def rows(sessions: Sessions) -> Iterable[dict[str, Any]]:
        return pick_rows((session_row(session) for session, _ in sessions), sort, reverse, limit)

    _listing(
        run,
        lambda consume: _read(run, lambda sessions: consume(rows(sessions))),
        fmt,
        SESSION_COLUMNS,
        title="Sessions",
        table_columns=SESSION_TABLE_COLUMNS,
        numeric=("duration_s", "mos_min", "callCount"),
        caption=lambda held: [f"{len(held):,} {'session' if len(held) == 1 else 'sessions'}"],
    )


app.command("sessions")(_sessions_command)
app.command("list", help="Alias of `sessions`.")(_sessions_command)


@app.command()
@with_options(FILTER_OPTIONS, READ_OPTIONS, DEDUPE_OPTIONS, JOBS_OPTIONS)
def show(
    session_id: Annotated[str, typer.Argument(help="The sessionId to show.", show_default=False)],
    files: FilesArg = None,
    fmt: FormatOpt = Format.table,
    *,
    options: dict[str, Any],
) -> None:
    """One session: its legs on a time line, errors with messages, quality with MOS band.

    The first copy of the id is shown, with --no-dedupe too; with filters, only if that
    copy passes them. --jobs is accepted: the search stops at the first match, in one
    process.
    """
    # no dedupe: the first match is the first copy, nothing to remember
    # one process: the search stops at the first match (later lines are not even read)
    run = prepare(files, **{**options, "no_dedupe": True, "jobs": 1})
    # the filters judge the first copy, after the search: a later copy that passes them is
    # a duplicate, not the session
    wanted_by, run.filters = run.filters, Filters()
    wanted = needle(session_id)
    if wanted is not None:
        run.options = replace(run.options, needles=(wanted,), needle_codes=False)
    # the search stops at the first match: files after it must still be reported if unreadable
    run.paths = [path for path in run.paths if _readable(path, run)]
    found: list[Session] = []

    def find(sessions: Sessions) -> None:
        for session, _ in sessions:
            if session.session_id == session_id:
                found.append(session)
                return

    status_code = _read(run, find)
    if not found:
        say(f"session {session_id} not found in the input", run.redact)
        raise typer.Exit(max(status_code, 1))
    if wanted_by.active and not wanted_by(found[0]):
        say(f"session {session_id} does not pass the filters", run.redact)
        raise typer.Exit(max(status_code, 1))
    document = run.present(show_dict(found[0]))
    with output(status_code):
        if fmt in (Format.json, Format.ndjson):
            stdout_bytes().write(json_bytes(document, indent=fmt is Format.json))
        elif fmt is Format.csv:
            _write_rows(
                document["legs"],
                fmt,
                tuple(document["legs"][0]) if document["legs"] else ("leg",),
                title="",
            )
        else:
            write_tables(show_tables(document), fmt)


def _readable(path: str, run: Run) -> bool:
    """Whether a file can be opened; if not, report it (exit 3) now."""
    if path == "-":
        return True
    try:
        with open(path, "rb"):
            return True
    except OSError as exc:
        run.reporter.error(f"{path}: cannot open: {exc.strerror or exc}")
        return False


@app.command("filter")
@with_options(FILTER_OPTIONS, READ_OPTIONS, DEDUPE_OPTIONS, JOBS_OPTIONS)
def filter_(
    files: FilesArg = None,
    count: Annotated[bool, typer.Option("--count", "-c", help="Print only the number.")] = False,
    *,
    options: dict[str, Any],
) -> None:
    """The matching original lines, byte for byte, in input order, first copies only."""
    run = prepare(files, **options, prefilter=True)
    total = 0
    out = stdout_bytes()

    def write(lines: Iterator[bytes]) -> None:
        nonlocal total
        for line in lines:
            total += 1
            if not count:
                out.write((redact_line(line) if run.redact else line) + b"\n")

    status_code = 0
    with output(0):
        # only the lines are needed: over processes, the workers send them (not sessions)
        status_code = _read_each(run, _line, write)
        if count:
            out.write(b"%d\n" % total)
    if status_code:
        raise typer.Exit(status_code)


# ---- check ---------------------------------------------------------------------------------


@app.command()
@with_options(FILTER_OPTIONS, READ_OPTIONS, DEDUPE_OPTIONS, JOBS_OPTIONS)
def check(
    files: FilesArg = None,
    fmt: FormatOpt = Format.table,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            help=f"Do not fail on this problem kind (repeatable): {', '.join(KINDS)}.",
            metavar="KIND",
            show_default=False,
        ),
    ] = None,
    *,
    options: dict[str, Any],
) -> None:
    """Consistency report: sessions per problem kind; exit 1 when any is found."""
    ignored = set(ignore or ())
    unknown = sorted(ignored - set(KINDS))
    if unknown:
        fail(UsageError(f"--ignore: unknown kind {unknown[0]!r} (accepted: {', '.join(KINDS)})"))
    run = prepare(files, **options)
    report, status_code = _aggregate(
        run,
        CheckReport,
        CheckReport.add_block,
        CheckReport.merge,
        CheckReport.subtract,
        InputCounts(files=run.paths),
        any_order=False,  # the examples are the first ones in input order
    )
    document = run.present(report.to_dict())
    found = any(n for kind, n in document["problems"].items() if kind not in ignored)
    with output(max(status_code, 1 if found else 0)):
        if fmt is Format.json:
            stdout_bytes().write(json_bytes(document, indent=True))
        elif fmt is Format.ndjson:
            stdout_bytes().write(json_bytes(document))
        else:
            rows = [
                {"problem": kind, "sessions": n, "ignored": "yes" if kind in ignored else ""}
                for kind, n in document["problems"].items()
            ]
            if fmt is Format.csv:
                write_csv(("problem", "sessions", "ignored"), rows, stdout_bytes())
                return
            problems = rows_table(
                f"Consistency of {document['sessions']:,} sessions",
                ("problem", "sessions", "ignored"),
                rows,
                _display,
                ("sessions",),
            )
            if found:
                problems.caption = ["problems found (exit 1)"]
            elif any(document["problems"].values()):
                problems.caption = ["only ignored problems found (exit 0)"]
            else:
                problems.caption = ["clean: no problems found"]
            tables = [problems]
            if document["examples"]:
                tables.append(
                    rows_table(
                        "Examples (at most 5 per kind)",
                        ("problem", "sessionId", "detail"),
                        document["examples"],
                        _display,
                        nowrap=("sessionId",),
                    )
                )
            write_tables(tables, fmt)


# ---- generate ------------------------------------------------------------------------------


@app.command()
def generate(
    n: Annotated[int, typer.Option("-n", "--sessions", min=0, help="Lines to write.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bytes).")] = 0,
    redact: RedactOpt = False,
) -> None:
    """Write realistic synthetic session summaries (NDJSON) to stdout, deterministically."""
    from vss.generate import generate_lines

    with output(0):
        out = stdout_bytes()
        batch: list[bytes] = []
        for line in generate_lines(n, seed):
            batch.append(redact_line(line) if redact else line)
            if len(batch) >= 4096:
                out.write(b"".join(batch))
                batch.clear()
        out.write(b"".join(batch))


def main() -> None:
    """Console entry point: run the app; never a traceback for the project's own errors."""
    # What is loaded by now lives as long as the program: the garbage collector need not
    # look at it again (~2% of the time on a large input; forked workers share it too).
    gc.freeze()
    try:
        app(prog_name="vss")
    except VssError as exc:
        say(str(exc))
        sys.exit(exc.exit_code)
