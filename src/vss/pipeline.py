"""The library API: sources → parse → dedupe → filter → aggregate, as ordered stages.

`iter_blocks_of_sessions` yields the unique valid sessions of the inputs in input order
(first copy wins, SPEC §2), as blocks of payload objects and their lines, and counts every
line into an `InputCounts`; `iter_sessions` gives them one `Session` at a time; `summarize`
folds the ones that pass a filter into a `Stats`. Nothing here prints: warnings and file
errors go to a `Reporter` supplied by the caller.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import compress, count, repeat
from operator import not_
from typing import Any, Protocol

import orjson

from vss.aggregate import InputCounts, Stats
from vss.dedupe import Dedupe
from vss.errors import InputError, StrictError
from vss.parse import (
    DEFAULT_MAX_LINE_BYTES,
    INVALID,
    MALFORMED,
    SESSION_SUMMARY,
    Rejection,
    parse_line,
    payload_of,
)
from vss.records import Session
from vss.scan import block_id_keys, candidate_starts, id_key, scannable
from vss.sources import Piece, block_lines_at, iter_blocks, open_source

Match = Callable[[Session], bool]


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How input is read: dedupe, the line-length limit, and whether bad lines are fatal."""

    dedupe: bool = True
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    strict: bool = False
    # Byte strings one of which every wanted line must hold (`--code`, `show ID`): other
    # lines are skipped unparsed. Ignored under --strict, and with dedupe on input that
    # cannot be read twice (stdin, compressed files).
    needles: tuple[bytes, ...] = ()
    needle_codes: bool = False  # the needles are error codes: only errorCode values hold them


class Reporter(Protocol):
    """Receives what the pipeline has to say about the input, for the caller to show."""

    def warn(self, source: str, line_no: int, reason: str) -> None:
        """A malformed or invalid line."""

    def error(self, message: str) -> None:
        """A file that could not be (fully) read; results cover what was read."""

    def hint(self, message: str) -> None:
        """Advice about a whole file (e.g. it looks like pretty-printed JSON)."""

    def advance(self, nbytes: int) -> None:
        """`nbytes` more bytes of input were read (before decompression), for progress."""

    def skipped_warnings(self, count: int) -> None:
        """`count` more warnings happened that are not shown (parallel reads keep a few)."""


class SilentReporter:
    """A reporter that only keeps file errors: for library use and tests."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def warn(self, source: str, line_no: int, reason: str) -> None:
        """Ignore line warnings."""

    def error(self, message: str) -> None:
        """Keep the message."""
        self.errors.append(message)

    def hint(self, message: str) -> None:
        """Ignore hints."""

    def advance(self, nbytes: int) -> None:
        """Ignore progress."""

    def skipped_warnings(self, count: int) -> None:
        """Ignore warnings."""


@dataclass(slots=True)
class FileTally:
    """What the pretty-printed-JSON hint needs to know about a file."""

    lines: int = 0
    malformed: int = 0
    first_line: bytes = b""

    def hint(self, name: str) -> str | None:
        """The hint for the file, if it looks like pretty-printed JSON."""
        if self.first_line in (b"{", b"[") and self.malformed * 2 > self.lines:
            return (
                f"{name}: looks like pretty-printed JSON (one value over many lines); "
                "vss reads one JSON value per line: convert it with `jq -c . FILE`"
            )
        return None


BATCH = 64  # sessions handed on at once: few enough to be still in the CPU's caches
Payload = dict[str, Any]  # a session's payload object (with a string sessionId)
Block = tuple[list[Payload], list[bytes]]  # payloads of first copies, their lines


def read_piece(
    piece: Piece,
    counts: InputCounts,
    reporter: Reporter,
    options: ReadOptions,
    dedupe: Dedupe | None,
    tally: FileTally,
    deferred: tuple[list[bytes], set[int]] | None = None,
    places: list[int] | None = None,
) -> Iterator[Block]:
    """Classify the lines of one piece; yield its wanted unique sessions, a block at a time,
    as their payload objects and their lines.

    With `deferred` (a list and id hashes, of the UTF-8 bytes), sessions with those ids are
    not judged here: their lines are added to the list, in order, for the caller to dedupe
    across pieces. With `places` (prefilter only), where each session's line starts in its
    file is added to the list, in order.
    """
    try:
        chunks = open_source(piece.path, reporter.advance, piece.start, piece.end)
    except InputError as exc:
        reporter.error(str(exc))
        return
    reading = _Reading(piece, counts, reporter, options, dedupe, tally, places)
    try:
        if options.needles and not options.strict:
            yield from _read_candidates(chunks, reading)
        else:
            yield from _read_all(chunks, reading, deferred)
    except InputError as exc:
        reporter.error(str(exc))
    finally:
        chunks.close()


def _read_all(
    chunks: Iterator[bytes], reading: _Reading, deferred: tuple[list[bytes], set[int]] | None
) -> Iterator[Block]:
    """Every line of a piece, parsed: the hot loop of every overview.

    Lines go in runs of `BATCH`, and the common case (an object with a payload object
    and a string sessionId, a first copy) is inlined; anything else takes `payload_of`,
    `parse_line` and `Dedupe.admit`.
    """
    piece, counts, options, dedupe = reading.piece, reading.counts, reading.options, reading.dedupe
    limit = options.max_line_bytes
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    base = -1 if dedupe is None else dedupe.base(piece)
    # remembering a first copy by position is inlined below; the rest goes through admit
    first = dedupe.first if dedupe is not None and base >= 0 else None
    digests = dedupe.digests if dedupe is not None else {}
    handed_back, shared = deferred if deferred is not None else ([], set())
    line_no = 0
    for block_at, block in iter_blocks(chunks, limit, bom=piece.start == 0):
        # where each line starts: `base` + its offset in the piece
        all_lines, all_starts = block_lines_at(block, base + block_at)
        reading.count_lines(len(all_lines))
        long_lines = len(block) > limit
        for run_start in range(0, len(all_lines), BATCH):
            lines = all_lines[run_start : run_start + BATCH]
            wheres = all_starts[run_start : run_start + BATCH]
            if not long_lines and not shared:
                regular = _regular_run(lines, wheres, dedupe, first, digests, counts)
                if regular is not None:
                    line_no += len(lines)
                    if regular[0]:
                        yield regular
                    continue
            payloads: list[Payload] = []
            kept: list[bytes] = []
            fresh = 0  # first copies remembered here (admit counts the others itself)
            for line, where, line_no in zip(lines, wheres, count(line_no + 1)):  # noqa: B020
                if long_lines and len(line) > limit:
                    result: Any = parse_line(line, limit)
                else:
                    try:
                        result = loads(line)
                    except decode_error:
                        result = parse_line(line, limit)  # blank or malformed
                    else:
                        # SPEC §2 rules 3-5, the common case inlined (payload_of says why not)
                        if type(result) is dict and (
                            result.get("eventType", SESSION_SUMMARY) == SESSION_SUMMARY
                        ):
                            payload = result.get("payload", result)
                            if type(payload) is dict and type(payload.get("sessionId")) is str:
                                result = payload
                            else:
                                result = payload_of(result)
                        else:
                            result = payload_of(result)
                if type(result) is not dict:
                    if type(result) is Session:  # from parse_line
                        result = result.payload
                    else:
                        reading.reject(result, line, line_no)
                        continue
                session_id = result["sessionId"]
                if dedupe is None:
                    fresh += 1
                    payloads.append(result)
                    kept.append(line)
                    continue
                if shared and hash(session_id.encode()) in shared:
                    handed_back.append(line)
                    continue
                if first is not None:
                    key = hash(session_id)
                    if key not in first and session_id not in digests:
                        first[key] = where
                        fresh += 1
                    elif not dedupe.admit(Session(session_id, result), counts, where, line):
                        continue
                elif not dedupe.admit(Session(session_id, result), counts):
                    continue
                payloads.append(result)
                kept.append(line)
            counts.sessions += fresh
            if payloads:  # handed on while still in the CPU's caches
                yield payloads, kept


def _regular_run(
    lines: list[bytes],
    wheres: list[int],
    dedupe: Dedupe | None,
    first: dict[int, int] | None,
    digests: dict[str, int],
    counts: InputCounts,
) -> Block | None:
    """`_read_all` for a run of lines that are all objects holding a session, by C-level
    passes over the run: the payloads and lines of its first copies (counted). None when a
    line is anything else (blank, malformed, another event, no string sessionId), or when
    dedupe is by digest (streams): the caller reads the run line by line.

    Only ids met before, or twice in the run, or kept by digest, take `Dedupe.admit`.
    """
    if dedupe is not None and first is None:
        return None
    try:
        results = list(map(orjson.loads, lines))
    except orjson.JSONDecodeError:
        return None
    if not _DICT.issuperset(map(type, results)):
        return None
    events = list(map(dict.get, results, repeat("eventType"), repeat(SESSION_SUMMARY)))
    if events.count(SESSION_SUMMARY) != len(events):
        return None
    payloads: list[Payload] = list(map(dict.get, results, repeat("payload"), results))
    if not _DICT.issuperset(map(type, payloads)):
        return None
    ids: list[Any] = list(map(dict.get, payloads, repeat("sessionId")))
    if not _STR.issuperset(map(type, ids)):
        return None
    if dedupe is None or first is None:
        counts.sessions += len(ids)
        return payloads, lines
    keys = list(map(hash, ids))
    doubtful = first.keys() & keys
    if len(set(keys)) != len(keys):  # twice in the run
        doubtful.update(key for key, n in Counter(keys).items() if n > 1)
    if digests:
        doubtful.update(map(hash, digests.keys() & ids))
    if not doubtful:
        first.update(zip(keys, wheres, strict=True))
        counts.sessions += len(keys)
        return payloads, lines
    judged = list(map(doubtful.__contains__, keys))  # one by one, in order
    plain = list(map(not_, judged))
    first.update(compress(zip(keys, wheres, strict=True), plain))
    counts.sessions += plain.count(True)
    keep = [True] * len(keys)
    for index in compress(range(len(keys)), judged):
        session_id, key = ids[index], keys[index]
        if key not in first and session_id not in digests:
            first[key] = wheres[index]
            counts.sessions += 1
        elif not dedupe.admit(
            Session(session_id, payloads[index]), counts, wheres[index], lines[index]
        ):
            keep[index] = False
    return list(compress(payloads, keep)), list(compress(lines, keep))


_DICT = frozenset((dict,))
_STR = frozenset((str,))


def _read_candidates(chunks: Iterator[bytes], reading: _Reading) -> Iterator[Block]:
    """Only the lines a byte search cannot rule out (`--code`, `show ID`), parsed.

    With dedupe, the sessionIds of all lines are still read, by byte search, and a wanted
    session is given only when no earlier line holds a valid session with its id: ids met
    before are checked by reading the earlier lines again (`Dedupe.first_copy`). Blocks the
    byte search cannot judge (escapes) are parsed whole; of their lines that are not
    sessions, only those the byte search could not rule out are reported, so what is
    reported does not depend on where blocks (or `--jobs` ranges) fall. Lines skipped unparsed are
    counted as lines only, and only once a warning needs a line number: in a file that
    can be read again, the lines before are then counted by reading it again.
    """
    piece, counts, options, dedupe = reading.piece, reading.counts, reading.options, reading.dedupe
    limit = options.max_line_bytes
    needles, codes = options.needles, options.needle_codes
    base = -1 if dedupe is None else dedupe.base(piece)
    line_no: int | None = None if scannable([piece.path]) else 0  # lines before the block
    for block_at, block in iter_blocks(chunks, limit, bom=piece.start == 0):
        here = base + block_at
        starts = candidate_starts(block, needles, codes)
        ids = None if dedupe is None or starts is None else block_id_keys(block, here)
        if dedupe is not None and ids is None:
            starts = None  # parsed whole, in order
        if dedupe is not None and ids is not None:
            dedupe.note_block(*ids)
        payloads: list[Payload] = []
        kept: list[bytes] = []
        if starts is None:
            found: Iterable[tuple[bytes, int]] = zip(*block_lines_at(block, 0), strict=True)
        else:
            found = _lines_at(block, starts)
        for line, start in found:
            result = parse_line(line, limit)
            if type(result) is not Session:
                assert type(result) is Rejection
                if starts is None and candidate_starts(line, needles, codes) == []:
                    continue  # as if the block had been judged by bytes: no warning
                if line_no is None:  # from now on lines are counted as they come
                    line_no = lines_before(piece, block_at)
                    reading.count_lines(line_no)
                number = line_no + block.count(b"\n", 0, start) + 1
                reading.reject(result, line, number)
                continue
            if dedupe is not None:
                where = here + start
                if ids is None:  # ids of a block parsed whole are noted as they come
                    dedupe.note_block([id_key(result.session_id)], [where])
                if not dedupe.first_copy(result, where, where + len(line), limit):
                    counts.duplicates += 1
                    continue
            counts.sessions += 1
            payloads.append(result.payload)
            kept.append(line)
            if reading.places is not None:
                reading.places.append(piece.start + block_at + start)
        if line_no is not None:
            n_lines = block.count(b"\n") + (not block.endswith(b"\n"))
            reading.count_lines(n_lines)
            line_no += n_lines
        if payloads:
            yield payloads, kept


def lines_before(piece: Piece, upto: int) -> int:
    """The lines of a plain file's piece before `upto` (an offset in the piece)."""
    chunks = open_source(piece.path, None, piece.start, piece.start + upto)
    try:
        return sum(chunk.count(b"\n") for chunk in chunks)
    finally:
        chunks.close()


def _lines_at(block: bytes, starts: list[int]) -> Iterator[tuple[bytes, int]]:
    """`(line, start)` of the lines of a block starting at `starts`."""
    for start in starts:
        end = block.find(b"\n", start)
        yield (block[start:] if end < 0 else block[start:end]), start


@dataclass(slots=True)
class _Reading:
    """What the readers of one piece share: the piece, and where its lines are counted,
    reported and deduped."""

    piece: Piece
    counts: InputCounts
    reporter: Reporter
    options: ReadOptions
    dedupe: Dedupe | None
    tally: FileTally
    places: list[int] | None = None  # where the lines of the sessions handed on start

    def count_lines(self, n: int) -> None:
        """`n` more lines read."""
        self.counts.lines += n
        self.tally.lines += n

    def reject(self, result: Rejection, line: bytes, line_no: int) -> None:
        """Count a line that is not a session; warn about it if malformed or invalid."""
        kind = result.kind
        setattr(self.counts, kind, getattr(self.counts, kind) + 1)
        if kind in (MALFORMED, INVALID):
            if line_no == 1:
                self.tally.first_line = line.strip()
            self.tally.malformed += kind == MALFORMED
            name = self.piece.name
            if self.options.strict:
                raise StrictError(f"{name}:{line_no}: {result.reason}")
            self.reporter.warn(name, line_no, result.reason)


def iter_blocks_of_sessions(
    paths: Iterable[str],
    counts: InputCounts,
    reporter: Reporter,
    options: ReadOptions = ReadOptions(),
) -> Iterator[Block]:
    """Yield the unique valid sessions of the inputs in input order, a block at a time."""
    paths = list(paths)
    if options.needles and options.dedupe and not scannable(paths):
        options = replace(options, needles=())  # first copies are found by reading again
    dedupe = Dedupe(max_line_bytes=options.max_line_bytes) if options.dedupe else None
    try:
        for path in paths:
            piece = Piece(path)
            tally = FileTally()
            yield from read_piece(piece, counts, reporter, options, dedupe, tally)
            hint = tally.hint(piece.name)
            if hint:
                reporter.hint(hint)
    finally:
        if dedupe is not None:
            dedupe.close()


def iter_sessions(
    paths: Iterable[str],
    counts: InputCounts,
    reporter: Reporter,
    options: ReadOptions = ReadOptions(),
) -> Iterator[tuple[Session, bytes]]:
    """Yield `(session, line)` for each unique valid session, in input order."""
    for payloads, lines in iter_blocks_of_sessions(paths, counts, reporter, options):
        for payload, line in zip(payloads, lines, strict=True):
            yield Session(payload["sessionId"], payload), line


def batches(blocks: Iterable[Block], match: Match | None) -> Iterator[list[Payload]]:
    """The payloads of blocks that pass `match`."""
    for payloads, _ in blocks:
        if match is not None:
            payloads = [p for p in payloads if match(Session(p["sessionId"], p))]
        if payloads:
            yield payloads


def summarize(
    paths: Iterable[str],
    match: Match | None = None,
    options: ReadOptions = ReadOptions(),
    reporter: Reporter | None = None,
) -> Stats:
    """Read the inputs and aggregate the sessions that pass `match` (all when None)."""
    paths = list(paths)
    stats = Stats()
    stats.input.files = paths
    blocks = iter_blocks_of_sessions(paths, stats.input, reporter or SilentReporter(), options)
    for batch in batches(blocks, match):
        stats.add_block(batch)
    return stats
