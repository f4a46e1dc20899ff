"""One input line (bytes) → a `Session` (or just its payload object), or a classified
`Rejection` (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from vss.records import Session
from vss.values import error_code, metric, status_name

__all__ = ["Rejection", "error_code", "metric", "parse_line", "payload_of", "status_name"]

BLANK = "blank"
MALFORMED = "malformed"
INVALID = "invalid"
OTHER_EVENT = "other_events"

DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
SESSION_SUMMARY = "SESSION_SUMMARY"


@dataclass(slots=True, frozen=True)
class Rejection:
    """A line that is not a session: its counter (`kind`) and a reason safe to show."""

    kind: str
    reason: str


_BLANK_CHARS = b" \t\r"


def parse_line(line: bytes, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Session | Rejection:
    """Classify one line by the first rule of SPEC §2 that applies."""
    if not line.strip(_BLANK_CHARS):
        return Rejection(BLANK, "blank line")
    if len(line) > max_line_bytes:
        return Rejection(MALFORMED, f"line longer than --max-line-bytes ({max_line_bytes})")
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Rejection(MALFORMED, f"not valid JSON ({_short_reason(exc)})")
    result = payload_of(obj)
    if type(result) is dict:
        return Session(result["sessionId"], result)
    return result  # type: ignore[return-value]


def payload_of(obj: Any) -> dict[str, Any] | Rejection:
    """Rules 3-5 of SPEC §2 on a parsed JSON value: the payload object of a session (with
    a string sessionId), else why the value is not one."""
    if type(obj) is not dict:
        return Rejection(INVALID, f"not a JSON object ({_json_type(obj)})")
    if "eventType" in obj and obj["eventType"] != SESSION_SUMMARY:
        return Rejection(OTHER_EVENT, "other event type")
    if "payload" in obj:
        payload = obj["payload"]
        if type(payload) is not dict:
            return Rejection(INVALID, f"payload is not an object ({_json_type(payload)})")
        if type(payload.get("sessionId")) is not str:
            return Rejection(INVALID, "payload has no string sessionId")
        return payload
    if type(obj.get("sessionId")) is not str:
        return Rejection(INVALID, "no payload and no string sessionId")
    return obj


def _short_reason(exc: orjson.JSONDecodeError) -> str:
    """orjson's message without the offending text (it never echoes the line itself)."""
    return str(exc).split(":", 1)[0]


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)
