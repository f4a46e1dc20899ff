"""Hostile and broken input (SPEC §2, §8, §9): the corpus of `make_corpus.py`, file by file.

For every file: the exact `input` counters of `vss stats --format json`, that they add up, the
warnings on stderr (`vss: FILE:LINE: reason`, at most 20, then one line with the total), the exit
status; then every command in every format: no traceback, no terminal control character from the
data on a terminal-bound stream, JSON that parses, CSV without live formulas.

Files of a corpus kept outside the repository are held to the same generic rules when
`VSS_HIDDEN_CORPUS` names their directory.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

import make_corpus
from vss.cli import app
from vss.render.rows import json_bytes

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ENV = {"NO_COLOR": "1", "COLUMNS": "120"}
MAX_WARNINGS = 20
HAS_ZSTANDARD = importlib.util.find_spec("zstandard") is not None

# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
WARNING = re.compile(r"vss: (?P<file>.+):(?P<line>[0-9]+): (?P<reason>\S.*)")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
COUNTERS = (
    "lines",
    "blank",
    "malformed",
    "invalid",
    "other_events",
    "duplicates",
    "conflicts",
    "sessions",
)
PARTS = ("blank", "malformed", "invalid", "other_events", "duplicates", "sessions")
FORMATS = ("table", "json", "csv", "ndjson", "markdown")
TERMINAL_FORMATS = ("table", "markdown")


# ---- running vss -------------------------------------------------------------------------------


@dataclass
class Run:
    """What one `vss` run left behind."""

    args: list[str]
    code: int
    stdout: str
    stderr: str
    crash: str | None  # the traceback of an exception that escaped the app

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def json(self) -> Any:
        return orjson.loads(self.stdout.encode())

    def describe(self) -> str:
        return f"vss {' '.join(map(repr, self.args))} → exit {self.code}\nstderr:\n{self.stderr}"


def vss(*args: str | Path) -> Run:
    """Run `vss ARGS` in-process (stdout and stderr kept apart)."""
    argv = [str(arg) for arg in args]
    result = CliRunner().invoke(app, argv, prog_name="vss", env=ENV)
    crash = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
    return Run(argv, result.exit_code, result.stdout, result.stderr, crash)


def assert_no_crash(run: Run) -> None:
    assert run.crash is None, f"{run.describe()}\n{run.crash}"
    assert "Traceback" not in run.stderr, run.describe()
    assert "Traceback" not in run.stdout, run.describe()


def counters(report: dict[str, Any]) -> dict[str, int]:
    return {key: report["input"][key] for key in COUNTERS}


def assert_balanced(report: dict[str, Any]) -> None:
    """Every line in exactly one counter (SPEC §2)."""
    data = report["input"]
    assert data["lines"] == sum(data[key] for key in PARTS), data
    assert 0 <= data["conflicts"] <= data["duplicates"], data
    assert data["matched"] == data["sessions"], data  # no filter


def forbidden(text: str) -> list[str]:
    """The terminal-driving characters in `text`, as code points (for readable failures)."""
    return sorted({f"U+{ord(char):04X}" for char in FORBIDDEN.findall(text)})


def live_formulas(text: str) -> list[str]:
    """CSV cells a spreadsheet would run: starting with = + - @ TAB CR and not a number."""
    rows = csv.reader(io.StringIO(text, newline=""))
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)
    ]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


# ---- the table ---------------------------------------------------------------------------------


def c(
    lines: int,
    *,
    blank: int = 0,
    malformed: int = 0,
    invalid: int = 0,
    other: int = 0,
    dup: int = 0,
    conflicts: int = 0,
    sessions: int = 0,
) -> dict[str, int]:
    """Expected `input` counters."""
    return {
        "lines": lines,
        "blank": blank,
        "malformed": malformed,
        "invalid": invalid,
        "other_events": other,
        "duplicates": dup,
        "conflicts": conflicts,
        "sessions": sessions,
    }


@dataclass(frozen=True)
class Case:
    """One corpus file under one set of options, and what vss must make of it."""

    file: str
    counts: dict[str, int]
    args: tuple[str, ...] = ()
    status: int = 0
    # Line numbers of the malformed/invalid lines, one warning each; None: from the line tags.
    bad: tuple[int, ...] | None = None
    file_error: bool = False  # an error on stderr naming the file
    hint: bool = False  # the pretty-printed JSON hint (`jq -c`)
    # The damage is inside one decoder call: lines before it may be lost, so the counts are
    # an upper bound (still balanced, still exit 3).
    at_most: bool = False
    message: str | None = None  # a word the file error must contain

    @property
    def path(self) -> Path:
        return CORPUS / self.file

    @property
    def bad_lines(self) -> tuple[int, ...]:
        if self.bad is not None:
            return self.bad
        tags = make_corpus.TAGS.get(self.file, [])
        return tuple(n for n, tag in enumerate(tags, 1) if tag in "MI")

    @property
    def id(self) -> str:
        return " ".join((self.file, *self.args))


def damaged(file: str, counts: dict[str, int], **more: Any) -> Case:
    """A compressed file cut short or corrupt: what was decoded, an error, exit 3."""
    return Case(file, counts, status=3, bad=(), file_error=True, **more)


CASES = [
    Case("empty.jsonl", c(0)),
    Case("blank-lines.jsonl", c(12, blank=7, malformed=3, sessions=2)),
    Case("bom-crlf.jsonl", c(5, blank=1, sessions=4)),
    Case("half-written-last-line.jsonl", c(4, malformed=1, sessions=3)),
    Case("invalid-utf8.jsonl", c(9, malformed=7, sessions=2)),
    Case("lone-surrogate.jsonl", c(7, malformed=5, sessions=2)),
    Case("nul-byte.jsonl", c(7, malformed=5, sessions=2)),
    Case("nan-inf.jsonl", c(11, malformed=7, sessions=4)),
    Case("deep-nesting.jsonl", c(7, malformed=4, invalid=1, sessions=2)),
    Case(
        "too-long-line.jsonl",
        c(6, blank=1, malformed=3, sessions=2),
        ("--max-line-bytes", str(make_corpus.TOO_LONG_MAX)),
    ),
    Case("too-long-line.jsonl", c(6, blank=1, sessions=5), bad=()),  # 16 MiB by default
    Case(
        "too-long-line.jsonl",
        c(6, blank=1, malformed=5),
        ("--max-line-bytes", "1"),
        bad=(1, 2, 4, 5, 6),
    ),
    Case(
        "too-long-padded-last-line.jsonl",
        c(3, malformed=2, sessions=1),
        ("--max-line-bytes", str(make_corpus.PADDED_MAX)),
    ),
    Case("arrays-scalars.jsonl", c(12, malformed=2, invalid=10)),
    Case("null-payload.jsonl", c(14, invalid=11, sessions=3)),
    Case("other-events.jsonl", c(13, other=10, sessions=3)),
    Case("duplicates.jsonl", c(12, dup=10, conflicts=5, sessions=2)),
    Case("duplicates.jsonl", c(12, sessions=12), ("--no-dedupe",)),
    Case("number-spelling.jsonl", c(10, dup=5, sessions=5)),  # equal by value: no conflict
    Case("wrong-types.jsonl", c(10, sessions=10)),
    Case("string-codes.jsonl", c(9, sessions=9)),
    Case("terminal-escapes.jsonl", c(7, malformed=2, invalid=1, other=1, sessions=3)),
    Case("rich-markup.jsonl", c(3, sessions=3)),
    Case("formula-cells.jsonl", c(5, sessions=5)),
    Case("many-warnings.jsonl", c(32, malformed=25, invalid=5, sessions=2)),
    Case("pretty-printed.json", c(45, malformed=45), hint=True),
    Case("line-separators.jsonl", c(7, malformed=2, sessions=5)),
    Case("no-trailing-newline.jsonl", c(3, sessions=3)),
    Case("gzip.jsonl.gz", c(4, sessions=4)),
    Case("gzip-named.jsonl", c(3, sessions=3)),
    Case("multi-member.jsonl.gz", c(6, dup=1, sessions=5)),
    damaged("truncated.jsonl.gz", c(5, sessions=5)),
    damaged("truncated-header.jsonl.gz", c(0)),
    damaged("truncated-trailer.jsonl.gz", c(4, sessions=4)),
    damaged("corrupt.jsonl.gz", c(3, sessions=3)),
    damaged("corrupt-midstream.jsonl.gz", c(3, sessions=3), at_most=True),
    damaged("corrupt-crc.jsonl.gz", c(3, sessions=3), at_most=True),
    Case("bzip2.jsonl.bz2", c(4, sessions=4)),
    Case("bzip2-multi-stream.jsonl.bz2", c(4, sessions=4)),
    damaged("truncated.jsonl.bz2", c(3, sessions=3)),
    Case("xz.jsonl.xz", c(4, sessions=4)),
    damaged("truncated.jsonl.xz", c(4, sessions=4)),
    Case("zstd.jsonl.zst", c(4, sessions=4))
    if HAS_ZSTANDARD
    else damaged("zstd.jsonl.zst", c(0), message="zstandard"),
    damaged("truncated.jsonl.zst", c(2, sessions=2), at_most=True)
    if HAS_ZSTANDARD
    else damaged("truncated.jsonl.zst", c(0), message="zstandard"),
]


def check_stderr(case: Case, run: Run, *, quiet: bool = False) -> None:
    """The warnings, their cap and summary, the file error and the hint; nothing else."""
    path = str(case.path)
    lines = run.stderr_lines
    assert all(line.startswith("vss: ") for line in lines), run.describe()
    assert not forbidden(run.stderr), run.describe()
    assert make_corpus.CANARY not in run.stderr, f"a warning echoes its line\n{run.describe()}"
    matches = [WARNING.fullmatch(line) for line in lines]
    warned = [match for match in matches if match]
    assert all(match["file"] == path for match in warned), run.describe()
    warnings = [int(match["line"]) for match in warned]
    rest = [line for line, match in zip(lines, matches, strict=True) if not match]
    bad = case.bad_lines
    if quiet:
        assert warnings == [], run.describe()
    else:
        assert warnings == list(bad[:MAX_WARNINGS]), run.describe()
    summary = [line for line in rest if len(bad) > MAX_WARNINGS and str(len(bad)) in line]
    assert len(summary) == (len(bad) > MAX_WARNINGS and not quiet), run.describe()
    hints = [line for line in rest if "jq -c" in line]
    if quiet:  # a hint is not a line warning: --quiet may keep or drop it
        assert len(hints) <= case.hint, run.describe()
    else:
        assert len(hints) == case.hint, run.describe()
    errors = [line for line in rest if line not in summary and line not in hints]
    if case.file_error:
        assert len(errors) == 1 and errors[0].startswith(f"vss: {path}"), run.describe()
        if case.message:
            assert case.message in errors[0], run.describe()
    else:
        assert errors == [], run.describe()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_counters_warnings_and_exit_status(case: Case) -> None:
    run = vss("stats", "--format", "json", *case.args, case.path)
    assert_no_crash(run)
    assert run.code == case.status, run.describe()
    report = run.json()  # results are printed even when a file is damaged
    assert report["input"]["files"] == [str(case.path)]
    assert_balanced(report)
    got = counters(report)
    if case.at_most:
        assert all(got[key] <= case.counts[key] for key in COUNTERS), (got, case.counts)
    else:
        assert got == case.counts
    check_stderr(case, run)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_quiet_silences_warnings_not_errors(case: Case) -> None:
    run = vss("stats", "--format", "json", "--quiet", *case.args, case.path)
    assert_no_crash(run)
    assert run.code == case.status, run.describe()
    if not case.at_most:
        assert counters(run.json()) == case.counts
    check_stderr(case, run, quiet=True)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_strict_stops_at_the_first_bad_line_only(case: Case) -> None:
    """SPEC §9: malformed/invalid lines are fatal; blank, BOM, CRLF, duplicates, others never."""
    run = vss("stats", "--format", "json", "--strict", *case.args, case.path)
    assert_no_crash(run)
    bad = case.bad_lines
    if not bad:
        assert run.code == case.status, run.describe()
        if not case.at_most:
            assert counters(run.json()) == case.counts
        return
    assert run.code == 3, run.describe()
    named = [int(m["line"]) for line in run.stderr_lines if (m := WARNING.fullmatch(line))]
    assert named == [bad[0]], f"the first bad line is line {bad[0]}\n{run.describe()}"
    assert not forbidden(run.stderr), run.describe()


def test_table_agrees_with_the_line_tags() -> None:
    """The counts above and the per-line tags in make_corpus say the same thing."""
    for case in CASES:
        if case.file in make_corpus.TAGS and case.bad is None and "--no-dedupe" not in case.args:
            assert make_corpus.counts_from_tags(make_corpus.TAGS[case.file]) == case.counts, case
    assert {case.file for case in CASES} == set(make_corpus.build()), "a file without a case"


def test_warning_cap_is_per_run_across_files() -> None:
    many, utf8 = CORPUS / "many-warnings.jsonl", CORPUS / "invalid-utf8.jsonl"
    run = vss("stats", "--format", "json", many, utf8)
    assert_no_crash(run)
    assert run.code == 0
    warnings = [line for line in run.stderr_lines if WARNING.fullmatch(line)]
    assert len(warnings) == MAX_WARNINGS, run.describe()
    total = 30 + 7
    rest = [line for line in run.stderr_lines if not WARNING.fullmatch(line)]
    assert len(rest) == 1 and str(total) in rest[0], run.describe()
    report = run.json()
    assert_balanced(report)
    assert report["input"]["malformed"] + report["input"]["invalid"] == total


def test_damaged_and_missing_files_do_not_stop_the_others() -> None:
    missing = CORPUS / "no-such-file.jsonl"
    files = [
        CORPUS / "truncated.jsonl.gz",
        missing,
        CORPUS / "gzip.jsonl.gz",
        CORPUS / "corrupt.jsonl.gz",
        CORPUS,  # a directory: unreadable as a file
        CORPUS / "xz.jsonl.xz",
    ]
    run = vss("stats", "--format", "json", *files)
    assert_no_crash(run)
    assert run.code == 3, run.describe()
    for damaged in (files[0], missing, files[3], CORPUS):
        assert any(line.startswith(f"vss: {damaged}") for line in run.stderr_lines), damaged
    report = run.json()
    assert_balanced(report)
    # 5 whole lines of the truncated file, then 4 + 3 + 4 from the others.
    assert counters(report) == c(16, dup=4, sessions=12)  # xz repeats the 4 ids of gzip


# ---- long lines that cross the reader's chunks (generated, not committed) ---------------------


def test_over_long_line_across_chunks_is_skipped_not_parsed(tmp_path: Path) -> None:
    big = make_corpus.dumps({"sessionId": "big", "pad": "x" * (3 << 20)})
    small = make_corpus.dumps({"sessionId": "small"})
    path = tmp_path / "long.jsonl"
    path.write_bytes(small + b"\n" + big + b"\n" + small.replace(b"small", b"after") + b"\n")
    run = vss("stats", "--format", "json", "--max-line-bytes", "1024", path)
    assert_no_crash(run)
    assert run.code == 0
    assert counters(run.json()) == c(3, malformed=1, sessions=2)
    assert [m["line"] for line in run.stderr_lines if (m := WARNING.fullmatch(line))] == ["2"]
    run = vss("stats", "--format", "json", path)
    assert counters(run.json()) == c(3, sessions=3)  # 3 MiB is under the default 16 MiB


def test_long_line_of_leading_blanks_is_too_long_not_blank(tmp_path: Path) -> None:
    """Rule 1 looks at the whole line: 2 MiB of spaces then JSON is not a blank line."""
    line = b" " * (2 << 20) + make_corpus.dumps({"sessionId": "padded"})
    path = tmp_path / "padded.jsonl"
    path.write_bytes(line + b"\n" + line + b"\n" + b" " * (2 << 20) + b"\n")
    run = vss("stats", "--format", "json", "--max-line-bytes", str(1 << 20), path)
    assert_no_crash(run)
    assert counters(run.json()) == c(3, blank=1, malformed=2)


@pytest.mark.parametrize("end", [b"\n", b""])
def test_over_long_blank_line_is_a_blank_line_with_or_without_its_newline(
    tmp_path: Path, end: bytes
) -> None:
    """A file's last line may lack its newline: a blank one over the limit is still a line."""
    path = tmp_path / "blank-end.jsonl"
    path.write_bytes(make_corpus.dumps({"sessionId": "a"}) + b"\n" + b" " * 64 + end)
    for jobs in ("1", "2"):
        run = vss("stats", "--format", "json", "--max-line-bytes", "32", "--jobs", jobs, path)
        assert_no_crash(run)
        assert counters(run.json()) == c(2, blank=1, sessions=1)


def test_default_limit_is_16_mib(tmp_path: Path) -> None:
    limit = 16 * 1024 * 1024
    path = tmp_path / "sixteen.jsonl"
    path.write_bytes(
        make_corpus.padded("at-limit", limit)
        + b"\n"
        + make_corpus.padded("over", limit + 1)
        + b"\n"
    )
    run = vss("stats", "--format", "json", path)
    assert_no_crash(run)
    assert counters(run.json()) == c(2, malformed=1, sessions=1)
    assert [m["line"] for line in run.stderr_lines if (m := WARNING.fullmatch(line))] == ["2"]


# ---- output safety: every command, every format -------------------------------------------------


def codes_of(path: Path) -> list[str]:
    """The error codes of a file, as `--code` values (from `errors --format json`)."""
    run = vss("errors", "--format", "json", "--quiet", path)
    return [str(row["code"]) for row in run.json()] if run.code in (0, 3) else []


def commands(path: Path) -> Iterator[list[str]]:
    yield ["stats"]
    yield ["errors"]
    yield ["errors", "--code=-2004"]
    for code in codes_of(path):
        if code != "-2004":
            yield ["errors", f"--code={code}"]


def check_output_safety(run: Run, fmt: str) -> None:
    """SPEC §8 on one run: nothing raw on a terminal stream, parsable data formats."""
    assert_no_crash(run)
    assert not forbidden(run.stderr), f"stderr carries {forbidden(run.stderr)}\n{run.describe()}"
    if fmt in TERMINAL_FORMATS:
        found = forbidden(run.stdout)
        assert not found, f"{fmt} output carries {found}\n{run.describe()}"
    elif fmt == "json":
        run.json()
    elif fmt == "ndjson":
        for line in run.stdout.splitlines():
            orjson.loads(line)
    else:
        assert run.stdout, f"a CSV has at least its header\n{run.describe()}"
        assert not live_formulas(run.stdout), run.describe()


OUTPUT_FILES = [
    "terminal-escapes.jsonl",
    "rich-markup.jsonl",
    "formula-cells.jsonl",
    "string-codes.jsonl",
    "nul-byte.jsonl",
    "line-separators.jsonl",
    "wrong-types.jsonl",
    "empty.jsonl",
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", OUTPUT_FILES)
def test_every_command_and_format_is_safe(name: str, fmt: str) -> None:
    path = CORPUS / name
    for command in commands(path):
        run = vss(*command, "--format", fmt, path)
        check_output_safety(run, fmt)
        assert run.code == 0, run.describe()


def markdown_of(*args: str | Path) -> str:
    run = vss(*args, "--format", "markdown")
    check_output_safety(run, "markdown")
    return run.stdout


def test_escapes_are_shown_escaped_not_dropped() -> None:
    path = CORPUS / "terminal-escapes.jsonl"
    text = markdown_of("errors", f"--code={make_corpus.EVIL_CODE}", path)
    assert "EVILSUB" in text and "[31mRED" in text, text  # the visible rest of "\x1b[31mRED"
    assert "gnp.exe" in text, text
    table = vss("errors", path)
    check_output_safety(table, "table")
    assert "EVILMSG" in table.stdout, table.stdout


@pytest.mark.parametrize("unsafe", ["\x7f", "\x85", "\u202e", "\u2066"])
@pytest.mark.parametrize("other", ["", "é"])
def test_json_bytes_escapes_what_drives_a_terminal(unsafe: str, other: str) -> None:
    """DEL (ASCII), C1 and bidi controls are written as `\\u` escapes, in a document that is
    otherwise ASCII or not: the same data, read back."""
    value = {"a": f"x{unsafe}y{other}", "n": 1}
    written = json_bytes(value)
    assert unsafe.encode() not in written
    assert f"\\u{ord(unsafe):04x}".encode() in written
    assert orjson.loads(written) == value


def test_json_keeps_the_data_exactly() -> None:
    """Escaping is for terminals: JSON carries the strings as they were (JSON-escaped)."""
    path = CORPUS / "terminal-escapes.jsonl"
    run = vss("errors", f"--code={make_corpus.EVIL_CODE}", "--format", "json", path)
    assert_no_crash(run)
    (row,) = run.json()
    assert row["subAccountId"] == make_corpus.EVIL_SUB
    assert row["code"] == make_corpus.EVIL_CODE
    assert row["message"] == make_corpus.EVIL_MSG
    assert row["lastAction"] == f"PLAY{make_corpus.C1_CSI}{make_corpus.BIDI}"


def test_rich_markup_prints_literally() -> None:
    path = CORPUS / "rich-markup.jsonl"
    text = markdown_of("errors", f"--code={make_corpus.MARKUP_CODE}", path)
    for markup in ("[/]", "[link=http://x]click[/link]", "[bold red]ALERT[/bold red]"):
        assert markup in text, (markup, text)
    summary = markdown_of("errors", path)
    assert "[bold red]ALERT[/bold red] [/]" in summary, summary
    stats = markdown_of("stats", path)
    assert "[BOLD_RED]ERROR[/]" in stats, stats  # a status, normalized (SPEC §2)
    for args in (["stats"], ["errors"], ["errors", "--code=[/]"], ["errors", "--code=-2004"]):
        run = vss(*args, path)
        check_output_safety(run, "table")
        assert run.code == 0, run.describe()
        assert "[/]" in run.stdout, run.describe()
    table = vss("errors", path).stdout
    assert "[bold red]ALERT[/bold red] [/]" in table, table


def test_csv_neutralizes_formulas_and_keeps_numbers() -> None:
    path = CORPUS / "formula-cells.jsonl"
    formulas = make_corpus.FORMULAS
    run = vss("errors", f"--code={make_corpus.FORMULA_CODE}", "--format", "csv", path)
    assert_no_crash(run)
    header, *rows = csv_rows(run.stdout)
    (row,) = [dict(zip(header, values, strict=True)) for values in rows]
    assert row["subAccountId"] == "'" + formulas["hyperlink"]
    assert row["code"] == "'" + make_corpus.FORMULA_CODE
    assert row["lastAction"] == "'" + formulas["at"]
    assert row["message"] in (formulas["plus"], "'" + formulas["plus"])  # "+1" is a number

    run = vss("errors", "--code=-2004", "--format", "csv", path)
    header, *rows = csv_rows(run.stdout)
    by_session = {r["sessionId"]: r for r in (dict(zip(header, v, strict=True)) for v in rows)}
    assert by_session["fc-3"]["code"] == "-2004"
    assert by_session["fc-3"]["subAccountId"] == "'" + formulas["cr"]
    assert by_session["fc-3"]["lastAction"] == "'" + formulas["minus"]
    assert by_session["fc-1"]["destinationCountryCode"] == "'" + formulas["minus"]

    for code, sub in (("@x", formulas["tab"]), ("-cmd", formulas["dde"])):
        run = vss("errors", f"--code={code}", "--format", "csv", path)
        header, *rows = csv_rows(run.stdout)
        (row,) = [dict(zip(header, values, strict=True)) for values in rows]
        assert row["code"] == "'" + code, row
        assert row["subAccountId"] == "'" + sub, row

    summary = csv_rows(vss("errors", "--format", "csv", path).stdout)
    codes = [row[0] for row in summary[1:]]
    assert "-2004" in codes and "'-cmd" in codes and "'@x" in codes and "'=1+1" in codes, codes

    stats = csv_rows(vss("stats", "--format", "csv", path).stdout)
    cells = {(row[0], row[1], row[2]): row[3] for row in stats[1:]}
    assert cells["errors", "-2004", "code"] == "-2004"
    assert cells["errors", "'=1+1", "code"] == "'=1+1"
    assert cells["quality", "", "jitter.min"] == "-5"

    data = vss("errors", "--format", "json", path).json()
    kinds = {row["code"]: type(row["code"]) for row in data}
    assert kinds[-2004] is int and kinds["=1+1"] is str


# ---- what the tolerant fields make of wrong types ----------------------------------------------


def test_wrong_types_drop_only_the_value() -> None:
    report = vss("stats", "--format", "json", CORPUS / "wrong-types.jsonl").json()
    assert report["input"]["sessions"] == 10
    assert list(report["errors"]) == ["-2004"]  # only "-2004" of wt-10: {}, null, true, [..]
    quality = report["quality"]
    assert quality["mos"]["count"] == 1 and quality["mos"]["min"] == 4.5  # " 4.5 "
    assert quality["jitter"]["count"] == 1 and quality["jitter"]["min"] == 12  # "12"
    assert quality["packet_loss_rate"]["count"] == 0  # null, "0.5%"
    assert report["status"]["(missing)"]["count"] == 1  # sessionStatus 5
    assert set(report["legs"]) == {"callA", "callB"}  # a list, null, "busy", 5 are no legs
    assert report["legs"]["callA"]["status"]["(missing)"]["count"] == 1  # ["COMPLETED"]
    assert report["kpi"]["answered"] == 2  # wt-1 and " completed " of wt-9
    assert report["kpi"]["acd_s"] == 13  # 13 and "13"


def test_string_codes_are_kept_as_codes() -> None:
    path = CORPUS / "string-codes.jsonl"
    report = vss("stats", "--format", "json", path).json()
    errors = report["errors"]
    assert {key: entry["count"] for key, entry in errors.items()} == {
        "-2004": 3,
        "abc": 3,
        "-3001": 2,
        "12abc": 1,
        "E42": 1,
    }
    counts = [entry["count"] for entry in errors.values()]
    assert counts == sorted(counts, reverse=True)
    assert errors["-2004"]["code"] == -2004 and errors["abc"]["code"] == "abc"
    assert errors["-3001"]["code"] == -3001
    assert errors["-2004"]["message"] == "No coverage available for requested area"
    assert errors["abc"]["message"] == "Alphabet soup"  # 2 votes to 1
    assert errors["-3001"]["message"] == "Custom carrier failure"  # a tie: the smallest
    assert errors["E42"]["message"] == "unknown error"
    rows = vss("errors", "--code=abc", "--format", "json", path).json()
    assert sorted((row["sessionId"], row["leg"]) for row in rows) == [
        ("sc-1", "payload"),
        ("sc-2", "callA"),
        ("sc-6", "payload"),
    ]
    rows = vss("errors", "--code", "-2004", "--format", "json", path).json()
    assert sorted(row["sessionId"] for row in rows) == ["sc-2", "sc-3", "sc-4"]


def test_empty_file_gives_zeros_json_and_csv_headers() -> None:
    path = CORPUS / "empty.jsonl"
    report = vss("stats", "--format", "json", path).json()
    assert counters(report) == c(0) and report["input"]["matched"] == 0
    assert report["errors"] == {} and report["kpi"]["asr"] is None
    assert vss("errors", "--format", "json", path).json() == []
    assert vss("errors", "--code=-2004", "--format", "json", path).json() == []
    for args in (["stats"], ["errors"], ["errors", "--code=-2004"]):
        run = vss(*args, "--format", "csv", path)
        assert run.code == 0 and run.stdout.splitlines(), run.describe()
        assert csv_rows(run.stdout)[0][0] in ("section", "code", "sessionId"), run.stdout


# ---- the corpus cannot drift -----------------------------------------------------------------


def test_corpus_on_disk_is_what_make_corpus_writes() -> None:
    built = make_corpus.build()
    assert built == make_corpus.build(), "make_corpus is not deterministic"
    on_disk = {path.name: path.read_bytes() for path in CORPUS.iterdir() if path.is_file()}
    assert sorted(on_disk) == sorted(built), "run: python tests/make_corpus.py"
    changed = [name for name in built if on_disk[name] != built[name]]
    assert not changed, f"regenerate with python tests/make_corpus.py: {changed}"
    assert all(len(data) <= 32 * 1024 for data in built.values())


# ---- the generic rules, for every corpus file and for a hidden corpus -------------------------


def _hidden_files() -> list[Path]:
    root = os.environ.get("VSS_HIDDEN_CORPUS")
    if not root:
        return []
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


GENERIC_FILES = (sorted(CORPUS.iterdir()) if CORPUS.is_dir() else []) + _hidden_files()


def _generic_id(path: Path) -> str:
    return path.name if path.parent == CORPUS else f"hidden/{path.name}"


@pytest.mark.parametrize("path", GENERIC_FILES, ids=_generic_id)
def test_generic_rules(path: Path) -> None:
    """What holds for any file at all: SPEC §2, §8, §9 without knowing the file."""
    run = vss("stats", "--format", "json", path)
    assert_no_crash(run)
    assert run.code in (0, 3), run.describe()
    report = run.json()
    assert_balanced(report)
    data = report["input"]
    bad = data["malformed"] + data["invalid"]
    warnings = [line for line in run.stderr_lines if WARNING.fullmatch(line)]
    assert len(warnings) == min(bad, MAX_WARNINGS), run.describe()
    assert all(line.startswith("vss: ") for line in run.stderr_lines), run.describe()
    if run.code == 3:
        assert len(run.stderr_lines) > len(warnings), "exit 3 without an error message"
    strict = vss("stats", "--format", "json", "--strict", path)
    assert_no_crash(strict)
    assert strict.code == (3 if bad else run.code), strict.describe()
    for command in commands(path):
        for fmt in FORMATS:
            check_output_safety(vss(*command, "--format", fmt, path), fmt)
