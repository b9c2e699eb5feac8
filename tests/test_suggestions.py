"""What the desk proposes from an article's words: sentences, cues, dates, datelines, actors."""

import datetime

import pytest

from briefing import dates
from briefing.suggestions import (
    NameIndex,
    close_matches,
    find_actors,
    find_cues,
    find_dates,
    parse_dateline,
    resolve_date,
    split_sentences,
    suggested_status,
    unknown_names,
)
from tests.factories import ActorFactory

# Wednesday 19 June 2024.
REPORT_DAY = datetime.date(2024, 6, 19)


# Sentences ---------------------------------------------------------------------------------


def test_sentences_keep_the_paragraphs_words_verbatim_with_their_offsets():
    text = (
        "Russian President Vladimir Putin arrived in Pyongyang on Wednesday, state media said. "
        "“We will stand together,” Mr. Putin told Kim Jong Un.  The U.S. was not told, "
        "according to officials."
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Russian President Vladimir Putin arrived in Pyongyang on Wednesday, state media said.",
        "“We will stand together,” Mr. Putin told Kim Jong Un.",
        "The U.S. was not told, according to officials.",
    ]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text


def test_a_paragraph_of_one_sentence_without_a_full_stop_is_one_sentence():
    assert [s.text for s in split_sentences("  Talks in Pyongyang  ")] == ["Talks in Pyongyang"]


# Attribution cues --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "phrase", "who", "status"),
    [
        (
            "Troops crossed the border, according to RIA Novosti.",
            "according to RIA Novosti",
            "RIA Novosti",
            "attributed",
        ),
        (
            "The talks failed, Dmitry Peskov said.",
            "Dmitry Peskov said",
            "Dmitry Peskov",
            "attributed",
        ),
        (
            "Sergei Shoigu was quoted as saying the visit went well.",
            "Sergei Shoigu was quoted as saying",
            "Sergei Shoigu",
            "attributed",
        ),
        (
            "The Korean Central News Agency reported the arrival.",
            "The Korean Central News Agency reported",
            "Korean Central News Agency",
            "attributed",
        ),
        ("Analysts suggested a deal was near.", "Analysts suggested", "Analysts", "attributed"),
        ("Drones were reportedly shipped.", "reportedly", "", "alleged"),
        ("The deal could include artillery.", "could", "", "speculation"),
    ],
)
def test_attribution_cues_are_found_with_who_they_name(sentence, phrase, who, status):
    cues = find_cues(sentence)
    assert [(c.phrase, c.who) for c in cues if c.status == status] == [(phrase, who)]
    assert sentence[cues[0].start : cues[0].end] == cues[0].phrase
    assert suggested_status(cues) == status


def test_quotation_marks_are_a_cue_and_a_pronoun_is_not_a_speaker():
    cues = find_cues("“We will fight,” he said.")
    assert [c.phrase for c in cues] == ["“We will fight,”", "he said"] or [
        c.phrase for c in cues
    ] == ["“We will fight,”"]
    assert all(c.who == "" for c in cues)
    assert suggested_status(cues) == "attributed"


def test_a_sentence_without_cues_is_stated():
    assert suggested_status(find_cues("Putin arrived in Pyongyang.")) == "stated"


def test_reportedly_outweighs_a_plain_attribution():
    cues = find_cues("Troops reportedly crossed, Reuters said.")
    assert suggested_status(cues) == "alleged"


# Dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "edtf"),
    [
        # The report's own weekday is the day itself, not a week earlier.
        ("on Wednesday", "2024-06-19"),
        ("on Tuesday", "2024-06-18"),
        ("on Thursday", "2024-06-13"),
        ("last Wednesday", "2024-06-12"),
        ("yesterday", "2024-06-18"),
        ("last year", "2023"),
        ("this month", "2024-06"),
        ("last month", "2024-05"),
        ("earlier this month", "[2024-06-01..2024-06-19]"),
        ("earlier this year", "[2024-01-01..2024-06-19]"),
        ("last week", "2024-06-10/2024-06-16"),
        # A day without a year: the latest such day not after the report.
        ("21 March", "2024-03-21"),
        ("June 19", "2024-06-19"),
        ("25 December", "2023-12-25"),
    ],
)
def test_relative_dates_resolve_against_the_articles_date_as_a_news_report_means_them(phrase, edtf):
    resolved_edtf, basis, note = resolve_date(phrase, REPORT_DAY)
    assert resolved_edtf == edtf
    assert basis == "inferred"
    assert note == f"‘{phrase}’ in an article dated 19 June 2024 → {edtf}, inferred"
    dates.parse(resolved_edtf)  # an EDTF value the event's date field accepts


def test_a_general_parser_would_put_the_reports_own_weekday_a_week_back():
    """Why our own rule: dateparser preferring past dates says 12 June for "Wednesday"."""
    import dateparser

    base = datetime.datetime.combine(REPORT_DAY, datetime.time())
    parsed = dateparser.parse(
        "Wednesday", settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    )
    assert parsed.date() == datetime.date(2024, 6, 12)
    assert resolve_date("on Wednesday", REPORT_DAY)[0] == "2024-06-19"


@pytest.mark.parametrize(
    ("phrase", "edtf"),
    [("21 March 2023", "2023-03-21"), ("March 2023", "2023-03"), ("in 2022", "2022")],
)
def test_dates_with_a_year_are_stated(phrase, edtf):
    assert resolve_date(phrase, REPORT_DAY)[:2] == (edtf, "stated")


def test_a_sentence_about_the_future_looks_forward():
    found = find_dates("Kim will travel to Moscow on Friday.", REPORT_DAY)
    assert [(d.phrase, d.edtf) for d in found] == [("on Friday", "2024-06-21")]


def test_will_in_another_clause_does_not_make_a_past_day_future():
    found = find_dates("“We will win,” Putin said on Tuesday.", REPORT_DAY)
    assert [(d.phrase, d.edtf) for d in found] == [("on Tuesday", "2024-06-18")]


def test_dates_are_found_in_a_sentence_with_their_offsets():
    sentence = "The treaty signed last year was ratified earlier this month."
    found = find_dates(sentence, REPORT_DAY)
    assert [(d.phrase, d.edtf) for d in found] == [
        ("last year", "2023"),
        ("earlier this month", "[2024-06-01..2024-06-19]"),
    ]
    assert all(sentence[d.start : d.end] == d.phrase for d in found)


def test_without_the_articles_date_only_dates_with_a_year_are_offered():
    assert resolve_date("on Wednesday", None) is None
    assert resolve_date("21 March 2023", None)[0] == "2023-03-21"


# The dateline --------------------------------------------------------------------------------


def test_a_dateline_gives_place_outlet_and_date():
    dateline = parse_dateline(
        "MOSCOW, June 19 (AFP): Russian President Vladimir Putin …", REPORT_DAY
    )
    assert (dateline.place, dateline.outlet, dateline.date) == (
        "Moscow",
        "AFP",
        datetime.date(2024, 6, 19),
    )
    assert dateline.phrase == "MOSCOW, June 19 (AFP):"


def test_a_dateline_without_a_date_and_with_a_dash():
    dateline = parse_dateline("SEOUL (Reuters) - North Korea said …", REPORT_DAY)
    assert (dateline.place, dateline.outlet, dateline.date) == ("Seoul", "Reuters", None)


def test_a_dateline_with_a_year_is_read_as_stated():
    dateline = parse_dateline("PYONGYANG, 19 June 2024 (KCNA) — Kim Jong Un …", None)
    assert dateline.date == datetime.date(2024, 6, 19)


def test_a_paragraph_without_a_dateline_has_none():
    assert parse_dateline("Russian President Vladimir Putin arrived (late) on Wednesday.") is None


# Actors -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_actors_are_found_by_name_and_alias_and_the_longer_name_wins():
    putin = ActorFactory(name="Vladimir Putin", aliases="Putin\nMr. Putin")
    russia = ActorFactory(name="Russia", aliases="Moscow")
    soldiers = ActorFactory(name="North Korean soldiers fighting for Russia")
    index = NameIndex.of([putin, russia, soldiers])
    sentence = "Moscow says Putin met North Korean soldiers fighting for Russia."
    mentions = find_actors(sentence, index)
    assert [(m.text, m.actor) for m in mentions] == [
        ("Moscow", russia),
        ("Putin", putin),
        ("North Korean soldiers fighting for Russia", soldiers),
    ]


@pytest.mark.django_db
def test_actors_are_found_in_another_spelling():
    kim = ActorFactory(name="Kim Jong Un")
    mentions = find_actors("North Korean leader Kim Jong-un greeted him.", NameIndex.of([kim]))
    assert [(m.text, m.actor) for m in mentions] == [("Kim Jong-un", kim)]
    assert mentions[0].name == "Kim Jong Un"


@pytest.mark.django_db
def test_names_no_actor_has_are_offered_as_new_actors():
    putin = ActorFactory(name="Vladimir Putin")
    sentence = "On Wednesday Vladimir Putin met Choe Son Hui in Pyongyang."
    mentions = find_actors(sentence, NameIndex.of([putin]))
    assert [m.text for m in unknown_names(sentence, mentions)] == ["Choe Son Hui", "Pyongyang"]


@pytest.mark.django_db
def test_a_close_match_names_the_existing_actor_and_the_name_it_matched():
    putin = ActorFactory(name="Vladimir Putin", aliases="Putin")
    ActorFactory(name="Russia")
    index = NameIndex.of(list(type(putin).objects.all()))
    assert [(obj, name) for obj, name, _ in close_matches("Putin", index)] == [(putin, "Putin")]
    assert [obj for obj, _, _ in close_matches("Vladimir Putln", index)] == [putin]
    assert [obj for obj, _, _ in close_matches("V. Putin", index)] == [putin]
    assert close_matches("Kim Jong Un", index) == []


@pytest.mark.parametrize(
    ("phrase", "article_date", "future", "expected"),
    [
        ("29 February", datetime.date(2024, 3, 1), False, "2024-02-29"),
        # The nearest 29 February on the sentence's side, however many years away.
        ("29 February", datetime.date(2025, 3, 1), True, "2028-02-29"),
        ("29 February", datetime.date(2023, 3, 1), False, "2020-02-29"),
        ("31 June", REPORT_DAY, False, None),
    ],
)
def test_leap_days_and_impossible_days_never_break_the_resolution(
    phrase, article_date, future, expected
):
    resolved = resolve_date(phrase, article_date, future=future)
    assert (resolved[0] if resolved else None) == expected
