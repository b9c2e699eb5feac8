"""The article's text with each claim's words marked in place."""

from markupsafe import Markup, escape

from briefing.escaping import html_text


def _quote_spans(text, claims):
    """(start, end, claim) for every claim whose quote occurs in the text, outermost first."""
    spans = []
    for claim in claims:
        start = text.find(claim.quote) if claim.quote else -1
        if start >= 0:
            spans.append((start, start + len(claim.quote), claim))
    return sorted(spans, key=lambda span: (span[0], -span[1], span[2].order))


def _opening(claim, first):
    anchor = f' id="{claim.quote_anchor}"' if first else ""
    return f'<mark class="{html_text(claim.status)}" data-claim="{claim.order}"{anchor}>'


def _label(claim, href):
    """After the quote, its number and voice: the note beside the paragraph says the rest."""
    voice = html_text(claim.voice)
    return f'<a class="quote-label" href="{html_text(href)}">{claim.order} <span>{voice}</span></a>'


def annotate(text, claims, label_href=None):
    """The text, escaped, each claim's quote inside a <mark>, followed by a label linking to
    `label_href(claim)` unless that is None.

    Quotes nest or overlap: where one ends inside another, the marks still open there are
    closed and reopened after it (a continued <mark>), so the HTML stays well-formed and each
    claim's words stay exactly inside the marks carrying its number.
    """
    spans = _quote_spans(text, claims)
    if not spans:
        return escape(text)
    points = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    starting = {}
    for start, end, claim in spans:
        starting.setdefault(start, []).append((end, claim))
    parts, open_marks, position = [], [], 0
    for point in points:
        parts.append(html_text(text[position:point]))
        position = point
        ending = [index for index, (end, _) in enumerate(open_marks) if end == point]
        if ending:
            closed = open_marks[ending[0] :]
            for end, claim in reversed(closed):
                parts.append("</mark>")
                if end == point and label_href is not None:
                    parts.append(_label(claim, label_href(claim)))
            open_marks = open_marks[: ending[0]]
            for end, claim in closed:
                if end != point:
                    parts.append(_opening(claim, first=False))
                    open_marks.append((end, claim))
        for end, claim in starting.get(point, ()):
            parts.append(_opening(claim, first=True))
            open_marks.append((end, claim))
    return Markup("".join(parts))  # noqa: S704 - the text is escaped; the tags are built here
