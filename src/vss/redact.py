"""SPEC §8 `--redact`: mask phone numbers in every output, `filter` lines included.

A number keeps its `+`, its first 2 and its last 4 digits; the other digits become `*`
(`+6591178965` → `+65****8965`). The `source` and `destination` of every leg are masked
whatever their form; in any other text, a `+` followed by 7 to 15 digits is.
"""

from __future__ import annotations

import re
from typing import Any

PHONE_FIELDS = frozenset(("source", "destination"))
_PHONE = re.compile(r"\+[0-9]{7,15}(?![0-9])")
_PHONE_BYTES = re.compile(rb"\+[0-9]{7,15}(?![0-9])")
# "source": "..." / "destination": "..." in a raw JSON line (no escapes inside the value).
_FIELD_BYTES = re.compile(rb'("(?:source|destination)"\s*:\s*")([^"\\]*)(")')


def mask_number(number: str) -> str:
    """Keep the first 2 and the last 4 digits of a phone number; the others become `*`."""
    total = sum(c.isdigit() and c.isascii() for c in number)
    seen = 0
    out = []
    for char in number:
        if "0" <= char <= "9":
            seen += 1
            out.append(char if seen <= 2 or seen > total - 4 else "*")
        else:
            out.append(char)
    return "".join(out)


def redact_text(text: str) -> str:
    """Mask every `+` followed by 7 to 15 digits in free text."""
    if "+" not in text:
        return text
    return _PHONE.sub(lambda m: mask_number(m.group()), text)


def redact_value(value: Any, key: str | None = None) -> Any:
    """A JSON-like value with phone numbers masked (keys `source`/`destination` wholly)."""
    if isinstance(value, str):
        return mask_number(value) if key in PHONE_FIELDS else redact_text(value)
    if isinstance(value, dict):
        return {
            redact_text(k) if isinstance(k, str) else k: redact_value(v, k)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_value(v, key) for v in value]
    return value


def _mask_field(match: re.Match[bytes]) -> bytes:
    value = match.group(2).decode("utf-8", "surrogateescape")
    masked = mask_number(value).encode("utf-8", "surrogateescape")
    return match.group(1) + masked + match.group(3)


def redact_line(line: bytes) -> bytes:
    """A raw JSON line with its numbers masked and every other byte kept."""
    line = _FIELD_BYTES.sub(_mask_field, line)
    return _PHONE_BYTES.sub(lambda m: mask_number(m.group().decode()).encode(), line)
