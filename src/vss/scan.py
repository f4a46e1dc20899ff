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
from collections.abc import Iterable
from itertools import accumulate, repeat
from operator import add

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
CODE_KEY = b'"errorCode"'
# the value after an errorCode key: a string, else the text up to the next `,` `}` `]`
_CODE_VALUE = re.compile(rb'"errorCode"\s*:\s*("(?:[^"\\]|\\.)*"|[^,}\]]*)')


def _block_id_list(block: bytes) -> list[bytes] | None:
    """The sessionIds of a block in order, or None if the byte search cannot judge it."""
    found = block_ids_at(block)
    return None if found is None else found[0]


def block_ids_at(block: bytes, where: int = 0) -> tuple[list[bytes], list[int]] | None:
    """The sessionIds of a block in order and where their keys are (`where` + the offset in
    the block), or None if the byte search cannot judge the block.

    The common spelling `"sessionId":"…"` with no backslash in the block is cut out by
    C-level searches only (a regular expression reads ~5x slower); anything else takes
    the pattern, which allows blanks around the colon.
    """
    if b"\\" in block:  # an escape could spell the key or hide a quote
        if has_unicode_escape(block):
            return None
    else:
        parts = block.split(KEY)
        before = len(parts.pop(0))
        found = _cut_ids(parts, before, where)
        if found is not None:
            return found
    return _ids_by_pattern(block, where)


def _cut_ids(parts: list[bytes], before: int, where: int) -> tuple[list[bytes], list[int]] | None:
    """`block_ids_at` from the parts of a block after each key (`before`: the length of the
    text before the first), when each starts with `:"` and holds the closing quote."""
    if all(map(bytes.startswith, parts, repeat(b':"'))):
        ends = list(map(bytes.find, parts, repeat(b'"'), repeat(2)))
        if -1 not in ends:
            ids = [part[2:end] for part, end in zip(parts, ends, strict=True)]
            return ids, _key_places(parts, before, where)
    return None


def _key_places(parts: list[bytes], before: int, where: int) -> list[int]:
    """Where the keys of a block split on them are: key i is after the text before it and
    i keys and parts."""
    steps = map(add, map(len, parts), repeat(len(KEY)))
    places = list(accumulate(steps, initial=where + before))
    del places[-1]
    return places


def _ids_by_pattern(block: bytes, where: int) -> tuple[list[bytes], list[int]] | None:
    """`block_ids_at` by the pattern; None when it does not account for every key."""
    matches = list(_ID.finditer(block))
    if len(matches) != block.count(KEY):
        return None
    return [match.group(1) for match in matches], [where + match.start() for match in matches]


def candidate_starts(block: bytes, needles: tuple[bytes, ...], codes: bool) -> list[int] | None:
    """Where the lines of a block that may hold one of `needles` start, in order, or None
    when the byte search cannot judge the block (a `\\u` escape could spell anything).

    With `codes` the needles are error codes, and only the values of `"errorCode"` keys
    are looked at: a line is a candidate when one holds a needle, or is a number with an
    exponent (`-2.004e3` is -2004).
    """
    if has_unicode_escape(block):
        return None
    starts: set[int] = set()
    if codes:
        verdicts = _verdicts.get(needles)
        if verdicts is None:
            if len(_verdicts) >= VERDICTS_KEPT:
                _verdicts.clear()
            verdicts = _verdicts[needles] = {}
        after = len(CODE_KEY)
        at = block.find(CODE_KEY)
        while at >= 0:
            head = block[at + after : at + after + HEAD_BYTES]
            verdict = verdicts.get(head)
            if verdict is None:
                verdict = _head_verdict(head, needles)
                if len(verdicts) < VERDICTS_KEPT:
                    verdicts[head] = verdict
            if verdict == NOT_IN_HEAD:  # the value is not all in the head: the pattern reads it
                verdict = _code_value_may_hold(block, at, needles)
            if verdict:
                starts.add(block.rfind(b"\n", 0, at) + 1)
            at = block.find(CODE_KEY, at + after)
        return sorted(starts)
    for needle in needles:
        at = block.find(needle)
        while at >= 0:
            starts.add(block.rfind(b"\n", 0, at) + 1)
            next_line = block.find(b"\n", at)
            if next_line < 0:
                break
            at = block.find(needle, next_line)
    return sorted(starts)


# The value after an errorCode key is most often read from the few bytes after the key
# alone: a colon, a plain integer or a string without escapes, and the character that ends
# it. What such a head says is kept (few distinct ones: a code, its spelling, what follows).
HEAD_BYTES = 10
VERDICTS_KEPT = 4096  # heads kept for one set of codes, and sets of codes kept
_SIMPLE_VALUE = re.compile(rb':(-?[0-9]+|"[^"\\]*")[,}\]]')
NOT_IN_HEAD = -1  # a head's verdict when it does not hold all of the value (else 1 or 0)
_verdicts: dict[tuple[bytes, ...], dict[bytes, int]] = {}  # needles → head → verdict


def _head_verdict(head: bytes, needles: tuple[bytes, ...]) -> int:
    """Whether the value of an errorCode key may be one of the codes (1) or not (0), from
    the bytes right after the key; NOT_IN_HEAD when they do not hold all of it, plainly
    written."""
    match = _SIMPLE_VALUE.match(head)
    return NOT_IN_HEAD if match is None else int(_may_hold(match.group(1), needles))


def _code_value_may_hold(block: bytes, at: int, needles: tuple[bytes, ...]) -> bool:
    """Whether the value of the errorCode key at `at` may be one of the codes, read by the
    pattern (blanks around the colon, escapes); a key with no value holds none."""
    match = _CODE_VALUE.match(block, at)
    return match is not None and _may_hold(match.group(1), needles)


def _may_hold(value: bytes, needles: tuple[bytes, ...]) -> bool:
    """Whether an errorCode value may be one of the codes: it holds a needle, or it is a
    number with an exponent. (`find`, not `in`: `bytes in bytes` first tries the needle as
    an integer, and raises and clears an exception inside CPython, at twice the cost.)"""
    for needle in needles:
        if value.find(needle) >= 0:
            return True
    return not value.startswith(b'"') and (value.find(b"e") >= 0 or value.find(b"E") >= 0)


def id_key(session_id: str) -> int:
    """The prefilter's key of a sessionId: the hash of the text `block_id_keys` cuts out
    for it (`:"…"`, the id's UTF-8 bytes quoted after a colon)."""
    return _bytes_key(session_id.encode())


def _bytes_key(found_id: bytes) -> int:
    """`id_key` of a sessionId as found (UTF-8 bytes, no escape)."""
    return hash(b':"' + found_id + b'"')


def block_id_keys(block: bytes, where: int = 0) -> tuple[list[int], list[int]] | None:
    """The `id_key`s of the sessionIds of a block in order and where their keys are (`where`
    + the offset in the block), or None if the byte search cannot judge the block.

    When every id of the block has the same length (sessionIds are UUIDs) and is spelled
    `"sessionId":"…"` with no backslash in the block, each key's text is cut out by one
    fixed slice, and all are checked at once by strided slices of them joined: a colon and
    a quote first, a quote last, no other quote. Anything else is read as `block_ids_at`
    reads it (from the same split).
    """
    if b"\\" in block:
        found = None if has_unicode_escape(block) else _ids_by_pattern(block, where)
    else:
        parts = block.split(KEY)
        before = len(parts.pop(0))
        count = len(parts)
        size = parts[0].find(b'"', 2) + 1 if count else 0  # `:"` id `"`
        if size > 2:
            texts = list(map(bytes.__getitem__, parts, repeat(slice(size))))
            joined = b"".join(texts)
            if (
                len(joined) == count * size
                and joined[::size] == b":" * count
                and joined[1::size] == b'"' * count
                and joined[size - 1 :: size] == b'"' * count
                and joined.count(b'"') == 2 * count
            ):
                return list(map(hash, texts)), _key_places(parts, before, where)
        found = _cut_ids(parts, before, where)
        if found is None:
            found = _ids_by_pattern(block, where)
    if found is None:
        return None
    return list(map(_bytes_key, found[0])), found[1]
