"""The progress bar (SPEC §8): on stderr for long inputs, only when stderr is a terminal.

Real processes (`python -m vss`) with stderr on a pseudo-terminal (`pty.openpty()`) and stdout
on a pipe, against the same command with stderr piped, as under cron.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from conftest import EXAMPLES

VSS = [sys.executable, "-m", "vss"]
TIMEOUT = 120
BAR = "\u2501"  # the heavy horizontal of Rich's bar
BIG_BYTES = 8 * 1024 * 1024


def env(**extra: str) -> dict[str, str]:
    """A plain xterm; no variables that force or forbid Rich's terminal features."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"FORCE_COLOR", "TTY_INTERACTIVE", "TTY_COMPATIBLE", "NO_COLOR"}
    }
    return {
        **base,
        **extra,
        "TERM": "xterm",
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "PYTHONIOENCODING": "utf-8",
    }


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dump of more than 8 MiB (9000 generated lines, about 11 MB)."""
    path = tmp_path_factory.mktemp("progress") / "big.jsonl"
    with path.open("wb") as out:
        subprocess.run(
            [*VSS, "generate", "-n", "9000", "--seed", "1"],
            stdout=out,
            check=True,
            timeout=TIMEOUT,
            env=env(),
        )
    assert path.stat().st_size > BIG_BYTES
    return path


def on_a_terminal(*args: str | Path) -> tuple[int, bytes, str]:
    """Run `vss ARGS` with stderr on a pty: (exit status, stdout bytes, what the pty received)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [*VSS, *map(str, args)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env(),
        )
    finally:
        os.close(slave)
    assert proc.stdout is not None
    received = bytearray()
    stdout = bytearray()
    deadline = time.monotonic() + TIMEOUT
    streams = {master: received, proc.stdout.fileno(): stdout}
    try:
        while streams:
            assert time.monotonic() < deadline, "vss did not finish"
            ready, _, _ = select.select(list(streams), [], [], 1.0)
            for fd in ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: the pty's other side is closed
                    chunk = b""
                if chunk:
                    streams[fd].extend(chunk)
                else:
                    del streams[fd]
        status = proc.wait(timeout=TIMEOUT)
    finally:
        os.close(master)
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
    return status, bytes(stdout), received.decode("utf-8", "replace")


def piped(*args: str | Path, **extra: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*VSS, *map(str, args)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env(**extra),
        timeout=TIMEOUT,
        check=False,
    )


def shows_progress(text: str) -> bool:
    return BAR in text or "reading" in text.lower()


def test_progress_bar_on_a_terminal(big: Path) -> None:
    status, stdout, terminal = on_a_terminal("stats", "-f", "json", big)
    assert status == 0, terminal
    assert shows_progress(terminal), terminal
    assert orjson.loads(stdout)["input"]["lines"] == 9000  # stdout holds only the report


@pytest.mark.parametrize(
    "extra", [{}, {"FORCE_COLOR": "1", "TTY_INTERACTIVE": "1"}], ids=["plain", "forced"]
)
def test_no_progress_when_stderr_is_a_pipe(big: Path, extra: dict[str, str]) -> None:
    """Also when the environment asks Rich for a terminal: a pipe is never one."""
    proc = piped("stats", "-f", "json", big, **extra)
    assert proc.returncode == 0
    assert proc.stderr == b""
    assert orjson.loads(proc.stdout)["input"]["lines"] == 9000


def test_quiet_removes_the_bar(big: Path) -> None:
    status, stdout, terminal = on_a_terminal("stats", "--quiet", "-f", "json", big)
    assert status == 0
    assert not shows_progress(terminal), terminal
    assert terminal.strip() == ""
    assert orjson.loads(stdout)["input"]["lines"] == 9000


def test_no_bar_for_a_small_input_on_a_terminal() -> None:
    status, _stdout, terminal = on_a_terminal("stats", EXAMPLES / "official-examples.jsonl")
    assert status == 0
    assert terminal.strip() == ""


def test_stdout_is_the_same_with_and_without_the_bar(big: Path) -> None:
    """`filter` writes the lines themselves: the bar never mixes into them."""
    status, stdout, terminal = on_a_terminal("filter", big)
    assert status == 0
    assert shows_progress(terminal)
    proc = piped("filter", big)
    assert proc.stderr == b""
    assert stdout == proc.stdout
