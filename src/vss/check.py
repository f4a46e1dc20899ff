"""SPEC §7 `vss check`: consistency problems of session summaries, counted per kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vss.records import (
    BUSY,
    CANCELED,
    CANONICAL_STATUSES,
    CATALOG,
    COMPLETED,
    ERROR,
    FAILED,
    NO_ANSWER,
    Session,
)

SCHEMA = "vss.check/1"
KINDS = (
    "status_mismatch",
    "undocumented_combination",
    "call_count_mismatch",
    "end_before_start",
    "connected_before_initiated",
    "duration_mismatch",
    "error_without_details",
    "unknown_code",
    "unknown_status",
    "implausible_quality",
)
EXAMPLES_PER_KIND = 5
DURATION_TOLERANCE_S = 2
NULL = "NULL"

# The reference's "Session statuses" table: (callA status, callB status or NULL) → session.
STATUS_TABLE: dict[tuple[str, str], str] = {
    (COMPLETED, COMPLETED): COMPLETED,
    (COMPLETED, NO_ANSWER): NO_ANSWER,
    (COMPLETED, BUSY): BUSY,
    (COMPLETED, FAILED): FAILED,
    (CANCELED, CANCELED): CANCELED,
    (COMPLETED, NULL): COMPLETED,
    (ERROR, NULL): ERROR,
    (COMPLETED, ERROR): ERROR,
}
SESSION_STATUSES = frozenset(CANONICAL_STATUSES)
# 8x8's other documented session statuses: not unknown, but outside the table.
OTHER_DOCUMENTED = frozenset(
    ("COMPLETED_UNSUBSCRIBED", "COMPLETED_UNSUB_ERROR", "UNSUBSCRIBED_CONTACT")
)
CALL_STATUSES = frozenset(CANONICAL_STATUSES)


def problems_of(session: Session) -> list[tuple[str, str]]:
    """Every (kind, detail) problem of one session, at most one per kind."""
    found: dict[str, str] = {}
    status = session.status
    a = session.legs.get("callA")
    b = session.legs.get("callB")
    if status in SESSION_STATUSES:
        pair = (a.status if a else NULL, b.status if b else NULL)
        expected = STATUS_TABLE.get(pair)
        if expected is None:
            found["undocumented_combination"] = f"callA {pair[0]}, callB {pair[1]}"
        elif expected != status:
            found["status_mismatch"] = (
                f"callA {pair[0]}, callB {pair[1]} means {expected}, sessionStatus is {status}"
            )
    count = session.payload.get("callCount")
    if type(count) in (int, float) and count != len(session.legs):
        found["call_count_mismatch"] = f"callCount {count}, {len(session.legs)} legs"
    if session.start is not None and session.end is not None and session.end < session.start:
        found["end_before_start"] = "endTime is before startTime"
    for key, leg in session.legs.items():
        if (
            "connected_before_initiated" not in found
            and leg.connected is not None
            and leg.initiated is not None
            and leg.connected < leg.initiated
        ):
            found["connected_before_initiated"] = f"{key} connected before it was initiated"
        if "duration_mismatch" not in found and leg.duration is not None:
            if leg.connected is not None and leg.disconnected is not None:
                connected_s = (leg.disconnected - leg.connected) / 1_000_000
                if abs(leg.duration - connected_s) > DURATION_TOLERANCE_S:
                    found["duration_mismatch"] = (
                        f"{key} callDuration {leg.duration}, connected {connected_s:g} s"
                    )
            elif leg.connected is None and leg.duration > 0:
                found["duration_mismatch"] = f"{key} never connected, callDuration {leg.duration}"
        if "unknown_status" not in found and leg.status not in CALL_STATUSES:
            found["unknown_status"] = f"{key} callStatus {leg.status}"
        if "implausible_quality" not in found:
            detail = _implausible(leg.mos, leg.packet_loss, leg.jitter, leg.duration)
            if detail:
                found["implausible_quality"] = f"{key} {detail}"
    if status not in SESSION_STATUSES and status not in OTHER_DOCUMENTED:
        found["unknown_status"] = f"sessionStatus {status}"
    if status == ERROR and not session.errors:
        found["error_without_details"] = "sessionStatus ERROR without an error code"
    for code in session.codes():
        if not (isinstance(code, int) and code in CATALOG):
            found["unknown_code"] = f"code {code}"
            break
    return [(kind, found[kind]) for kind in KINDS if kind in found]


def _implausible(mos: Any, loss: Any, jitter: Any, duration: Any) -> str | None:
    if mos is not None and not 1 <= mos <= 5:
        return f"MOS {mos} outside 1-5"
    if loss is not None and not 0 <= loss <= 1:
        return f"packetLossRate {loss} outside 0-1 (a percentage instead of a fraction?)"
    if jitter is not None and jitter < 0:
        return f"negative jitter {jitter}"
    if duration is not None and duration < 0:
        return f"negative callDuration {duration}"
    return None


@dataclass(slots=True)
class CheckReport:
    """Sessions per problem kind and the first examples of each; mergeable."""

    sessions: int = 0
    problems: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def add(self, session: Session) -> None:
        """Check one session."""
        self.sessions += 1
        for kind, detail in problems_of(session):
            self.problems[kind] += 1
            examples = self.examples.setdefault(kind, [])
            if len(examples) < EXAMPLES_PER_KIND:
                examples.append(
                    {"sessionId": session.session_id, "problem": kind, "detail": detail}
                )

    def add_block(self, payloads: list[dict[str, Any]]) -> None:
        """Check sessions given as their payload objects."""
        for payload in payloads:
            self.add(Session(payload["sessionId"], payload))

    def subtract(self, other: CheckReport, kept: CheckReport) -> bool:
        """Take back sessions that were counted here too (copies found to be duplicates
        after the parts were merged; see `Stats.subtract`). The examples are the first
        ones in input order and cannot be taken back: returns whether they are in doubt,
        because a session taken back may be one of them (`kept` does not help here)."""
        self.sessions -= other.sessions
        in_doubt = False
        for kind, n in other.problems.items():
            if not n:
                continue
            self.problems[kind] -= n
            mine, theirs = self.examples.get(kind, []), other.examples.get(kind, [])
            in_doubt = in_doubt or n > len(theirs) or any(e in mine for e in theirs)
        return in_doubt

    def merge(self, other: CheckReport) -> CheckReport:
        """Fold in the report of input that comes after this one's."""
        self.sessions += other.sessions
        for kind, n in other.problems.items():
            self.problems[kind] = self.problems.get(kind, 0) + n
        for kind, examples in other.examples.items():
            mine = self.examples.setdefault(kind, [])
            mine.extend(examples[: EXAMPLES_PER_KIND - len(mine)])
        return self

    def to_dict(self) -> dict[str, Any]:
        """The `vss.check/1` object."""
        return {
            "schema": SCHEMA,
            "sessions": self.sessions,
            "problems": dict(self.problems),
            "examples": [e for kind in KINDS for e in self.examples.get(kind, [])],
        }
