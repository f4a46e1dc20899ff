"""Byte-level reading of lines without parsing them: the sessionId of a line, and a first
pass over plain files that finds which sessionIds occur more than once.

Only sessions whose id occurs more than once need the dedupe digest; the others cannot be
duplicates. A line the byte search cannot judge safely (a `\\u` escape could spell the key,
the key occurs twice, the value holds an escape) is parsed instead.
"""

from __future__ import annotations

import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import repeat

from vss.errors import InputError
from vss.parse import parse_line
from vss.records import Session
from vss.sources import STDIN, block_lines, iter_blocks, open_source, sniff

KEY = b'"sessionId"'
UNSURE = b"\\u"


def has_unicode_escape(line: bytes) -> bool:
    """Whether a line holds a `\\u` escape (a one-byte search first: backslashes are rare)."""
    return b"\\" in line and UNSURE in line


def line_session_id(line: bytes, max_line_bytes: int) -> bytes | None:
    """The sessionId a line would have as a session (UTF-8 bytes), or None if it has none.

    A superset is fine: a line whose id is returned may still turn out not to be a session.
    """
    at = line.find(KEY)
    unsure = has_unicode_escape(line)
    if at < 0 and not unsure:
        return None
    if not unsure and line.find(KEY, at + len(KEY)) < 0:
        opening = line.find(b'"', at + len(KEY))
        closing = line.find(b'"', opening + 1)
        if (
            opening > 0
            and closing > 0
            and line[at + len(KEY) : opening].strip(b" \t\r") == b":"
            and b"\\" not in line[opening:closing]
        ):
            return line[opening + 1 : closing]
    result = parse_line(line, max_line_bytes)
    return result.session_id.encode() if type(result) is Session else None


def scannable(paths: Iterable[str]) -> bool:
    """Whether every input is a plain (uncompressed) regular file that can be read twice."""
    for path in paths:
        if path == STDIN:
            return False
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                return False
            with open(path, "rb") as handle:
                if sniff(handle.read(6)) is not None:
                    return False
        except OSError:
            return False
    return True


def repeated_ids(paths: Iterable[str], max_line_bytes: int) -> set[int] | None:
    """Hashes of the sessionIds that occur on more than one line, or None when unknown."""
    paths = list(paths)
    if not scannable(paths):
        return None
    seen: set[int] = set()
    repeated: set[int] = set()
    for path in paths:
        if not scan_ids(path, 0, None, max_line_bytes, seen, repeated):
            return None
    return repeated


def scan_ids(
    path: str,
    start: int,
    end: int | None,
    max_line_bytes: int,
    seen: set[int],
    repeated: set[int],
) -> bool:
    """Add the id hashes of a plain file's bytes `start` to `end` to `seen`, or to `repeated`
    when already seen; False when the file could not be read."""
    chunks = open_source(path, None, start, end)
    try:
        for _, block in iter_blocks(chunks, max_line_bytes, bom=start == 0):
            ids = _block_id_list(block)
            if ids is None:  # judged line by line
                found = (line_session_id(line, max_line_bytes) for line in block_lines(block))
                ids = [session_id for session_id in found if session_id is not None]
            keys = list(map(hash, ids))
            distinct = set(keys)
            if len(distinct) != len(keys):  # an id twice in this block
                repeated.update(key for key, n in Counter(keys).items() if n > 1)
            repeated |= distinct.intersection(seen)
            seen |= distinct
    except InputError:
        return False
    finally:
        chunks.close()
    return True


# ---- block-level reading: C-level searches over many lines at once ---------------------

_ID = re.compile(rb'"sessionId"\s*:\s*"([^"\\]*)"')
_EXPONENT_CODE = re.compile(rb'"errorCode"\s*:\s*"?\s*-?[0-9.]+[eE]')


def may_match(line: bytes, needles: tuple[bytes, ...]) -> bool:
    """Whether a line may hold a wanted session; False only when it surely cannot."""
    if has_unicode_escape(line) or any(needle in line for needle in needles):
        return True
    return b'"errorCode"' in line and _EXPONENT_CODE.search(line) is not None


def _block_id_list(block: bytes) -> list[bytes] | None:
    """The sessionIds of a block in order, or None if the byte search cannot judge it.

    The common spelling `"sessionId":"…"` with no backslash in the block is cut out by
    C-level searches only (a regular expression reads ~5x slower); anything else takes
    the pattern, which allows blanks around the colon.
    """
    if b"\\" in block:  # an escape could spell the key or hide a quote
        if has_unicode_escape(block):
            return None
    else:
        parts = block.split(KEY)
        del parts[0]
        if all(map(bytes.startswith, parts, repeat(b':"'))):
            ends = list(map(bytes.find, parts, repeat(b'"'), repeat(2)))
            if -1 not in ends:
                return list(map(bytes.__getitem__, parts, map(slice, repeat(2), ends)))
    found: list[bytes] = _ID.findall(block)
    return found if len(found) == block.count(KEY) else None


def block_ids(block: bytes) -> list[tuple[int, bytes]] | None:
    """`(position, id)` of every sessionId in a block, or None if the byte search cannot
    judge the block safely (an escape, or a key the pattern does not read)."""
    if has_unicode_escape(block):
        return None
    found = [(match.start(), match.group(1)) for match in _ID.finditer(block)]
    return found if len(found) == block.count(KEY) else None


def candidate_lines(
    chunks: Iterator[bytes],
    max_line_bytes: int,
    bom: bool,
    needles: tuple[bytes, ...],
    repeated: set[int] | None,
    dedupe: bool,
) -> Iterator[tuple[int, bytes]]:
    """The lines that may hold a wanted session (one of `needles`) or a copy that matters
    for dedupe (an id in `repeated`; any id when `repeated` is None), with their numbers.
    Blocks the byte search cannot judge are given whole."""
    lines_before = 0
    for _, block in iter_blocks(chunks, max_line_bytes, bom):
        starts = _candidate_starts(block, needles, repeated, dedupe)
        if starts is None:
            for offset, line in enumerate(block_lines(block), 1):
                yield lines_before + offset, line
        else:
            newlines = counted_to = 0
            for start in sorted(starts):
                newlines += block.count(b"\n", counted_to, start)
                counted_to = start
                end = block.find(b"\n", start)
                line = block[start:] if end < 0 else block[start:end]
                yield lines_before + newlines + 1, line
        lines_before += block.count(b"\n") + (not block.endswith(b"\n"))


def _candidate_starts(
    block: bytes, needles: tuple[bytes, ...], repeated: set[int] | None, dedupe: bool
) -> set[int] | None:
    """Where the candidate lines of a block start, or None when every line is one."""
    if has_unicode_escape(block) or (dedupe and repeated is None):
        return None
    starts: set[int] = set()
    for needle in needles:
        at = block.find(needle)
        while at >= 0:
            starts.add(block.rfind(b"\n", 0, at) + 1)
            next_line = block.find(b"\n", at)
            if next_line < 0:
                break
            at = block.find(needle, next_line)
    if b'"errorCode"' in block:
        for match in _EXPONENT_CODE.finditer(block):
            starts.add(block.rfind(b"\n", 0, match.start()) + 1)
    if dedupe and repeated:
        ids = block_ids(block)
        if ids is None:
            return None
        for at, session_id in ids:
            if hash(session_id) in repeated:
                starts.add(block.rfind(b"\n", 0, at) + 1)
    return starts
