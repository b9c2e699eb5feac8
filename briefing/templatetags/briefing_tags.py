"""Template helpers for the briefing page: dates with their precision, quotes, the SVG timeline."""

import datetime

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from briefing import export

register = template.Library()


@register.simple_tag
def precise_date(value, precision="day"):
    """<time datetime="2025-03">March 2025</time>: never more precise than the source."""
    return format_html(
        '<time datetime="{}">{}</time>',
        export.date_machine(value, precision),
        export.date_text(value, precision),
    )


@register.simple_tag
def event_dates(event):
    """An event's dates in words: a day, a span, or 'since October 2024 (ongoing)'."""
    start = precise_date(event.start_date, event.date_precision)
    if event.is_ongoing:
        return format_html('since {} <span class="ongoing">(ongoing)</span>', start)
    if event.end_date and event.end_date != event.start_date:
        return format_html("{} – {}", start, precise_date(event.end_date))
    return start


def merged_spans(text, quotes):
    """(start, end) of every quote in the text, overlapping ones merged, in order."""
    spans = []
    for quote in quotes:
        start = text.find(quote) if quote else -1
        if start >= 0:
            spans.append((start, start + len(quote)))
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text, quotes):
    parts, position = [], 0
    for start, end in merged_spans(text, quotes):
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


@register.filter
def highlight_quotes(paragraph):
    """The paragraph's text, escaped, with every passage a claim quotes inside <mark>."""
    return _marked(paragraph.text, [claim.quote for claim in paragraph.quoting_claims])


@register.filter
def quote_in_context(paragraph, claim):
    """The paragraph's text, escaped, with only this claim's quote inside <mark>."""
    return _marked(paragraph.text, [claim.quote])


@register.simple_tag
def quote_anchor(claim):
    """Where a claim's paragraph link lands: its paragraph, with only its own quote marked."""
    return f"{claim.paragraph_ref.anchor}-{claim.anchor}"


@register.filter
def attribution(claim):
    return export.attribution(claim)


@register.filter
def reliability_meaning(grade):
    return export.reliability_meaning(grade)


@register.filter
def credibility_meaning(value):
    return export.credibility_meaning(value)


@register.filter
def figure(claim):
    return export.figure_text(claim)


@register.filter
def source_description(source):
    return export.source_description(source)


# The SVG timeline -------------------------------------------------------------------------

CHART_WIDTH = 640
LABEL_WIDTH = 34
ROW_HEIGHT = 20
AXIS_HEIGHT = 28
MIN_BAR = 6


@register.inclusion_tag("briefing/_timeline_chart.html")
def timeline_chart(events, as_of=None):
    """A bar per event, as wide as its date is uncertain; the list beside it is the text version."""
    if not events:
        return {"rows": []}
    starts = [event.start_date for event in events]
    ends = [
        max(
            export.period_end(event.start_date, event.date_precision),
            (event.end_date or event.start_date) + datetime.timedelta(days=1),
        )
        for event in events
    ]
    first = datetime.date(min(starts).year, 1, 1)
    # The axis ends with the last thing known: an ongoing event runs up to there, not beyond.
    last = max([*ends, as_of or min(starts)])
    last = (last.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    span = (last - first).days
    plot = CHART_WIDTH - LABEL_WIDTH - 8

    def x(day):
        return LABEL_WIDTH + round(plot * (day - first).days / span, 1)

    rows = []
    for number, (event, end) in enumerate(zip(events, ends, strict=True), start=1):
        left = x(event.start_date)
        right = x(last) if event.is_ongoing else x(end)
        width = max(round(right - left, 1), MIN_BAR)
        left = min(left, CHART_WIDTH - 8 - width)
        classes = ["bar"]
        if event.date_basis == event.DateBasis.INFERRED:
            classes.append("bar-inferred")
        if event.is_ongoing:
            classes.append("bar-ongoing")
        rows.append(
            {
                "number": number,
                "event": event,
                # Strings, so that no locale ever writes a decimal comma into the SVG.
                "x": f"{left:.1f}",
                "width": f"{width:.1f}",
                "y": (number - 1) * ROW_HEIGHT + 4,
                "label_y": (number - 1) * ROW_HEIGHT + 15,
                "classes": " ".join(classes),
            }
        )
    plot_height = len(events) * ROW_HEIGHT + 4
    years = list(range(first.year, last.year + 1))
    step = max(1, len(years) // 6)
    ticks = [
        {"x": f"{x(datetime.date(year, 1, 1)):.1f}", "label": year}
        for year in years[::step]
        # A label needs room before the right edge.
        if x(datetime.date(year, 1, 1)) <= CHART_WIDTH - 50
    ]
    return {
        "rows": rows,
        "ticks": ticks,
        "width": CHART_WIDTH,
        "height": plot_height + AXIS_HEIGHT,
        "plot_height": plot_height,
        "tick_label_y": plot_height + 18,
        "label_x": LABEL_WIDTH - 6,
        "axis_left": LABEL_WIDTH,
        "axis_right": CHART_WIDTH - 8,
        "first_year": first.year,
        "last_year": (last - datetime.timedelta(days=1)).year,
        "count": len(events),
    }


# Links that stay valid when ?actor= hides part of the page ----------------------------------


def _anchor_href(context, shown_key, obj, fragment):
    shown = context.get(shown_key)
    if shown is None or obj.pk in shown:
        return f"#{fragment}"
    # Hidden by the actor filter: point at the whole briefing instead of a missing anchor.
    return f"{context['briefing'].get_absolute_url()}#{fragment}"


@register.simple_tag(takes_context=True)
def claim_href(context, claim):
    return _anchor_href(context, "shown_claim_ids", claim, claim.anchor)


@register.simple_tag(takes_context=True)
def event_href(context, event):
    return _anchor_href(context, "shown_event_ids", event, event.anchor)
