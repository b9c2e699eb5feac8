"""The Jinja2 environment the public pages render with (templates/public/).

The reader's page loops over every claim, event and actor of a briefing: Django's template
engine spent some 40 ms on it, Jinja2's compiled templates a fraction of that
(docs/performance.md §7). The admin keeps Django's engine.
"""

import datetime

from django.template.defaultfilters import pluralize, truncatechars
from django.templatetags.static import static
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from jinja2 import Environment
from jinja2.compiler import CodeGenerator
from markupsafe import Markup

from briefing import relations, timeline
from briefing.addresses import address
from briefing.annotation import annotate
from briefing.escaping import html_text


class _TextOutputCodeGenerator(CodeGenerator):
    """Compiles `{{ value }}` to `environment.html_text(value)` where Jinja2 writes
    `escape(value)`: the same text, without a Markup object for each value."""

    def _output_child_pre(self, node, frame, finalize):
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.html_text(")
        if finalize.src is not None:
            self.write(finalize.src)


class PageEnvironment(Environment):
    code_generator_class = _TextOutputCodeGenerator
    html_text = staticmethod(html_text)


def day(value):
    """'21 March 2025' for a date, or a date-time in the site's time zone."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")


def iso(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return value.isoformat()


def article_date(value):
    """<time datetime="2025-03-21">21 March 2025</time> for a date known to the day."""
    if isinstance(value, str):  # as stored in a document
        value = datetime.date.fromisoformat(value)
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), day(value))


def event_dates(event):
    """An event's date in words, each known end in a <time>: never more precise than the text."""
    date = event.parsed_date
    if date is None:
        return Markup('<span class="unknown">{}</span>').format(event.date_text)
    # f-strings with html_text(), not Markup.format: this runs for every event of every page.
    return Markup(  # noqa: S704 - every part is escaped; the tags are built here
        "".join(
            f'<time datetime="{html_text(machine)}">{html_text(text)}</time>'
            if machine
            else html_text(text)
            for text, machine in date.parts(within=event.is_undated)
        )
    )


def annotated(item):
    """A paragraph of the page with the words of its claims (those with a note) marked."""
    return annotate(item.paragraph.text, item.notes, lambda claim: claim.href)


def quote_in_paragraph(claim):
    """The claim's paragraph with only its own words marked (the claim's own page)."""
    return annotate(claim.paragraph.text, [claim])


def environment(**options):
    # All text a page shows is escaped, whatever the settings say.
    options["autoescape"] = True
    env = PageEnvironment(**options)  # noqa: S701 - autoescape is set on the line above
    env.globals.update(
        url=address,
        static=static,
        article_date=article_date,
        event_dates=event_dates,
        annotated=annotated,
        quote_in_paragraph=quote_in_paragraph,
        timeline_drawing=timeline.drawing,
        relations_drawing=relations.drawing,
    )
    env.filters.update(
        day=day, iso=iso, plural=pluralize, truncate=truncatechars, capfirst=capfirst
    )
    return env
