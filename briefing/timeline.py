"""The timeline chart: a bar per event over the span its date allows, on a broken time axis.

Drawn on the server as SVG: the marks here, the figure around them, with its title and
description, in templates/public/briefing/_charts.html. The event list beside it says the same
in words.
"""

import bisect
import datetime
import functools
import math
from dataclasses import dataclass

from django.utils.dateformat import format as date_format
from django.utils.translation import get_language
from markupsafe import Markup

from briefing.escaping import html_text

CHART_WIDTH = 640
MARGIN = 8
ROW_HEIGHT = 29
BAR_HEIGHT = 12
AXIS_HEIGHT = 28
MIN_BAR = 6
LABEL_CHARS = 64
# Room on the left for each row's label: the bars start after it.
LABEL_WIDTH = 0
CHAR_WIDTH = 7  # of a tick label at 13 px
TICK_LABEL_CHARS = 6  # room kept for most labels; one naming its year may run a little over
MAX_TICKS = 40
MAX_MONTHS = 12 * 400
LAST_MONTH = datetime.date.max.replace(day=1)


@dataclass
class Row:
    """One event's bar and label. Coordinates are strings, so that no locale ever writes a
    decimal comma into the SVG."""

    label: str
    classes: str
    x: str
    width: str
    end_x: str
    y: int
    mid_y: int
    label_y: int
    ongoing: bool

    def svg(self, label_x):
        """Its label, its bar and, for an event still going on, an arrow at the bar's end."""
        arrow = (
            f'<path class="bar-arrow" d="M{self.end_x} {self.mid_y}l-7-6v12z"/>'
            if self.ongoing
            else ""
        )
        label = html_text(self.label)
        return (
            f'<text class="row-label" x="{label_x}" y="{self.label_y}">{label}</text>'
            f'<rect class="{self.classes}" x="{self.x}" y="{self.y}" width="{self.width}" '
            f'height="{BAR_HEIGHT}" rx="2"/>{arrow}'
        )


@dataclass
class Tick:
    x: str
    label: str

    def svg(self, plot_height):
        """A line across the plot and its label under the axis."""
        return (
            f'<path class="tick" d="M{self.x} 0V{plot_height}"/>'
            f'<text x="{self.x}" y="{plot_height + 18}">{html_text(self.label)}</text>'
        )


def _month_after(day):
    if day >= LAST_MONTH:
        return datetime.date.max
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@functools.cache
def _month_label(month, language):
    """'Mar': a month's short name in the active `language`, worked out once per process."""
    return date_format(datetime.date(2000, month, 1), "M")


def _day_after(day):
    return day if day == datetime.date.max else day + datetime.timedelta(days=1)


class _BrokenAxis:
    """A time axis that spreads clustered dates: empty stretches shrink, busy ones widen.

    Between consecutive dates that begin or end some bar, the axis gives each stretch a width
    growing with the logarithm of its length, not with the length itself: four years without
    an event take little room, and nine events in the last months stay apart.
    """

    def __init__(self, days, left, right):
        self.days = sorted(set(days))
        weights = [math.log1p((b - a).days) for a, b in zip(self.days, self.days[1:], strict=False)]
        total = sum(weights) or 1
        self.xs = [left]
        for weight in weights:
            self.xs.append(self.xs[-1] + (right - left) * weight / total)

    def __call__(self, day):
        days, xs = self.days, self.xs
        if day <= days[0]:
            return xs[0]
        if day >= days[-1]:
            return xs[-1]
        index = bisect.bisect_right(days, day) - 1
        start, end = days[index], days[index + 1]
        fraction = (day - start).days / (end - start).days
        return xs[index] + (xs[index + 1] - xs[index]) * fraction


def _ticks(x, first, last):
    """Ticks on the 1st and 15th of each month, kept from the right (the busiest, most recent
    stretch) wherever the label after them leaves room; a label names its year when no tick to
    its left has named it."""
    candidates, month = [], first
    for _ in range(MAX_MONTHS):
        if month >= last:
            break
        candidates.append(month)
        if month.day == 1 and month < LAST_MONTH:
            candidates.append(month.replace(day=15))
        month = _month_after(month)
    kept, free_until = [], CHART_WIDTH
    for day in reversed(candidates):
        tick_x = x(day)
        if tick_x + TICK_LABEL_CHARS * CHAR_WIDTH + 8 <= free_until:
            kept.append((day, tick_x))
            free_until = tick_x
            if len(kept) >= MAX_TICKS:
                break
    ticks, named_year, free_from = [], None, float("-inf")
    language = get_language()
    for day, tick_x in reversed(kept):
        if tick_x < free_from:  # the label before, naming its year, runs over this one
            continue
        if day.month == 1 and day.day == 1:
            label = str(day.year)
        else:
            label = _month_label(day.month, language)
            if day.day != 1:
                label = f"{day.day} {label}"
            if day.year != named_year:
                label = f"{label} {day.year}"
        named_year = day.year
        ticks.append(Tick(f"{tick_x:.1f}", label))
        free_from = tick_x + len(label) * CHAR_WIDTH + 8
    return ticks


def _row_label(number, event):
    """'3. Title (planned; date uncertain)': what the bar's style shows, also in words."""
    notes = []
    if not event.is_occurred:
        notes.append(event.status)
    if event.is_undated:
        notes.append("not dated")
    elif event.is_uncertain:
        notes.append("date uncertain")
    elif event.date_basis == "inferred":
        notes.append("date inferred")
    if event.is_ongoing:
        notes.append("ongoing")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    title = event.title
    room = LABEL_CHARS - len(suffix) - len(str(number)) - 2
    if len(title) > room:
        title = title[: max(room - 1, 10)].rstrip() + "…"
    return f"{number}. {title}{suffix}"


def drawing(events):
    """A bar per event over the span its date allows; the list beside it is the text version.

    Solid: a date the text gives. Dashed outline: inferred. Hatched: a span the text leaves
    undated, or an uncertain date. Outline only: planned, expected or speculated. An open end
    runs to the right edge with an arrow; an unknown end fades into a dotted line.
    """
    dated = [event for event in events if event.date_earliest or event.date_latest]
    if not dated:
        return {"rows": []}
    known = [day for event in dated for day in (event.date_earliest, event.date_latest) if day]
    first = datetime.date(min(known).year, 1, 1)
    last = _month_after(max(known))
    left_edge, right_edge = MARGIN + LABEL_WIDTH, CHART_WIDTH - MARGIN
    bounds = [first, last]
    for event in dated:
        if event.date_earliest:
            bounds.append(event.date_earliest)
        if event.date_latest:
            bounds.append(_day_after(event.date_latest))
    x = _BrokenAxis(bounds, left_edge, right_edge)

    rows = []
    for row_number, event in enumerate(dated, start=1):
        start = x(event.date_earliest) if event.date_earliest else left_edge
        # An open or unknown end runs to the right edge.
        end = x(_day_after(event.date_latest)) if event.date_latest else right_edge
        width = max(end - start, MIN_BAR)
        start = min(start, right_edge - width)
        classes = ["bar"]
        if not event.is_occurred:
            classes.append("bar-not-occurred")
        if event.is_uncertain:
            classes.append("bar-uncertain")
        elif event.date_basis == "inferred":
            classes.append("bar-inferred")
        top = (row_number - 1) * ROW_HEIGHT
        rows.append(
            Row(
                label=_row_label(event.number, event),
                classes=" ".join(classes),
                x=f"{start:.1f}",
                width=f"{width:.1f}",
                end_x=f"{start + width:.1f}",
                y=top + 18,
                mid_y=top + 18 + BAR_HEIGHT // 2,
                label_y=top + 13,
                ongoing=event.is_ongoing,
            )
        )
    plot_height = len(rows) * ROW_HEIGHT + 4
    ticks = _ticks(x, first, last)
    # The marks are written here rather than in the template: some 150 numbers a page, each
    # of which the template would escape and join one by one (docs/performance.md §7).
    axis = f'<path class="axis" d="M{left_edge} {plot_height}H{right_edge}"/>'
    marks = [tick.svg(plot_height) for tick in ticks] + [axis, "\n"]
    marks += [row.svg(left_edge) for row in rows]
    return {
        "rows": rows,
        "marks": Markup("".join(marks)),  # noqa: S704 - labels escaped, numbers ours
        "width": CHART_WIDTH,
        "height": plot_height + AXIS_HEIGHT,
        "first_year": first.year,
        "last_year": (last - datetime.timedelta(days=1)).year,
        "count": len(rows),
    }
