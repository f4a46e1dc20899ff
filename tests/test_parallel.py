"""`--jobs N` prints the same bytes as one process (SPEC §11), dedupe exact across ranges."""

from __future__ import annotations

import itertools
from array import array
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import SAMPLES
from messy import messy_dump
from vss import parallel
from vss.cli import app
from vss.generate import generate_lines
from vss.pipeline import ReadOptions
from vss.sources import split_ranges

runner = CliRunner()
COMMANDS = [
    ("stats", "-f", "json"),
    ("stats", "-f", "csv"),
    ("stats",),
    ("stats", "--by", "hour", "-f", "json"),
    ("stats", "--by", "subaccount", "--top", "3"),
    ("errors", "-f", "json"),
    ("trend", "--every", "15m", "-f", "json"),
    ("stats", "--status", "COMPLETED", "--country", "SG", "-f", "json"),
    ("check", "-f", "json"),
]


@pytest.fixture(autouse=True)
def _small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 1)  # split even small test files


def spread_duplicates(tmp_path: Path) -> Path:
    """Retries (identical and conflicting) whose copies sit in different byte ranges."""
    lines = list(generate_lines(1500, 9))
    early = lines[:40]
    conflicting = []
    for line in early[:20]:
        value = orjson.loads(line)
        payload = value.get("payload", value)
        payload["callCount"] = 99  # differs from the first copy
        conflicting.append(orjson.dumps(value) + b"\n")
    path = tmp_path / "spread.jsonl"
    path.write_bytes(b"".join(lines + early + conflicting + [b"{broken\n", b"\n"]))
    return path


def dumps(tmp_path: Path) -> list[Path]:
    messy = tmp_path / "messy.jsonl"
    messy.write_bytes(messy_dump(8, 1200))
    return [SAMPLES / "official-examples.jsonl", spread_duplicates(tmp_path), messy]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_jobs_print_the_same_bytes(tmp_path: Path, command: tuple[str, ...]) -> None:
    for path in dumps(tmp_path):
        outputs = set()
        for jobs in ("1", "2", "4"):
            result = runner.invoke(
                app, [*command, "--jobs", jobs, "--quiet", str(path)], prog_name="vss"
            )
            assert result.exit_code in (0, 1), result.stderr  # 1: check found problems
            outputs.add((result.exit_code, result.stdout_bytes))
        assert len(outputs) == 1, f"{command} on {path.name}"


def test_ranges_split_duplicates_and_count_them(tmp_path: Path) -> None:
    path = spread_duplicates(tmp_path)
    assert len(split_ranges(str(path), 4)) == 4
    assert parallel.plan([str(path)], 4, ReadOptions()) is not None
    result = runner.invoke(app, ["stats", "-f", "json", "--jobs", "4", str(path)], prog_name="vss")
    counts = orjson.loads(result.stdout)["input"]
    single = runner.invoke(app, ["stats", "-f", "json", "--jobs", "1", str(path)], prog_name="vss")
    assert counts == orjson.loads(single.stdout)["input"]
    assert counts["duplicates"] >= 60 and counts["conflicts"] >= 20
    assert counts["malformed"] == 1 and counts["blank"] == 1


def test_warnings_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = b"".join(generate_lines(400, 3))
    path.write_bytes(good + b"{bad\n" + good + b"[1]\n")
    lines = good.count(b"\n")
    for jobs in ("1", "3"):
        result = runner.invoke(app, ["stats", "--jobs", jobs, "-f", "json", str(path)])
        assert f"{path}:{lines + 1}: not valid JSON" in result.stderr
        assert f"{path}:{2 * lines + 2}: not a JSON object (array)" in result.stderr


def test_a_file_given_twice_keeps_its_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = b"".join(generate_lines(400, 3))
    path.write_bytes(good + b"{bad\n" + good)
    stderrs = set()
    for jobs in ("1", "3"):
        result = runner.invoke(app, ["stats", "--jobs", jobs, "-f", "json", str(path), str(path)])
        stderrs.add(result.stderr)
    assert len(stderrs) == 1
    line = good.count(b"\n") + 1
    assert stderrs.pop().count(f"{path}:{line}: not valid JSON") == 2


def test_ranges_end_at_line_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"".join(generate_lines(300, 1)))
    data = path.read_bytes()
    ranges = split_ranges(str(path), 5)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (_, end), (start, _) in itertools.pairwise(ranges):
        assert end == start and data[end - 1 : end] == b"\n"


CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.iterdir()))
def test_hostile_corpus_same_with_jobs(name: str) -> None:
    """Every hostile file (compressed ones are read by one process): stdout, stderr and
    exit status are those of one process, for the overview and the error table."""
    commands = (
        ("stats", "-f", "json"),
        ("check", "-f", "json"),
        ("errors", "-f", "csv"),
        ("errors", "--code", "-2004", "-f", "json"),
        ("filter", "--code", "-2004"),
    )
    for command in commands:
        runs = {
            (result.exit_code, result.stdout_bytes, result.stderr)
            for result in (
                runner.invoke(app, [*command, "--jobs", jobs, str(CORPUS / name)], prog_name="vss")
                for jobs in ("1", "3")
            )
        }
        assert len(runs) == 1, (name, command)


def _changed(line: bytes, **fields: Any) -> bytes:
    """A copy of a session's line with payload fields changed: a conflicting retry."""
    value = orjson.loads(line)
    value.get("payload", value).update(fields)
    return orjson.dumps(value) + b"\n"


def _spy_two_rounds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the reads that take two rounds (the others take copies back after one)."""
    calls: list[int] = []
    two_rounds = parallel._two_rounds

    def spy(*args: Any) -> Any:
        calls.append(1)
        return two_rounds(*args)

    monkeypatch.setattr(parallel, "_two_rounds", spy)
    return calls


def test_copies_across_pieces_are_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first copy in the first piece; in the second, a conflicting copy, two copies of
    that (which conflict with the first copy of all, not with the one in their piece) and
    an identical copy (which conflicts with the one in its piece only)."""
    lines = list(generate_lines(300, 5))
    first = lines[0]
    other = _changed(first, callCount=99)
    path = tmp_path / "copies.jsonl"
    path.write_bytes(b"".join([*lines, other, other, other, first]))
    calls = _spy_two_rounds(monkeypatch)
    outputs = {
        runner.invoke(app, ["stats", "-f", "json", "--jobs", jobs, str(path)]).stdout
        for jobs in ("1", "2", "3")
    }
    assert len(outputs) == 1 and not calls
    counts = orjson.loads(outputs.pop())["input"]
    path.write_bytes(b"".join(lines))  # the generator's own retries
    before = orjson.loads(runner.invoke(app, ["stats", "-f", "json", str(path)]).stdout)["input"]
    assert counts["duplicates"] == before["duplicates"] + 4
    assert counts["conflicts"] == before["conflicts"] + 3
    assert counts["sessions"] == before["sessions"]


def test_a_conflicting_copy_at_an_end_of_the_period_takes_two_rounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conflicting copy that holds the latest end cannot be taken back (the end before
    it is not known): the input is read again in two rounds, with the same output."""
    lines = list(generate_lines(300, 5))
    path = tmp_path / "late.jsonl"
    path.write_bytes(b"".join([*lines, _changed(lines[0], endTime="2031-01-01T00:00:00Z")]))
    calls = _spy_two_rounds(monkeypatch)
    single = runner.invoke(app, ["stats", "-f", "json", "--jobs", "1", str(path)]).stdout
    assert not calls
    double = runner.invoke(app, ["stats", "-f", "json", "--jobs", "2", str(path)]).stdout
    assert calls and double == single
    assert "2031" not in orjson.loads(single)["period"]["last_end"]


def test_check_examples_of_a_copy_taken_back_are_read_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check` lists the first examples of each problem in input order: when a copy taken
    back may be one of them, the one after it is not known (and two rounds would add some
    sessions last), so the input is read again by one process; a copy that is not among
    them is simply taken back."""
    lines = list(generate_lines(300, 5))
    odd = _changed(lines[0], callCount=99)  # call_count_mismatch
    path = tmp_path / "check.jsonl"
    two_rounds = _spy_two_rounds(monkeypatch)
    kept: list[bool] = []
    taking_back = parallel._taking_back

    def spy(*args: Any) -> Any:
        done = taking_back(*args)
        kept.append(done is not None)
        return done

    monkeypatch.setattr(parallel, "_taking_back", spy)
    for copied, taken_back in ((odd, False), (lines[1], True)):
        path.write_bytes(b"".join([odd, *lines[1:], copied]))
        results = [
            runner.invoke(app, ["check", "-f", "json", "--jobs", j, str(path)]) for j in "12"
        ]
        assert len({(result.exit_code, result.stdout) for result in results}) == 1
        assert kept == [taken_back] and not two_rounds
        kept.clear()


BASE_LINES = list(generate_lines(12, 21))
COPY_COMMANDS = [
    ("stats", "-f", "json"),
    ("stats", "--by", "status", "-f", "json"),
    ("trend", "--every", "1d", "-f", "json"),
    ("stats", "--status", "COMPLETED", "-f", "json"),
    ("check", "-f", "json"),
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, len(BASE_LINES) - 1), st.integers(0, 4)), min_size=10, max_size=40
    ),
    st.sampled_from(COPY_COMMANDS),
)
def test_copies_anywhere_give_the_output_of_one_process(
    tmp_path: Path, picks: list[tuple[int, int]], command: tuple[str, ...]
) -> None:
    """Sessions, identical copies and conflicting copies (other status, other times) in
    any order, over 1 to 4 pieces: the output of one process."""
    variants = [
        {},
        {"callCount": 7},
        {"sessionStatus": "BUSY", "subAccountId": "other"},
        {"sessionStatus": "COMPLETED", "startTime": "2024-03-24T23:00:00Z"},
        {"endTime": "2024-03-30T10:00:00Z"},
    ]
    path = tmp_path / "copies.jsonl"
    path.write_bytes(
        b"".join(_changed(BASE_LINES[index], **variants[variant]) for index, variant in picks)
    )
    results = [runner.invoke(app, [*command, "--jobs", jobs, str(path)]) for jobs in "124"]
    assert len({(result.exit_code, result.stdout) for result in results}) == 1


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.binary(min_size=8, max_size=8), max_size=12), min_size=1, max_size=4),
    st.lists(st.binary(min_size=8, max_size=8), max_size=10),
    st.booleans(),
)
def test_earlier_places_finds_where_ids_were_first_met(
    pieces: list[list[bytes]], wanted: list[bytes], one_pass: bool
) -> None:
    """The ids met in earlier prefiltered pieces: a wanted id's place is where it was first
    met, in the first piece that met it; a byte match across two packed ids is no match.
    (Ids of bytes 0 and 1 only, so that such matches are common.)"""
    squash = bytes.maketrans(bytes(range(256)), bytes(i % 2 for i in range(256)))

    def key(raw: bytes) -> int:
        return array("q", raw.translate(squash))[0]

    earlier = parallel._Earlier()
    model: dict[int, int] = {}
    place = itertools.count(7)
    for number, raws in enumerate(pieces):
        keys = list(dict.fromkeys(map(key, raws)))  # a piece's ids are distinct
        places = [next(place) for _ in keys]
        found = parallel._Found.empty()
        found.met = array("q", keys).tobytes()
        found.met_at = array("q", places).tobytes()
        earlier.add(found, number)
        for k, at in zip(keys, places, strict=True):
            model.setdefault(k, (number << parallel.FILE_SHIFT) + at)
    asked = set(map(key, wanted))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "FEW_HITS", 0 if one_pass else 1 << 20)
        assert earlier.places(asked) == {k: at for k, at in model.items() if k in asked}


def _double(value: int) -> int:
    return 2 * value


def test_results_come_back_through_a_wide_pipe() -> None:
    """Results of a megabyte or two do not wait for every 64 KiB to be taken in."""
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("pipe sizes are Linux's")
    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    with parallel._pool(1) as pool:
        size = fcntl.fcntl(pool._outqueue._writer.fileno(), fcntl.F_GETPIPE_SZ)
        assert pool.map(_double, range(5)) == [0, 2, 4, 6, 8]
        big = pool.apply(bytes, (3 * parallel.RESULTS_PIPE_BYTES,))
    assert len(big) == 3 * parallel.RESULTS_PIPE_BYTES
    assert size == parallel.RESULTS_PIPE_BYTES or size <= limit < parallel.RESULTS_PIPE_BYTES


def test_a_pipe_that_cannot_be_widened_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    fcntl = pytest.importorskip("fcntl")

    def refuse(*_: Any) -> int:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(fcntl, "fcntl", refuse)
    with parallel._pool(1) as pool:
        assert pool.map(_double, range(5)) == [0, 2, 4, 6, 8]
