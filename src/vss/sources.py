"""Open a path or `-` as a binary stream, sniff compression from magic bytes, yield lines."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import sys
import zlib
from collections.abc import Iterator
from typing import IO, Any, Protocol

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
# What a decompressor raises on a corrupt or truncated stream.
_DECODE_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError, ValueError)


class ByteStream(Protocol):
    """What the line reader needs of a (decompressing) stream."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes; b"" at the end."""
        ...

    def close(self) -> None:
        """Release the stream."""
        ...


def display_name(path: str) -> str:
    """How a path is named in messages."""
    return "<stdin>" if path == STDIN else path


def sniff(head: bytes) -> str | None:
    """The compression format whose magic bytes start `head`, or None for plain data."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


class _Prepend(io.RawIOBase):
    """A raw stream that first replays bytes already read from another stream (stdin)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


def open_source(path: str) -> ByteStream:
    """Open `path` (or stdin for `-`) and return a stream of its decompressed bytes."""
    name = display_name(path)
    try:
        raw: IO[bytes] = sys.stdin.buffer if path == STDIN else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{name}: cannot open: {exc.strerror or exc}") from None
    try:
        head = raw.read(6)
        if raw.seekable():
            raw.seek(0)
        else:
            raw = io.BufferedReader(_Prepend(head, raw), CHUNK)
    except OSError as exc:
        raw.close()
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    kind = sniff(head)
    if kind is None:
        return raw
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # reads every member
    if kind == "bzip2":
        return bz2.BZ2File(raw, "rb")  # reads every stream
    if kind == "xz":
        return lzma.LZMAFile(raw, "rb")
    try:
        import zstandard  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raw.close()
        raise InputError(
            f"{name}: zstd-compressed; install the optional 'zstandard' package "
            "(pip install 'vss-analyzer[zstd]') or decompress it first (zstd -dc)"
        ) from None
    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)  # type: ignore[no-any-return]


def iter_lines(stream: ByteStream, name: str, max_line_bytes: int) -> Iterator[tuple[int, bytes]]:
    """Yield `(line_no, line)` split on `\\n` only, without the `\\n`; BOM stripped.

    A line longer than `max_line_bytes` is yielded as an empty-of-content marker
    (`b""` is never yielded for it: the caller gets the first `max_line_bytes + 1`
    bytes so that it classifies as too long) without holding the whole line in memory.
    On a decoding error the complete lines read so far have been yielded, the partial
    line at the break is dropped, and `InputError` is raised.
    """
    line_no = 0
    tail = b""
    skipping = False  # inside an over-long line: drop bytes until its newline
    first = True
    limit = max_line_bytes + 1
    try:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            if first:
                first = False
                if chunk.startswith(BOM):
                    chunk = chunk[len(BOM) :]
                elif len(chunk) < len(BOM) and BOM.startswith(chunk):
                    chunk += stream.read(len(BOM))
                    chunk = chunk.removeprefix(BOM)
            if skipping:
                cut = chunk.find(b"\n")
                if cut < 0:
                    continue
                chunk = chunk[cut + 1 :]
                skipping = False
            parts = (tail + chunk).split(b"\n") if tail else chunk.split(b"\n")
            tail = parts.pop()
            for part in parts:
                line_no += 1
                yield line_no, part
            if len(tail) > limit:
                line_no += 1
                yield line_no, tail[:limit]
                tail = b""
                skipping = True
    except _DECODE_ERRORS as exc:
        raise InputError(f"{name}: {_decode_reason(exc)}; lines after {line_no} not read") from None
    if tail and not skipping:
        line_no += 1
        yield line_no, tail


def _decode_reason(exc: BaseException) -> str:
    """A one-line description of a read or decompression failure."""
    if isinstance(exc, EOFError):
        return "compressed stream is truncated"
    if isinstance(exc, OSError) and exc.strerror:
        return f"read error: {exc.strerror}"
    return f"corrupt compressed data ({exc})"
