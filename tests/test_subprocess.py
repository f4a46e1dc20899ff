"""Real processes (SPEC §2, §8, §9): stdin, a real `| head -1`, `> /dev/full`, hostile file names.

Each test runs `python -m vss` (the interpreter running the tests) with `NO_COLOR=1`,
`COLUMNS=120` and strict UTF-8 standard streams (`PYTHONIOENCODING=utf-8`, as under an
`en_US.UTF-8` locale); corpus paths come from `__file__` and are absolute, so the working
directory does not matter (tests that need one use `tmp_path`).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
VSS = [sys.executable, "-m", "vss"]
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
PIPE_BUFFER = 64 * 1024
COUNTERS = ("lines", "blank", "malformed", "invalid", "other_events", "duplicates", "sessions")


def env() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"}


def vss(
    *args: str | Path,
    stdin: Any = subprocess.DEVNULL,
    input: bytes | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m vss ARGS`; stdout and stderr as bytes."""
    return subprocess.run(
        [*VSS, *map(str, args)],
        input=input,
        stdin=None if input is not None else stdin,
        capture_output=True,
        env=env(),
        cwd=cwd,
        timeout=120,
        check=False,
    )


def text(data: bytes) -> str:
    return data.decode("utf-8", "backslashreplace")


def no_traceback(proc: subprocess.CompletedProcess[bytes]) -> None:
    err = text(proc.stderr)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert b"Traceback" not in proc.stdout


def counters(proc: subprocess.CompletedProcess[bytes]) -> dict[str, int]:
    report = orjson.loads(proc.stdout)
    data = report["input"]
    assert data["lines"] == sum(data[key] for key in COUNTERS[1:]), data
    return {key: data[key] for key in COUNTERS}


BOM_CRLF = CORPUS / "bom-crlf.jsonl"
BOM_CRLF_COUNTS = {
    "lines": 5,
    "blank": 1,
    "malformed": 0,
    "invalid": 0,
    "other_events": 0,
    "duplicates": 0,
    "sessions": 4,
}


# ---- standard input --------------------------------------------------------------------------


@pytest.mark.parametrize("dash", [False, True], ids=["no-argument", "dash"])
@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_stdin_pipe(packed: bool, dash: bool) -> None:
    data = BOM_CRLF.read_bytes()
    if packed:
        data = gzip.compress(data, mtime=0)
    proc = vss("stats", "-f", "json", *(["-"] if dash else []), input=data)
    no_traceback(proc)
    assert proc.returncode == 0, text(proc.stderr)
    assert counters(proc) == BOM_CRLF_COUNTS


@pytest.mark.parametrize("name", ["bom-crlf.jsonl", "multi-member.jsonl.gz", "xz.jsonl.xz"])
def test_stdin_regular_file_is_data(name: str) -> None:
    with (CORPUS / name).open("rb") as handle:
        piped = vss("stats", "-f", "json", input=(CORPUS / name).read_bytes())
        redirected = vss("stats", "-f", "json", stdin=handle)
    named = vss("stats", "-f", "json", CORPUS / name)
    for proc in (piped, redirected, named):
        no_traceback(proc)
        assert proc.returncode == 0, text(proc.stderr)
    assert counters(piped) == counters(redirected) == counters(named)


def test_truncated_gzip_on_stdin_keeps_complete_lines() -> None:
    proc = vss("stats", "-f", "json", input=(CORPUS / "truncated.jsonl.gz").read_bytes())
    no_traceback(proc)
    assert proc.returncode == 3
    assert counters(proc)["sessions"] == 5
    assert text(proc.stderr).startswith("vss: "), text(proc.stderr)


@pytest.mark.parametrize("command", ["stats", "errors"])
def test_no_argument_and_stdin_dev_null_is_a_usage_error(command: str) -> None:
    with open(os.devnull, "rb") as null:
        proc = vss(command, stdin=null)
    no_traceback(proc)
    assert proc.returncode == 2, text(proc.stderr)
    assert proc.stdout == b""
    assert text(proc.stderr).strip(), "a usage error says what is wrong"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_no_argument_and_stdin_a_terminal_is_a_usage_error() -> None:
    primary, secondary = os.openpty()
    try:
        proc = vss("stats", stdin=secondary)
    finally:
        os.close(secondary)
        os.close(primary)
    no_traceback(proc)
    assert proc.returncode == 2, text(proc.stderr)
    assert text(proc.stderr).strip()


# ---- closed pipes and full disks -----------------------------------------------------------


def bash(script: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    shell = shutil.which("bash")
    if shell is None:
        pytest.skip("needs bash")
    return subprocess.run(
        [shell, "-c", script],
        capture_output=True,
        env={**env(), "PY": sys.executable},
        cwd=tmp_path,
        timeout=300,
        check=False,
    )


def test_head_closes_the_pipe_quietly(tmp_path: Path) -> None:
    full = bash(
        '"$PY" -m vss generate -n 5000 | "$PY" -m vss errors --code -2004 -f ndjson', tmp_path
    )
    assert full.returncode == 0 and len(full.stdout) > PIPE_BUFFER, "too little output to break"
    proc = bash(
        'set -o pipefail; "$PY" -m vss generate -n 5000 2>gen.err '
        '| "$PY" -m vss errors --code -2004 -f ndjson 2>errors.err | head -1; '
        'echo "status ${PIPESTATUS[*]}"',
        tmp_path,
    )
    lines = proc.stdout.decode().splitlines()
    assert lines[-1] == "status 0 0 0", (lines[-1], (tmp_path / "errors.err").read_text())
    (first,) = lines[:-1]
    assert orjson.loads(first)["code"] == -2004
    for name in ("gen.err", "errors.err"):
        err = (tmp_path / name).read_text()
        assert "Traceback" not in err and "BrokenPipe" not in err and err == "", err


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "-n", "20000"],
        ["errors", "--code=-2004", "-f", "csv", "-"],
        ["errors", "--code=-2004", "-f", "table", "-"],
    ],
    ids=["generate", "errors-csv", "errors-table"],
)
def test_head_after_each_command_exits_zero(args: list[str], tmp_path: Path) -> None:
    source = '"$PY" -m vss generate -n 15000 | ' if "-" in args else ""
    command = f'{source}"$PY" -m vss ' + " ".join(f"'{arg}'" for arg in args)
    size = bash(f"{command} | wc -c", tmp_path)
    assert int(size.stdout) > PIPE_BUFFER, "too little output to break the pipe"
    proc = bash(f'{command} 2>vss.err | head -1 >/dev/null; echo "${{PIPESTATUS[*]}}"', tmp_path)
    statuses = proc.stdout.decode().split()
    err = (tmp_path / "vss.err").read_text()
    assert statuses[-2] == "0", (statuses, err)  # vss, just before head
    assert "Traceback" not in err and "BrokenPipe" not in err, err


DEV_FULL = Path("/dev/full")


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["stats", "-f", "json"],
        ["stats", "-f", "table"],
        ["stats", "-f", "csv"],
        ["errors", "-f", "markdown"],
        ["errors", "--code=-2004", "-f", "ndjson"],
    ],
    ids=lambda args: "-".join(a.strip("-=") for a in args),
)
def test_dev_full_is_a_write_error(args: list[str]) -> None:
    with DEV_FULL.open("wb") as full:
        proc = subprocess.run(
            [*VSS, *args, str(CORPUS / "string-codes.jsonl")],
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            env=env(),
            timeout=60,
            check=False,
        )
    err = text(proc.stderr)
    assert proc.returncode == 3, err
    assert err.startswith("vss: write error:"), err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full")
def test_dev_full_generate() -> None:
    with DEV_FULL.open("wb") as full:
        proc = subprocess.run(
            [*VSS, "generate", "-n", "100"],
            stdout=full,
            stderr=subprocess.PIPE,
            env=env(),
            timeout=60,
            check=False,
        )
    assert proc.returncode == 3
    assert text(proc.stderr).startswith("vss: write error:"), text(proc.stderr)


# ---- file names that other people chose ------------------------------------------------------

HOSTILE_NAME = "bad\x1b[31m\nname\u202e\x7f\u009b.jsonl"


def test_control_characters_in_a_file_name_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / HOSTILE_NAME
    path.write_bytes(b'{"sessionId":"a"}\n{not json\n')
    for args in (["stats"], ["stats", "-f", "markdown"], ["stats", "-f", "json"], ["errors"]):
        proc = vss(*args, HOSTILE_NAME, cwd=tmp_path)
        no_traceback(proc)
        assert proc.returncode == 0, text(proc.stderr)
        err = proc.stderr.decode()
        assert not FORBIDDEN.search(err), err
        (warning,) = err.splitlines()  # the newline of the name does not split the warning
        assert warning.startswith("vss: bad") and re.search(r":2: \S", warning), warning
        assert "name" in warning and "31m" in warning, warning  # escaped, not dropped
        if "json" not in args:
            assert not FORBIDDEN.search(proc.stdout.decode()), proc.stdout
    report = orjson.loads(vss("stats", "-f", "json", HOSTILE_NAME, cwd=tmp_path).stdout)
    assert report["input"]["files"] == [HOSTILE_NAME]  # JSON keeps the name as it is


def test_control_characters_in_a_missing_file_name_are_escaped(tmp_path: Path) -> None:
    proc = vss("stats", HOSTILE_NAME, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 3
    err = proc.stderr.decode()
    assert not FORBIDDEN.search(err), err
    assert len(err.splitlines()) == 1 and err.startswith("vss: bad"), err


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
@pytest.mark.parametrize("fmt", ["table", "json", "csv", "ndjson", "markdown"])
def test_undecodable_file_name_never_crashes(tmp_path: Path, fmt: str) -> None:
    name = b"latin1-caf\xe9-\x1b[2J.jsonl"
    with open(os.path.join(os.fsencode(tmp_path), name), "wb") as handle:
        handle.write(b'{"sessionId":"a"}\n{bad\n')
    proc = subprocess.run(
        [*map(os.fsencode, VSS), b"stats", b"-f", fmt.encode(), name],
        capture_output=True,
        env=env(),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    no_traceback(proc)
    assert proc.returncode == 0, text(proc.stderr)
    assert not FORBIDDEN.search(text(proc.stderr)), proc.stderr
    if fmt in ("table", "markdown"):
        assert not FORBIDDEN.search(text(proc.stdout)), proc.stdout
    if fmt == "json":
        orjson.loads(proc.stdout)


def test_missing_file_and_good_file(tmp_path: Path) -> None:
    good = CORPUS / "bom-crlf.jsonl"
    proc = vss("stats", "-f", "json", "missing.jsonl.gz", good, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 3
    (error,) = proc.stderr.decode().splitlines()
    assert error.startswith("vss: missing.jsonl.gz"), error
    assert counters(proc) == BOM_CRLF_COUNTS
    assert orjson.loads(proc.stdout)["input"]["files"] == ["missing.jsonl.gz", str(good)]


# ---- a real terminal -------------------------------------------------------------------------

# Raw sequences of terminal-escapes.jsonl: vss may style a terminal with ESC, but never these.
RAW_FROM_DATA = (
    b"\x1b[31mRED",
    b"\x1b]",
    b"\x1b[2J",
    b"\x1b[5m",
    b"\xc2\x9b",
    b"\xe2\x80\xae",
    b"\xe2\x81\xa6",
    b"\x7f",
    b"\x00",
    b"\x07",
)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(
    "args",
    [["stats"], ["errors"], ["errors", "--code=-2004"], ["errors", "--code=E\x1b[5m1"]],
    ids=["stats", "errors", "errors-2004", "errors-evil-code"],
)
def test_terminal_gets_no_raw_sequences_from_the_data(args: list[str]) -> None:
    """SPEC §8: escaped whether or not the output is a terminal; here it is one."""
    primary, secondary = os.openpty()
    try:
        proc = subprocess.Popen(
            [*VSS, *args, str(CORPUS / "terminal-escapes.jsonl")],
            stdin=subprocess.DEVNULL,
            stdout=secondary,
            stderr=secondary,
            env={**env(), "TERM": "xterm-256color"},
        )
        os.close(secondary)
        output = bytearray()
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not chunk:
                break
            output += chunk
        assert proc.wait(timeout=60) == 0, bytes(output)
    finally:
        os.close(primary)
    assert b"Traceback" not in output
    assert b"te-" in output or b"EVIL" in output or b"-2004" in output, bytes(output)
    found = [seq for seq in RAW_FROM_DATA if seq in output]
    assert not found, (found, bytes(output))


# ---- start-up --------------------------------------------------------------------------------

RICH_LOADED = (
    "import sys, runpy\n"
    "sys.argv = ['vss', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('vss', run_name='__main__')\n"
    "finally:\n"
    "    print('rich' in sys.modules, file=sys.stderr)\n"
)


@pytest.mark.parametrize(
    ("fmt", "loaded"), [("json", "False"), ("csv", "False"), ("ndjson", "False"), ("table", "True")]
)
def test_rich_is_loaded_only_to_draw_tables(fmt: str, loaded: str) -> None:
    """Rich takes ~60 ms to import: output that draws no table does without it."""
    proc = subprocess.run(
        [sys.executable, "-c", RICH_LOADED, "errors", "--code", "-2004", "-f", fmt, BOM_CRLF],
        capture_output=True,
        env=env(),
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1), text(proc.stderr)
    assert text(proc.stderr).splitlines()[-1] == loaded
