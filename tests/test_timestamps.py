"""ISO-8601 timestamps ↔ microseconds: the text written back is the one datetime gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from vss.timestamps import format_timestamp, timestamp

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def by_datetime(micros: int) -> str:
    seconds, fraction = divmod(micros, 1_000_000)
    text = (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{fraction:06d}".rstrip("0") if fraction else "") + "Z"


@given(st.integers(-62_135_596_800_000_000, 253_402_300_799_999_999))  # years 1 to 9999
def test_format_is_what_datetime_writes(micros: int) -> None:
    assert format_timestamp(micros) == by_datetime(micros)


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)))
def test_a_written_timestamp_reads_back(moment: datetime) -> None:
    micros = timestamp(moment.isoformat() + "Z")
    assert micros is not None
    assert timestamp(format_timestamp(micros)) == micros
