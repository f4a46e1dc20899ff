"""The README's example outputs are real: each ```console block is run and compared."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import ROOT

README = ROOT / "README.md"
UPDATE = os.environ.get("VSS_UPDATE_GOLDEN") == "1"
BLOCK = re.compile(r"```console\n\$ (?P<command>[^\n]+)\n(?P<output>.*?)```", re.DOTALL)


def shell_output(command: str) -> str:
    """Run a README command line (with `vss` from this interpreter) as a user would."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    vss = f"{sys.executable} -m vss"
    line = re.sub(r"(^|\| )vss ", lambda m: f"{m.group(1)}{vss} ", command)
    out = subprocess.run(
        ["bash", "-o", "pipefail", "-c", line],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, f"{command}: {out.stderr}"
    return "".join(row.rstrip() + "\n" for row in out.stdout.splitlines())


def test_readme_outputs_are_real() -> None:
    text = README.read_text()
    blocks = list(BLOCK.finditer(text))
    assert len(blocks) >= 5
    rewritten = text
    for block in blocks:
        command = block["command"]
        got = shell_output(command)
        if UPDATE:
            rewritten = rewritten.replace(block.group(0), f"```console\n$ {command}\n{got}```", 1)
        else:
            assert block["output"] == got, f"README output of `{command}` is stale"
    if UPDATE:
        README.write_text(rewritten)
