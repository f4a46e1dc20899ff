"""What every vss command shares: options, inputs, filters, stderr, stdout and exit codes."""

from __future__ import annotations

import functools
import inspect
import io
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar, get_type_hints

import typer

from vss.errors import UsageError, VssError
from vss.filters import TIME_HELP, Filters, build_filters, parse_zone
from vss.parse import DEFAULT_MAX_LINE_BYTES
from vss.pipeline import ReadOptions
from vss.records import Code
from vss.redact import redact_text, redact_value
from vss.render.table import Table, markdown, print_tables
from vss.render.text import sanitize
from vss.sources import STDIN

if TYPE_CHECKING:  # Rich is imported only where a table or a progress bar is drawn
    from rich.console import Console
    from rich.progress import Progress, TaskID

MAX_WARNINGS = 20


class Format(StrEnum):
    """Output formats (SPEC §8)."""

    table = "table"
    json = "json"
    csv = "csv"
    ndjson = "ndjson"
    markdown = "markdown"


_INPUT = "Input"
_FILTERS = "Filters"

FilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="NDJSON files (plain, gzip, bzip2, xz); '-' or none for standard input.",
        show_default=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Stop with exit 3 at the first malformed or invalid line.",
        rich_help_panel=_INPUT,
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No warnings about skipped lines.", rich_help_panel=_INPUT),
]
NoDedupeOpt = Annotated[
    bool,
    typer.Option(
        "--no-dedupe",
        help="Count every copy of a sessionId (webhook retries).",
        rich_help_panel=_INPUT,
    ),
]
MaxLineOpt = Annotated[
    int,
    typer.Option(
        "--max-line-bytes",
        min=1,
        help="Longer lines are malformed, without being parsed.",
        rich_help_panel=_INPUT,
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help=f"Sessions that started at or after T: {TIME_HELP}.",
        metavar="T",
        show_default=False,
        rich_help_panel=_FILTERS,
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until",
        help="Sessions that started before T (same forms as --since).",
        metavar="T",
        show_default=False,
        rich_help_panel=_FILTERS,
    ),
]
StatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        help="Only this sessionStatus (repeatable; 'no answer' works).",
        show_default=False,
        rich_help_panel=_FILTERS,
    ),
]
SubaccountOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--subaccount",
        help="Only this subAccountId (repeatable, exact).",
        show_default=False,
        rich_help_panel=_FILTERS,
    ),
]
CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        help="Only this destination country code (repeatable, any case).",
        show_default=False,
        rich_help_panel=_FILTERS,
    ),
]
CodeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--code",
        help="Only sessions with this error code (repeatable), e.g. --code -2004.",
        show_default=False,
        rich_help_panel=_FILTERS,
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Worker processes (default: the number of CPUs when the input is over 64 MB).",
        show_default=False,
        rich_help_panel=_INPUT,
    ),
]
RedactOpt = Annotated[
    bool,
    typer.Option(
        "--redact",
        help="Mask phone numbers in every output (+6591178965 → +65****8965).",
    ),
]
TzOpt = Annotated[
    str,
    typer.Option(
        "--tz",
        help="Time zone for dates, --by day|hour and trend buckets (e.g. Europe/London).",
        rich_help_panel=_FILTERS,
    ),
]


def _option(name: str, annotation: Any, default: Any = None) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


# The options shared by the commands, added to their signatures by `with_options`.
FILTER_OPTIONS = (
    _option("since", SinceOpt),
    _option("until", UntilOpt),
    _option("status", StatusOpt),
    _option("subaccount", SubaccountOpt),
    _option("country", CountryOpt),
    _option("code", CodeOpt),
    _option("tz", TzOpt, "UTC"),
)
READ_OPTIONS = (
    _option("strict", StrictOpt, False),
    _option("quiet", QuietOpt, False),
    _option("max_line_bytes", MaxLineOpt, DEFAULT_MAX_LINE_BYTES),
    _option("redact", RedactOpt, False),
)
DEDUPE_OPTIONS = (_option("no_dedupe", NoDedupeOpt, False),)
JOBS_OPTIONS = (_option("jobs", JobsOpt),)
Command = TypeVar("Command", bound=Callable[..., None])


def with_options(*groups: tuple[inspect.Parameter, ...]) -> Callable[[Command], Command]:
    """Add shared options to a command's signature; it receives their values as `options`."""
    extra = [parameter for group in groups for parameter in group]

    def decorate(function: Command) -> Command:
        signature = inspect.signature(function)
        hints = get_type_hints(function, include_extras=True)  # Typer reads these, resolved
        own = [
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in signature.parameters.values()
            if p.name != "options"
        ]

        @functools.wraps(function)
        def command(*args: Any, **kwargs: Any) -> None:
            options = {parameter.name: kwargs.pop(parameter.name) for parameter in extra}
            function(*args, options=options, **kwargs)

        command.__signature__ = signature.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
        return command  # type: ignore[return-value]

    return decorate


# ---- stderr and stdout ---------------------------------------------------------------------


def say(message: str, redact: bool = False) -> None:
    """One line on stderr, prefixed `vss: `, sanitized (and redacted when asked)."""
    if redact:
        message = redact_text(message)
    sys.stderr.write(f"vss: {sanitize(message)}\n")
    sys.stderr.flush()


PROGRESS_MIN_BYTES = 8 * 1024 * 1024


class StderrReporter:
    """Shows the pipeline's warnings on stderr: at most 20, then a count (SPEC §2).

    Also draws a progress bar on stderr for inputs over 8 MiB, only when stderr is a
    terminal and not `--quiet`.
    """

    def __init__(self, quiet: bool, redact: bool = False) -> None:
        self.quiet = quiet
        self.redact = redact
        self.warnings = 0
        self.failed = False
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def start(self, paths: list[str]) -> None:
        """Start the progress bar when the input is large and stderr is a terminal."""
        if self.quiet or not sys.stderr.isatty():
            return
        total = 0
        for path in paths:
            try:
                info = os.stat(path) if path != STDIN else os.fstat(sys.stdin.fileno())
            except (OSError, ValueError, io.UnsupportedOperation):
                return  # size unknown: no bar rather than a wrong one
            if not stat.S_ISREG(info.st_mode):
                return
            total += info.st_size
        if total < PROGRESS_MIN_BYTES:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._progress = Progress(
            TextColumn("reading"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True, markup=False, highlight=False),
            transient=True,
        )
        self._task = self._progress.add_task("reading", total=total)
        self._progress.start()

    def skipped_warnings(self, count: int) -> None:
        """Warnings counted in a worker process but not passed on."""
        self.warnings += count

    def advance(self, nbytes: int) -> None:
        """More input bytes were read."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, nbytes)

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def warn(self, source: str, line_no: int, reason: str) -> None:
        """A malformed or invalid line."""
        self.warnings += 1
        if not self.quiet and self.warnings <= MAX_WARNINGS:
            self._say(f"{source}:{line_no}: {reason}")

    def error(self, message: str) -> None:
        """A file could not be read (fully); always shown, exit 3."""
        self.failed = True
        self._say(message)

    def hint(self, message: str) -> None:
        """Advice about a file."""
        if not self.quiet:
            self._say(message)

    def _say(self, message: str) -> None:
        if self.redact:
            message = redact_text(message)
        if self._progress is not None:
            from rich.text import Text

            self._progress.console.print(Text("vss: " + sanitize(message)))
        else:
            say(message)

    def finish(self) -> int:
        """Print the summary of suppressed warnings; the exit status the input deserves."""
        self._stop()
        if not self.quiet and self.warnings > MAX_WARNINGS:
            say(
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
def output(status: int) -> Iterator[None]:
    """Guard writes to stdout: a closed pipe ends quietly, other write errors exit 3.

    Leaves with `status` (the input's exit status, or a command's own) when it is not 0.
    """
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_quiet()
        raise typer.Exit(status) from None
    except OSError as exc:
        _stdout_quiet()
        say(f"write error: {exc.strerror or exc}")
        raise typer.Exit(3) from None
    if status:
        raise typer.Exit(status)


def stdout_bytes() -> Any:
    """The binary stdout."""
    return sys.stdout.buffer


def console() -> Console:
    """A Rich console on stdout: no colour unless a terminal without NO_COLOR."""
    is_tty = sys.stdout.isatty()
    width = None if is_tty else int(os.environ.get("COLUMNS", "0") or 0) or 160
    from rich.console import Console

    return Console(
        file=sys.stdout,
        no_color=not is_tty or "NO_COLOR" in os.environ,
        highlight=False,
        markup=False,
        emoji=False,
        width=width,
    )


def write_tables(tables: list[Table], fmt: Format) -> None:
    """Tables as Markdown, or through Rich for `table`."""
    if fmt is Format.markdown:
        sys.stdout.write(markdown(tables))
    else:
        print_tables(tables, console())


def fail(exc: VssError, redact: bool = False) -> NoReturn:
    """Report one of the project's errors and exit with its status."""
    say(str(exc), redact)
    raise typer.Exit(exc.exit_code)


# ---- inputs --------------------------------------------------------------------------------


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


def inputs(files: list[str] | None) -> list[str]:
    """The input paths; no file means stdin, but only when stdin carries data."""
    if files:
        return files
    if _stdin_is_data():
        return [STDIN]
    raise UsageError(
        "no input: name one or more files, or pipe data in (use '-' for standard input); "
        "standard input is a terminal or a device"
    )


_PLAIN = re.compile(r"[A-Za-z0-9_.:-]+")


def needle(text: str) -> bytes | None:
    """The bytes a line must hold to contain `text` as a JSON string or number (None: any)."""
    return text.encode() if _PLAIN.fullmatch(text) else None


def needles_for_codes(codes: Iterable[Code]) -> tuple[bytes, ...]:
    """Prefilter needles for `--code`: an integer code's digits, a text code's text."""
    found = []
    for code in codes:
        wanted = needle(str(abs(code)) if isinstance(code, int) else code)
        if wanted is None:
            return ()  # a code the byte search cannot judge: no prefilter
        found.append(wanted)
    return tuple(found)


@dataclass(slots=True)
class Run:
    """One command's inputs, read options, filters and reporter."""

    paths: list[str]
    options: ReadOptions
    filters: Filters
    zone: tzinfo
    reporter: StderrReporter
    redact: bool = False
    jobs: int | None = None

    def present(self, value: Any) -> Any:
        """What may be shown of a value: phone numbers masked under --redact."""
        return redact_value(value) if self.redact else value


def prepare(
    files: list[str] | None,
    *,
    strict: bool = False,
    quiet: bool = False,
    no_dedupe: bool = False,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    since: str | None = None,
    until: str | None = None,
    status: list[str] | None = None,
    subaccount: list[str] | None = None,
    country: list[str] | None = None,
    code: list[str] | None = None,
    tz: str = "UTC",
    redact: bool = False,
    prefilter: bool = False,
    jobs: int | None = None,
) -> Run:
    """Check the options (usage error, exit 2, on a bad value) and resolve the inputs."""
    try:
        zone = parse_zone(tz)
        filters = build_filters(
            since=since,
            until=until,
            statuses=status or (),
            subaccounts=subaccount or (),
            countries=country or (),
            codes=code or (),
            zone=zone,
            now=datetime.now(UTC),
        )
        paths = inputs(files)
    except ValueError as exc:
        fail(UsageError(str(exc)))
    except UsageError as exc:
        fail(exc)
    needles = needles_for_codes(filters.codes) if prefilter else ()
    return Run(
        paths,
        ReadOptions(not no_dedupe, max_line_bytes, strict, needles, needle_codes=True),
        filters,
        zone,
        StderrReporter(quiet, redact),
        redact,
        jobs,
    )
