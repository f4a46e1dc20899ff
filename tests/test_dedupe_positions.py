"""Dedupe by position: `iter_blocks` positions, `read_line_at`, and `Dedupe` reading first
copies back from plain files (against the digest mode of compressed input, and by hand).

Expectations are derived from the bytes written, not from the implementation.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import oracle
from vss.aggregate import InputCounts
from vss.dedupe import Dedupe
from vss.generate import generate_lines
from vss.parse import parse_line
from vss.pipeline import ReadOptions, summarize
from vss.records import Session
from vss.sources import CHUNK, Piece, iter_blocks, line_start_at, read_line_at

BOM = b"\xef\xbb\xbf"
BLANKS = b" \t\r"
COUNTERS = (
    "lines",
    "blank",
    "malformed",
    "invalid",
    "other_events",
    "sessions",
    "duplicates",
    "conflicts",
)
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---- iter_blocks: positions ---------------------------------------------------------------------


def check_blocks(
    data: bytes, pairs: list[tuple[int, bytes]], max_line_bytes: int, bom: bool
) -> None:
    """Walk the stream with the blocks: each starts where the previous ended, is either the
    stream's own bytes (whole lines) or the stand-in of one over-long line, and together
    they are the stream without its leading BOM."""
    start = len(BOM) if bom and data.startswith(BOM) else 0
    cursor = start
    rebuilt: list[bytes] = []
    previous = -1
    for position, block in pairs:
        assert position > previous, (position, previous)
        previous = position
        assert position == cursor, (position, cursor)
        whole_lines = block.endswith(b"\n") or cursor + len(block) == len(data)
        if block and whole_lines and data.startswith(block, cursor):  # the stream's own bytes
            rebuilt.append(block)
            cursor += len(block)
            continue
        # a stand-in: one line longer than the limit, starting here
        end = data.find(b"\n", cursor)
        end = len(data) if end < 0 else end + 1
        original = data[cursor:end]
        newline = original.endswith(b"\n")
        line = original[:-1] if newline else original
        assert len(line) > max_line_bytes, (position, block, line)
        assert block.endswith(b"\n") == newline
        stand_in = block[:-1] if newline else block
        assert b"\n" not in stand_in
        if line.strip(BLANKS):
            assert len(stand_in) == max_line_bytes + 1
            assert stand_in.strip(BLANKS)
        else:
            assert stand_in == b""
        assert parse_line(stand_in, max_line_bytes) == parse_line(line, max_line_bytes)
        rebuilt.append(original)
        cursor = end
    assert cursor == len(data)
    assert b"".join(rebuilt) == data[start:]


def cut(data: bytes, cuts: list[int]) -> list[bytes]:
    """The data split at the given offsets (a repeated offset gives an empty chunk)."""
    bounds = [0, *sorted(cuts), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


LINE_BYTES = st.sampled_from([b"a", b"{", b"}", b" ", b"\t", b"\r", b"\xef", b"\xbb\xbf"])
SHORT_LINES = st.lists(LINE_BYTES, max_size=12).map(b"".join)
# long lines: a blank or non-blank run, perhaps ending in something else (blank at the start
# and not at the end, for the stand-in to tell apart)
LONG_LINES = st.builds(
    lambda run, n, end: run * n + end,
    st.sampled_from([b" ", b"\t", b"\r", b" \t", b"ab", b"x "]),
    st.integers(20, 400),
    st.sampled_from([b"", b"x", b"  ", b"\r", b"}"]),
)
LINES = st.lists(st.just(b"") | SHORT_LINES | LONG_LINES, max_size=25)
MAX_LINE_BYTES = st.integers(1, 12) | st.integers(5, 200) | st.sampled_from([1000, 16 << 20])


@SETTINGS
@given(
    lines=LINES,
    final_newline=st.booleans(),
    with_bom=st.booleans(),
    bom=st.booleans(),
    max_line_bytes=MAX_LINE_BYTES,
    chunking=st.data(),
)
def test_iter_blocks_positions_property(
    lines: list[bytes],
    final_newline: bool,
    with_bom: bool,
    bom: bool,
    max_line_bytes: int,
    chunking: st.DataObject,
) -> None:
    """Any lines, BOM or not, any chunking, any limit: blocks are contiguous whole lines
    at their stream positions, or stand-ins of over-long lines; they rebuild the data."""
    data = b"".join(line + b"\n" for line in lines)
    if not final_newline and data:
        data = data[:-1]
    if with_bom:
        data = BOM + data
    mode = chunking.draw(st.sampled_from(["whole", "bytes", "random"]))
    if mode == "whole":
        chunks = [data]
    elif mode == "bytes":
        chunks = [data[i : i + 1] for i in range(len(data))]
    else:
        cuts = chunking.draw(st.lists(st.integers(0, len(data)), max_size=30))
        chunks = cut(data, cuts)
    pairs = list(iter_blocks(iter(chunks), max_line_bytes, bom))
    check_blocks(data, pairs, max_line_bytes, bom)


def line_positions(pairs: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    """Each line of the blocks (with its newline) and where it starts: independent of how
    lines are grouped into blocks."""
    out = []
    for position, block in pairs:
        at, rest = position, block
        while rest:
            end = rest.find(b"\n")
            end = len(rest) if end < 0 else end + 1
            out.append((at, rest[:end]))
            at, rest = at + end, rest[end:]
    return out


@pytest.mark.parametrize(
    ("chunks", "bom", "expected"),
    [
        ((b"\xef", b"\xbb\xbf{}\n"), True, [(3, b"{}\n")]),
        ((b"\xef", b"", b"\xbb", b"\xbf{}\n", b"x\n"), True, [(3, b"{}\n"), (6, b"x\n")]),
        ((BOM + b"{}\n",), False, [(0, BOM + b"{}\n")]),
        ((b"{}\n", BOM + b"{}\n"), True, [(0, b"{}\n"), (3, BOM + b"{}\n")]),
        ((b"\xef", b"\xbb", b"x\n"), True, [(0, b"\xef\xbbx\n")]),
        ((BOM,), True, []),
        ((b"\xef\xbb",), True, [(0, b"\xef\xbb")]),
        ((b"a\nbc\nd",), True, [(0, b"a\n"), (2, b"bc\n"), (5, b"d")]),
        ((b"a\nb", b"c"), True, [(0, b"a\n"), (2, b"bc")]),
        ((BOM + b"a\n", b"", b"b"), True, [(3, b"a\n"), (5, b"b")]),
        ((), True, []),
    ],
)
def test_iter_blocks_examples(
    chunks: tuple[bytes, ...], bom: bool, expected: list[tuple[int, bytes]]
) -> None:
    """BOM split across chunks, kept without bom=True or past the start, a last line
    without newline: each line at its stream position."""
    pairs = list(iter_blocks(iter(chunks), 100, bom))
    assert line_positions(pairs) == expected
    check_blocks(b"".join(chunks), pairs, 100, bom)


def test_iter_blocks_stand_ins_keep_positions() -> None:
    """Over-long lines that span chunks come as stand-ins at the line's start; the lines
    after them keep their stream positions."""
    chunks = [BOM + b"ab", b"cdefgh", b"ij\nxy\n", b"     ", b"     \n", b"     ", b" x\nz"]
    pairs = list(iter_blocks(iter(chunks), 3, True))
    lines = line_positions(pairs)
    assert [at for at, _ in lines] == [3, 14, 17, 28, 36]
    (_, long1), (_, xy), (_, blank), (_, long2), (_, last) = lines
    assert len(long1) == 5 and long1.endswith(b"\n") and long1.strip(BLANKS + b"\n")
    assert xy == b"xy\n"
    assert blank == b"\n"  # only blanks: a blank stand-in
    assert len(long2) == 5 and long2[:-1].strip(BLANKS)  # blanks, then an x in a later chunk
    assert last == b"z"
    check_blocks(b"".join(chunks), pairs, 3, True)


# ---- read_line_at -------------------------------------------------------------------------------


def test_read_line_at_every_line_start(tmp_path: Path) -> None:
    """At each line start, the line without its newline, cut to max_line_bytes + 1 bytes,
    and no more than that read; the last line has no newline."""
    lengths = [0, 1, 10, 4095, 4096, 4097, 5000, 16385, 0, (1 << 20) + 12345, 3, 70000, 100]
    lines = [
        (b"%d:" % i + bytes(range(97, 123)) * (n // 26 + 1))[:n] for i, n in enumerate(lengths)
    ]
    data = b"\n".join(lines)  # no newline after the last line
    path = tmp_path / "lines.bin"
    path.write_bytes(data)
    starts = []
    at = 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    with path.open("rb") as handle:
        for max_line_bytes in (16 << 20, CHUNK, 4096, 4095, 100, 1):
            for start, line in zip(starts, lines, strict=True):
                got = read_line_at(handle, start, max_line_bytes)
                assert got == line[: max_line_bytes + 1], (start, len(line), max_line_bytes)
                assert handle.tell() - start <= max_line_bytes + 1
            assert read_line_at(handle, len(data), max_line_bytes) == b""
        # mid-line: the rest of the line
        assert read_line_at(handle, starts[2] + 4, 1000) == lines[2][4:]


# ---- Dedupe end to end --------------------------------------------------------------------------


def counts_of(paths: list[Path], options: ReadOptions | None = None) -> dict[str, int]:
    """The input counters of `summarize` over the paths."""
    data = summarize([str(p) for p in paths], None, options or ReadOptions()).input
    return {key: getattr(data, key) for key in COUNTERS}


def oracle_counts(*contents: bytes) -> dict[str, int]:
    """The input counters of the independent oracle over raw contents."""
    report = oracle.oracle_stats_inputs(list(contents), ["-"] * len(contents))["input"]
    return {key: report[key] for key in COUNTERS}


def gzipped(path: Path) -> Path:
    """A gzip copy of a file (read as a stream: first copies kept as digests)."""
    packed = path.with_name(path.name + ".gz")
    packed.write_bytes(gzip.compress(path.read_bytes(), compresslevel=1, mtime=0))
    return packed


def jsonl(*lines: bytes, end: bytes = b"\n") -> bytes:
    """The lines, each ended with `end`."""
    return b"".join(line + end for line in lines)


# Line 3 holds S3 in an invalid line and line 4 in a malformed one: its first copy is line 5.
SMALL = [
    b'{"sessionId":"S1","n":13,"a":{"x":1,"y":[1,2]}}',  # S1 first
    b'{"payload":{"sessionId":"S2","v":1}}',  # S2 first (envelope)
    b'{"payload": 5, "sessionId": "S3"}',  # invalid
    b'{"sessionId":"S3", "k": ',  # malformed
    b'{"sessionId":"S3","k":"first"}',  # S3 first
    b'{"sessionId":"S4","m":13.0}',  # S4 first
    b"  \r",  # blank
    b'{"a":{"y":[1,2],"x":1},"n":13,"sessionId":"S1"}',  # dup: keys reordered
    b'{"payload":{"v":1,"sessionId":"S2"},"namespace":"VOICE","eventType":"SESSION_SUMMARY"}',
    b'{"sessionId":"S4","m":13}',  # dup: 13 vs 13.0
    b'{"sessionId":"S2","v":2}',  # dup, conflict
    b'{"sessionId":"S3","k":"first"}',  # dup of line 5
    b'{"eventType":"CALL","payload":{"sessionId":"S5"}}',  # other event
    b'{"sessionId":"S5","x":1}',  # S5 first
    b'{"sessionId":"S1","n":1.3e1,"a":{"x":1.0,"y":[10e-1,2.0]}}',  # dup: spellings
    b'{"sessionId":"S1","n":14,"a":{"x":1,"y":[1,2]}}',  # dup, conflict
    b'{"sessionId":"S3","k":"second"}',  # dup, conflict
    b'{"sessionId":"S6"}',  # S6 first, no newline after it
]
SMALL_EXPECTED = {
    "lines": 18,
    "blank": 1,
    "malformed": 1,
    "invalid": 1,
    "other_events": 1,
    "sessions": 6,
    "duplicates": 8,
    "conflicts": 3,
}


def test_small_dump_by_hand(tmp_path: Path) -> None:
    """A handcrafted dump: identical, reordered, re-spelled and conflicting retries, and an
    id held by bad lines before its first copy; plain file and gzip give the hand counts."""
    path = tmp_path / "small.jsonl"
    path.write_bytes(jsonl(*SMALL)[:-1])
    assert counts_of([path]) == SMALL_EXPECTED
    assert counts_of([gzipped(path)]) == SMALL_EXPECTED
    assert oracle_counts(path.read_bytes()) == SMALL_EXPECTED


def test_small_dump_split_over_files(tmp_path: Path) -> None:
    """The same lines over three files (the second with a BOM and CRLF): retries read back
    from earlier files, in any mix of plain and gzip inputs."""
    parts = [SMALL[:6], SMALL[6:12], SMALL[12:]]
    contents = [jsonl(*parts[0]), BOM + jsonl(*parts[1], end=b"\r\n"), jsonl(*parts[2])[:-1]]
    plain = []
    for index, content in enumerate(contents):
        path = tmp_path / f"part{index}.jsonl"
        path.write_bytes(content)
        plain.append(path)
    packed = [gzipped(path) for path in plain]
    assert counts_of(plain) == SMALL_EXPECTED
    assert counts_of(packed) == SMALL_EXPECTED
    assert counts_of([packed[0], plain[1], plain[2]]) == SMALL_EXPECTED
    assert counts_of([plain[0], packed[1], plain[2]]) == SMALL_EXPECTED
    assert oracle_counts(*contents) == SMALL_EXPECTED


def filler(n: int, seed: int) -> bytes:
    """n generated lines (their own ids, retries and conflicts included)."""
    return b"".join(generate_lines(n, seed))


# first copies, and their retries as (line, whether it conflicts)
FIRSTS = [
    b'{"sessionId":"F1","n":13,"tags":["a","b"]}',
    b'{"payload":{"sessionId":"F2","mos":4.5,"d":{"k":1}}}',
    b'{"sessionId":"F3","x":null}',
    b'{"sessionId":"F4","x":[]}',
    b'{"sessionId":"F5","n":100}',
]
RETRIES_NEAR = [
    (b'{"tags":["a","b"],"n":13.0,"sessionId":"F1"}', False),
    (b'{"sessionId":"F3","x":0}', True),
]
RETRIES_FAR = [
    (
        b'{"payload":{"d":{"k":1.0},"mos":4.50,"sessionId":"F2"},"eventType":"SESSION_SUMMARY"}',
        False,
    ),
    (b'{"sessionId":"F1","n":13,"tags":["b","a"]}', True),
    (b'{"sessionId":"F4","x":[]}', False),
    (b'{"sessionId":"F5","n":1e2}', False),
]
RETRIES_OTHER_FILE = [
    (b'{"sessionId":"F5","n":101}', True),
    (b'{"sessionId":"F3","x":null}', False),
    (b'{"sessionId":"F2","mos":4.5,"d":{"k":1}}', False),
    (b'{"sessionId":"F4","x":[0]}', True),
]
# first copies in the second file, retried in the third
SECOND_FIRSTS = [b'{"sessionId":"G1","v":"one"}', b'{"sessionId":"G2","v":{"w":2}}']
RETRIES_THIRD_FILE = [
    (b'{"v":"one","sessionId":"G1"}', False),
    (b'{"sessionId":"G2","v":{"w":3}}', True),
    (b'{"sessionId":"F1","n":13,"tags":["a","b"]}', False),
]


def test_retries_far_apart_and_across_files(tmp_path: Path) -> None:
    """First copies in the first 1 MiB block, retries more than 2 MiB later, in a second
    file (with a BOM and CRLF) and a third: the counts are the filler's own plus the
    hand-counted ones, and equal those of the same files gzipped, or some of them."""
    fill = filler(2000, seed=5)
    head = jsonl(*FIRSTS) + jsonl(*(line for line, _ in RETRIES_NEAR))
    first = head + fill + jsonl(*(line for line, _ in RETRIES_FAR))
    second = BOM + jsonl(*(line for line, _ in RETRIES_OTHER_FILE), *SECOND_FIRSTS, end=b"\r\n")
    third = jsonl(*(line for line, _ in RETRIES_THIRD_FILE))
    assert len(head) < CHUNK and len(head + fill) > 2 * CHUNK
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"]
    for path, content in zip(paths, (first, second, third), strict=True):
        path.write_bytes(content)
    a, b, c = paths

    retries = RETRIES_NEAR + RETRIES_FAR + RETRIES_OTHER_FILE + RETRIES_THIRD_FILE
    firsts = len(FIRSTS) + len(SECOND_FIRSTS)
    expected = oracle_counts(fill)
    expected["lines"] += firsts + len(retries)
    expected["sessions"] += firsts
    expected["duplicates"] += len(retries)
    expected["conflicts"] += sum(conflict for _, conflict in retries)

    assert counts_of(paths) == expected
    assert counts_of([gzipped(a), gzipped(b), gzipped(c)]) == expected
    assert counts_of([a, gzipped(b), c]) == expected
    assert counts_of([gzipped(a), b, c]) == expected
    assert oracle_counts(first, second, third) == expected


def test_same_file_twice(tmp_path: Path) -> None:
    """A file given twice: every line of the second reading is a duplicate of the first
    reading's first copy (read back from the same file)."""
    path = tmp_path / "small.jsonl"
    path.write_bytes(jsonl(*SMALL))
    expected = oracle_counts(path.read_bytes(), path.read_bytes())
    assert expected["sessions"] == SMALL_EXPECTED["sessions"]
    assert counts_of([path, path]) == expected
    assert counts_of([gzipped(path), gzipped(path)]) == expected


@pytest.mark.parametrize("long_line", [b"x" * 1_500_000, b" \t" * 750_000])
def test_first_copies_after_an_overlong_line(tmp_path: Path, long_line: bytes) -> None:
    """After a line past --max-line-bytes that spans read chunks (skipped, not held), the
    first copies' positions are still right: retries are read back and compared."""
    lines = [
        long_line,
        b'{"sessionId":"L1","v":1}',
        b'{"sessionId":"L2","v":[1,2]}',
        b'{"sessionId":"L1","v":1.0}',
        b'{"sessionId":"L2","v":[2,1]}',
        b'{"sessionId":"L2","v":[1,2]}',
    ]
    path = tmp_path / "long.jsonl"
    path.write_bytes(BOM + jsonl(*lines))
    blank = not long_line.strip(BLANKS)
    expected = {
        "lines": 6,
        "blank": int(blank),
        "malformed": int(not blank),
        "invalid": 0,
        "other_events": 0,
        "sessions": 2,
        "duplicates": 3,
        "conflicts": 1,
    }
    options = ReadOptions(max_line_bytes=4096)
    assert counts_of([path], options) == expected
    assert counts_of([gzipped(path)], options) == expected


def one_retry(tmp_path: Path, first: bytes, retry: bytes) -> list[Path]:
    """A first copy of id X with `v` = first, then a retry with `v` = retry: plain, gzip."""
    path = tmp_path / "pair.jsonl"
    path.write_bytes(b'{"sessionId":"X","v":%b}\n{"sessionId":"X","v":%b}\n' % (first, retry))
    return [path, gzipped(path)]


SPELLINGS = [
    (b"13", b"13.0", 0),
    (b"13", b"1.3e1", 0),
    (b"100", b"1E+2", 0),
    (b"0", b"-0.0", 0),
    (b"0.5", b"5e-1", 0),
    (b"10000000000000000", b"1e16", 0),
    (b'{"a":13,"b":[1.0]}', b'{"b":[1],"a":13.0}', 0),
    (b"13", b"14", 1),
    (b"13", b'"13"', 1),
    (b"1", b"true", 1),
    (b"0", b"null", 1),
    (b'"a"', b'"b"', 1),
    (b"[1,2]", b"[1,2,2]", 1),
    (b'"v2.0, patched"', b'"v2, patched"', 1),  # ".0" inside a string is text
    (b"10000000000000000000", b"1e19", 0),  # an int above 2**63 equals its float
]


@pytest.mark.parametrize(("first", "retry", "conflicts"), SPELLINGS)
def test_retry_conflict_by_json_value(
    tmp_path: Path, first: bytes, retry: bytes, conflicts: int
) -> None:
    """A retry conflicts when its payload differs as a JSON value (key order and number
    spelling aside), whether its first copy is read back or kept as a digest."""
    expected = {"sessions": 1, "duplicates": 1, "conflicts": conflicts}
    paths = one_retry(tmp_path, first, retry)
    assert oracle_counts(paths[0].read_bytes())["conflicts"] == conflicts
    for path in paths:
        got = counts_of([path])
        assert {key: got[key] for key in expected} == expected, path.name


# ---- Dedupe directly: a forced hash collision ---------------------------------------------------


A1 = b'{"sessionId":"A","who":"a","n":1}'
B1 = b'{"sessionId":"B","who":"b","n":2}'
B2 = b'{"n":2.0,"who":"b","sessionId":"B"}'  # same as B1
B3 = b'{"sessionId":"B","who":"b","n":3}'  # conflicts with B1
A2 = b'{"n":1,"sessionId":"A","who":"a"}'  # same as A1
A3 = b'{"sessionId":"A","who":"a","n":2}'  # conflicts with A1


def session(line: bytes) -> Session:
    """The session of a bare-payload line."""
    payload = orjson.loads(line)
    return Session(payload["sessionId"], payload)


def tally(counts: InputCounts) -> tuple[int, int, int]:
    """(sessions, duplicates, conflicts)."""
    return counts.sessions, counts.duplicates, counts.conflicts


@pytest.mark.parametrize("by_position", [True, False])
def test_hash_collision_is_not_a_duplicate(tmp_path: Path, by_position: bool) -> None:
    """B's hash taken by A's first copy: B still counts as a first copy (the line read back
    holds A), its later copies are judged against B, and A's against A. (Streams keep
    digests by the whole id: the same sequence must give the same counts.)"""
    lines = [A1, B1, B2, B3, A2, A3]
    path = tmp_path / ("blocks.jsonl" if by_position else "blocks.jsonl.gz")
    content = b"\n".join(lines) + b"\n"
    path.write_bytes(content if by_position else gzip.compress(content, mtime=0))
    dedupe = Dedupe()
    base = dedupe.base(Piece(str(path)))
    if by_position:
        assert base >= 0
        offsets = [content.index(line) for line in lines]
        places = [base + offset for offset in offsets]
    else:
        assert base == -1
        places = [-1] * len(lines)
    counts = InputCounts()
    try:
        assert dedupe.admit(session(A1), counts, places[0])
        assert tally(counts) == (1, 0, 0)
        if by_position:
            dedupe.first[hash("B")] = dedupe.first[hash("A")]
        else:  # a stream's first copies are kept by their whole id: no collision possible
            assert not dedupe.first and set(dedupe.digests) == {"A"}
        assert dedupe.admit(session(B1), counts, places[1])
        assert tally(counts) == (2, 0, 0)
        assert not dedupe.admit(session(B2), counts, places[2])
        assert tally(counts) == (2, 1, 0)
        assert not dedupe.admit(session(B3), counts, places[3])
        assert tally(counts) == (2, 2, 1)
        assert not dedupe.admit(session(A2), counts, places[4])
        assert tally(counts) == (2, 3, 1)
        assert not dedupe.admit(session(A3), counts, places[5])
        assert tally(counts) == (2, 4, 2)
    finally:
        dedupe.close()


def test_base_numbers_files(tmp_path: Path) -> None:
    """Plain files get bases in file-number order (bits above 48), the same file the same
    base, piece starts added; compressed input has none (-1)."""
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_bytes(jsonl(A1))
    two.write_bytes(jsonl(B1))
    packed = gzipped(one)
    dedupe = Dedupe()
    assert dedupe.base(Piece(str(one))) == 0
    assert dedupe.base(Piece(str(two))) == 1 << 48
    assert dedupe.base(Piece(str(one), 7, 20)) == 7
    assert dedupe.base(Piece(str(packed))) == -1
    assert dedupe.base(Piece(str(two), 3)) == (1 << 48) + 3


def test_first_copy_read_back_from_second_file(tmp_path: Path) -> None:
    """A first copy in the second file, after a BOM: remembered at base + offset and read
    back from there when its id comes again."""
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_bytes(jsonl(A1))
    two.write_bytes(BOM + jsonl(A2, B1))
    dedupe = Dedupe()
    counts = InputCounts()
    try:
        base_one = dedupe.base(Piece(str(one)))
        base_two = dedupe.base(Piece(str(two)))
        assert dedupe.admit(session(A1), counts, base_one)
        assert not dedupe.admit(session(A2), counts, base_two + 3)
        assert dedupe.admit(session(B1), counts, base_two + 3 + len(A2) + 1)
        assert dedupe.first[hash("B")] == base_two + 3 + len(A2) + 1
        assert not dedupe.admit(session(B3), counts, -1)
        assert not dedupe.admit(session(B2), counts, -1)
        assert tally(counts) == (2, 3, 1)
    finally:
        dedupe.close()


@pytest.mark.parametrize("bom", [b"", BOM])
def test_line_start_at_every_offset(tmp_path: Path, bom: bytes) -> None:
    """`line_start_at` finds the start of the line holding any offset (after a BOM)."""
    lines = [b"", b"a", b"x" * 5000, b"{}", b"y" * 20000, b"last"]
    data = bom + b"\n".join(lines)
    path = tmp_path / "lines.jsonl"
    path.write_bytes(data)
    starts = [len(bom)]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    with path.open("rb") as handle:
        for index, start in enumerate(starts):
            end = start + len(lines[index])
            for offset in sorted({start, (start + end) // 2, end}):
                assert line_start_at(handle, offset) == start, (index, offset)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), max_size=10), max_size=6))
def test_note_block_keeps_first_places(blocks: list[list[int]]) -> None:
    """The prefilter's index: each id keeps the place it was first met at, whether met
    before in an earlier block or twice in one block."""
    dedupe = Dedupe()
    model: dict[int, int] = {}
    place = itertools.count(100)
    for keys in blocks:
        places = [next(place) for _ in keys]
        for key, at in zip(keys, places, strict=True):
            model.setdefault(key, at)
        dedupe.note_block(keys, places)
        assert dedupe.first == model


def test_a_retry_sent_again_as_it_was_is_judged_by_its_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy whose line is the first copy's, byte for byte, is a duplicate that does not
    conflict, judged without a digest; a copy that differs in its bytes only (key order,
    number spelling) is digested and does not conflict; one that differs in value does."""
    first = b'{"sessionId":"S","x":1,"y":"a"}'
    again = b'{"y":"a","x":1.0,"sessionId":"S"}'
    changed = b'{"sessionId":"S","x":2,"y":"a"}'
    plain = tmp_path / "retries.jsonl"
    plain.write_bytes(jsonl(first, first, first))

    def no_digest(payload: object) -> int:
        raise AssertionError("an identical retry was digested")

    with monkeypatch.context() as patched:
        patched.setattr("vss.dedupe.payload_digest", no_digest)
        read = summarize([str(plain)]).input
        assert (read.sessions, read.duplicates, read.conflicts) == (1, 2, 0)
    plain.write_bytes(jsonl(first, first, again, changed, first))
    for path in (plain, gzipped(plain)):  # by position, and by digest (a stream)
        read = summarize([str(path)]).input
        assert (read.sessions, read.duplicates, read.conflicts) == (1, 4, 1)
