"""Event dates written in EDTF (ISO 8601-2, the Library of Congress format): parsing and words.

A briefing takes the part of EDTF a news report needs: a day, a month or a year, each possibly
uncertain (`?`), approximate (`~`) or both (`%`); a span `A/B` whose ends may be open (`..`,
still going on) or unknown (empty); and a window `[A..B]` for one moment somewhere between two
dates (`[A..]` not before A, `[..B]` not after B). Everything else EDTF allows (times, seasons,
unspecified digits, sets of single dates) is refused with a message saying what to write instead.
"""

import datetime
import functools
from dataclasses import dataclass

import edtf
from django.core.exceptions import ValidationError
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property

# A news briefing's dates: wide enough for history a report recalls, narrow enough that date
# arithmetic on the timeline can never overflow.
EARLIEST = datetime.date(1800, 1, 1)
LATEST = datetime.date(2199, 12, 31)
OUT_OF_RANGE = (
    f"a briefing's dates lie between {EARLIEST.year} and {LATEST.year}; "
    "check the year for a typing error."
)

HOW_TO_WRITE = (
    "Write a day as 2025-03-21, a month as 2025-03, a year as 2025; add ? when uncertain, "
    "~ when approximate; a span as 2024-10/2025-03 (2022/.. still going on, 2022/ end unknown); "
    "one moment somewhere in a window as [2024-10..2025-03] ([2025-03-21..] not before)."
)


class Precision:
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class Point:
    """One calendar date as precise as it is known, with its qualifiers."""

    first: datetime.date
    last: datetime.date
    precision: str
    uncertain: bool = False
    approximate: bool = False

    @property
    def machine(self):
        """The date for machines: HTML `datetime`, ISO 8601 at this precision."""
        if self.precision == Precision.YEAR:
            return f"{self.first.year:04d}"
        if self.precision == Precision.MONTH:
            return f"{self.first.year:04d}-{self.first.month:02d}"
        return self.first.isoformat()

    # Cached: parse() hands out the same Point for a value, and pages ask for its words often.
    @cached_property
    def plain(self):
        """21 March 2025, March 2025 or 2025, without qualifiers."""
        if self.precision == Precision.YEAR:
            return str(self.first.year)
        if self.precision == Precision.MONTH:
            return format_date(self.first, "F Y")
        return format_date(self.first, "j F Y")

    @property
    def qualifier(self):
        """'approximate', 'uncertain', both, or ''."""
        return " and ".join(
            word
            for word, present in (("uncertain", self.uncertain), ("approximate", self.approximate))
            if present
        )

    def words(self):
        text = f"about {self.plain}" if self.approximate else self.plain
        return f"{text} (uncertain)" if self.uncertain else text


@dataclass(frozen=True)
class UncertainDate:
    """A parsed EDTF value: one date, a span or a window, with what is known of its ends."""

    edtf: str
    form: str  # "date", "span" or "window"
    start: Point | None
    end: Point | None
    # For a span: "open" (still going on) or "unknown" when `end` is None; likewise at the start.
    start_state: str = ""
    end_state: str = ""

    @property
    def earliest(self):
        """The first day it can fall on; None when the start is open or unknown."""
        return self.start.first if self.start else None

    @property
    def latest(self):
        """The last day it can fall on; None when the end is open or unknown."""
        return self.end.last if self.end else None

    @property
    def is_ongoing(self):
        return self.form == "span" and self.end_state == "open"

    @property
    def is_uncertain(self):
        """Anything short of a single known date: a qualifier, an unknown end, a window."""
        points = [point for point in (self.start, self.end) if point]
        return (
            self.form == "window"
            or self.start_state == "unknown"
            or self.end_state == "unknown"
            or any(point.uncertain or point.approximate for point in points)
        )

    def parts(self, within=False):
        """The date in words, as (text, machine date or None) pieces for <time> elements.

        `within`: a span read as a window, for a happening the text does not date: "between
        October 2024 and March 2025" rather than "from October 2024 to March 2025".
        """

        def point(value):
            return (value.words(), value.machine)

        if self.form == "date":
            return [point(self.start)]
        if self.form == "window" or (within and self.start and self.end):
            if self.start and self.end:
                return [("between ", None), point(self.start), (" and ", None), point(self.end)]
            if self.start:
                return [("not before ", None), point(self.start)]
            return [("not after ", None), point(self.end)]
        pieces = [("from ", None), point(self.start)] if self.start else []
        if self.start_state == "unknown":
            pieces = [("start unknown", None)]
        if self.end:
            joiner = " to " if self.start else (", until " if pieces else "until ")
            pieces += [(joiner, None), point(self.end)]
        elif self.end_state == "open":
            pieces += [(", still going on", None)]
        else:
            pieces += [(", end unknown", None)]
        return pieces

    def words(self, within=False):
        return "".join(text for text, _ in self.parts(within))


def in_range(value):
    """Whether a date, or the day of a date and time, lies between EARLIEST and LATEST."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    return EARLIEST <= day <= LATEST


def _refuse(value, reason):
    raise ValidationError(f"“{value}”: {reason} {HOW_TO_WRITE}", code="invalid_edtf")


def _point(value, node):
    """A Point from an EDTF Date or qualified Date; anything else is refused."""
    uncertain = approximate = False
    if isinstance(node, edtf.UncertainOrApproximate):
        uncertain, approximate = node.is_uncertain, node.is_approximate
        if getattr(node, "_uncertain_and_approximate", False):
            uncertain = approximate = True
        node = node.date
    if type(node) is not edtf.Date:
        _refuse(value, f"“{node}” is not a plain day, month or year.")
    if node.precision not in (Precision.DAY, Precision.MONTH, Precision.YEAR):
        _refuse(value, f"“{node}” is not a plain day, month or year.")
    try:
        first = edtf.struct_time_to_date(node.lower_strict())
        last = edtf.struct_time_to_date(node.upper_strict())
    except (ValueError, OverflowError, TypeError):
        _refuse(value, "that date is not in the calendar.")
    if not (in_range(first) and in_range(last)):
        _refuse(value, OUT_OF_RANGE)
    return Point(first, last, node.precision, uncertain, approximate)


def _interval_end(value, node):
    """(Point or None, state) for one end of a span."""
    if isinstance(node, edtf.UnspecifiedIntervalSection):
        return None, "open" if node.is_open else "unknown"
    return _point(value, node), ""


def parse(value):
    """The UncertainDate an EDTF string stands for, or a ValidationError an editor understands."""
    return _parse((value or "").strip())


# The EDTF grammar takes about 10 ms a value to parse: each distinct value is parsed once.
@functools.lru_cache(maxsize=4096)
def _parse(value):
    if not value:
        raise ValidationError(f"Give a date. {HOW_TO_WRITE}", code="required")
    try:
        node = edtf.parse_edtf(value)
    except Exception:  # noqa: BLE001 - the parser raises several types for bad input
        _refuse(value, "this is not a date in EDTF (or not one in the calendar).")
    if isinstance(node, edtf.Date | edtf.UncertainOrApproximate):
        point = _point(value, node)
        return UncertainDate(value, "date", point, point)
    if type(node) in (edtf.Interval, edtf.Level1Interval):
        start, start_state = _interval_end(value, node.lower)
        end, end_state = _interval_end(value, node.upper)
        if start is None and end is None:
            _refuse(value, "a span needs at least one known end.")
        if start and end and end.last < start.first:
            _refuse(value, f"the span ends ({end.words()}) before it starts ({start.words()}).")
        return UncertainDate(value, "span", start, end, start_state, end_state)
    if isinstance(node, edtf.OneOfASet) and len(node.objects) == 1:
        window = node.objects[0]
        bounds = {
            edtf.Consecutives: ("lower", "upper"),
            edtf.LaterConsecutives: ("lower", None),
            edtf.EarlierConsecutives: (None, "upper"),
        }.get(type(window))
        if bounds:
            start = _point(value, getattr(window, bounds[0])) if bounds[0] else None
            end = _point(value, getattr(window, bounds[1])) if bounds[1] else None
            if start and end and end.last < start.first:
                _refuse(
                    value, f"the window ends ({end.words()}) before it starts ({start.words()})."
                )
            return UncertainDate(value, "window", start, end)
    _refuse(value, "EDTF allows this, but a briefing takes only the forms below.")


def validate_edtf(value):
    parse(value)
