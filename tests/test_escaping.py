"""Escaping in the public pages' templates: html_text() writes what markupsafe.escape() writes."""

import datetime

import pytest
from django.template import engines
from django.utils.functional import lazy
from markupsafe import Markup, escape

from briefing.escaping import html_text


class Marked:
    def __html__(self):
        return "<b>already HTML</b>"


VALUES = [
    "",
    "plain words",
    "<script>alert('x')</script> & \"quoted\"",
    "Pyongyang’s «guests» ü",
    0,
    -31,
    True,
    None,
    2.5,
    datetime.date(2025, 6, 17),
    Markup("<em>safe</em> &amp;"),
    Marked(),
    lazy(lambda: "<lazy & text>", str)(),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_html_text_is_markupsafes_escape_as_plain_text(value):
    escaped = html_text(value)
    assert escaped == str(escape(value))
    if not hasattr(value, "__html__"):
        assert type(escaped) is str  # no Markup object built for a value


def render(source, **context):
    return engines["jinja2"].from_string(source).render(context)


def test_a_templates_values_are_escaped_and_markup_is_written_as_it_is():
    source = (
        "{% macro bold(text) %}<b>{{ text }}</b>{% endmacro %}"
        "<p>{{ hostile }} {{ number }} {{ marked }} {{ bold(hostile) }} {{ missing }}</p>"
    )
    page = render(source, hostile="<i>&'\"", number=7, marked=Markup("<em>ok</em>"))
    assert page == (
        "<p>&lt;i&gt;&amp;&#39;&#34; 7 <em>ok</em> <b>&lt;i&gt;&amp;&#39;&#34;</b> </p>"
    )


def test_text_captured_by_set_or_a_filter_block_is_escaped_once():
    source = (
        "{% set captured %}<i>{{ hostile }}</i>{% endset %}{{ captured }}"
        "{% filter upper %}{{ hostile }}{% endfilter %}"
    )
    assert render(source, hostile="<x>") == "<i>&lt;x&gt;</i>&LT;X&GT;"
