"""The `vss` command line: the only layer that knows argv, the environment and terminals."""

from vss.cli.commands import app, main

__all__ = ["app", "main"]
