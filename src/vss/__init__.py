"""vss: analyze archived 8x8 Voice Session Summary (Number Masking) webhook payloads."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vss-analyzer")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
