"""`python -m vss`: the same entry point as the `vss` command."""

from vss.cli import main

main()
