"""`--jobs N` (SPEC §11): plain files read in byte ranges by worker processes, then merged.

Dedupe stays exact across ranges: a first pass (`scan.scan_ids`) finds the sessionIds
that occur in more than one range; workers dedupe and aggregate every other session and
hand the lines of those back, and the parent dedupes them in input order. The aggregates
do not depend on the order sessions are added in, so the output is the same as with one
process.
"""

from __future__ import annotations

import multiprocessing
import os
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from vss.aggregate import InputCounts
from vss.parse import parse_line
from vss.pipeline import (
    Dedupe,
    FileTally,
    Match,
    Payload,
    Piece,
    ReadOptions,
    Reporter,
    batches,
    read_piece,
)
from vss.records import Session
from vss.scan import scan_ids, scannable
from vss.sources import split_ranges

A = TypeVar("A")
KEPT_WARNINGS = 20
AUTO_MIN_BYTES = 64 * 1024 * 1024
MIN_PIECE_BYTES = 4 * 1024 * 1024


def default_jobs(paths: list[str]) -> int:
    """SPEC §11: the number of CPUs when the input is over ~64 MB, else 1."""
    try:
        total = sum(os.path.getsize(p) for p in paths if p != "-")
    except OSError:
        return 1
    return (os.cpu_count() or 1) if total > AUTO_MIN_BYTES else 1


class _Collector:
    """A reporter for a worker: keeps the first warnings and the errors, in order."""

    def __init__(self) -> None:
        self.warnings: list[tuple[str, int, str]] = []
        self.warning_count = 0
        self.errors: list[str] = []

    def warn(self, source: str, line_no: int, reason: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < KEPT_WARNINGS:
            self.warnings.append((source, line_no, reason))

    def error(self, message: str) -> None:
        self.errors.append(message)

    def hint(self, message: str) -> None:
        """Hints are decided by the parent, per file."""

    def advance(self, nbytes: int) -> None:
        """No progress bar from workers."""

    def skipped_warnings(self, count: int) -> None:
        self.warning_count += count


@dataclass(slots=True)
class _PieceResult(Generic[A]):
    accumulator: A
    counts: InputCounts
    tally: FileTally
    warnings: list[tuple[str, int, str]]
    warning_count: int
    errors: list[str]
    deferred: list[bytes] = field(default_factory=list)


@dataclass(slots=True)
class _Job(Generic[A]):
    pieces: list[Piece]
    options: ReadOptions
    match: Match | None
    new: Callable[[], A]
    add: Callable[[A, list[Payload]], None]


_JOB: _Job[Any] | None = None  # set in the parent before the workers are forked


def _scan(index: int) -> bytes | None:
    """Round one: the id hashes of one piece, packed as 64-bit integers (a tenth of the
    memory of a set of ints, to pass to the parent)."""
    job = _JOB
    assert job is not None
    piece = job.pieces[index]
    seen: set[int] = set()
    ok = scan_ids(piece.path, piece.start, piece.end, job.options.max_line_bytes, seen, set())
    return array("q", seen).tobytes() if ok else None


def _unpack(packed: bytes) -> array[int]:
    keys = array("q")
    keys.frombytes(packed)
    return keys


def _work(task: tuple[int, set[int]]) -> _PieceResult[Any]:
    """Round two: aggregate one piece, deduped within it, handing back the lines of the
    ids that are also in other pieces."""
    index, shared = task
    job = _JOB
    assert job is not None
    piece = job.pieces[index]
    counts = InputCounts()
    tally = FileTally()
    collector = _Collector()
    accumulator = job.new()
    add, match = job.add, job.match
    deferred: list[bytes] = []
    dedupe = Dedupe(max_line_bytes=job.options.max_line_bytes) if job.options.dedupe else None
    blocks = read_piece(piece, counts, collector, job.options, dedupe, tally, (deferred, shared))
    for batch in batches(blocks, match):
        add(accumulator, batch)
    return _PieceResult(
        accumulator,
        counts,
        tally,
        collector.warnings,
        collector.warning_count,
        collector.errors,
        deferred,
    )


def plan(paths: list[str], jobs: int, options: ReadOptions) -> list[Piece] | None:
    """The pieces for `jobs` workers, or None when the input must be read in one process."""
    if jobs <= 1 or options.strict or options.needles or not scannable(paths):
        return None
    pieces: list[Piece] = []
    for path in paths:
        size = os.path.getsize(path)
        parts = max(1, min(jobs, size // MIN_PIECE_BYTES))
        pieces.extend(Piece(path, start, end) for start, end in split_ranges(path, parts))
    return pieces if len(pieces) > 1 else None


def aggregate(
    paths: list[str],
    counts: InputCounts,
    reporter: Reporter,
    options: ReadOptions,
    match: Match | None,
    new: Callable[[], A],
    add: Callable[[A, list[Payload]], None],
    merge: Callable[[A, A], A],
    pieces: list[Piece],
    jobs: int,
) -> A:
    """Aggregate the matched sessions of `pieces` over `jobs` processes (see module doc)."""
    global _JOB
    _JOB = _Job(pieces, options, match, new, add)
    context = multiprocessing.get_context("fork")
    try:
        with context.Pool(min(jobs, len(pieces))) as pool:
            shared: set[int] = set()
            if options.dedupe:
                # ids in more than one piece: those of each piece met in the pieces before
                earlier: set[int] = set()
                scans = pool.imap(_scan, range(len(pieces)), chunksize=1)
                for index, scan in enumerate(scans):
                    if scan is None:  # unreadable: the read itself will report it
                        continue
                    ids = _unpack(scan)
                    shared.update(earlier.intersection(ids))
                    if index < len(pieces) - 1:
                        earlier.update(ids)
                    del ids, scan
                del earlier
            tasks = [(index, shared) for index in range(len(pieces))]
            results = pool.map(_work, tasks, chunksize=1)
    finally:
        _JOB = None
    total = new()
    tallies: dict[str, FileTally] = {}
    line_base: dict[str, int] = {}
    for piece, result in zip(pieces, results, strict=True):
        total = merge(total, result.accumulator)
        counts.merge(result.counts)
        # lines before the piece in its read of the file (a file given twice is read twice)
        base = 0 if piece.start == 0 else line_base[piece.path]
        for source, line_no, reason in result.warnings:
            reporter.warn(source, base + line_no, reason)
        reporter.skipped_warnings(result.warning_count - len(result.warnings))
        for message in result.errors:
            reporter.error(message)
        line_base[piece.path] = base + result.tally.lines
        tally = tallies.setdefault(piece.path, FileTally())
        if piece.start == 0:
            tally.first_line = result.tally.first_line
        tally.lines += result.tally.lines
        tally.malformed += result.tally.malformed
    # the sessions whose id is in more than one piece, deduped in input order
    dedupe = Dedupe()
    for result in results:
        for line in result.deferred:
            session = parse_line(line, options.max_line_bytes)
            assert type(session) is Session
            if dedupe.admit(session, counts) and (match is None or match(session)):
                add(total, [session.payload])
    for path, tally in tallies.items():
        hint = tally.hint(Piece(path).name)
        if hint:
            reporter.hint(hint)
    return total
