"""Event dates in EDTF: what briefing.dates.parse accepts, the bounds and words it gives, and
the plain message an editor gets for everything else."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from briefing import dates
from briefing.dates import parse, validate_edtf

D = datetime.date


# Single dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest", "precision", "machine", "words"),
    [
        ("2025-03-21", D(2025, 3, 21), D(2025, 3, 21), "day", "2025-03-21", "21 March 2025"),
        ("2025-03", D(2025, 3, 1), D(2025, 3, 31), "month", "2025-03", "March 2025"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month", "2024-02", "February 2024"),
        ("2024", D(2024, 1, 1), D(2024, 12, 31), "year", "2024", "2024"),
        ("1800-01-01", D(1800, 1, 1), D(1800, 1, 1), "day", "1800-01-01", "1 January 1800"),
        ("2199", D(2199, 1, 1), D(2199, 12, 31), "year", "2199", "2199"),
    ],
)
def test_a_day_a_month_or_a_year_is_as_wide_as_its_precision(
    edtf, earliest, latest, precision, machine, words
):
    date = parse(edtf)
    assert date.form == "date"
    assert (date.earliest, date.latest) == (earliest, latest)
    assert date.start.precision == precision
    assert date.start.machine == machine
    assert date.words() == words
    assert date.parts() == [(words, machine)]
    assert not date.is_uncertain
    assert not date.is_ongoing


@pytest.mark.parametrize(
    ("edtf", "uncertain", "approximate", "words"),
    [
        ("2025-03-21?", True, False, "21 March 2025 (uncertain)"),
        ("2025-03~", False, True, "about March 2025"),
        ("2025~", False, True, "about 2025"),
        ("2025%", True, True, "about 2025 (uncertain)"),
    ],
)
def test_uncertain_and_approximate_dates_say_so_in_words(edtf, uncertain, approximate, words):
    date = parse(edtf)
    assert (date.start.uncertain, date.start.approximate) == (uncertain, approximate)
    assert date.words() == words
    assert date.is_uncertain
    # The qualifier widens nothing: the bounds are those of the date itself.
    plain = parse(edtf.rstrip("?~%"))
    assert (date.earliest, date.latest) == (plain.earliest, plain.latest)


def test_surrounding_spaces_are_ignored():
    assert parse("  2025-03-21 \n").earliest == D(2025, 3, 21)


# Spans -------------------------------------------------------------------------------------


def test_a_span_runs_from_the_first_day_of_its_start_to_the_last_day_of_its_end():
    date = parse("2024-10/2025-03")
    assert date.form == "span"
    assert (date.earliest, date.latest) == (D(2024, 10, 1), D(2025, 3, 31))
    assert date.words() == "from October 2024 to March 2025"
    assert date.parts() == [
        ("from ", None),
        ("October 2024", "2024-10"),
        (" to ", None),
        ("March 2025", "2025-03"),
    ]
    assert not date.is_uncertain


def test_a_span_the_text_does_not_date_reads_as_somewhere_within_it():
    assert parse("2024-10/2025-03").words(within=True) == "between October 2024 and March 2025"


def test_a_span_may_start_and_end_on_the_same_day():
    date = parse("2025-03-21/2025-03-21")
    assert (date.earliest, date.latest) == (D(2025, 3, 21), D(2025, 3, 21))


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest", "start_state", "end_state", "ongoing", "uncertain", "words"),
    [
        ("2022/..", D(2022, 1, 1), None, "", "open", True, False, "from 2022, still going on"),
        ("2022/", D(2022, 1, 1), None, "", "unknown", False, True, "from 2022, end unknown"),
        ("../2025-03", None, D(2025, 3, 31), "open", "", False, False, "until March 2025"),
        (
            "/2025-03",
            None,
            D(2025, 3, 31),
            "unknown",
            "",
            False,
            True,
            "start unknown, until March 2025",
        ),
    ],
)
def test_a_span_end_may_be_open_or_unknown(
    edtf, earliest, latest, start_state, end_state, ongoing, uncertain, words
):
    date = parse(edtf)
    assert date.form == "span"
    assert (date.earliest, date.latest) == (earliest, latest)
    assert (date.start_state, date.end_state) == (start_state, end_state)
    assert date.is_ongoing is ongoing
    assert date.is_uncertain is uncertain
    assert date.words() == words
    # A span with only one end known is no window: "within" changes nothing.
    assert date.words(within=True) == words


def test_a_qualified_end_makes_the_span_uncertain():
    date = parse("2024-10/2025-03~")
    assert date.is_uncertain
    assert date.words() == "from October 2024 to about March 2025"


# Windows: one moment somewhere between two dates ------------------------------------------


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest", "words"),
    [
        (
            "[2024-10..2025-03]",
            D(2024, 10, 1),
            D(2025, 3, 31),
            "between October 2024 and March 2025",
        ),
        ("[2025-03-21..]", D(2025, 3, 21), None, "not before 21 March 2025"),
        ("[..2025-03]", None, D(2025, 3, 31), "not after March 2025"),
    ],
)
def test_a_window_is_one_moment_between_its_bounds(edtf, earliest, latest, words):
    date = parse(edtf)
    assert date.form == "window"
    assert (date.earliest, date.latest) == (earliest, latest)
    assert date.words() == words
    assert date.is_uncertain
    assert not date.is_ongoing


def test_a_window_gives_machine_dates_for_its_known_bounds_only():
    assert parse("[2025-03-21..]").parts() == [
        ("not before ", None),
        ("21 March 2025", "2025-03-21"),
    ]


# Refused, each with a message saying what is wrong and how to write a date ---------------


def refusal(value):
    with pytest.raises(ValidationError) as error:
        parse(value)
    assert error.value.code in ("invalid_edtf", "required")
    (message,) = error.value.messages
    assert message.endswith(dates.HOW_TO_WRITE)
    return message


@pytest.mark.parametrize("value", ["21 March 2025", "hello", "2025-13", "2025-03-21T10:00", ".."])
def test_what_is_not_edtf_is_refused_as_such(value):
    assert f"“{value}”: this is not a date in EDTF" in refusal(value)


@pytest.mark.parametrize("value", ["2025-02-30", "2025-02-29", "2025-04-31"])
def test_a_day_not_in_the_calendar_is_refused(value):
    message = refusal(value)
    assert f"“{value}”" in message
    assert "not one in the calendar" in message or "not in the calendar" in message


@pytest.mark.parametrize("value", ["9999", "1799", "2200-01", "2025-03/9999"])
def test_a_year_outside_1800_to_2199_is_refused_as_a_likely_typing_error(value):
    message = refusal(value)
    assert "a briefing's dates lie between 1800 and 2199" in message
    assert "check the year for a typing error" in message


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025/2024", "the span ends (2024) before it starts (2025)"),
        ("2025-03/2025-02", "the span ends (February 2025) before it starts (March 2025)"),
        ("2025-03-21/2025-03-20", "ends (20 March 2025) before it starts (21 March 2025)"),
        ("[2025..2024]", "the window ends (2024) before it starts (2025)"),
    ],
)
def test_an_end_before_the_start_is_refused(value, reason):
    assert reason in refusal(value)


def test_a_span_with_no_known_end_is_refused():
    assert "a span needs at least one known end" in refusal("../..")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("{2024,2025}", "EDTF allows this, but a briefing takes only the forms below"),
        ("[2024,2025]", "EDTF allows this, but a briefing takes only the forms below"),
        ("Y20255", "EDTF allows this, but a briefing takes only the forms below"),
        ("2025-XX", "“2025-XX” is not a plain day, month or year"),
        ("2025-21", "“2025-21” is not a plain day, month or year"),
        ("2025?-03-21", "“2025?-03-21” is not a plain day, month or year"),
        ("2025-03-?21", "“2025-03-?21” is not a plain day, month or year"),
    ],
)
def test_edtf_forms_a_briefing_does_not_take_are_refused(value, reason):
    assert reason in refusal(value)


@pytest.mark.parametrize("value", ["", "   ", None])
def test_an_empty_date_asks_for_one(value):
    assert refusal(value).startswith("Give a date.")


def test_the_field_validator_refuses_what_parse_refuses():
    validate_edtf("2024-10/2025-03")
    with pytest.raises(ValidationError):
        validate_edtf("2025-02-30")
