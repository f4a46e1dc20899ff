"""The architecture of STYLE.md: only cli imports typer; only render and cli import rich;
nothing below cli prints, exits or reads the environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "vss"
MODULES = sorted(PACKAGE.rglob("*.py"))


def imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layering(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    tree = ast.parse(path.read_text())
    names = imported(tree)
    is_cli = relative.parts[0] in ("cli", "__main__.py")
    is_render = relative.parts[0] == "render"
    if not is_cli:
        assert "typer" not in names and "click" not in names
    if not (is_cli or is_render):
        assert "rich" not in names
    if not is_cli:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "exit", "input"), f"{relative}: {node.func.id}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                used = f"{node.value.id}.{node.attr}"
                assert used not in FORBIDDEN, f"{relative} uses {used}"


FORBIDDEN = {"sys.exit", "os.environ", "os.getenv", "sys.argv", "sys.stdout", "sys.stderr"}


def test_no_module_shadows_the_stdlib() -> None:
    import sys

    for path in MODULES:
        assert path.stem not in sys.stdlib_module_names, path
