"""SPEC §6: the session filters (`--since`, `--until`, `--status`, ...), and time parsing.

Parsers raise `ValueError` with a message that says what is accepted; the CLI turns it into
a usage error (exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vss.parse import error_code, status_name
from vss.records import MISSING, Code, Session
from vss.timestamps import timestamp

_RELATIVE = re.compile(r"([0-9]+)([smhdw])", re.ASCII)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TIME_HELP = (
    "an ISO date (2024-03-25), an ISO date-time (2024-03-25T06:00Z), "
    "or a span back from now such as 90m, 24h, 7d (also s, w)"
)


def to_micros(moment: datetime) -> int:
    """An aware datetime → microseconds since the epoch."""
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int, zone: tzinfo) -> datetime:
    """Microseconds since the epoch → an aware datetime in `zone`."""
    return (_EPOCH + timedelta(microseconds=micros)).astimezone(zone)


def parse_zone(name: str) -> tzinfo:
    """An IANA zone name (`Europe/London`) or `UTC`."""
    if name.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"--tz: unknown time zone {name!r} "
            "(accepted: an IANA name such as Europe/London, or UTC)"
        ) from None


def parse_time(value: str, zone: tzinfo, now: datetime) -> int:
    """`--since`/`--until`: a date (its 00:00 in `zone`), a date-time, or `90m` back from now."""
    text = value.strip()
    relative = _RELATIVE.fullmatch(text)
    if relative:
        amount, unit = relative.groups()
        return to_micros(now) - int(amount) * _UNITS[unit] * 1_000_000
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return to_micros(datetime(day.year, day.month, day.day, tzinfo=zone))
    micros = timestamp(text[:-1] + "Z" if text.endswith("z") else text)
    if micros is None:
        raise ValueError(f"{value!r} is not a time (accepted: {TIME_HELP})")
    return micros


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters of one run: values of one filter are OR-ed, different filters AND-ed."""

    since: int | None = None
    until: int | None = None
    statuses: frozenset[str] = frozenset()
    subaccounts: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    codes: frozenset[Code] = frozenset()

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(
            self.since is not None
            or self.until is not None
            or self.statuses
            or self.subaccounts
            or self.countries
            or self.codes
        )

    def __call__(self, session: Session) -> bool:
        """Whether the session passes every filter."""
        if self.since is not None or self.until is not None:
            start = session.start
            if start is None:
                return False
            if self.since is not None and start < self.since:
                return False
            if self.until is not None and start >= self.until:
                return False
        if self.statuses and session.status not in self.statuses:
            return False
        if self.subaccounts and session.field("subAccountId") not in self.subaccounts:
            return False
        if self.countries:
            country = session.destination_country()
            if country is None or country.upper() not in self.countries:
                return False
        if self.codes:
            return any(place.code in self.codes for place in session.errors)
        return True


def build_filters(
    *,
    since: str | None = None,
    until: str | None = None,
    statuses: Iterable[str] = (),
    subaccounts: Iterable[str] = (),
    countries: Iterable[str] = (),
    codes: Iterable[str] = (),
    zone: tzinfo = UTC,
    now: datetime | None = None,
) -> Filters:
    """Filters from option values, normalized like the data; `ValueError` on a bad value."""
    now = now or datetime.now(UTC)
    normalized_codes: set[Code] = set()
    for value in codes:
        code = error_code(value)
        if code is None or (isinstance(code, str) and not code.strip()):
            raise ValueError(
                f"--code: {value!r} is not an error code (accepted: an integer such as -2004, "
                "or a text code)"
            )
        normalized_codes.add(code)
    names = set()
    for value in statuses:
        name = MISSING if value.strip().lower() == MISSING else status_name(value)
        if not name.strip("_"):
            raise ValueError(
                f"--status: {value!r} is not a status (accepted: e.g. COMPLETED, 'no answer')"
            )
        names.add(name)
    times: list[int | None] = []
    for option, moment in (("--since", since), ("--until", until)):
        try:
            times.append(None if moment is None else parse_time(moment, zone, now))
        except ValueError as exc:
            raise ValueError(f"{option}: {exc}") from None
    if any(not c.strip() for c in countries):
        raise ValueError("--country: an empty value (accepted: a country code such as SG)")
    return Filters(
        since=times[0],
        until=times[1],
        statuses=frozenset(names),
        subaccounts=frozenset(subaccounts),
        countries=frozenset(c.strip().upper() for c in countries),
        codes=frozenset(normalized_codes),
    )
