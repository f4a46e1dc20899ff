"""The project's own exception types; the CLI turns them into messages and exit codes."""


class VssError(Exception):
    """Base of every error vss reports to a user instead of a traceback."""

    exit_code = 3


class InputError(VssError):
    """A file that cannot be opened, read or decompressed (exit 3)."""


class StrictError(VssError):
    """A malformed or invalid line under `--strict` (exit 3)."""


class UsageError(VssError):
    """Bad arguments or options (exit 2)."""

    exit_code = 2
