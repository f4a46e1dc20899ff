"""vss: analyze archived 8x8 Voice Session Summary (Number Masking) webhook payloads."""

__version__ = "0.1.0"

__all__ = ["__version__"]
