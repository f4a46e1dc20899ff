"""Dedupe (SPEC §2: the first copy of a sessionId wins): where first copies are, and the
digest that tells a conflicting retry from an identical one."""

from __future__ import annotations

from array import array
from collections import deque
from typing import Any, BinaryIO

import orjson

from vss.aggregate import InputCounts
from vss.errors import InputError
from vss.parse import DEFAULT_MAX_LINE_BYTES, Rejection, parse_line
from vss.records import Session
from vss.scan import candidate_starts, id_key, scannable
from vss.sources import (
    Piece,
    block_lines_at,
    iter_blocks,
    line_start_at,
    open_source,
    read_line_at,
)


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

    __slots__ = (
        "_digest_at",
        "_first_at",
        "_handles",
        "_limit",
        "digests",
        "first",
        "paths",
        "repeats",
    )

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        # hash(id) → where its first copy is: (file number << 48) + offset. The prefilter
        # keeps here the `id_key` of the id → where its key was first met.
        self.first: dict[int, int] = {}
        # id → digest of its first copy: for streams, ids met again, and hash collisions
        self.digests: dict[str, int] = {}
        self._first_at: dict[str, int] = {}  # prefilter: id → where its first copy is
        self.paths: list[str] = []
        self._handles: dict[int, BinaryIO] = {}
        self._limit = max_line_bytes
        # when kept (`--jobs`): of each duplicate met by position, the hash of its id,
        # where it is and whether it conflicts, one after another
        self.repeats: array[int] | None = None
        self._digest_at: dict[int, int] = {}  # `digest_at`: place → digest

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

    def note_block(self, keys: list[int], places: list[int]) -> None:
        """The prefilter's index: remember where the ids (`id_key`s) met in a block are
        (`places`, in order), for those not met before: each keeps the place it was first
        met at, which `first_copy` compares with a session's own line."""
        deque(map(self.first.setdefault, keys, places), maxlen=0)  # the earliest place stays

    def first_copy(self, session: Session, start: int, end: int, limit: int) -> bool:
        """Whether a session whose line is from `start` to `end` (places), met by the
        prefilter, is the first copy of its id: no earlier line of the input holds a valid
        session with it. An id first met in the session's own line has none; one met
        before is looked for from where it was met, by reading lines again."""
        session_id = session.session_id
        first_at = self._first_at.get(session_id)
        if first_at is None:
            met = self.first.get(id_key(session_id), start)
            if met >= start:
                assert met < end, "an id is noted before its lines are read"
                return True
            first_at = self._first_at[session_id] = self._search(session_id, met, start, limit)
        return first_at == start

    def first_copy_between(self, session: Session, start: int, until: int) -> bool:
        """Whether a session whose line is at `until` is the first copy of its id, when
        its id was first met at `start` (every read of a file in between known to `base`)."""
        return self._search(session.session_id, start, until, self._limit) == until

    def first_copy_before(self, session: Session, start: int, until: int) -> int | None:
        """Where the first copy of a session's id is, when it is before the session's own
        place `until`, searching from `start` (where the id was first met); None when the
        session is its id's first copy."""
        at = self._search(session.session_id, start, until, self._limit)
        return None if at == until else at

    def digest_at(self, where: int) -> int:
        """The digest of the session at a place where one was met (the last few kept)."""
        digest = self._digest_at.get(where)
        if digest is None:
            if len(self._digest_at) >= DIGESTS_KEPT:
                self._digest_at.clear()
            digest = self._digest_at[where] = payload_digest(self.read_back(where).payload)
        return digest

    def read_back(self, where: int) -> Session:
        """The session at a place where one was met."""
        session = self._read_back(where)
        assert type(session) is Session
        return session

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
                    found = block_lines_at(block, 0)[1]
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

    def admit(
        self, session: Session, counts: InputCounts, where: int = -1, line: bytes | None = None
    ) -> bool:
        """Count a valid session as a first copy (True) or as a duplicate (False); `where`
        is its line's place (`base` + offset in the piece), or -1; `line` its line, if at
        hand."""
        verdict = self.check(session, where, line)
        if verdict is None:
            counts.sessions += 1
            return True
        counts.duplicates += 1
        counts.conflicts += verdict
        if self.repeats is not None and where >= 0:
            self.repeats.extend((hash(session.session_id), where, verdict))
        return False

    def check(self, session: Session, where: int = -1, line: bytes | None = None) -> bool | None:
        """None for a first copy (now remembered); else whether the copy conflicts. A copy
        whose `line` is the first copy's, byte for byte (a retry sent again as it was), is
        judged without parsing or digesting either."""
        session_id = session.session_id
        first_digest = self.digests.get(session_id)
        if first_digest is None:
            key = hash(session_id)
            known = self.first.get(key)
            if known is not None:
                earlier_line = self._line_at(known)
                if line is not None and earlier_line == line:
                    return False
                earlier = parse_line(earlier_line, self._limit)
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
        return parse_line(self._line_at(where), self._limit)

    def _line_at(self, where: int) -> bytes:
        """The line at a place remembered by `check`."""
        number, offset = where >> FILE_SHIFT, where & OFFSET
        return read_line_at(self._handle(number), offset, self._limit)

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


DIGESTS_KEPT = 4096  # digests kept by `digest_at`
FILE_SHIFT = 48  # a place in the input: offsets up to 256 TiB; file numbers above
OFFSET = (1 << FILE_SHIFT) - 1  # a place's offset bits
