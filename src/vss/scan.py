"""Byte-level reading of lines without parsing them: the sessionId of a line, and a first
pass over plain files that finds which sessionIds occur more than once.

Only sessions whose id occurs more than once need the dedupe digest; the others cannot be
duplicates. A line the byte search cannot judge safely (a `\\u` escape could spell the key,
the key occurs twice, the value holds an escape) is parsed instead.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable

from vss.errors import InputError
from vss.parse import parse_line
from vss.records import Session
from vss.sources import STDIN, iter_lines, open_source, sniff

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
        for _, line in iter_lines(chunks, path, max_line_bytes, bom=start == 0):
            if len(line) > max_line_bytes:
                continue
            session_id = line_session_id(line, max_line_bytes)
            if session_id is None:
                continue
            key = hash(session_id)
            if key in seen:
                repeated.add(key)
            else:
                seen.add(key)
    except InputError:
        return False
    finally:
        chunks.close()
    return True
