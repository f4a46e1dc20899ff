"""Make text from the data safe to show, and format numbers for people (SPEC §8)."""

from __future__ import annotations

import re

# C0 controls but tab, DEL, C1 controls, bidi embeddings/overrides/isolates, and the
# surrogates that undecodable file names carry: none of them may reach a terminal raw.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def sanitize(text: str) -> str:
    """Escape every character of `text` that could drive a terminal (`\\x1b`, `\\u202e`)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)


def fmt_count(value: int) -> str:
    """A count with thousands separators."""
    return f"{value:,}"


def fmt_share(value: float | None) -> str:
    """A ratio as a percentage, `-` when there is none."""
    return "-" if value is None else f"{value * 100:.1f} %"


def fmt_number(value: object) -> str:
    """A figure as people read it: ints as they are, floats to a few significant digits."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return sanitize(str(value))
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if 0 < abs(value) < 1:
        return f"{value:.3g}"
    return f"{value:.2f}".rstrip("0").rstrip(".")
