"""Properties of the input rules (SPEC §2): whatever the bytes, vss never raises and every line
lands in exactly one counter; the counters agree with the independent oracle (`oracle.py`).

Runs through the library (`vss.pipeline.summarize`), plus a few CLI runs per example for the
renderers. Each property is capped at 100 examples; the file runs in well under 20 s.
"""

from __future__ import annotations

import gzip
import json
import re
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import oracle
from vss.aggregate import Stats
from vss.cli import app
from vss.pipeline import ReadOptions, SilentReporter, summarize

PARTS = ("blank", "malformed", "invalid", "other_events", "duplicates", "sessions")
COUNTERS = ("lines", *PARTS, "conflicts")
MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class CountingReporter(SilentReporter):
    """Keeps file errors (as SilentReporter) and counts line warnings."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings = 0

    def warn(self, source: str, line_no: int, reason: str) -> None:
        self.warnings += 1


@contextmanager
def files(*contents: bytes) -> Iterator[list[str]]:
    """The contents written to files in a temporary directory, as paths."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for index, data in enumerate(contents):
            path = Path(tmp) / f"input-{index}.jsonl"
            path.write_bytes(data)
            paths.append(str(path))
        yield paths


def read(*contents: bytes, dedupe: bool = True) -> tuple[Stats, CountingReporter]:
    reporter = CountingReporter()
    with files(*contents) as paths:
        stats = summarize(paths, None, ReadOptions(dedupe=dedupe), reporter)
    return stats, reporter


def counts(stats: Stats) -> dict[str, int]:
    report = stats.input.to_dict()
    return {key: report[key] for key in COUNTERS}


def expected(*contents: bytes, dedupe: bool = True) -> dict[str, int]:
    report = oracle.oracle_stats_inputs(list(contents), ["-"] * len(contents), dedupe=dedupe)
    return {key: report["input"][key] for key in COUNTERS}


def check_invariants(stats: Stats, reporter: CountingReporter) -> dict[str, Any]:
    """Balanced counters, one warning per malformed/invalid line, a serializable report."""
    data = stats.input
    assert data.lines == sum(getattr(data, key) for key in PARTS), data
    assert 0 <= data.conflicts <= data.duplicates, data
    assert data.matched == data.sessions, data
    assert reporter.warnings == data.malformed + data.invalid, (reporter.warnings, data)
    report = stats.to_dict()
    orjson.dumps(report)  # never a non-JSON value (NaN, a surrogate, a set, ...)
    assert report["input"]["lines"] == data.lines
    return report


def plain(data: bytes) -> bool:
    """Whether the bytes are read as text (not sniffed as compressed)."""
    return not data.startswith(MAGIC)


# ---- arbitrary bytes ---------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        b"\n",
        b"\r\n",
        b"\r",
        b" ",
        b"\t",
        b"\xef\xbb\xbf",
        b"\x00",
        b"\xff",
        b"\xed\xa0\x80",
        b"\xc2\x9b",
        b"\x1b[31m",
        b"{",
        b"}",
        b"[",
        b"]",
        b'"',
        b",",
        b":",
        b'{"sessionId":"a"}',
        b'{"sessionId":"b","sessionStatus":"ERROR","errorDetails":{"errorCode":-2004}}',
        b'{"payload":{"sessionId":"a"},"eventType":"SESSION_SUMMARY"}',
        b'{"payload":{"sessionId":"a","x":1}}',
        b'{"payload":null}',
        b'{"eventType":"CALL_STATUS"}',
        b"NaN",
        b"1e400",
        b'"\\ud800"',
        b"null",
        b"[]",
    ]
)
BYTES = st.binary(max_size=600) | st.lists(FRAGMENTS | st.binary(max_size=8), max_size=40).map(
    b"".join
)


@SETTINGS
@given(BYTES)
def test_any_bytes_never_raise_and_balance(data: bytes) -> None:
    stats, reporter = read(data)
    check_invariants(stats, reporter)
    if plain(data):  # else compressed garbage: an error, counts balanced all the same
        assert reporter.errors == []
        assert counts(stats) == expected(data)


@SETTINGS
@given(st.lists(BYTES, min_size=2, max_size=3))
def test_several_files_balance_and_dedupe_across_them(contents: list[bytes]) -> None:
    stats, reporter = read(*contents)
    check_invariants(stats, reporter)
    if all(plain(data) for data in contents):
        assert counts(stats) == expected(*contents)
    undeduped, reporter = read(*contents, dedupe=False)
    check_invariants(undeduped, reporter)
    assert undeduped.input.duplicates == 0
    assert undeduped.input.sessions == stats.input.sessions + stats.input.duplicates


# ---- arbitrary JSON values as lines -------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities too: written as NaN/Infinity, they make bad lines
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
CODES = (
    st.sampled_from([-2004, -2004.0, "-2004", " -2004 ", "abc", "E42", 1.5, "=1+1", "\x1b[2J"])
    | JSON
)
METRICS = st.sampled_from([4.5, 0, -1, "4.5", " 3 ", "n/a", "", "1e400", "NaN", True]) | JSON
TIMES = (
    st.sampled_from(
        ["2024-03-25T06:01:30Z", "2024-03-25T06:01:30.5+08:00", "2024-02-30T00:00:00Z", "x"]
    )
    | JSON
)
TEXT = st.sampled_from(["SG", "[/]", "\x1b[31m", "\u202e", "=cmd", "no answer"]) | JSON
ERROR_DETAILS = (
    st.fixed_dictionaries({}, optional={"errorCode": CODES, "errorMsg": TEXT})
    | st.lists(st.fixed_dictionaries({}, optional={"errorCode": CODES}), max_size=2)
    | JSON
)
QUALITY = (
    st.fixed_dictionaries(
        {}, optional={"mos": METRICS, "jitter": METRICS, "packetLossRate": METRICS}
    )
    | JSON
)
LEG = st.fixed_dictionaries(
    {},
    optional={
        "callStatus": TEXT,
        "callDuration": METRICS,
        "initiatedTimestamp": TIMES,
        "connectedTimestamp": TIMES,
        "destinationCountryCode": TEXT,
        "source": TEXT,
        "callQuality": QUALITY,
        "errorDetails": ERROR_DETAILS,
    },
)
DETAILS = (
    st.dictionaries(
        st.sampled_from(["callA", "callB", "callC"]) | st.text(max_size=4), LEG | JSON, max_size=3
    )
    | JSON
)
PAYLOAD = st.fixed_dictionaries(
    {"sessionId": st.sampled_from(["s1", "s2", "s3", "\x1b[31m", "[/]"]) | JSON},
    optional={
        "sessionStatus": TEXT,
        "subAccountId": TEXT,
        "startTime": TIMES,
        "endTime": TIMES,
        "details": DETAILS,
        "errorDetails": ERROR_DETAILS,
    },
)
EVENT_TYPES = st.sampled_from(["SESSION_SUMMARY", "CALL_STATUS", "session_summary"]) | JSON
LINE_VALUES = (
    JSON
    | PAYLOAD
    | st.builds(lambda p: {"payload": p, "eventType": "SESSION_SUMMARY"}, PAYLOAD)
    | st.builds(lambda p, e: {"payload": p, "eventType": e}, PAYLOAD | JSON, EVENT_TYPES)
)


def encode(value: Any, ascii_only: bool) -> bytes:
    """One JSON text (NaN/Infinity allowed: they are bad lines); lone surrogates raw if asked."""
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


LINES = st.lists(st.tuples(LINE_VALUES, st.booleans()), max_size=12).map(
    lambda items: b"\n".join(encode(value, ascii_only) for value, ascii_only in items) + b"\n"
)


@SETTINGS
@given(LINES)
def test_json_values_as_lines_never_raise_and_balance(data: bytes) -> None:
    stats, reporter = read(data)
    report = check_invariants(stats, reporter)
    assert reporter.errors == []
    assert counts(stats) == expected(data)
    assert report["input"]["lines"] == data.count(b"\n")


RUNNER = CliRunner()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_json_values_render_safely_in_every_command(data: bytes) -> None:
    """No traceback, nothing raw on a terminal stream, whatever the sessions hold (SPEC §8)."""
    with files(data) as (path,):
        codes = RUNNER.invoke(app, ["errors", "-f", "json", "-q", path], prog_name="vss")
        assert codes.exception is None or isinstance(codes.exception, SystemExit), codes.exc_info
        rows = orjson.loads(codes.stdout)
        some_code = [f"--code={rows[0]['code']}"] if rows else []
        for args in (
            ["stats", "-f", "table"],
            ["stats", "-f", "markdown"],
            ["stats", "-f", "csv"],
            ["errors", "-f", "table"],
            ["errors", *some_code, "-f", "markdown"],
            ["errors", *some_code, "-f", "csv"],
        ):
            result = RUNNER.invoke(app, [*args, path], prog_name="vss", env={"COLUMNS": "100"})
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                args,
                result.exc_info,
            )
            assert result.exit_code == 0, (args, result.stderr)
            assert not FORBIDDEN.search(result.stderr), (args, result.stderr)
            if "csv" not in args:
                assert not FORBIDDEN.search(result.stdout), (args, result.stdout)


# ---- compressed: truncation keeps every complete line, members concatenate ---------------------


@SETTINGS
@given(LINES, st.data())
def test_truncated_gzip_keeps_the_complete_lines(data: bytes, draw: st.DataObject) -> None:
    packed = gzip.compress(data, mtime=0)
    cut = draw.draw(st.integers(min_value=2, max_value=len(packed)), label="cut")  # magic kept
    stats, reporter = read(packed[:cut])
    check_invariants(stats, reporter)
    if cut == len(packed):
        assert reporter.errors == []
        assert counts(stats) == expected(data)
        return
    assert len(reporter.errors) == 1, "a truncated file is an error"
    decoded = zlib.decompressobj(wbits=31).decompress(packed[:cut])
    complete = decoded[: decoded.rfind(b"\n") + 1]
    assert counts(stats) == expected(complete)


@settings(SETTINGS, max_examples=40)
@given(st.lists(LINES, min_size=1, max_size=3))
def test_gzip_members_read_as_one_stream(parts: list[bytes]) -> None:
    packed = b"".join(gzip.compress(part, mtime=0) for part in parts)
    stats, reporter = read(packed)
    check_invariants(stats, reporter)
    assert reporter.errors == []
    assert counts(stats) == expected(b"".join(parts))
