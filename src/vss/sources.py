"""Open a path or `-` as bytes, sniff compression from magic bytes, yield lines.

Decompression is incremental (one decompressor object per member or stream), so a file cut
short or damaged still yields everything decoded before the break, then raises `InputError`.
"""

from __future__ import annotations

import bz2
import itertools
import lzma
import os
import sys
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any

from vss.errors import InputError

STDIN = "-"
CHUNK = 1 << 20
BOM = b"\xef\xbb\xbf"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


def display_name(path: str) -> str:
    """How a path is named in messages."""
    return "<stdin>" if path == STDIN else path


def sniff(head: bytes) -> str | None:
    """The compression format whose magic bytes start `head`, or None for plain data."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def open_source(
    path: str,
    progress: Callable[[int], None] | None = None,
    start: int = 0,
    end: int | None = None,
) -> Generator[bytes, None, None]:
    """Yield the decompressed bytes of `path` (stdin for `-`) in chunks.

    Raises `InputError` when the file cannot be opened, and, after yielding all that could
    be decoded, when it cannot be read to its end or its compressed stream is damaged.
    """
    name = display_name(path)
    try:
        raw: IO[bytes] = sys.stdin.buffer if path == STDIN else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{name}: cannot open: {exc.strerror or exc}") from None
    if start or end is not None:
        return _range(raw, name, start, end, progress)
    return _chunks(raw, name, path != STDIN, progress)


def _range(
    raw: IO[bytes], name: str, start: int, end: int | None, progress: Callable[[int], None] | None
) -> Generator[bytes, None, None]:
    """The bytes `start` to `end` of a plain file (a piece of a parallel read)."""
    try:
        raw.seek(start)
        left = None if end is None else end - start
        while left is None or left > 0:
            size = CHUNK if left is None else min(CHUNK, left)
            try:
                chunk = _lines_read(raw, size, CHUNK if left is None else left - size)
            except OSError as exc:
                raise InputError(f"{name}: read error: {exc.strerror or exc}") from None
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            if progress is not None:
                progress(len(chunk))
            yield chunk
    finally:
        raw.close()


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


def split_ranges(
    path: str, parts: int, start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """Byte ranges of a plain file (from `start`, which is a line's start, to `end`), about
    equal, each ending just after a newline."""
    size = os.path.getsize(path) if end is None else end
    bounds = [start]
    with open(path, "rb") as handle:
        for index in range(1, parts):
            at = line_end_after(handle, max(start + (size - start) * index // parts, bounds[-1]))
            if at >= size:
                break
            if at > bounds[-1]:
                bounds.append(at)
    bounds.append(size)
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def line_end_after(handle: IO[bytes], at: int) -> int:
    """Where the line holding offset `at` of a file ends: just after its newline (the
    file's size when it has none)."""
    handle.seek(at)
    while True:
        block = handle.read(1 << 16)
        if not block:
            return at
        cut = block.find(b"\n")
        if cut >= 0:
            return at + cut + 1
        at += len(block)


def _chunks(
    raw: IO[bytes], name: str, close: bool, progress: Callable[[int], None] | None
) -> Generator[bytes, None, None]:
    try:
        try:
            first = raw.read(CHUNK)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
        kind = sniff(first)
        reads = _reads(raw, name, first, progress, whole_lines=kind is None)
        if kind is None:
            yield from reads
        elif kind == "zstd":
            yield from _zstd(reads, name)
        else:
            yield from _decompress(reads, name, kind)
    finally:
        if close:
            raw.close()


def _reads(
    raw: IO[bytes],
    name: str,
    first: bytes,
    progress: Callable[[int], None] | None,
    whole_lines: bool = False,
) -> Iterator[bytes]:
    """The raw bytes: the chunk already read for sniffing, then the rest.

    With `whole_lines` each chunk is read on to the end of its last line (at most CHUNK
    bytes more), so that `iter_blocks` can hand it on without copying: cutting chunks at
    newlines by slicing costed more than reading the file.
    """
    seekable = whole_lines and raw.seekable()
    chunk = first
    while chunk:
        if whole_lines and not chunk.endswith(b"\n"):
            chunk += _read(raw.readline, name)
        if progress is not None:
            progress(len(chunk))
        yield chunk
        if seekable:
            chunk = _read(lambda size: _lines_read(raw, size, CHUNK), name)
        else:
            chunk = _read(raw.read, name)


def _read(read: Callable[[int], bytes], name: str) -> bytes:
    """Up to CHUNK bytes from `read` (a file's `read` or `readline`)."""
    try:
        return read(CHUNK)
    except OSError as exc:
        raise InputError(f"{name}: read error: {exc.strerror or exc}") from None


def _lines_read(raw: IO[bytes], size: int, most: int) -> bytes:
    """`size` bytes of a seekable file and what follows them to the next line's end (at most
    `most` bytes more), in one read: joining a read and a `readline` would copy the chunk."""
    here = raw.tell()
    raw.seek(here + size)
    more = len(raw.readline(most)) if most > 0 else 0
    raw.seek(here)
    return raw.read(size + more)


_FACTORIES: dict[str, Callable[[], Any]] = {
    "gzip": lambda: zlib.decompressobj(wbits=31),
    "bzip2": bz2.BZ2Decompressor,
    "xz": lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ),
}


def _decompress(reads: Iterator[bytes], name: str, kind: str) -> Iterator[bytes]:
    """gzip, bzip2 or xz: every member in turn (`cat a.gz b.gz` is one valid file).

    Output comes in pieces of at most CHUNK bytes, so memory does not depend on how well
    the data compresses.
    """
    factory = _FACTORIES[kind]
    decoder = factory()
    started = False  # the current member has received input
    for data in reads:
        while data:
            if not started:
                data = data.lstrip(b"\x00")  # padding between or after members
                if not data:
                    break
                started = True
            try:
                yield from _bounded(decoder, data, kind == "gzip")
            except (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError) as exc:
                raise InputError(f"{name}: corrupt {kind} data ({exc})") from None
            if decoder.eof:
                data = decoder.unused_data
                decoder = factory()
                started = False
            else:
                data = b""
    if started:
        raise InputError(f"{name}: {kind} stream is truncated (ends before its end marker)")


def _bounded(decoder: Any, data: bytes, is_zlib: bool) -> Iterator[bytes]:
    """All the output of feeding `data` to a decoder, CHUNK bytes at a time."""
    if is_zlib:  # zlib hands back the input it did not use yet
        while data and not decoder.eof:
            out = decoder.decompress(data, CHUNK)
            if out:
                yield out
            data = decoder.unconsumed_tail
        return
    out = decoder.decompress(data, CHUNK)  # bz2 and lzma keep unused input themselves
    if out:
        yield out
    while not decoder.eof and not decoder.needs_input:
        out = decoder.decompress(b"", CHUNK)
        if out:
            yield out


def _zstd(reads: Iterator[bytes], name: str) -> Iterator[bytes]:
    """zstd through the optional `zstandard` package, every frame in turn."""
    try:
        import zstandard  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise InputError(
            f"{name}: zstd-compressed; install the optional 'zstandard' package "
            "(pip install 'vss-analyzer[zstd]') or decompress it first (zstd -dc)"
        ) from None
    decoder = zstandard.ZstdDecompressor().decompressobj()
    started = False
    for data in reads:
        while data:
            started = True
            try:
                out = decoder.decompress(data)
            except zstandard.ZstdError as exc:
                raise InputError(f"{name}: corrupt zstd data ({exc})") from None
            if out:
                yield out
            unused = getattr(decoder, "unused_data", b"")
            if getattr(decoder, "eof", False):
                decoder = zstandard.ZstdDecompressor().decompressobj()
                started = False
                data = unused
            else:
                data = b""
    if started:
        raise InputError(f"{name}: zstd stream is truncated (ends before its end marker)")


def iter_blocks(
    chunks: Iterator[bytes], max_line_bytes: int, bom: bool = True
) -> Iterator[tuple[int, bytes]]:
    """Yield `(position, block)`: runs of whole lines, each ending with `\n` but perhaps
    the input's last, with the position of the block's first byte in the stream.

    A leading BOM is dropped. A line that grows past `max_line_bytes` across chunks is not
    held in memory: the rest of it is skipped, and it comes once complete as a one-line
    block holding a stand-in that classifies the same way (`b""` when it held only blanks,
    else `max_line_bytes + 1` non-blank bytes).
    """
    tail = b""
    tail_at = 0  # stream position of tail's first byte
    read = 0  # bytes of the stream received so far
    limit = max_line_bytes + 1
    # the over-long line being skipped: its first bytes, where it started, whether blank
    skipped: bytes | None = None
    skipped_at = 0
    skipped_blank = True
    first = bom  # a BOM is dropped only at the very start of an input
    for chunk in chunks:
        chunk_at = read
        read += len(chunk)
        if first:
            chunk, tail, chunk_at = tail + chunk, b"", 0
            if len(chunk) < len(BOM) and BOM.startswith(chunk):
                tail = chunk  # too short to tell whether it is a BOM yet
                continue
            first = False
            if chunk.startswith(BOM):
                chunk, chunk_at = chunk[len(BOM) :], len(BOM)
        if skipped is not None:
            cut = chunk.find(b"\n")
            rest = chunk if cut < 0 else chunk[:cut]
            if skipped_blank and rest.strip(_BLANKS):
                skipped_blank = False
            if cut < 0:
                continue
            yield skipped_at, _stand_in(skipped, skipped_blank, limit) + b"\n"
            skipped = None
            chunk, chunk_at = chunk[cut + 1 :], chunk_at + cut + 1
        if tail:
            data, data_at = tail + chunk, tail_at
        else:
            data, data_at = chunk, chunk_at
        cut = data.rfind(b"\n")
        if cut < 0:
            tail, tail_at = data, data_at
        else:
            yield data_at, data[: cut + 1]
            tail, tail_at = data[cut + 1 :], data_at + cut + 1
        if len(tail) > limit:
            skipped, skipped_at, skipped_blank = tail[:limit], tail_at, not tail.strip(_BLANKS)
            tail = b""
    if first and tail.startswith(BOM):
        tail, tail_at = tail[len(BOM) :], len(BOM)
    if skipped is not None:
        yield skipped_at, _stand_in(skipped, skipped_blank, limit)
    elif tail:
        yield tail_at, tail


def read_line_at(handle: IO[bytes], offset: int, max_line_bytes: int) -> bytes:
    """The line of a plain file starting at `offset` (at most `max_line_bytes + 1` bytes)."""
    handle.seek(offset)
    parts: list[bytes] = []
    size = 0
    want = 4096  # most lines are a few kB; longer ones are read in growing pieces
    while size <= max_line_bytes:
        chunk = handle.read(min(want, max_line_bytes + 1 - size))
        want = min(want * 4, CHUNK)
        if not chunk:
            break
        cut = chunk.find(b"\n")
        if cut >= 0:
            parts.append(chunk[:cut])
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def line_start_at(handle: IO[bytes], offset: int) -> int:
    """Where the line of a plain file holding `offset` starts (after a BOM at the start)."""
    at = offset
    step = 4096
    while at > 0:
        back = min(step, at)
        handle.seek(at - back)
        cut = handle.read(back).rfind(b"\n")
        if cut >= 0:
            return at - back + cut + 1
        at -= back
        step = min(step * 4, CHUNK)
    handle.seek(0)
    return len(BOM) if handle.read(len(BOM)) == BOM and offset >= len(BOM) else 0


def block_lines_at(block: bytes, first: int) -> tuple[list[bytes], list[int]]:
    """The lines of a block, without their newlines, and where each starts, given where
    the block does. (`find` is memchr: on lines of a kB or more it reads a block about a
    third faster than `split`, which compares byte by byte.)"""
    lines: list[bytes] = []
    starts: list[int] = []
    add_line, add_start, find = lines.append, starts.append, block.find
    at = 0
    end = find(b"\n")
    while end >= 0:
        add_line(block[at:end])
        add_start(first + at)
        at = end + 1
        end = find(b"\n", at)
    if at < len(block) or not block:  # an empty block is one empty line (a stand-in)
        add_line(block[at:])
        add_start(first + at)
    return lines, starts


def block_lines(block: bytes) -> list[bytes]:
    """The lines of a block, without their newlines."""
    return block_lines_at(block, 0)[0]


def iter_lines(
    chunks: Iterator[bytes], name: str, max_line_bytes: int, bom: bool = True
) -> Iterator[tuple[int, bytes]]:
    """Yield `(line_no, line)` split on `\\n` only, without the `\\n` (see `iter_blocks`)."""
    line_no = 0
    for _, block in iter_blocks(chunks, max_line_bytes, bom):
        for line in block_lines(block):
            line_no += 1
            yield line_no, line


_BLANKS = b" \t\r"


def _stand_in(head: bytes, blank: bool, limit: int) -> bytes:
    """What an over-long line is classified by: blank, or too long to parse."""
    if blank:
        return b""
    return head if head.strip(_BLANKS) else b"?" * limit
