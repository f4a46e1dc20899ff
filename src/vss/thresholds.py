"""SPEC §10 `--fail-if 'METRIC OP NUMBER'`: thresholds on the `vss.stats/1` object.

Paths are checked against the schema, not against the day's data: a count or share of a
code, status or leg that did not occur is 0; a `null` value cannot be evaluated.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DIST_FIELDS = ("count", "mean", "min", "p50", "p90", "p95", "p99", "max")
INPUT_FIELDS = (
    "lines",
    "blank",
    "malformed",
    "invalid",
    "other_events",
    "duplicates",
    "conflicts",
    "sessions",
    "matched",
)
KPI_FIELDS = (
    "attempted",
    "answered",
    "asr",
    "ner",
    "acd_s",
    "short_calls",
    "short_call_rate",
    "error_sessions",
    "error_rate",
    "success_rate",
)
QUALITY_DISTS = ("mos", "jitter", "packet_loss_rate")
BANDS = ("excellent", "good", "fair", "poor", "bad")
FLAGS = ("high_jitter", "high_packet_loss", "low_mos")
LEG_DISTS = ("duration_s", "answer_s", "mos", "jitter", "packet_loss_rate")
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_EXPR = re.compile(r"\s*(?P<path>[^\s<>=!]+)\s*(?P<op><=|>=|==|!=|<|>)\s*(?P<number>\S+)\s*")
_ABSENT_ZERO = object()  # a count or share of something that did not occur


@dataclass(frozen=True, slots=True)
class Threshold:
    """One `--fail-if` expression."""

    text: str
    path: tuple[str, ...]
    op: str
    number: float

    def evaluate(self, report: dict[str, Any]) -> tuple[bool, Any]:
        """(breached, value); a null value is breached ("not evaluable", fails closed)."""
        value = lookup(report, self.path)
        if value is None:
            return True, None
        return OPERATORS[self.op](value, self.number), value


def parse_threshold(text: str) -> Threshold:
    """Parse and validate `METRIC OP NUMBER`; `ValueError` names the closest valid path."""
    match = _EXPR.fullmatch(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not a threshold (accepted: 'METRIC OP NUMBER' with OP one of "
            "< <= > >= == !=, e.g. 'kpi.error_rate > 0.05')"
        )
    try:
        number = float(match["number"])
    except ValueError:
        raise ValueError(f"{text!r}: {match['number']!r} is not a number") from None
    if number != number:
        raise ValueError(f"{text!r}: NaN is not a threshold")
    path = tuple(match["path"].split("."))
    if not valid_path(path):
        closest = difflib.get_close_matches(match["path"], candidates(path), n=1, cutoff=0)
        hint = f" (closest valid path: {closest[0]})" if closest else ""
        raise ValueError(f"{match['path']!r} is not a metric of vss.stats/1{hint}")
    return Threshold(text.strip(), path, match["op"], number)


def valid_path(path: tuple[str, ...]) -> bool:
    """Whether `path` names a numeric figure of the schema (SPEC §4)."""
    match path:
        case ("input", name):
            return name in INPUT_FIELDS
        case ("kpi", name):
            return name in KPI_FIELDS
        case ("status", _, name):
            return name in ("count", "share")
        case ("errors", _, name):
            return name in ("count", "share")
        case ("quality", dist, name) if dist in QUALITY_DISTS:
            return name in DIST_FIELDS
        case ("quality", "mos_bands", name):
            return name in BANDS
        case ("quality", "flags", name):
            return name in FLAGS
        case ("legs", _, "count"):
            return True
        case ("legs", _, "status", _, "count"):
            return True
        case ("legs", _, "flags", name):
            return name in FLAGS
        case ("legs", _, dist, name):
            return dist in LEG_DISTS and name in DIST_FIELDS
    return False


def candidates(path: tuple[str, ...]) -> list[str]:
    """Valid paths to suggest, with the user's own keys filled in where a key is free."""
    code = path[1] if len(path) > 1 and path[0] == "errors" else "-2004"
    status = path[1] if len(path) > 1 and path[0] == "status" else "COMPLETED"
    leg = path[1] if len(path) > 1 and path[0] == "legs" else "callB"
    out = [f"input.{n}" for n in INPUT_FIELDS] + [f"kpi.{n}" for n in KPI_FIELDS]
    out += [f"status.{status}.{n}" for n in ("count", "share")]
    out += [f"errors.{code}.{n}" for n in ("count", "share")]
    out += [f"quality.{d}.{n}" for d in QUALITY_DISTS for n in DIST_FIELDS]
    out += [f"quality.mos_bands.{n}" for n in BANDS] + [f"quality.flags.{n}" for n in FLAGS]
    out += [f"legs.{leg}.count"] + [f"legs.{leg}.flags.{n}" for n in FLAGS]
    out += [f"legs.{leg}.{d}.{n}" for d in LEG_DISTS for n in DIST_FIELDS]
    out += [f"legs.{leg}.status.COMPLETED.count"]
    return out


def lookup(report: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a valid path; 0 for counts and shares of what did not occur."""
    node: Any = report
    for index, part in enumerate(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
            continue
        # absent code, status or leg: its counts, shares and flags are 0, the rest unknown
        last = path[-1]
        if path[0] in ("status", "errors") and index == 1 and last in ("count", "share"):
            return 0
        if path[0] == "legs" and (last == "count" or path[-2] == "flags"):
            return 0
        return None
    if isinstance(node, bool) or not isinstance(node, int | float):
        return None
    return node
