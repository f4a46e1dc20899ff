"""Record types: a session summary and its legs, normalized on demand. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vss.timestamps import timestamp
from vss.values import MISSING, Code, ErrorPlace, Number, metric, session_errors, status_name

__all__ = ["MISSING", "Code", "ErrorPlace", "Leg", "Number", "Session"]

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


class Session:
    """A valid session summary: its id and payload object; the normalized fields (status,
    times, legs, errors) are worked out from the payload when first asked for, since the
    overview reads the payload directly and needs none of them."""

    __slots__ = ("_errors", "_legs", "payload", "session_id")

    def __init__(self, session_id: str, payload: dict[str, Any]) -> None:
        self.session_id = session_id
        self.payload = payload
        self._legs: dict[str, Leg] | None = None
        self._errors: list[ErrorPlace] | None = None

    def __repr__(self) -> str:
        return f"Session({self.session_id!r})"

    @property
    def status(self) -> str:
        """sessionStatus, normalized (SPEC §2)."""
        return status_name(self.payload.get("sessionStatus"))

    @property
    def start(self) -> int | None:
        """startTime in microseconds since the epoch."""
        return timestamp(self.payload.get("startTime"))

    @property
    def end(self) -> int | None:
        """endTime in microseconds since the epoch."""
        return timestamp(self.payload.get("endTime"))

    @property
    def legs(self) -> dict[str, Leg]:
        """The entries of `details` that are objects, by key, normalized."""
        if self._legs is None:
            raw_legs = self.payload.get("details")
            self._legs = (
                {key: _leg(key, raw) for key, raw in raw_legs.items() if type(raw) is dict}
                if type(raw_legs) is dict
                else {}
            )
        return self._legs

    @property
    def errors(self) -> list[ErrorPlace]:
        """Every error code of the session where it appears, in order (payload first)."""
        if self._errors is None:
            self._errors = session_errors(self.payload)
        return self._errors

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
        legs = self.payload.get("details")  # read directly: legs need not be normalized
        if type(legs) is not dict:
            return None
        leg = legs.get("callB")
        if type(leg) is not dict:
            leg = legs.get("callA")
        return text(leg.get("destinationCountryCode")) if type(leg) is dict else None

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


def _leg(key: str, raw: dict[str, Any]) -> Leg:
    """A leg object → `Leg` (SPEC §2 tolerance: numbers as strings, integral floats as ints)."""
    quality = raw.get("callQuality")
    if type(quality) is dict:
        mos = metric(quality.get("mos"))
        jitter = metric(quality.get("jitter"))
        loss = metric(quality.get("packetLossRate"))
    else:
        mos = jitter = loss = None
    return Leg(
        key,
        status_name(raw.get("callStatus")),
        metric(raw.get("callDuration")),
        timestamp(raw.get("connectedTimestamp")),
        mos,
        jitter,
        loss,
        raw,
    )
