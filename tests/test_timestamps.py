"""ISO-8601 timestamps ↔ microseconds: the text written back is the one datetime gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from vss.timestamps import format_timestamp, found_timestamp_text, timestamp

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def by_datetime(micros: int) -> str:
    seconds, fraction = divmod(micros, 1_000_000)
    # isoformat, not strftime: %Y writes the years before 1000 with fewer than four digits
    text = (EPOCH + timedelta(seconds=seconds)).replace(tzinfo=None).isoformat()
    return text + (f".{fraction:06d}".rstrip("0") if fraction else "") + "Z"


@given(st.integers(-62_135_596_800_000_000, 253_402_300_799_999_999))  # years 1 to 9999
def test_format_is_what_datetime_writes(micros: int) -> None:
    assert format_timestamp(micros) == by_datetime(micros)


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)))
def test_a_written_timestamp_reads_back(moment: datetime) -> None:
    micros = timestamp(moment.isoformat() + "Z")
    assert micros is not None
    assert timestamp(format_timestamp(micros)) == micros


def test_years_before_1000_keep_four_digits() -> None:
    assert format_timestamp(timestamp("0999-01-01T00:00:00Z") or 0) == "0999-01-01T00:00:00Z"


@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(["Z", "+01:00", "-05:30", ""]),
    st.sampled_from(["seconds", "milliseconds", "microseconds"]),
)
def test_found_timestamp_text_is_the_written_form(moment: datetime, zone: str, spec: str) -> None:
    found = moment.isoformat(timespec=spec) + zone
    micros = timestamp(found)
    assert micros is not None
    assert found_timestamp_text(found) == format_timestamp(micros)


@given(st.text(max_size=24) | st.sampled_from(["2024-W13-1T06:01:30Z", "2024-03-25T24:00:00Z"]))
def test_found_timestamp_text_of_anything(value: str) -> None:
    micros = timestamp(value)
    expected = None if micros is None else format_timestamp(micros)
    assert found_timestamp_text(value) == expected
    assert found_timestamp_text(None) is None and found_timestamp_text(1711346490) is None


def test_the_common_form_is_given_back_as_found() -> None:
    found = "".join(["2024-03-25T06:01:", "30Z"])  # not an interned constant
    assert found_timestamp_text(found) is found


COMMON_FORMS = ["2024-03-25T06:01:30Z", "2024-12-31T23:59:59Z", "2024-02-29T00:00:00Z"]


@given(st.integers(0, 20), st.characters(), st.sampled_from(COMMON_FORMS))
def test_one_character_off_the_common_form(at: int, character: str, known: str) -> None:
    """Once a day and a minute are known (cached), a text that differs from the common form
    by one character is still read, and written back, as the full reading has it."""
    for value in off_by_one(known, at, character):
        assert_read_as_datetime_reads(known, value)


def test_each_character_off_the_common_form() -> None:
    """The same for every place and every character that could pass for a right one."""
    for known in COMMON_FORMS:
        for at in range(21):
            for character in "0123456789:-+TtZz .\u0663":
                for value in off_by_one(known, at, character):
                    assert_read_as_datetime_reads(known, value)


def off_by_one(known: str, at: int, character: str) -> list[str]:
    """A text with one character replaced, one put in, one taken out."""
    return [
        known[:at] + character + known[at + 1 :],
        known[:at] + character + known[at:],
        known[:at] + known[at + 1 :],
    ]


def assert_read_as_datetime_reads(known: str, value: str) -> None:
    assert timestamp(known) is not None  # its day and minute are now cached
    assert found_timestamp_text(known) == known  # and its minute is known as written
    micros = full_reading(value)
    expected = None if micros is None else format_timestamp(micros)
    assert timestamp(value) == micros, value
    assert found_timestamp_text(value) == expected, value


def full_reading(value: str) -> int | None:
    """What `datetime` reads in a text (UTC when no offset): no cache, no fast path."""
    if not value.isascii() or len(value) < 13 or value[10] not in "Tt":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)
