"""Times as the library stores them: UTC ISO 8601 text to the microsecond, one form everywhere."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(value: dt.datetime) -> str:
    """A time as stored: UTC, ISO 8601, to the microsecond.

    Stored times sort as text, and two edits (or imports) in the same second keep their order.
    """
    if value.tzinfo is None:
        value = value.astimezone()  # a naive time is the user's local time
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
