"""Record types: a normalized session summary and its legs. Pure data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vss.timestamps import timestamp

Number = int | float
Code = int | str

MISSING = "(missing)"
COMPLETED = "COMPLETED"
NO_ANSWER = "NO_ANSWER"
BUSY = "BUSY"
CANCELED = "CANCELED"
FAILED = "FAILED"
ERROR = "ERROR"

# SPEC §4: the order statuses are listed in; any other status follows by count.
CANONICAL_STATUSES = (COMPLETED, NO_ANSWER, BUSY, CANCELED, FAILED, ERROR)

# SPEC §3: 8x8's error catalog.
CATALOG: dict[int, str] = {
    -2001: "An internal error has occurred",
    -2002: "An internal connectivity error has occurred",
    -2003: "The call flow provided is invalid",
    -2004: "No coverage available for requested area",
    -2005: "Unable to synthesize text to speech",
    -2006: "Unable to download file for playback",
    -2007: "The validity period of the call flow request has expired",
    -2008: "The provided source MSISDN or caller ID is not whitelisted",
    -2009: "The scenario parameters provided is invalid",
    -2010: "The trunk capacity has been exceeded",
    -9999: "An unknown error has occurred",
}
UNKNOWN_ERROR = "unknown error"


def code_sort_key(code: Code) -> tuple[int, int, str]:
    """Order codes: integers first (ascending), then strings."""
    if isinstance(code, int):
        return (0, code, "")
    return (1, 0, code)


def text(value: Any) -> str | None:
    """A field's value when it is a string, else None."""
    return value if isinstance(value, str) else None


@dataclass(slots=True)
class Leg:
    """One entry of `details` (callA, callB, ...), normalized.

    Timestamps are integer microseconds since the Unix epoch (UTC); `initiated` and
    `disconnected` are parsed only when asked for (the overview needs them for few legs).
    `raw` is the leg object as parsed, for fields only the drill-down commands read.
    """

    key: str
    status: str
    duration: Number | None
    connected: int | None
    mos: Number | None
    jitter: Number | None
    packet_loss: Number | None
    raw: dict[str, Any]

    @property
    def initiated(self) -> int | None:
        """initiatedTimestamp, parsed."""
        return timestamp(self.raw.get("initiatedTimestamp"))

    @property
    def disconnected(self) -> int | None:
        """disconnectedTimestamp, parsed."""
        return timestamp(self.raw.get("disconnectedTimestamp"))

    @property
    def answer_s(self) -> float | None:
        """Time to answer in seconds (connected - initiated), when both are known."""
        if self.connected is None:
            return None
        initiated = self.initiated
        if initiated is None:
            return None
        return (self.connected - initiated) / 1_000_000


@dataclass(slots=True)
class ErrorPlace:
    """An error code where it appears: `payload` or a leg key, with its message if any."""

    where: str
    code: Code
    message: str | None


@dataclass(slots=True)
class Session:
    """A valid session summary, normalized; `payload` is the parsed payload object."""

    session_id: str
    status: str
    start: int | None
    end: int | None
    legs: dict[str, Leg]
    errors: list[ErrorPlace]
    payload: dict[str, Any]

    def codes(self) -> list[Code]:
        """The distinct error codes of the session, in order of appearance."""
        errors = self.errors
        if not errors:
            return []
        if len(errors) == 1:
            return [errors[0].code]
        return list(dict.fromkeys(e.code for e in errors))

    def field(self, name: str) -> str | None:
        """A string field of the payload (subAccountId, lastAction, ...), else None."""
        return text(self.payload.get(name))

    def destination_country(self) -> str | None:
        """SPEC §3: callB's destinationCountryCode when there is a callB, else callA's."""
        leg = self.legs.get("callB") or self.legs.get("callA")
        return None if leg is None else text(leg.raw.get("destinationCountryCode"))

    def virtual_number(self) -> str | None:
        """SPEC §3: callA.destinationRefId, else callB.sourceRefId, else any leg's ref id."""
        a = self.legs.get("callA")
        b = self.legs.get("callB")
        found = (a and text(a.raw.get("destinationRefId"))) or (
            b and text(b.raw.get("sourceRefId"))
        )
        if found:
            return found
        for leg in self.legs.values():
            for name in ("sourceRefId", "destinationRefId"):
                ref = text(leg.raw.get(name))
                if ref:
                    return ref
        return None
