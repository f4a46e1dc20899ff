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
from itertools import count, repeat
from operator import add
from typing import Any, BinaryIO, Protocol

import orjson

from vss.aggregate import InputCounts, Stats
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
from vss.scan import block_id_hashes, candidate_starts, scannable
from vss.sources import (
    block_lines,
    display_name,
    iter_blocks,
    line_start_at,
    line_starts,
    open_source,
    read_line_at,
)

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


def payload_digest(payload: dict[str, Any]) -> int:
    """A digest of a payload as a JSON value: key order and number spelling ignored.

    orjson writes an integral float as `13.0` (or `1e+16`) and an int as `13`; SPEC §2
    compares numbers by value, so when the text may hold one (`.0` before `,`, `}` or `]`,
    or `e+`; perhaps inside a string) a copy with every integral float as an int is written
    instead. Nesting past orjson's 255 levels takes an iterative serializer.
    """
    try:
        canon = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return hash(_deep_canonical(payload))
    if b".0," in canon or b".0}" in canon or b".0]" in canon or b"e+" in canon:
        canon = orjson.dumps(_integral_floats(payload), option=orjson.OPT_SORT_KEYS)
    return hash(canon)


def _integral_floats(value: Any) -> Any:
    """A copy with every integral float as an int (orjson nesting is at most 255 here),
    within the range orjson reads integers in (-2**63 to 2**64 - 1)."""
    kind = type(value)
    if kind is dict:
        return {k: _integral_floats(v) for k, v in value.items()}
    if kind is list:
        return [_integral_floats(v) for v in value]
    if kind is float and value.is_integer() and -(2**63) <= value < 2**64:
        return int(value)
    return value


def _deep_canonical(value: Any) -> str:
    """Sorted-key JSON text of a value of any depth, numbers by value, without recursion."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is tuple:  # a piece of punctuation pushed below
            out.append(item[0])
        elif kind is dict:
            parts: list[Any] = [("{",)]
            for index, key in enumerate(sorted(item)):
                parts.append((("," if index else "") + orjson.dumps(key).decode() + ":",))
                parts.append(item[key])
            parts.append(("}",))
            stack.extend(reversed(parts))
        elif kind is list:
            parts = [("[",)]
            for index, element in enumerate(item):
                if index:
                    parts.append((",",))
                parts.append(element)
            parts.append(("]",))
            stack.extend(reversed(parts))
        elif kind is float:
            out.append(str(int(item)) if item.is_integer() else repr(item))
        elif kind is int:
            out.append(str(item))
        else:
            out.append(orjson.dumps(item).decode())
    return "".join(out)


class Dedupe:
    """First copy of a sessionId wins; later copies are duplicates, conflicting if different.

    A plain file can be read again, so a first copy costs only its id's hash and where its
    line is (`first`); when the id turns up again, that line is read back for its digest.
    Streams (stdin, compressed files) keep a digest of each first copy instead.
    """

    __slots__ = ("_first_at", "_handles", "_limit", "digests", "first", "paths")

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        # hash(id) → where its first copy is: (file number << 48) + offset. The prefilter
        # keeps here the hash of the id's UTF-8 bytes → where the block it was first met in
        # starts.
        self.first: dict[int, int] = {}
        # id → digest of its first copy: for streams, ids met again, and hash collisions
        self.digests: dict[str, int] = {}
        self._first_at: dict[str, int] = {}  # prefilter: id → where its first copy is
        self.paths: list[str] = []
        self._handles: dict[int, BinaryIO] = {}
        self._limit = max_line_bytes

    def base(self, piece: Piece) -> int:
        """Where a piece's lines are told apart from others' (-1: a stream, not by position):
        each read of a file from its start gets the next number (a file given twice is
        read twice), a later range of it the number of that read."""
        if not scannable([piece.path]):
            return -1
        if piece.start == 0 or piece.path not in self.paths:
            self.paths.append(piece.path)
            number = len(self.paths) - 1
        else:
            number = len(self.paths) - 1 - self.paths[::-1].index(piece.path)
        return (number << FILE_SHIFT) + piece.start

    def note_block(self, keys: list[int], positions: list[int], where: int) -> set[int]:
        """The prefilter's index: remember where the id hashes (of the UTF-8 bytes) met in
        the block at `where` (at `positions` in it) are, for those not met before; returns
        those that were, or that occur twice in the block. Such ids need `first_copy` to
        read lines again."""
        # the first place of an id twice in the block is the one kept
        new = dict(zip(reversed(keys), map(add, reversed(positions), repeat(where)), strict=True))
        again = set(new.keys() & self.first.keys())
        for key in again:
            del new[key]
        if len(new) + len(again) != len(keys):  # an id twice in this block
            again.update(key for key, n in Counter(keys).items() if n > 1)
        self.first.update(new)
        return again

    def first_copy(self, session: Session, where: int, again: set[int], limit: int) -> bool:
        """Whether a session met by the prefilter at `where` is the first copy of its id:
        no earlier line of the input holds a valid session with it."""
        session_id = session.session_id
        first_at = self._first_at.get(session_id)
        if first_at is None:
            key = hash(session_id.encode())
            if key not in again:
                return True  # its id is in no earlier line
            first_at = self._first_at[session_id] = self._search(
                session_id, self.first[key], where, limit
            )
        return first_at == where

    def first_copy_between(self, session: Session, start: int, until: int) -> bool:
        """Whether a session whose line is at `until` is the first copy of its id, when
        its id was first met at `start` (every read of a file in between known to `base`)."""
        return self._search(session.session_id, start, until, self._limit) == until

    def _search(self, session_id: str, start: int, until: int, limit: int) -> int:
        """Where the first line from the one holding `start` to `until` that holds a valid
        session with this id starts (`until` itself holds one), through the files read in
        between. The line at `start` (where the id was first met) is nearly always it."""
        number, offset = start >> FILE_SHIFT, start & OFFSET
        handle = self._handle(number)
        offset = line_start_at(handle, offset)
        at = (number << FILE_SHIFT) + offset
        if at >= until:
            return until
        line = read_line_at(handle, offset, limit)
        result = parse_line(line, limit)
        if type(result) is Session and result.session_id == session_id:
            return at
        offset += len(line) + 1  # from the next line on, block by block
        while number <= until >> FILE_SHIFT:
            found = self._search_file(session_id, number, offset, until, limit)
            if found is not None:
                return found
            number, offset = number + 1, 0
        return until

    def _search_file(
        self, session_id: str, number: int, offset: int, until: int, limit: int
    ) -> int | None:
        """`_search` within one read of a file from `offset`; None: not before its end."""
        start = (number << FILE_SHIFT) + offset
        wanted = session_id.encode()
        chunks = open_source(self.paths[number], None, offset, None)
        try:
            for block_at, block in iter_blocks(chunks, limit, bom=offset == 0):
                # the lines that hold the id's bytes, or an escape that may spell it
                marks = (wanted, b"\\") if b"\\" in block else (wanted,)
                found = candidate_starts(block, marks, False)
                if found is None:  # `\\u` escapes: every line
                    found = list(line_starts(block_lines(block), 0))[:-1]
                for line_start in found:
                    at = start + block_at + line_start
                    if at >= until:
                        return until
                    end = block.find(b"\n", line_start)
                    line = block[line_start:] if end < 0 else block[line_start:end]
                    result = parse_line(line, limit)
                    if type(result) is Session and result.session_id == session_id:
                        return at
                if start + block_at + len(block) > until:
                    return until
        except InputError:
            pass  # what could be read was: the first read reported the error
        finally:
            chunks.close()
        return None

    def admit(self, session: Session, counts: InputCounts, where: int = -1) -> bool:
        """Count a valid session as a first copy (True) or as a duplicate (False); `where`
        is its line's place (`base` + offset in the piece), or -1."""
        verdict = self.check(session, where)
        if verdict is None:
            counts.sessions += 1
            return True
        counts.duplicates += 1
        counts.conflicts += verdict
        return False

    def check(self, session: Session, where: int = -1) -> bool | None:
        """None for a first copy (now remembered); else whether the copy conflicts."""
        session_id = session.session_id
        first_digest = self.digests.get(session_id)
        if first_digest is None:
            key = hash(session_id)
            known = self.first.get(key)
            if known is not None:
                earlier = self._read_back(known)
                if type(earlier) is Session and earlier.session_id == session_id:
                    first_digest = self.digests[session_id] = payload_digest(earlier.payload)
            if first_digest is None:  # a first copy (or another id with the same hash)
                if known is None and where >= 0:
                    self.first[key] = where
                else:
                    self.digests[session_id] = payload_digest(session.payload)
                return None
        return first_digest != payload_digest(session.payload)

    def _read_back(self, where: int) -> Session | Rejection:
        """The line at a place remembered by `check`, parsed again."""
        number, offset = where >> FILE_SHIFT, where & OFFSET
        return parse_line(read_line_at(self._handle(number), offset, self._limit), self._limit)

    def _handle(self, number: int) -> BinaryIO:
        """The file of a read, open to read lines back."""
        handle = self._handles.get(number)
        if handle is None:
            handle = self._handles[number] = open(self.paths[number], "rb")  # noqa: SIM115
        return handle

    def close(self) -> None:
        """Close the files opened to read first copies back."""
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()


FILE_SHIFT = 48  # a place in the input: offsets up to 256 TiB; file numbers above
OFFSET = (1 << FILE_SHIFT) - 1  # a place's offset bits


@dataclass(slots=True)
class Piece:
    """What one reader reads: a whole input, or a byte range of a plain file."""

    path: str
    start: int = 0
    end: int | None = None  # None: to the end

    @property
    def name(self) -> str:
        """The input's name in messages."""
        return display_name(self.path)


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
        all_lines = block_lines(block)
        reading.count_lines(len(all_lines))
        long_lines = len(block) > limit
        # where each line starts: `base` + its offset in the piece
        starts = line_starts(all_lines, base + block_at)
        for run_start in range(0, len(all_lines), BATCH):
            lines = all_lines[run_start : run_start + BATCH]
            payloads: list[Payload] = []
            kept: list[bytes] = []
            fresh = 0  # first copies remembered here (admit counts the others itself)
            # lines first: zip must not take a start past the last line
            for line, where, line_no in zip(lines, starts, count(line_no + 1)):  # noqa: B020
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
                    elif not dedupe.admit(Session(session_id, result), counts, where):
                        continue
                elif not dedupe.admit(Session(session_id, result), counts):
                    continue
                payloads.append(result)
                kept.append(line)
            counts.sessions += fresh
            if payloads:  # handed on while still in the CPU's caches
                yield payloads, kept


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
        ids = None if dedupe is None or starts is None else block_id_hashes(block)
        if dedupe is not None and ids is None:
            starts = None  # parsed whole, in order
        earlier: set[int] = set()
        if dedupe is not None and ids is not None:
            earlier = dedupe.note_block(*ids, here)
        payloads: list[Payload] = []
        kept: list[bytes] = []
        if starts is None:
            lines = block_lines(block)  # one start more than lines
            found: Iterable[tuple[bytes, int]] = zip(lines, line_starts(lines, 0), strict=False)
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
                    key = hash(result.session_id.encode())
                    earlier = dedupe.note_block([key], [start], here)
                if not dedupe.first_copy(result, where, earlier, limit):
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
