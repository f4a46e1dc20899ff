"""The byte-level prefilter of `--code` and `show` changes nothing on stdout or exit status."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from messy import messy_dump
from vss import parallel, pipeline, scan
from vss.aggregate import InputCounts
from vss.cli import app, common
from vss.generate import generate_lines
from vss.pipeline import ReadOptions, SilentReporter, iter_sessions
from vss.scan import (
    CODE_KEY,
    block_id_keys,
    block_ids_at,
    candidate_starts,
    id_key,
    line_session_id,
    scan_ids,
    scannable,
)

runner = CliRunner()


def run(*args: str) -> tuple[int, bytes]:
    result = runner.invoke(app, list(args), prog_name="vss")
    return result.exit_code, result.stdout_bytes


def tricky(tmp_path: Path) -> Path:
    """First copies without the code whose later (conflicting) copies have it, escapes."""
    rows = [
        {"sessionId": "a", "sessionStatus": "COMPLETED"},
        {"sessionId": "a", "errorDetails": {"errorCode": -2004}},  # later copy: dropped
        {"payload": {"sessionId": "b\u00e9", "errorDetails": {"errorCode": "-2004"}}},
        {"sessionId": "c", "errorDetails": {"errorCode": 2.004e3}},  # 2004 in exponent form
        {"sessionId": "d", "errorDetails": {"errorCode": -2004.0}},
    ]
    lines = [orjson.dumps(r) for r in rows]
    lines.append(b'{"sessionId": "\\u0065", "errorDetails": {"errorCode": -2004}}')
    lines.append(b'{"sessionId": "e", "errorDetails": {"errorCode": -2004}}')  # dup of \u0065
    lines.append(b'{"sessionId": "f", "x": ')  # malformed, holds an id
    lines.append(b'{"sessionId": "f", "errorDetails": {"errorCode": -2004}}')  # first valid
    path = tmp_path / "tricky.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def spread(tmp_path: Path) -> Path:
    """Several 1 MiB read blocks: wanted sessions whose first copies (without the code, or
    spelled with escapes, or behind invalid lines and nested ids) are blocks earlier."""
    filler = list(generate_lines(3000, 11))  # ~3.7 MB of ordinary sessions
    early = [
        {"sessionId": "late-dup", "sessionStatus": "COMPLETED"},
        {"payload": {"sessionId": "same", "errorDetails": {"errorCode": -2004}}},
        {"sessionId": "nested", "x": {"y": 1}},
        {"eventType": "OTHER", "sessionId": "other"},
        {"payload": {"sessionId": 5}, "sessionId": "invalid-first"},
        {"sessionId": "outer", "details": {"callA": {"sessionId": "inner"}}},
    ]
    late = [
        {"sessionId": "late-dup", "errorDetails": {"errorCode": -2004}},  # a duplicate
        {"payload": {"sessionId": "same", "errorDetails": {"errorCode": -2004}}},  # duplicate
        {"sessionId": "other", "errorDetails": {"errorCode": -2004}},  # first valid copy
        {"sessionId": "invalid-first", "errorDetails": {"errorCode": -2004}},  # first valid
        {"sessionId": "inner", "errorDetails": {"errorCode": -2004}},  # first: was nested
        {"sessionId": "slash/id", "errorDetails": {"errorCode": -2004}},  # dup of \/ below
    ]
    lines = [orjson.dumps(row) for row in early]
    lines.append(b'{"sessionId": "slash\\/id", "sessionStatus": "BUSY"}')  # escaped slash
    lines.append(b'{"sessionId": "\\u0061scii", "sessionStatus": "BUSY"}')
    lines += [line.rstrip(b"\n") for line in filler]
    lines += [orjson.dumps(row) for row in late]
    lines.append(b'{"sessionId": "ascii", "errorDetails": {"errorCode": -2004}}')  # dup
    lines.append(b'{"sessionId": "new-one", "errorDetails": {"errorCode": -2.004e3}}')
    lines += [line.rstrip(b"\n") for line in filler[:900]]  # retries of ordinary sessions
    path = tmp_path / "spread.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert path.stat().st_size > 4 << 20
    return path


@pytest.fixture(params=["tricky", "messy", "generated", "spread", "wide-ids"])
def dump(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "tricky":
        return tricky(tmp_path)
    if request.param == "spread":
        return spread(tmp_path)
    path = tmp_path / f"{request.param}.jsonl"
    if request.param == "messy":
        path.write_bytes(messy_dump(3, 1500))
    elif request.param == "wide-ids":  # ids of one length in bytes, not in characters
        lines = generate_lines(2000, 5)
        path.write_bytes(b"".join(line.replace(b'Id":"', 'Id":"é'.encode()) for line in lines))
        assert "é".encode() in path.read_bytes()
    else:
        path.write_bytes(b"".join(generate_lines(2000, 5)))
    return path


@pytest.mark.parametrize(
    "command",
    [
        ("errors", "--code", "-2004", "-f", "json"),
        ("errors", "--code", "2004", "--code", "abc", "-f", "csv"),
        ("filter", "--code", "-2004"),
        ("filter", "--code", "-2010", "--count"),
        ("sessions", "--code", "-2004", "-f", "json"),
        ("sessions", "--code", "-2002", "--sort", "mos_min", "--limit", "7", "-f", "csv"),
    ],
)
def test_prefiltered_output_is_the_parsed_output(
    dump: Path, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = run(*command, "--quiet", "--jobs", "1", str(dump))
    with monkeypatch.context() as patch:
        patch.setattr(common, "needles_for_codes", lambda codes: ())  # every line parsed
        slow = run(*command, "--quiet", "--jobs", "1", str(dump))
    assert fast == slow
    with monkeypatch.context() as patch:
        patch.setattr(parallel, "MIN_PIECE_BYTES", 1)  # byte ranges even of small files
        for jobs in ("2", "3"):
            assert run(*command, "--quiet", "--jobs", jobs, str(dump)) == slow, jobs
        patch.setattr(parallel, "MADE_MOST", 0)  # what the workers find, read again
        assert run(*command, "--quiet", "--jobs", "2", str(dump)) == slow
    if "-2010" not in command:
        assert fast[1].strip() not in (b"", b"[]", b"0")  # something matched


def test_the_commands_of_codes_read_through_the_prefilter(
    dump: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`errors`, `filter` and `sessions` with --code search the bytes before parsing."""
    searched: list[bytes] = []

    def counted(block: bytes, needles: tuple[bytes, ...], codes: bool) -> list[int] | None:
        searched.append(block)
        return candidate_starts(block, needles, codes)

    monkeypatch.setattr(pipeline, "candidate_starts", counted)
    for command in ("errors", "filter", "sessions"):
        searched.clear()
        assert run(command, "--code", "-2004", "--quiet", "--jobs", "1", str(dump))[0] == 0
        assert searched, command
        searched.clear()
        run(command, "--code", "-2004", "--quiet", "--strict", "--jobs", "1", str(dump))
        assert not searched, command


def test_prefilter_against_no_prefilter(dump: Path) -> None:
    """The same library call with and without needles yields the same sessions."""
    opts = ReadOptions()
    full = [
        s.session_id for s, _ in iter_sessions([str(dump)], InputCounts(), SilentReporter(), opts)
    ]
    wanted_codes = {-2004}
    fast_opts = ReadOptions(needles=(b"2004",), needle_codes=True)
    fast = [
        s.session_id
        for s, _ in iter_sessions([str(dump)], InputCounts(), SilentReporter(), fast_opts)
        if wanted_codes & set(s.codes())
    ]
    slow = [
        s.session_id
        for s, _ in iter_sessions([str(dump)], InputCounts(), SilentReporter(), opts)
        if wanted_codes & set(s.codes())
    ]
    assert fast == slow
    assert len(full) >= len(slow)


def test_show_prefilter_finds_escaped_and_first_copies(tmp_path: Path) -> None:
    path = tricky(tmp_path)
    code, out = run("show", "e", str(path), "-f", "json")
    assert code == 0
    assert orjson.loads(out)["sessionId"] == "e"  # spelled \u0065 in the first copy
    code, out = run("show", "f", str(path), "-f", "json")
    assert code == 0 and orjson.loads(out)["errors"][0]["code"] == -2004


def test_line_session_id_and_scan_ids(tmp_path: Path) -> None:
    limit = 1 << 20
    assert line_session_id(b'{"sessionId" : "x-1", "a": 1}', limit) == b"x-1"
    assert line_session_id(b'{"a": 1}', limit) is None
    assert line_session_id(b'{"s\\u0065ssionId": "y"}', limit) == b"y"
    assert line_session_id(b'{"sessionId": "a\\"b"}', limit) == b'a"b'
    path = tricky(tmp_path)
    seen: set[int] = set()
    repeated: set[int] = set()
    assert scan_ids(str(path), 0, None, limit, seen, repeated)
    assert repeated == {hash(b"a"), hash(b"e"), hash(b"f")}
    gz = tmp_path / "x.jsonl.gz"
    import gzip

    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert not scannable([str(gz)])  # not read twice: the prefilter is off with dedupe


# lines whose ids are mostly of one length, now and then of another, or spelled otherwise
ids = st.one_of(st.sampled_from(["uuid-0001", "uuid-0002", "uuid-0003"]), st.text("ab", max_size=4))
key_lines = st.one_of(
    st.builds(lambda i: f'{{"sessionId":"{i}","k":"v"}}', ids),
    st.builds(lambda i: f'{{"x":1,"sessionId":"{i}"}}', ids),
    st.builds(lambda i: f'{{"sessionId" : "{i}"}}', ids),
    st.just('{"k":"sessionId","sessionId":"uuid-0009"}'),
    st.just('{"sessionId":"uuid-0004","inner":{"sessionId":"uuid-0005"}}'),
    st.just('{"sessionId":"a\\"b"}'),
    st.just('{"s\\u0065ssionId":"uuid-0006"}'),
    st.just('{"no":"id"}'),
    st.just(""),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(key_lines, max_size=8), st.integers(0, 1 << 40))
# an id two shorter than the first: its slice ends on the quote after it (`:"ab","`)
@example(['{"sessionId":"abab","k":"v"}', '{"sessionId":"ab","k":"v"}'], 0)
# one longer (a slice with one quote) and one two shorter (three): as many quotes in all
@example(
    ['{"sessionId":"abab","k":"v"}', '{"sessionId":"ababa","k":"v"}', '{"sessionId":"ab","k":"v"}'],
    0,
)
def test_block_id_keys_are_the_keys_of_the_ids_found(lines: list[str], where: int) -> None:
    """The keys cut out by fixed slices are those of the ids the pattern finds, at the same
    places; the same blocks are left to parsing."""
    block = "\n".join(lines).encode()
    found = block_ids_at(block, where)
    keys = block_id_keys(block, where)
    if found is None:
        assert keys is None
    else:
        assert keys == ([id_key(i.decode()) for i in found[0]], found[1])


def test_spread_first_copies_blocks_apart(tmp_path: Path) -> None:
    """The ids met blocks earlier are judged by reading those lines again."""
    path = spread(tmp_path)
    code, out = run("errors", "--code", "-2004", "-f", "json", "--quiet", str(path))
    assert code == 0
    special = {"same", "late-dup", "other", "invalid-first", "inner", "slash/id", "ascii"}
    found = {row["sessionId"] for row in orjson.loads(out)}
    assert found & (special | {"new-one"}) == {"same", "other", "invalid-first", "inner", "new-one"}


@pytest.mark.parametrize(
    "command",
    [("errors", "--code", "-2004", "-f", "json"), ("filter", "--code", "-2004"), ("show", "zz")],
)
def test_warnings_of_candidate_lines_keep_their_numbers(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Lines are counted only once a warning needs a number: it is still the right one."""
    lines = list(generate_lines(3000, 3))  # ~3.7 MB: the bad line is blocks in
    lines.insert(2499, b'{"sessionId": "zz", "errorDetails": {"errorCode": -2004}\n')
    path = tmp_path / "late-warning.jsonl"
    path.write_bytes(b"".join(lines))
    result = runner.invoke(app, [*command, str(path)], prog_name="vss")
    assert f"{path}:2500: not valid JSON" in result.stderr


CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.iterdir()))
def test_hostile_corpus_prefiltered_as_parsed(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """On every hostile file (truncated streams, BOM, escapes, over-long lines, NUL, ...),
    the prefilter gives the stdout and exit status of a full parse."""
    path = str(CORPUS / name)
    commands = [
        ("errors", "--code", "-2004", "-f", "json"),
        ("filter", "--code", "-2004"),
        ("filter", "--code", "E42", "--no-dedupe"),
        ("sessions", "--code", "-2004", "-f", "ndjson"),
    ]
    for command in commands:
        fast = run(*command, "--quiet", path)
        with monkeypatch.context() as patch:
            patch.setattr(common, "needles_for_codes", lambda codes: ())
            slow = run(*command, "--quiet", path)
        assert fast == slow, (name, command)


def test_codes_are_found_however_their_values_are_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the values of errorCode keys are searched: every spelling of the code there is
    found, and the code's digits elsewhere in a line do not make it a match."""
    lines = [
        b'{"sessionId": "int", "errorDetails": {"errorCode": -2004}}',
        b'{"sessionId": "spaced", "errorDetails": {"errorCode"  :\t -2004 }}',
        b'{"sessionId": "text", "errorDetails": {"errorCode": " -2004 "}}',
        b'{"sessionId": "float", "errorDetails": [{"errorCode": -2004.0}]}',
        b'{"sessionId": "exp", "errorDetails": {"errorCode": -2.004E3}}',
        b'{"sessionId": "exp2", "errorDetails": {"errorCode": -20040e-1}}',
        b'{"sessionId": "leg", "details": {"callB": {"errorDetails": {"errorCode": -2004}}}}',
        b'{"sessionId": "quoted\\"", "errorDetails": {"errorMsg": "a\\"b", "errorCode": -2004}}',
        b'{"sessionId": "key\\"errorCode", "x": 1, "errorDetails": {"errorCode": -2004}}',
        b'{"sessionId": "twice", "errorDetails": {"errorCode": 1, "errorCode": -2004}}',
        b'{"sessionId": "other", "source": "+1-2004", "errorDetails": {"errorCode": -2005}}',
        b'{"sessionId": "text-exp", "errorDetails": {"errorCode": "-2.004e3"}}',
        b'{"sessionId": "positive", "errorDetails": {"errorCode": 2004}}',
        b'{"sessionId": "nested", "errorDetails": {"errorCode": {"x": -2004}}}',
    ]
    path = tmp_path / "spellings.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    command = ("errors", "--code", "-2004", "-f", "json", "--quiet", str(path))
    fast = run(*command)
    with monkeypatch.context() as patch:
        patch.setattr(common, "needles_for_codes", lambda codes: ())
        slow = run(*command)
    assert fast == slow
    found = [row["sessionId"] for row in orjson.loads(fast[1])]
    assert found == [
        "int", "spaced", "text", "float", "exp", "exp2", "leg", 'quoted"', 'key"errorCode', "twice"
    ]  # fmt: skip


# errorCode values as the data may spell them, and what may follow them
code_values = st.one_of(
    st.sampled_from(
        [b"-2004", b'"-2004"', b"-2004.0", b"-2.004e3", b"-20040", b"2004", b"-2002", b"-1", b""]
    ),
    st.sampled_from([b' "-2004 "', b'"a\\"-2004"', b'"-20,04"', b'"x', b"{}", b"[-2004]"]),
    st.sampled_from([b'"\\",-2004"', b'"\\\\",-2004"', b'"\\\\"']),  # escapes, then a comma
    st.integers(-(10**12), 10**12).map(lambda n: str(n).encode()),
    st.text(max_size=12).map(orjson.dumps),
    st.binary(max_size=12),
)
endings = st.sampled_from([b"}", b",", b"]", b" }", b"", b'},"callId":"ab', b"}}"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(code_values, endings), max_size=8), st.integers(0, 2))
def test_code_heads_read_as_the_pattern(values: list[tuple[bytes, bytes]], which: int) -> None:
    """A value read from the bytes right after its errorCode key (and the verdict kept for
    those bytes) gives the candidates the pattern gives when it reads every value."""
    needles = [(b"2004",), (b"2004", b"1"), (b"-20,04",)][which]
    block = b"\n".join(
        b'{"sessionId":"s%d","errorDetails":{"errorCode":%s%s' % (i, value, ending)
        for i, (value, ending) in enumerate(values)
    )
    if b"\\u" in block:  # a `\\u` escape could spell anything: not judged by bytes
        assert candidate_starts(block, needles, True) is None
        return
    keys = [at for at in range(len(block)) if block.startswith(CODE_KEY, at)]
    expected = sorted(
        {
            block.rfind(b"\n", 0, at) + 1
            for at in keys
            if scan._code_value_may_hold(block, at, needles)
        }
    )
    assert candidate_starts(block, needles, True) == expected
    assert candidate_starts(block, needles, True) == expected  # verdicts kept


def test_first_copies_across_files_and_a_file_given_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An id first met in an invalid line of one file, whose first valid copy (without the
    code) is in the next file; and the same file given twice: as a full parse."""
    one = tmp_path / "one.jsonl"
    two = tmp_path / "two.jsonl"
    one.write_bytes(
        b'{"payload": 5, "sessionId": "late"}\n'
        + b"".join(generate_lines(1200, 4))  # a block or two between
        + b'{"sessionId": "kept", "errorDetails": {"errorCode": -2004}}\n'
    )
    two.write_bytes(
        b'{"sessionId": "late", "sessionStatus": "BUSY"}\n'  # first valid copy: no code
        + b"".join(generate_lines(900, 8))
        + b'{"sessionId": "late", "errorDetails": {"errorCode": -2004}}\n'  # a duplicate
    )
    for files in ([one, two], [one, one], [two, one, two]):
        command = ("filter", "--code", "-2004", "--quiet", *map(str, files))
        fast = run(*command)
        with monkeypatch.context() as patch:
            patch.setattr(common, "needles_for_codes", lambda codes: ())
            slow = run(*command)
        assert fast == slow, files
    _, out = run("filter", "--code", "-2004", str(one), str(two))
    assert b'"late"' not in out and b'"kept"' in out


def test_first_copy_on_the_first_line_after_a_bom(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line read again for a first copy can be the file's first, after a BOM."""
    path = tmp_path / "bom.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + b'{"sessionId": "one", "sessionStatus": "BUSY"}\r\n'
        + b"".join(generate_lines(1500, 6))
        + b'{"sessionId": "one", "errorDetails": {"errorCode": -2004}}\r\n'
    )
    fast = run("filter", "--code", "-2004", "--quiet", str(path))
    with monkeypatch.context() as patch:
        patch.setattr(common, "needles_for_codes", lambda codes: ())
        slow = run("filter", "--code", "-2004", "--quiet", str(path))
    assert fast == slow
    assert b'"one"' not in fast[1]
    with monkeypatch.context() as patch:  # ranges: wanted lines read again from their place
        patch.setattr(parallel, "MIN_PIECE_BYTES", 1)
        for jobs in ("2", "3"):
            assert run("filter", "--code", "-2004", "--quiet", "--jobs", jobs, str(path)) == slow
            assert run("filter", "--code", "-2004", "--jobs", jobs, str(path), str(path)) == run(
                "filter", "--code", "-2004", "--jobs", "1", str(path), str(path)
            )
