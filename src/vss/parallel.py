"""`--jobs N` (SPEC §11): plain files read in byte ranges by worker processes, then merged.

Overviews (`aggregate`): each piece is aggregated deduped within itself, and the parts
merged. Then the copies a piece counted as first copies whose id was met in an earlier
piece are read again: a duplicate is taken back from the total (`subtract`), and the
duplicates within the piece of such an id are judged again against the first copy of all
(conflicts). When an accumulator cannot take sessions back, or cannot be sure it took one
back exactly (the period), it reads in two rounds instead: a first pass (`scan.scan_ids`)
finds the sessionIds that occur in more than one piece; workers aggregate every other
session and hand the lines of those back, and the parent dedupes them in input order.
The aggregates do not depend on the order sessions are added in, so the output is the same
as with one process.

The prefilter (`prefiltered`: `--code`, `show ID`): each range is read as one process
would, deduped within it, and gives where the lines of its wanted sessions are (or what the
caller makes of them), and the ids met in it (hashes, and where each was first met). The
parent takes the ranges in order: a wanted session whose id was met in an earlier range is
checked by reading the lines from there (`Dedupe.first_copy_between`); the others are
first copies. The first range, half a share, is read by the parent, which gives its wanted
sessions as it reads them: nothing earlier can hold a first copy of theirs. The others are
small, and taken in turn by whichever process is free, the parent included (it also writes
all the output), so that all end about together.

In both, this process reads the first piece itself while `jobs - 1` workers read the others.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import repeat
from multiprocessing.pool import Pool
from typing import Any, BinaryIO, Generic, TypeVar

from vss.aggregate import InputCounts
from vss.dedupe import FILE_SHIFT, OFFSET, Dedupe, payload_digest
from vss.parse import parse_line
from vss.pipeline import (
    BATCH,
    FileTally,
    Match,
    Payload,
    ReadOptions,
    Reporter,
    batches,
    lines_before,
    read_piece,
)
from vss.records import Session
from vss.scan import id_key, scan_ids, scannable
from vss.sources import Piece, line_end_after, read_line_at, split_ranges

A = TypeVar("A")
KEPT_WARNINGS = 20
AUTO_MIN_BYTES = 64 * 1024 * 1024
MIN_PIECE_BYTES = 4 * 1024 * 1024
# prefilter: the parent's first piece is this fraction of a job's share; the rest is cut in
# parts of a twelfth of a share, taken by whichever process is free first (small enough
# that the last ones end about together: a sixth left one process idle ~0.3 s of 2)
FIRST_SHARE = 0.5
PARTS_PER_SHARE = 12


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
class _Outcome:
    """How a worker's piece was read: its counts and what it reported."""

    counts: InputCounts
    tally: FileTally
    warnings: list[tuple[str, int, str]]
    warning_count: int
    errors: list[str]

    def report(self, reporter: Reporter, counts: InputCounts, line_base: int) -> None:
        """Add the counts, and report the warnings (with the lines of the file before the
        piece: `line_base`) and errors, as one process would have."""
        counts.merge(self.counts)
        for source, line_no, reason in self.warnings:
            reporter.warn(source, line_base + line_no, reason)
        reporter.skipped_warnings(self.warning_count - len(self.warnings))
        for message in self.errors:
            reporter.error(message)


@dataclass(slots=True)
class _PieceResult(_Outcome, Generic[A]):
    accumulator: A = None  # type: ignore[assignment]
    deferred: list[bytes] = field(default_factory=list)  # lines of ids in other pieces
    met: bytes = b""  # packed hashes of the ids of the piece's first copies
    met_at: bytes = b""  # packed: where each first copy is in its file
    repeats: bytes = b""  # packed triples of duplicates: id hash, where, conflicting


@dataclass(slots=True)
class _Found(_Outcome):
    """A piece's wanted sessions (first copies within the piece) for the prefilter."""

    places: list[int] = field(default_factory=list)  # where each one's line starts in the file
    keys: list[int] = field(default_factory=list)  # the hash of each one's id (UTF-8)
    met: bytes = b""  # packed hashes of the ids met in the piece
    met_at: bytes = b""  # packed: where each was first met in its file
    # what the job's `each` made of each one; None: nothing made (none, or too many to hold
    # and send: the main process reads their lines again)
    made: list[Any] | None = None

    @classmethod
    def empty(cls) -> _Found:
        """Nothing found yet: for `_wanted` to fill."""
        return cls(InputCounts(), FileTally(), [], 0, [])


class _Tallies:
    """Per read of a file: what its pieces tallied, for the pretty-printed-JSON hint."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.read: tuple[str, FileTally] | None = None

    def add(self, piece: Piece, tally: FileTally) -> None:
        """Tally a piece; the first piece of a read ends the read before (its hint)."""
        if piece.start == 0:
            self.close()
            self.read = (piece.path, FileTally(first_line=tally.first_line))
        assert self.read is not None
        total = self.read[1]
        total.lines += tally.lines
        total.malformed += tally.malformed

    def close(self) -> None:
        """The hint of the read tallied last, if it deserves one."""
        if self.read is not None:
            path, tally = self.read
            hint = tally.hint(Piece(path).name)
            if hint:
                self.reporter.hint(hint)
            self.read = None


@dataclass(slots=True)
class _Job(Generic[A]):
    pieces: list[Piece]
    options: ReadOptions
    match: Match | None
    new: Callable[[], A] | None = None  # the accumulator of `aggregate`
    add: Callable[[A, list[Payload]], None] | None = None
    each: Callable[[Session, bytes], Any] | None = None  # applied by `_prefilter`
    claimed: Any = None  # prefilter: a shared counter, the next piece no process has taken


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


T = TypeVar("T")
R = TypeVar("R")


def _pool(workers: int) -> Pool:
    """A pool of forked workers (they see `_JOB`, set before) whose results come back
    through a pipe of `RESULTS_PIPE_BYTES` where the system allows it. A result is a
    megabyte or two (the ids a piece met; rows): through a pipe of 64 KiB, the default, a
    worker waits for each 64 KiB to be taken in by the parent's result thread, which must
    get the GIL from the parent's main thread first (the two prefiltered commands of the
    benchmark took about 4% longer so)."""
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        from fcntl import F_SETPIPE_SZ, fcntl
    except ImportError:  # not Linux
        return pool
    writer = getattr(getattr(pool, "_outqueue", None), "_writer", None)  # CPython's Pool
    if writer is not None:
        with suppress(OSError):  # over /proc/sys/fs/pipe-max-size: the default pipe
            fcntl(writer.fileno(), F_SETPIPE_SZ, RESULTS_PIPE_BYTES)
    return pool


RESULTS_PIPE_BYTES = 1024 * 1024  # Linux's limit for a process without privileges


def _in_order(pool: Pool, func: Callable[[T], R], tasks: list[T]) -> Iterator[R]:
    """`func` over the tasks, in order: this process takes the first itself while the pool
    (of one worker fewer than the jobs) takes the others."""
    later = pool.imap(func, tasks[1:], chunksize=1)
    yield func(tasks[0])
    yield from later


def _packed(first: dict[int, int]) -> tuple[bytes, bytes]:
    """The ids a piece met (their keys: hashes, or `id_key`s in the prefilter) and where in
    its file each was first met, packed as 64-bit integers. A piece is read by a `Dedupe`
    of its own, as the first read of its file, so its places are offsets, with no file
    number above them. (Arrays made from lists: from a dictionary's view, or through
    `map`, they take two to four times as long.)"""
    places = list(first.values())
    assert max(places, default=0) <= OFFSET, "a piece's places are offsets in its file"
    return array("q", list(first)).tobytes(), array("q", places).tobytes()


def _unpack(packed: bytes) -> array[int]:
    keys = array("q")
    keys.frombytes(packed)
    return keys


def _work(task: tuple[int, set[int] | None]) -> _PieceResult[Any]:
    """Aggregate one piece, deduped within it. Given the ids that are also in other pieces
    (round two of `_two_rounds`), hand back their lines; else (`_taking_back`) hand back
    the ids met (hashes, and where each first copy is) and the duplicates met by place."""
    index, shared = task
    job = _JOB
    assert job is not None
    piece = job.pieces[index]
    counts = InputCounts()
    tally = FileTally()
    collector = _Collector()
    assert job.new is not None and job.add is not None
    accumulator = job.new()
    add, match = job.add, job.match
    deferred: list[bytes] = []
    dedupe = Dedupe(max_line_bytes=job.options.max_line_bytes) if job.options.dedupe else None
    if dedupe is not None and shared is None:
        dedupe.repeats = array("q")
    handing_back = None if shared is None else (deferred, shared)
    try:
        blocks = read_piece(piece, counts, collector, job.options, dedupe, tally, handing_back)
        for batch in batches(blocks, match):
            add(accumulator, batch)
    finally:
        if dedupe is not None:
            dedupe.close()
    result: _PieceResult[Any] = _PieceResult(
        counts,
        tally,
        collector.warnings,
        collector.warning_count,
        collector.errors,
        accumulator=accumulator,
        deferred=deferred,
    )
    if dedupe is not None and dedupe.repeats is not None:
        result.met, result.met_at = _packed(dedupe.first)
        result.repeats = dedupe.repeats.tobytes()
    return result


def _prefilter(index: int) -> _Found:
    """Prefilter one piece (deduped within it): where the lines of its wanted sessions that
    pass the filters are, what the job's `each` makes of them if it has one and they are
    not too many (else the main process reads the lines again: less to hold and to send),
    and the ids met in it."""
    job = _JOB
    assert job is not None
    found = _Found.empty()
    each = job.each
    made: list[Any] | None = None if each is None else []
    for place, key, session, line in _wanted(index, found):
        found.places.append(place)
        found.keys.append(key)
        if each is not None and made is not None:
            made.append(each(session, line))
            if len(made) > MADE_MOST:
                made = None
    found.made = made
    return found


MADE_MOST = 20_000  # what `each` makes of a piece's sessions is sent only up to this many


def _claim() -> int | None:
    """Take the next piece no process has taken yet (None: all are taken)."""
    job = _JOB
    assert job is not None
    with job.claimed.get_lock():
        index: int = job.claimed.value
        if index >= len(job.pieces):
            return None
        job.claimed.value = index + 1
    return index


def _prefilter_next(_: int) -> tuple[int, _Found] | None:
    """A worker's task: prefilter the next piece no process has taken, if any is left."""
    index = _claim()
    return None if index is None else (index, _prefilter(index))


def _wanted(index: int, found: _Found) -> Iterator[tuple[int, int, Session, bytes]]:
    """The wanted sessions of one piece that pass the filters, deduped within the piece, as
    they are read: where each one's line starts, the hash of its id (UTF-8), the session and
    its line. Once all are given, `found` holds how the piece was read and the ids met."""
    job = _JOB
    assert job is not None
    piece, options, match = job.pieces[index], job.options, job.match
    collector = _Collector()
    dedupe = Dedupe(max_line_bytes=options.max_line_bytes) if options.dedupe else None
    places: list[int] = []  # where each session handed on is, filled as they are read
    at = iter(places)
    try:
        blocks = read_piece(
            piece, found.counts, collector, options, dedupe, found.tally, places=places
        )
        for payloads, lines in blocks:
            for payload, line, place in zip(payloads, lines, at, strict=False):
                session = Session(payload["sessionId"], payload)
                if match is None or match(session):
                    yield place, id_key(session.session_id), session, line
    finally:
        if dedupe is not None:
            dedupe.close()
    found.warnings, found.warning_count = collector.warnings, collector.warning_count
    found.errors = collector.errors
    if dedupe is not None:
        found.met, found.met_at = _packed(dedupe.first)


def plan(paths: list[str], jobs: int, options: ReadOptions) -> list[Piece] | None:
    """The pieces for `jobs` workers, or None when the input must be read in one process."""
    if jobs <= 1 or options.strict or options.needles or not scannable(paths):
        return None
    return _pieces(paths, jobs)


def plan_prefilter(paths: list[str], jobs: int, options: ReadOptions) -> list[Piece] | None:
    """The pieces for `jobs` prefiltering processes (`prefiltered`), or None when the input
    must be read in one process. The first, read by the parent, which also writes all that
    is found, is half a share; the others are a twelfth of a share each, so that whichever
    process is free takes the next, and all end about together."""
    if jobs <= 1 or options.strict or not options.needles or not scannable(paths):
        return None
    sizes = [os.path.getsize(path) for path in paths]
    share = sum(sizes) / jobs
    first_bytes = max(MIN_PIECE_BYTES, int(share * FIRST_SHARE))
    part_bytes = max(MIN_PIECE_BYTES, int(share / PARTS_PER_SHARE))
    pieces: list[Piece] = []
    for path, size in zip(paths, sizes, strict=True):
        start = 0
        if not pieces:
            with open(path, "rb") as handle:
                start = min(size, line_end_after(handle, first_bytes))
            pieces.append(Piece(path, 0, start))
        parts = max(1, (size - start) // part_bytes)
        pieces.extend(Piece(path, a, b) for a, b in split_ranges(path, parts, start, size))
    return pieces if len(pieces) > 1 else None


def _pieces(paths: list[str], jobs: int) -> list[Piece] | None:
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
    subtract: Callable[[A, A, A], bool] | None = None,
    any_order: bool = True,
) -> A | None:
    """Aggregate the matched sessions of `pieces` over `jobs` processes (see module doc).

    With `subtract(total, part, kept)`, which takes back the sessions of `part` and says
    whether what they added may not be known from them alone (the period, given `kept`,
    other sessions that stay counted), duplicates across pieces are taken back after one
    round; else, or when that is in doubt, the input is read in two rounds, which add some
    sessions last: only for an accumulator whose result does not depend on the order
    sessions come in (`any_order`). Otherwise None: nothing is reported, and the input is
    for the caller to read in one process."""
    global _JOB
    _JOB = _Job(pieces, options, match, new, add)
    try:
        with _pool(min(jobs, len(pieces)) - 1) as pool:
            done = None
            if options.dedupe and subtract is not None:
                done = _taking_back(pool, merge, subtract)
            if done is None and (any_order or not options.dedupe):
                done = _two_rounds(pool, merge)
    finally:
        _JOB = None
    if done is None:
        return None
    total, results, corrections = done
    tallies = _Tallies(reporter)
    line_base = 0  # lines of the file before the piece, in this read of it
    for piece, result in zip(pieces, results, strict=True):
        line_base = 0 if piece.start == 0 else line_base
        result.report(reporter, counts, line_base)
        line_base += result.tally.lines
        tallies.add(piece, result.tally)
    counts.merge(corrections)
    tallies.close()
    return total


_Done = tuple[A, list[_PieceResult[A]], InputCounts]  # the total, the pieces, corrections


def _merged(
    pool: Pool, shared: set[int] | None, merge: Callable[[A, A], A]
) -> tuple[A, list[_PieceResult[A]]]:
    """Every piece aggregated by `_work` (given `shared`), in order, and the parts merged."""
    job = _JOB
    assert job is not None and job.new is not None
    tasks = [(index, shared) for index in range(len(job.pieces))]
    results: list[_PieceResult[A]] = list(_in_order(pool, _work, tasks))
    total = job.new()
    for result in results:
        total = merge(total, result.accumulator)
    return total, results


def _two_rounds(pool: Pool, merge: Callable[[A, A], A]) -> _Done[A]:
    """Round one finds the ids in more than one piece; round two aggregates the pieces,
    handing back the lines of those ids, which are then deduped here in input order."""
    job = _JOB
    assert job is not None and job.add is not None
    pieces, options, match, add = job.pieces, job.options, job.match, job.add
    shared: set[int] = set()
    if options.dedupe:
        # ids in more than one piece: those of each piece met in the pieces before
        earlier: set[int] = set()
        scans = _in_order(pool, _scan, list(range(len(pieces))))
        for index, scan in enumerate(scans):
            if scan is None:  # unreadable: the read itself will report it
                continue
            ids = _unpack(scan)
            shared.update(earlier.intersection(ids))
            if index < len(pieces) - 1:
                earlier.update(ids)
            del ids, scan
        del earlier
    total, results = _merged(pool, shared, merge)
    # the sessions whose id is in more than one piece, deduped in input order
    corrections = InputCounts()
    dedupe = Dedupe()
    for result in results:
        for line in result.deferred:
            session = parse_line(line, options.max_line_bytes)
            assert type(session) is Session
            if dedupe.admit(session, corrections) and (match is None or match(session)):
                add(total, [session.payload])
    return total, results, corrections


def _taking_back(
    pool: Pool, merge: Callable[[A, A], A], subtract: Callable[[A, A, A], bool]
) -> _Done[A] | None:
    """One round: the pieces are aggregated, each deduped within itself, and merged; then
    the first copies of a piece whose id was met in an earlier piece are checked (by
    reading the lines again) and, when duplicates, taken back, and the duplicates within
    a piece of such ids are judged again against the first copy of all.

    None when `subtract` is in doubt: for `Stats`, when a conflicting copy may have held
    the earliest start or the latest end alone, which its first copy (in `kept` if it
    passed the filters) does not reach; an identical copy cannot have, its first copy has
    the same times and passed the same filters (it is its own `kept`)."""
    job = _JOB
    assert job is not None and job.new is not None and job.add is not None
    pieces, options, match, new, add = job.pieces, job.options, job.match, job.new, job.add
    total, results = _merged(pool, None, merge)
    corrections = InputCounts()
    dedupe = Dedupe(max_line_bytes=options.max_line_bytes)
    numbers = [dedupe.base(piece) >> FILE_SHIFT for piece in pieces]
    # what to take back: copies identical to their first copy, conflicting copies, and
    # the first copies of these that passed the filters
    identical, conflicting, kept = _Parts(new, add), _Parts(new, add), _Parts(new, add)
    earlier: list[tuple[array[int], array[int], int]] = []  # ids met, where, file number
    try:
        for number, result in zip(numbers, results, strict=True):
            met, met_at = _unpack(result.met), _unpack(result.met_at)
            doubtful = _met_before(set(met), earlier) if earlier else {}
            for key, at in zip(met, met_at, strict=True) if doubtful else ():
                first_met = doubtful.get(key)
                if first_met is None:
                    continue
                here = (number << FILE_SHIFT) + at
                session = dedupe.read_back(here)
                first = dedupe.first_copy_before(session, first_met, here)
                if first is None:  # another id with the same hash: a first copy
                    continue
                conflict = dedupe.digest_at(first) != payload_digest(session.payload)
                corrections.sessions -= 1
                corrections.duplicates += 1
                corrections.conflicts += conflict
                if match is not None and not match(session):
                    continue
                if not conflict:
                    identical.add_one(session.payload)
                    continue
                conflicting.add_one(session.payload)
                first_copy = dedupe.read_back(first)
                if match is None or match(first_copy):
                    kept.add_one(first_copy.payload)
            repeats = _unpack(result.repeats) if doubtful else array("q")
            for key, where, was in zip(repeats[::3], repeats[1::3], repeats[2::3], strict=True):
                first_met = doubtful.get(key)
                if first_met is None:
                    continue
                here = (number << FILE_SHIFT) + (where & OFFSET)
                session = dedupe.read_back(here)
                first = dedupe.first_copy_before(session, first_met, here)
                assert first is not None  # a duplicate within its piece already
                conflict = dedupe.digest_at(first) != payload_digest(session.payload)
                corrections.conflicts += conflict - was
            earlier.append((met, met_at, number))
    finally:
        dedupe.close()
    taken = identical.done()
    in_doubt = subtract(total, taken, taken)  # the first copies, kept, are the same
    if subtract(total, conflicting.done(), kept.done()) or in_doubt:
        return None
    return total, results, corrections


class _Parts(Generic[A]):
    """An accumulator of sessions to take back, fed a block at a time."""

    def __init__(self, new: Callable[[], A], add: Callable[[A, list[Payload]], None]) -> None:
        self.accumulator = new()
        self.add = add
        self.block: list[Payload] = []

    def add_one(self, payload: Payload) -> None:
        self.block.append(payload)
        if len(self.block) >= BATCH:
            self.add(self.accumulator, self.block)
            self.block = []

    def done(self) -> A:
        if self.block:
            self.add(self.accumulator, self.block)
            self.block = []
        return self.accumulator


def prefiltered(
    counts: InputCounts,
    reporter: Reporter,
    options: ReadOptions,
    match: Match | None,
    pieces: list[Piece],
    jobs: int,
    each: Callable[[Session, bytes], T],
    in_workers: bool = False,
) -> Iterator[T]:
    """Yield `each(session, line)` for each wanted unique session that passes `match`, in
    input order, prefiltering `pieces` over `jobs` processes (see module doc). With
    `in_workers`, `each` is applied where a piece is read (what it makes is sent back, and
    the lines are read again only to judge a duplicate across pieces).

    This process reads the first piece, giving what it finds as it reads; then it gives
    the pieces in order, reading one itself whenever the next to give is not ready and
    one is left that no worker has taken.
    """
    global _JOB
    context = multiprocessing.get_context("fork")
    claimed = context.Value("i", 1)  # the first piece is this process's
    _JOB = _Job(pieces, options, match, each=each if in_workers else None, claimed=claimed)
    limit = options.max_line_bytes
    dedupe = Dedupe(max_line_bytes=limit) if options.dedupe else None
    numbers = [dedupe.base(piece) >> FILE_SHIFT if dedupe else 0 for piece in pieces]
    earlier = _Earlier()
    tallies = _Tallies(reporter)
    handles: dict[str, BinaryIO] = {}  # to read the wanted lines again
    # the pool's threads take the workers' results in, a pipe's worth at a time: they must
    # not wait long for this thread to let them run
    switching = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        with _pool(min(jobs, len(pieces)) - 1) as pool:
            later = pool.imap_unordered(_prefilter_next, range(1, len(pieces)), chunksize=1)
            # the first piece, read here: nothing in it is doubtful, so what it wants is
            # given as it is read, from the session and line in hand
            first = _Found.empty()
            for _, _, session, line in _wanted(0, first):
                yield each(session, line)
            first.report(reporter, counts, 0)
            tallies.add(pieces[0], first.tally)
            if dedupe is not None:
                earlier.add(first, numbers[0])
            ready: dict[int, _Found] = {}
            for index in range(1, len(pieces)):
                while index not in ready:
                    try:  # what the workers have done, first
                        done = later.next(timeout=0)
                    except multiprocessing.TimeoutError:
                        pass
                    else:
                        if done is not None:
                            ready[done[0]] = done[1]
                        continue
                    mine = _claim()
                    if mine is not None:  # nobody has taken it: read it here
                        ready[mine] = _prefilter(mine)
                    else:
                        done = next(later)
                        if done is not None:
                            ready[done[0]] = done[1]
                piece, number, found = pieces[index], numbers[index], ready.pop(index)
                # lines of the file before the piece: counted only when a warning needs them
                line_base = (
                    lines_before(Piece(piece.path), piece.start)
                    if (piece.start and found.warnings)
                    else 0
                )
                found.report(reporter, counts, line_base)
                tallies.add(piece, found.tally)
                doubtful = earlier.places(set(found.keys)) if dedupe is not None else {}
                handle = handles.get(piece.path)
                if handle is None:
                    handle = handles[piece.path] = open(piece.path, "rb")  # noqa: SIM115
                made = found.made
                items: Iterable[Any] = repeat(None) if made is None else made
                for place, key, item in zip(found.places, found.keys, items, strict=False):
                    first_met = doubtful.get(key)
                    if first_met is None and made is not None:
                        yield item
                        continue
                    line = read_line_at(handle, place, limit)
                    read_again = parse_line(line, limit)
                    assert type(read_again) is Session
                    if first_met is not None:
                        assert dedupe is not None
                        here = (number << FILE_SHIFT) + place
                        if not dedupe.first_copy_between(read_again, first_met, here):
                            # (a prefiltered read's counters are partial: nothing shows them)
                            counts.sessions -= 1
                            counts.duplicates += 1
                            continue
                    yield each(read_again, line) if made is None else item
                if dedupe is not None and index < len(pieces) - 1:
                    earlier.add(found, number)
    finally:
        sys.setswitchinterval(switching)
        _JOB = None
        if dedupe is not None:
            dedupe.close()
        for handle in handles.values():
            handle.close()
    tallies.close()


SWITCH_INTERVAL = 0.0002  # seconds (Python's default: 0.005)


class _Earlier:
    """The ids met in the pieces given so far: their `id_key`s, and where each was first met.
    (A set per piece: building one set of them all takes twice as long, its table being
    larger than the CPU's caches.)"""

    def __init__(self) -> None:
        # per piece: the id hashes, packed too, where each was met, the read of the file
        self.pieces: list[tuple[set[int], bytes, array[int], int]] = []

    def add(self, found: _Found, number: int) -> None:
        """The ids met in the next piece (of read `number` of a file)."""
        met = _unpack(found.met)
        self.pieces.append((set(met), found.met, _unpack(found.met_at), number))

    def places(self, keys: set[int]) -> dict[int, int]:
        """Of these id hashes, those met before → where they were first met."""
        out: dict[int, int] = {}
        for met, packed, met_at, number in self.pieces:
            hits = keys & met
            if not hits:
                continue
            hits.difference_update(out)  # met in an earlier piece still
            if len(hits) > FEW_HITS:  # one pass over the piece's ids
                found = _met_before(hits, [(_unpack(packed), met_at, number)])
                out.update(found)
                continue
            for key in hits:  # a byte search for each
                needle = array("q", (key,)).tobytes()
                at = packed.find(needle)
                while at >= 0 and at % 8:  # a match across two hashes
                    at = packed.find(needle, at + 1)
                assert at >= 0, "an id of the set is in the array it was made from"
                out[key] = (number << FILE_SHIFT) + met_at[at // 8]
        return out


FEW_HITS = 16  # ids met before looked for one by one, by byte search


def _met_before(
    keys: set[int], earlier: list[tuple[array[int], array[int], int]]
) -> dict[int, int]:
    """Of these id hashes, those met in earlier pieces → where they were first met."""
    out: dict[int, int] = {}
    for met, met_at, number in earlier:
        hits = keys.intersection(met).difference(out)
        if not hits:
            continue
        for key, at in zip(met, met_at, strict=True):
            if key in hits:
                out[key] = (number << FILE_SHIFT) + at
    return out
