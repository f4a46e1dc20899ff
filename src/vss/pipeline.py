"""The library API: sources → parse → dedupe → filter → aggregate, as ordered stages.

`iter_sessions` yields the unique valid sessions of the inputs in input order (first copy
wins, SPEC §2) and counts every line into an `InputCounts`; `summarize` folds the ones that
pass a filter into a `Stats`. Nothing here prints: warnings and file errors go to a
`Reporter` supplied by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from vss.aggregate import InputCounts, Stats
from vss.errors import InputError, StrictError
from vss.parse import DEFAULT_MAX_LINE_BYTES, INVALID, MALFORMED, Rejection, parse_line
from vss.records import Session
from vss.scan import candidate_lines, line_session_id, may_match, repeated_ids
from vss.sources import display_name, iter_lines, open_source

Match = Callable[[Session], bool]


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How input is read: dedupe, the line-length limit, and whether bad lines are fatal."""

    dedupe: bool = True
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    strict: bool = False
    # Byte strings one of which every wanted line must hold (`--code`, `show ID`): other
    # lines are skipped unparsed, unless dedupe needs them. Ignored under --strict.
    needles: tuple[bytes, ...] = ()


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
    compares numbers by value. The common case drops `.0` before `,`, `}` and `]` by byte
    replacement (a string ending in `.0` just before one of those characters is changed
    the same way in both copies); exponents and `-0.0` take a walk that turns integral
    floats into ints; nesting past orjson's 255 levels takes an iterative serializer.
    """
    try:
        canon = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return hash(_deep_canonical(payload))
    if b"e+" in canon or b"-0.0" in canon:
        canon = orjson.dumps(_integral_floats(payload), option=orjson.OPT_SORT_KEYS)
    if b".0" in canon:
        canon = canon.replace(b".0,", b",").replace(b".0}", b"}").replace(b".0]", b"]")
    return hash(canon)


def _integral_floats(value: Any) -> Any:
    """A copy with every integral float as an int (orjson nesting is at most 255 here)."""
    kind = type(value)
    if kind is dict:
        return {k: _integral_floats(v) for k, v in value.items()}
    if kind is list:
        return [_integral_floats(v) for v in value]
    if kind is float and value.is_integer() and -(2**63) <= value < 2**63:
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

    With `repeated` (hashes of the ids that occur more than once, from a first pass), the
    other sessions need neither a digest nor a place in memory.
    """

    __slots__ = ("repeated", "seen")

    def __init__(self, repeated: set[int] | None = None) -> None:
        self.seen: dict[str, int] = {}
        self.repeated = repeated

    def may_repeat(self, session_id: bytes) -> bool:
        """Whether a line with this id can matter for dedupe (True when unknown)."""
        return self.repeated is None or hash(session_id) in self.repeated

    def admit(self, session: Session, counts: InputCounts) -> bool:
        """Count a valid session as a first copy (True) or as a duplicate (False)."""
        verdict = self.check(session)
        if verdict is None:
            counts.sessions += 1
            return True
        counts.duplicates += 1
        counts.conflicts += verdict
        return False

    def check(self, session: Session) -> bool | None:
        """None for a first copy (now remembered); else whether the copy conflicts."""
        if self.repeated is not None and hash(session.session_id.encode()) not in self.repeated:
            return None
        digest = payload_digest(session.payload)
        first = self.seen.get(session.session_id)
        if first is None:
            self.seen[session.session_id] = digest
            return None
        return first != digest


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


def read_piece(
    piece: Piece,
    counts: InputCounts,
    reporter: Reporter,
    options: ReadOptions,
    dedupe: Dedupe | None,
    tally: FileTally,
    deferred: list[bytes] | None = None,
) -> Iterator[tuple[Session, bytes]]:
    """Classify the lines of one piece; yield its wanted unique sessions with their lines.

    With `deferred`, sessions whose id occurs more than once are not judged here: their
    lines are kept, in order, for the caller to dedupe across pieces.
    """
    limit = options.max_line_bytes
    needles = options.needles if not options.strict else ()
    name = piece.name
    try:
        chunks = open_source(piece.path, reporter.advance, piece.start, piece.end)
    except InputError as exc:
        reporter.error(str(exc))
        return
    try:
        if needles:  # only the lines a byte search cannot rule out
            repeated = None if dedupe is None else dedupe.repeated
            start = piece.start == 0
            lines = candidate_lines(chunks, limit, start, needles, repeated, dedupe is not None)
        else:
            lines = iter_lines(chunks, name, limit, bom=piece.start == 0)
        for line_no, line in lines:
            counts.lines += 1
            tally.lines += 1
            wanted = True
            if needles and not may_match(line, needles):
                # not wanted; parsed only when it could be a first copy that matters
                if dedupe is None:
                    continue
                session_id = line_session_id(line, limit)
                if session_id is None or not dedupe.may_repeat(session_id):
                    continue
                wanted = False
            result = parse_line(line, limit)
            if type(result) is Rejection:
                kind = result.kind
                setattr(counts, kind, getattr(counts, kind) + 1)
                if kind in (MALFORMED, INVALID):
                    if line_no == 1:
                        tally.first_line = line.strip()
                    tally.malformed += kind == MALFORMED
                    if options.strict:
                        raise StrictError(f"{name}:{line_no}: {result.reason}")
                    reporter.warn(name, line_no, result.reason)
                continue
            assert type(result) is Session
            if dedupe is None:
                counts.sessions += 1
            elif deferred is not None and dedupe.may_repeat(result.session_id.encode()):
                deferred.append(line)
                continue
            elif not dedupe.admit(result, counts):
                continue
            if wanted:
                yield result, line
    except InputError as exc:
        reporter.error(str(exc))
    finally:
        chunks.close()


def iter_sessions(
    paths: Iterable[str],
    counts: InputCounts,
    reporter: Reporter,
    options: ReadOptions = ReadOptions(),
) -> Iterator[tuple[Session, bytes]]:
    """Yield `(session, line)` for each unique valid session, in input order."""
    paths = list(paths)
    dedupe = Dedupe(repeated_ids(paths, options.max_line_bytes)) if options.dedupe else None
    for path in paths:
        piece = Piece(path)
        tally = FileTally()
        yield from read_piece(piece, counts, reporter, options, dedupe, tally)
        hint = tally.hint(piece.name)
        if hint:
            reporter.hint(hint)


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
    add = stats.add
    for session, _line in iter_sessions(paths, stats.input, reporter or SilentReporter(), options):
        if match is None or match(session):
            add(session)
    return stats
