"""Reading time values: dates in ISO 8601 or common formats, or window names that sort.

The values of one corpus are read as one kind, the first that fits every value:

1. dates, as naive ``pandas.Timestamp`` (times with an offset are converted to UTC), in the
   first of these formats that reads every value: ISO 8601 (``2016``, ``2016-03``,
   ``2016-03-05``, ``2016-03-05T10:00:00+01:00``...), ``%Y/%m/%d``, ``%m/%d/%Y`` (month first,
   as in the US and pandas), ``%d/%m/%Y``, ``%d.%m.%Y``, ``5 March 2016``, ``March 5, 2016``,
   ``Mar 2016`` and their abbreviated forms, and e-mail dates (RFC 2822,
   ``Sat, 05 Mar 2016 10:00:00 +0000``);
2. whole numbers (``1``, ``2``, ``10``), as ``int`` so that they sort as numbers;
3. anything else, as the ``str`` written (window names such as ``month1``, ``2010-q1``),
   which sort as strings: name windows so that their sorted order is their order in time.

Values of which some read as dates and others not are refused with one line naming the
first that does not. When a corpus is read in chunks, the kind is learned on the first chunk
and later chunks must fit it.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from typing import Any

from topicnmf.errors import InputError

__all__ = ["TimeParser", "parse_times"]

_DATE_FORMATS = (
    "ISO8601",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %Y",
    "%b %Y",
    "rfc2822",
)

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+\Z")


def _to_dates(values: Sequence[str], fmt: str) -> list | None:
    """The values as naive Timestamps in one format, or None when one does not fit."""
    import pandas as pd

    if fmt == "rfc2822":
        from email.utils import parsedate_to_datetime

        try:
            parsed = [parsedate_to_datetime(value) for value in values]
        except (TypeError, ValueError, IndexError):
            return None
        if any(value is None for value in parsed):
            return None
        return [_naive(pd.Timestamp(value)) for value in parsed]
    try:
        index = pd.to_datetime(list(values), format=fmt, utc=True)
    except (ValueError, TypeError, OverflowError):
        return None
    return list(index.tz_convert(None))


def _fits_some_format(values: list[str]) -> list[bool]:
    """Per value, whether it reads as a date in one of the formats."""
    import pandas as pd

    fits = [False] * len(values)
    for fmt in _DATE_FORMATS:
        if fmt == "rfc2822":
            for i, value in enumerate(values):
                fits[i] = fits[i] or _to_dates([value], fmt) is not None
            continue
        parsed = pd.to_datetime(values, format=fmt, utc=True, errors="coerce")
        fits = [fit or not pd.isna(stamp) for fit, stamp in zip(fits, parsed)]
    return fits


def _naive(stamp):
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp


class TimeParser:
    """Reads batches of time strings as one kind (a date format, whole numbers or names).

    Parameters
    ----------
    what : str
        The values' owner for messages, e.g. ``"The time column 'date' of 'news.csv'"``.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self.kind: str | None = None  # a date format, "int" or "str"

    def parse(self, values: Sequence[str], places: Sequence[str]) -> list:
        """The values read; ``places`` name each value's place (``row 3``) for messages."""
        for value, place in zip(values, places):
            if not value or value.isspace():
                raise InputError(
                    f"{self.what} is empty in {place}. Fill in every time or drop that document."
                )
        if not values:
            return []
        if self.kind is None:
            self.kind = self._learn(values, places)
        if self.kind == "str":
            return list(values)
        if self.kind == "int":
            bad = next((i for i, v in enumerate(values) if not _WHOLE_NUMBER.match(v.strip())), None)
            if bad is not None:
                raise InputError(
                    f"{self.what} holds {values[bad]!r} in {places[bad]}, not a whole number like "
                    "the values before it. Use one kind of time value throughout."
                )
            return [int(value) for value in values]
        dates = _to_dates(values, self.kind)
        if dates is None:
            bad = self._first_bad(values, self.kind)
            raise InputError(
                f"{self.what} holds {values[bad]!r} in {places[bad]}, which does not read as a "
                f"date in the format of the values before it ({self.kind}). "
                "Use one date format throughout."
            )
        return dates

    def _learn(self, values: Sequence[str], places: Sequence[str]) -> str:
        distinct = list(dict.fromkeys(values))
        for fmt in _DATE_FORMATS:
            if _to_dates(distinct, fmt) is not None:
                return fmt
        if all(_WHOLE_NUMBER.match(value.strip()) for value in distinct):
            return "int"
        fits = _fits_some_format(distinct)
        if any(fits):
            if all(fits):  # dates, in more than one format: the first's format is the rule
                fmt = next(f for f in _DATE_FORMATS if _to_dates(distinct[:1], f) is not None)
                fits = [_to_dates([value], fmt) is not None for value in distinct]
            good = values.index(distinct[fits.index(True)])
            bad = values.index(distinct[fits.index(False)])
            raise InputError(
                f"{self.what} holds {values[bad]!r} in {places[bad]}, which does not read as a "
                f"date in the format of {values[good]!r} in {places[good]}. Use one date format "
                "throughout, or window names that sort (such as 2016-q1) throughout."
            )
        return "str"

    @staticmethod
    def _first_bad(values: Sequence[str], fmt: str) -> int:
        for position, value in enumerate(values):
            if _to_dates([value], fmt) is None:
                return position
        return 0


def parse_times(values: Sequence[Any], what: str) -> list:
    """Times given in memory: dates (datetime, date, numpy or pandas), whole numbers or str.

    Dates become naive ``pandas.Timestamp`` (UTC when they carry an offset), ``int`` stay
    ``int`` and strings are read as :class:`TimeParser` reads them.
    """
    import numpy as np
    import pandas as pd

    values = list(values)
    if all(isinstance(v, (_dt.date, np.datetime64, pd.Timestamp)) for v in values):
        stamps = [pd.Timestamp(value) for value in values]
        if any(stamp is pd.NaT for stamp in stamps):
            position = next(i for i, stamp in enumerate(stamps) if stamp is pd.NaT)
            raise InputError(
                f"{what} holds a missing time (NaT) at position {position}. "
                "Fill in every time or drop that document."
            )
        return [_naive(stamp) for stamp in stamps]
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in values):
        return [int(value) for value in values]
    if all(isinstance(value, str) for value in values):
        return TimeParser(what).parse(values, [f"position {i}" for i in range(len(values))])
    def kind(value: Any) -> str:
        if isinstance(value, (_dt.date, np.datetime64, pd.Timestamp)):
            return "date"
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            return "int"
        return "str" if isinstance(value, str) else type(value).__name__

    first = kind(values[0])
    position = next((i for i, v in enumerate(values) if kind(v) != first), 0)
    other = (
        f" and {type(values[position]).__name__} at position {position}" if position else ""
    )
    raise InputError(
        f"{what} must hold dates, whole numbers or strings, one kind throughout. "
        f"Got {type(values[0]).__name__} at position 0{other}."
    )
