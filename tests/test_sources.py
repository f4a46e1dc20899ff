"""Sources: magic-byte sniffing, every gzip member, BOM, line splitting, damaged streams."""

from __future__ import annotations

import bz2
import gzip
import itertools
import lzma
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vss import sources
from vss.errors import InputError
from vss.sources import iter_blocks, iter_lines, open_source, sniff

DATA = b'{"a": 1}\n{"b": "x\xe2\x80\xa8y\ry"}\r\n\nlast'


def lines_of(path: Path, limit: int = 1 << 20) -> list[tuple[int, bytes]]:
    stream = open_source(str(path))
    try:
        return list(iter_lines(stream, str(path), limit))
    finally:
        stream.close()


@pytest.mark.parametrize(
    ("name", "pack"),
    [
        ("plain.jsonl", lambda b: b),
        ("gzip-without-suffix.jsonl", lambda b: gzip.compress(b, mtime=0)),
        ("x.bz2", bz2.compress),
        ("x.xz", lzma.compress),
        ("two-members.gz", lambda b: gzip.compress(b[:10], mtime=0) + gzip.compress(b[10:])),
    ],
)
def test_formats_give_the_same_lines(tmp_path: Path, name: str, pack: object) -> None:
    path = tmp_path / name
    path.write_bytes(pack(DATA))  # type: ignore[operator]
    assert lines_of(path) == [
        (1, b'{"a": 1}'),
        (2, b'{"b": "x\xe2\x80\xa8y\ry"}\r'),
        (3, b""),
        (4, b"last"),
    ]


def test_sniff() -> None:
    assert sniff(b"\x1f\x8b\x08") == "gzip"
    assert sniff(b"BZh9") == "bzip2"
    assert sniff(b"\xfd7zXZ\x00") == "xz"
    assert sniff(b"(\xb5/\xfd") == "zstd"
    assert sniff(b"{") is None


def test_bom_is_stripped_once(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf{}\n\xef\xbb\xbf{}\n")
    assert lines_of(path) == [(1, b"{}"), (2, b"\xef\xbb\xbf{}")]


def test_truncated_gzip_keeps_complete_lines(tmp_path: Path) -> None:
    body = b"".join(b'{"n": %d}\n' % i for i in range(5000))
    packed = gzip.compress(body, mtime=0)
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[: len(packed) // 2])
    got: list[tuple[int, bytes]] = []
    stream = open_source(str(path))
    with pytest.raises(InputError, match=r"cut\.gz"):
        got.extend(iter_lines(stream, "cut.gz", 1 << 20))
    assert got, "lines decoded before the break are kept"
    assert all(line == b'{"n": %d}' % (n - 1) for n, line in got)


def test_overlong_line_is_cut_not_held(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(b"a" * 5000 + b"\nok\n" + b"b" * 5000)
    got = lines_of(path, limit=100)
    # a line longer than the limit is never held whole across chunks; within one chunk it
    # may be yielded whole, and either way it is malformed (too long) for the parser
    assert [n for n, _ in got] == [1, 2, 3]
    assert len(got[0][1]) > 100 and got[1][1] == b"ok" and len(got[2][1]) > 100


def test_missing_file() -> None:
    with pytest.raises(InputError, match="cannot open"):
        open_source("/nonexistent/file.jsonl")


def test_empty_stream() -> None:
    assert list(iter_lines(iter([]), "e", 10)) == []
    assert list(iter_lines(iter([b"\xef", b"\xbb\xbf{}"]), "e", 10)) == [(1, b"{}")]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=12),
    end=st.sampled_from([b"", b"\n"]),
    chunk=st.integers(1, 50),
)
def test_plain_chunks_end_at_line_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[bytes], end: bytes, chunk: int
) -> None:
    """A plain file (whole, or a byte range of it) is read in chunks that end at a line's
    end when one comes within another CHUNK bytes, so that blocks need no copying; the
    chunks and the blocks still give every byte once, in order."""
    monkeypatch.setattr(sources, "CHUNK", chunk)
    data = b"{" + b"\n".join(lines) + end  # "{": not the magic bytes of a compression
    path = tmp_path / "plain.jsonl"
    path.write_bytes(data)
    middle = data.find(b"\n", len(data) // 2) + 1 or len(data)
    for start, stop in ((0, None), (0, middle), (middle, len(data))):
        stream = open_source(str(path), None, start, stop)
        chunks = list(stream)
        assert b"".join(chunks) == data[start:stop]
        for piece in chunks[:-1]:  # a line's end, unless the line goes on past CHUNK more
            assert piece.endswith(b"\n") or len(piece) >= 2 * chunk or b"\n" not in piece
        blocks = list(iter_blocks(iter(chunks), 1 << 20, bom=False))
        assert b"".join(block for _, block in blocks) == data[start:stop]
        assert all(block.endswith(b"\n") for _, block in blocks[:-1])
        lengths = (len(block) for _, block in blocks)
        assert [at for at, _ in blocks] == list(itertools.accumulate(lengths, initial=0))[:-1]


@settings(max_examples=100, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), max_size=15),
    parts=st.integers(1, 6),
    cut=st.floats(0, 1),
)
def test_split_ranges_of_a_range(lines: list[bytes], parts: int, cut: float) -> None:
    """A range from a line's start to the file's end or a line's end is cut into at most
    `parts` ranges that cover it in order, each ending just after a newline (or at its end)."""
    data = b"".join(line + b"\n" for line in lines)
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(data)
        handle.flush()
        ends = [0, *(i + 1 for i, byte in enumerate(data) if byte == 10)]
        start = ends[int(cut * (len(ends) - 1))]
        for end in (None, ends[-1]):
            ranges = sources.split_ranges(handle.name, parts, start, end)
            assert len(ranges) <= parts
            bounds = [start, *(b for _, b in ranges)]
            assert [a for a, _ in ranges] == bounds[:-1] and bounds[-1] == len(data)
            assert all(b in ends for _, b in ranges)


@given(st.lists(st.sampled_from([b"\n", b"\r", b"x", b"{}", b"\xe2\x80\xa8", b" "]), max_size=40))
def test_block_lines_at_splits_on_newlines_only(parts: list[bytes]) -> None:
    block = b"".join(parts)
    lines, starts = sources.block_lines_at(block, 1000)
    expected = block.split(b"\n")
    if block.endswith(b"\n"):
        expected.pop()
    assert lines == expected
    assert sources.block_lines(block) == expected
    # each line starts where the block holds it, after the previous line's newline
    cut = [block[s - 1000 : s - 1000 + len(line)] for s, line in zip(starts, lines, strict=True)]
    assert cut == lines
    assert all(s == 1000 or block[s - 1001] == 0x0A for s in starts)
