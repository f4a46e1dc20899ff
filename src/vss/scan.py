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
from collections.abc import Iterable

from vss.errors import InputError
from vss.parse import parse_line
from vss.records import Session
from vss.sources import STDIN, iter_lines, open_source, sniff

KEY = b'"sessionId"'
_VALUE = re.compile(rb'"sessionId"\s*:\s*"([^"\\]*)"')
UNSURE = b"\\u"


def line_session_id(line: bytes, max_line_bytes: int) -> bytes | None:
    """The sessionId a line would have as a session (UTF-8 bytes), or None if it has none.

    A superset is fine: a line whose id is returned may still turn out not to be a session.
    """
    at = line.find(KEY)
    unsure = UNSURE in line
    if at < 0 and not unsure:
        return None
    if not unsure and line.find(KEY, at + len(KEY)) < 0:
        match = _VALUE.match(line, at)
        if match is not None:
            return match.group(1)
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
        chunks = open_source(path)
        try:
            for _, line in iter_lines(chunks, path, max_line_bytes):
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
            return None
        finally:
            chunks.close()
    return repeated
