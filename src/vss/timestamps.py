"""ISO-8601 timestamps ↔ integer microseconds since the epoch (UTC)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

_FAST_TS = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z", re.ASCII)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_CACHE_LIMIT = 4096
_day_cache: dict[str, int] = {}
_minute_cache: dict[str, int] = {}
# Valid timestamps as found → microseconds: a day of data holds at most 86,400 distinct
# second-resolution times, and hot loops read this dictionary directly.
seen: dict[str, int] = {}
SEEN_LIMIT = 1 << 17


def timestamp(value: Any) -> int | None:
    """An ISO-8601 date-time → microseconds since the epoch (UTC when no offset), else None.

    A value seen before is one look-up. Otherwise the common form `2024-03-25T06:01:30Z` is
    two dictionary look-ups (the day and the hour and minute, each checked once and then
    cached) and the two digits of the seconds; anything else takes the full parser.
    """
    if type(value) is not str:
        return None
    known = seen.get(value)
    if known is not None:
        return known
    micros = _parse(value)
    if micros is not None:
        if len(seen) >= SEEN_LIMIT:
            seen.clear()
        seen[value] = micros
    return micros


def _parse(value: str) -> int | None:
    """`timestamp` without the look-up of values seen before."""
    micros = _known_form(value)
    if micros is not None:
        return micros
    if len(value) == 20 and value[19] == "Z" and value[10] == "T":
        match = _FAST_TS.fullmatch(value)
        if match is not None:
            day, hh, mm, ss = match.groups()
            try:
                days = date.fromisoformat(day).toordinal() - _EPOCH_ORDINAL
            except ValueError:
                return None
            h, m, s = int(hh), int(mm), int(ss)
            if h > 23 or m > 59 or s > 59:
                return None
            if len(_day_cache) < _CACHE_LIMIT:
                _day_cache[day] = days
            _minute_cache[value[11:16]] = h * 3600 + m * 60  # at most 1,440 entries
            return (days * 86400 + h * 3600 + m * 60 + s) * 1_000_000
    return _slow_timestamp(value)


def _known_form(value: str) -> int | None:
    """The microseconds of a timestamp in the common form `2024-03-25T06:01:30Z` whose day
    and hour and minute are cached (each checked once, by the full reading); None for any
    other value (which may still be a timestamp)."""
    if len(value) == 20 and value[19] == "Z" and value[10] == "T" and value[16] == ":":
        days = _day_cache.get(value[:10])
        minutes = _minute_cache.get(value[11:16])
        tens, units = value[17], value[18]
        if days is not None and minutes is not None and "0" <= tens <= "5" and "0" <= units <= "9":
            seconds = minutes + (ord(tens) - 48) * 10 + ord(units) - 48
            return (days * 86400 + seconds) * 1_000_000
    return None


def _slow_timestamp(value: str) -> int | None:
    """Fractional seconds, offsets and other ISO-8601 date-time forms."""
    if len(value) < 13 or value[10] not in "Tt" or not value.isascii():
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    delta = parsed - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def found_timestamp_text(value: Any) -> str | None:
    """A timestamp as found → its output text (UTC, `Z`), or None when it is not one. The
    common form `2024-03-25T06:01:30Z` is its own output text: checked, not rewritten
    (once a text of the same minute was read, by that minute and the seconds alone)."""
    if (
        type(value) is str
        and len(value) == 20
        and value[:16] in _found_minutes
        and value[16] == ":"
        and "0" <= value[17] <= "5"
        and "0" <= value[18] <= "9"
        and value[19] == "Z"
    ):
        return value
    micros = timestamp(value)
    if micros is None:
        return None
    if len(value) == 20 and _FAST_TS.fullmatch(value):
        if len(_found_minutes) < SEEN_LIMIT:
            _found_minutes.add(value[:16])
        return value  # type: ignore[no-any-return]
    return format_timestamp(micros)


# `2024-03-25T06:01` of the common-form timestamps read by `found_timestamp_text`: a valid
# day, hour and minute, each spelled in ASCII digits
_found_minutes: set[str] = set()


_formatted: dict[int, str] = {}


def format_timestamp(micros: int) -> str:
    """Microseconds since the epoch → `2024-03-25T06:01:30Z` (fraction only when present)."""
    text = _formatted.get(micros)
    if text is None:
        if len(_formatted) >= SEEN_LIMIT:
            _formatted.clear()
        text = _formatted[micros] = _format(micros)
    return text


_day_texts: dict[int, str] = {}  # days since the epoch → `2024-03-25`


def _format(micros: int) -> str:
    """`format_timestamp` without the look-up of times formatted before."""
    seconds, fraction = divmod(micros, 1_000_000)
    days, seconds = divmod(seconds, 86400)
    day = _day_texts.get(days)
    if day is None:
        moment = _EPOCH + timedelta(days=days)  # strftime's %Y leaves years before 1000 unpadded
        day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        if len(_day_texts) < _CACHE_LIMIT:
            _day_texts[days] = day
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{day}T{hours:02d}:{minutes:02d}:{seconds:02d}"
    if fraction:
        text += f".{fraction:06d}".rstrip("0")
    return text + "Z"
