"""The demo fixture: the whole article as a consistent, published briefing that loads idempotently.

Also the bad input: a malformed or inconsistent fixture is refused and changes nothing.
"""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from briefing.models import (
    Actor,
    Briefing,
    Claim,
    ClaimRelation,
    Edition,
    Event,
    Participation,
    Source,
    split_into_paragraphs,
)
from tests.factories import UserFactory

# The article exactly as it was received (shoigu-pyongyang.txt), one string per line.
ARTICLE_LINES = (
    (
        "Former Russian Defense Minister and current Russian Secretary of the Security Council "
        "Sergei Shoigu arrived in North Korea on 21 March to meet with leader Kim Jong Un and "
        "deepen ties between Russia and North Korea."
    ),
    (
        "Since the full-scale invasion of Ukraine in 2022, North Korea has been providing "
        "Russia with conventional weapons, including artillery shells and ballistic missiles. "
        "In October 2024, approximately 10,000-12,000 North Korean soldiers joined Russian "
        "forces in the fight against Ukraine, particularly in Russia’s Kursk Oblast."
    ),
    (
        "According to Russian state media TASS, Shoigu’s agenda in Pyongyang includes "
        "discussions with other high-ranking North Korean officials following his meeting with "
        "Kim."
    ),
    (
        "The visit represents the latest exchange in strengthening ties between Moscow and "
        "Pyongyang. It also coincides with recent developments in Ukraine-Russia peace talks "
        "initiated by US President Donald Trump, who negotiated with Putin a temporary halt on "
        "strikes on Ukrainian energy infrastructure."
    ),
    (
        "South Korean analysts suggested Kim Jong Un may also reciprocate with a visit to "
        "Russia, following Vladimir Putin’s trip to North Korea last year when the Russian "
        "president invited Kim to Moscow for a summit."
    ),
    (
        "Earlier this month, Russian Deputy Foreign Minister Andrey Rudenko traveled to North "
        "Korea for talks with Foreign Minister Choe Son Hui, where they discussed organizing "
        "“political contacts at high and highest levels.”"
    ),
    "North Korean soldiers fighting alongside Russians",
    (
        "North Korean troops played a key role in Russian advances in Kursk Oblast, "
        "particularly in the town of Sudzha and other parts of western Russia previously held "
        "by Ukrainian troops. Their deployment allowed Russia to push back Ukrainian forces "
        "without diverting troops from other fronts."
    ),
    (
        "Ukrainian military sources described distinctive battlefield behavior among North "
        "Korean soldiers, who reportedly avoid surrender and do not take prisoners."
    ),
    (
        "Two North Korean soldiers, Paek and Ri, who were captured by Ukrainian forces in "
        "Russia’s Kursk Oblast revealed that they were told they would be fighting South "
        "Korean forces supporting Ukraine but ended up in the Russian military without "
        "compensation."
    ),
    (
        "Both soldiers shared experiences of harsh conditions and indoctrination, where they "
        "were told to avoid surrender at all costs, even committing suicide if necessary. "
        "South Korea offered to accept them, with one of the soldiers considering defection."
    ),
    (
        "Under South Korean law, these soldiers are considered South Korean citizens, as Seoul "
        "recognizes all North Korean residents as such."
    ),
)

VERIFIED_WIKIDATA_IDS = {
    "vladimir-putin": "Q7747",
    "donald-trump": "Q22686",
    "kim-jong-un": "Q56226",
}


def row_counts():
    """Rows in every table the project knows, history tables included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def dump_briefing_app():
    out = io.StringIO()
    call_command("dumpdata", "briefing", format="json", stdout=out)
    return out.getvalue()


def demo_objects(briefing):
    """Every object the demo fixture loads, shared actors and sources included."""
    return [
        briefing,
        *Actor.objects.all(),
        *Source.objects.all(),
        *briefing.paragraphs.all(),
        *briefing.events.all(),
        *Participation.objects.filter(event__briefing=briefing),
        *briefing.claims.all(),
        *ClaimRelation.objects.filter(claim__briefing=briefing),
        *briefing.takeaways.all(),
    ]


# The fixture as loaded --------------------------------------------------------------------


def test_every_demo_object_passes_full_clean_and_related_validation(demo):
    objects = demo_objects(demo)
    assert len(objects) > 100
    for obj in objects:
        obj.full_clean()
        if hasattr(obj, "validate_related"):
            obj.validate_related()


def test_demo_is_published_without_invented_article_metadata(demo):
    assert demo.status == Briefing.Status.PUBLISHED
    assert demo.published_at is not None
    assert demo.live_edition is not None
    assert Briefing.objects.published().filter(pk=demo.pk).exists()
    assert demo.title and demo.summary and demo.bottom_line
    assert demo.article_headline == ""
    assert demo.article_outlet == ""
    assert demo.article_url == ""
    assert demo.article_published_on is None


def test_paragraphs_are_the_article_verbatim_with_its_heading(demo):
    expected = split_into_paragraphs("\n".join(ARTICLE_LINES))
    paragraphs = list(demo.paragraphs.order_by("number"))
    assert [p.number for p in paragraphs] == list(range(1, len(ARTICLE_LINES) + 1))
    assert [(p.text, p.is_heading) for p in paragraphs] == expected
    assert [p.number for p in paragraphs if p.is_heading] == [7]


def test_every_prose_paragraph_has_at_least_one_claim(demo):
    bare = demo.paragraphs.filter(is_heading=False, claims__isnull=True)
    assert list(bare) == []


def test_every_sentence_of_the_article_is_quoted_by_a_claim(demo):
    for paragraph in demo.paragraphs.filter(is_heading=False).prefetch_related("claims"):
        quotes = [claim.quote for claim in paragraph.claims.all()]
        for sentence in re.split(r"(?<=[.”])\s+(?=[A-Z])", paragraph.text):
            assert any(quote in sentence for quote in quotes), (paragraph.number, sentence)


def test_every_quote_occurs_verbatim_in_its_paragraph(demo):
    claims = demo.claims.select_related("paragraph")
    assert claims.count() >= 30
    for claim in claims:
        assert claim.quote, claim
        assert claim.quote in claim.paragraph.text, claim
        assert claim.paragraph.briefing_id == demo.pk


def test_every_claim_has_a_source(demo):
    assert not demo.claims.filter(source__isnull=True).exists()
    sources = set(demo.claims.values_list("source__slug", flat=True))
    assert {"tass", "south-korean-analysts", "ukrainian-military-sources"} <= sources
    assert Source.objects.filter(slug__in=sources, kind=Source.Kind.ARTICLE).exists()
    assert Source.objects.filter(slug__in=sources, kind=Source.Kind.TESTIMONY).exists()


def test_claims_are_numbered_from_one_without_gaps(demo):
    orders = list(demo.claims.order_by("order").values_list("order", flat=True))
    assert orders == list(range(1, len(orders) + 1))


def test_claims_and_events_of_the_published_demo_are_checked(demo):
    assert not demo.claims.exclude(review_status="checked").exists()
    assert not demo.events.exclude(review_status="checked").exists()


def test_every_event_is_backed_by_a_claim_and_has_a_participant(demo):
    assert demo.events.count() >= 10
    assert list(demo.events.filter(claims__isnull=True)) == []
    assert list(demo.events.filter(participations__isnull=True)) == []


def test_inferred_dates_are_marked_and_explained(demo):
    for event in demo.events.filter(date_basis=Event.DateBasis.INFERRED):
        assert event.date_note, event


def test_every_actor_is_named_in_a_claim(demo):
    assert list(Actor.objects.filter(claims__isnull=True)) == []


def test_takeaways_are_ordered_and_rest_on_claims(demo):
    takeaways = list(demo.takeaways.order_by("order"))
    assert 3 <= len(takeaways) <= 5
    assert [t.order for t in takeaways] == list(range(1, len(takeaways) + 1))
    for takeaway in takeaways:
        assert takeaway.claims.exists(), takeaway


def test_only_verified_wikidata_ids_are_filled(demo):
    filled = dict(Actor.objects.exclude(wikidata_id="").values_list("slug", "wikidata_id"))
    assert filled == VERIFIED_WIKIDATA_IDS


def test_troop_figure_is_a_range_of_soldiers(demo):
    claim = demo.claims.get(quote__contains="approximately 10,000-12,000")
    assert claim.figure_low == Decimal(10000)
    assert claim.figure_high == Decimal(12000)
    assert claim.figure_unit == "soldiers"
    assert claim.events.filter(slug="north-korean-soldiers-join-russian-forces").exists()


def test_shoigu_visit_is_dated_21_march_2025_with_the_year_inferred(demo):
    visit = demo.events.get(slug="shoigu-visit-to-north-korea")
    assert visit.date_edtf == "2025-03-21"
    assert (visit.date_earliest, visit.date_latest) == (datetime.date(2025, 3, 21),) * 2
    assert visit.date_basis == Event.DateBasis.INFERRED
    assert "year" in visit.date_note
    # The year is inferred from the text alone, not from knowledge of who was in office when.
    assert "office" not in visit.date_note
    roles = set(visit.participations.values_list("actor__slug", "role"))
    assert ("sergei-shoigu", "visitor") in roles


def test_last_year_is_2024_to_the_year_and_inferred(demo):
    trip = demo.events.get(claims__quote__contains="last year")
    assert trip.slug == "putin-trip-to-north-korea"
    assert trip.date_edtf == "2024"
    assert trip.date_basis == Event.DateBasis.INFERRED


def test_stated_dates_of_the_article_are_kept_as_stated(demo):
    deployment = demo.events.get(slug="north-korean-soldiers-join-russian-forces")
    assert deployment.date_edtf == "2024-10"
    assert deployment.date_basis == Event.DateBasis.STATED
    supplies = demo.events.get(slug="north-korean-arms-supplies")
    assert supplies.date_edtf == "2022/.."
    assert supplies.is_ongoing and supplies.date_latest is None


def test_the_invasion_is_dated_only_by_its_start(demo):
    invasion = demo.events.get(slug="full-scale-invasion-of-ukraine")
    assert invasion.date_edtf == "2022/"
    assert invasion.date_words == "from 2022, end unknown"
    claim = demo.claims.get(events=invasion, quote="the full-scale invasion of Ukraine in 2022")
    assert "took place" not in claim.text
    assert "began in 2022" in claim.text


# The audit: what the article does not say stays unsaid -------------------------------------


UNDATED_HAPPENINGS = [
    "russian-advances-in-kursk-oblast",
    "capture-of-paek-and-ri",
    "south-korea-offers-to-accept-soldiers",
]


@pytest.mark.parametrize("slug", UNDATED_HAPPENINGS)
def test_undated_happenings_are_spans_from_the_deployment_to_the_article(demo, slug):
    event = demo.events.get(slug=slug)
    assert event.date_basis == Event.DateBasis.UNDATED
    assert event.date_earliest == datetime.date(2024, 10, 1)
    assert event.date_latest == datetime.date(2025, 3, 31)
    assert event.date_words == "between October 2024 and March 2025"
    assert "October 2024" in event.date_note and "March 2025" in event.date_note


def test_every_date_that_is_not_stated_is_explained(demo):
    for event in demo.events.exclude(date_basis=Event.DateBasis.STATED):
        assert len(event.date_note) > 40, event


def test_intentions_are_planned_and_never_sort_before_the_arrival(demo):
    arrival = demo.events.get(slug="shoigu-visit-to-north-korea")
    meeting = demo.events.get(slug="shoigu-meets-kim-jong-un")
    talks = demo.events.get(slug="shoigu-talks-with-north-korean-officials")
    for intention in (meeting, talks):
        assert intention.status == Event.Status.PLANNED
        assert intention.date_earliest >= arrival.date_earliest
    order = list(demo.events.values_list("slug", flat=True))
    assert order.index(arrival.slug) < order.index(meeting.slug) < order.index(talks.slug)
    purpose = demo.claims.get(quote__startswith="to meet with leader Kim Jong Un")
    assert "does not report that the meeting" in purpose.note


def test_analysts_speculation_is_a_speculated_event(demo):
    speculation = demo.claims.get(source__slug="south-korean-analysts")
    assert speculation.status == Claim.Status.SPECULATION
    visit = speculation.events.get(status=Event.Status.SPECULATED)
    assert set(visit.participations.values_list("actor__slug", "role")) == {
        ("kim-jong-un", "visitor"),
        ("russia", "host"),
    }


@pytest.mark.parametrize(
    "words",
    [
        "played a key role",
        "Their deployment allowed Russia to push back",
        "The visit represents the latest exchange",
    ],
)
def test_the_articles_own_judgements_are_not_plain_statements(demo, words):
    claim = demo.claims.get(quote__contains=words)
    assert claim.status == Claim.Status.JUDGEMENT
    assert claim.source.kind == Source.Kind.ARTICLE


def test_qualifiers_are_kept(demo):
    troops = demo.claims.get(quote__contains="approximately 10,000-12,000")
    assert troops.figure_qualifier == Claim.FigureQualifier.APPROXIMATELY
    assert "orders" not in demo.summary
    assert "told to avoid surrender" in demo.summary


def test_article_text_in_other_scripts_and_identifiers_are_the_editors(demo):
    latin = re.compile(r"^[\s\w’'“”\"().,;:–-]*$", re.ASCII)
    for actor in Actor.objects.all():
        for text in (actor.name, actor.aliases, actor.description, actor.role):
            assert latin.match(text.replace("’", "'").replace("“", '"').replace("”", '"')), (
                actor,
                text,
            )
    assert Actor.objects.get(slug="kim-jong-un").editors_alias_list == ["김정은"]
    outside_knowledge = ["in office", "family name", "January 2025"]
    dump = dump_briefing_app()
    for words in outside_knowledge:
        assert words not in dump


def test_the_bottom_line_is_no_stronger_than_the_article(demo):
    assert "highest level" not in demo.bottom_line.replace(
        "“political contacts at high and highest levels”", ""
    )
    assert "in the article’s judgement" in demo.bottom_line
    assert "may" in demo.bottom_line


def test_this_month_is_explained_as_an_inference_not_put_in_the_articles_mouth(demo):
    claim = demo.claims.get(quote__startswith="Earlier this month")
    assert "month of Shoigu" not in claim.text
    assert claim.text.startswith("Earlier this month")
    assert "the month the article was written" in claim.note
    assert "inferred" in claim.note


def test_what_the_article_cites_is_not_a_source_the_briefing_consulted(demo):
    assert not Source.objects.filter(kind=Source.Kind.LAW).exists()
    for claim in demo.claims.filter(paragraph__number=12):
        assert claim.source.kind == Source.Kind.ARTICLE
        assert claim.status == Claim.Status.STATED
        assert "did not consult the law" in claim.note


def test_testimony_and_military_sources_on_surrender_are_linked_as_not_shown_independent(demo):
    relation = ClaimRelation.objects.get(
        claim__quote__contains="told to avoid surrender", other_claim__quote__contains="reportedly"
    )
    assert relation.relation == ClaimRelation.Relation.CORROBORATES
    assert relation.independence == ClaimRelation.Independence.UNKNOWN
    assert "captured by Ukrainian forces" in relation.note


def test_ambiguous_readings_are_said_in_the_claims_note(demo):
    for words in ("following his meeting with Kim", "reportedly", "these soldiers"):
        claim = demo.claims.get(quote__contains=words)
        assert "read" in claim.note or "means" in claim.note, claim


def test_reported_claims_keep_their_source_claimant_and_status(demo):
    tass = demo.claims.get(source__slug="tass")
    assert tass.status == Claim.Status.ATTRIBUTED
    assert tass.claimant.slug == "tass"
    reportedly = demo.claims.get(quote__contains="reportedly")
    assert reportedly.status == Claim.Status.ALLEGED
    assert reportedly.source.slug == "ukrainian-military-sources"
    analysts = demo.claims.get(source__slug="south-korean-analysts")
    assert analysts.status == Claim.Status.SPECULATION
    testimony = demo.claims.filter(source__kind=Source.Kind.TESTIMONY)
    assert testimony.count() >= 3
    assert set(testimony.values_list("claimant__slug", flat=True)) == {"paek-and-ri"}


def test_loading_the_demo_makes_exactly_one_edition_whose_page_renders(demo, client):
    edition = Edition.objects.get()
    assert edition.number == 1
    assert demo.live_edition == edition
    assert (edition.slug, edition.title, edition.summary) == (demo.slug, demo.title, demo.summary)
    assert edition.published_at == demo.published_at
    assert (edition.note, edition.published_by) == ("", None)
    document = edition.document
    assert document["edition"]["number"] == 1
    assert len(document["claims"]) == demo.claims.count()
    assert len(document["events"]) == demo.events.count()
    assert all(item["review_status"] == "checked" for item in document["claims"])
    page = client.get(demo.get_absolute_url())
    assert page.status_code == 200
    assert demo.title in page.text
    assert "Edition 1" in page.text
    assert client.get(edition.get_absolute_url()).status_code == 200
    export = client.get(reverse("briefing:export", kwargs={"slug": demo.slug}))
    assert export.json()["edition"]["number"] == 1


def test_loading_the_demo_twice_changes_nothing(demo):
    counts, dump = row_counts(), dump_briefing_app()

    call_command("loaddata", "demo", verbosity=0)

    assert row_counts() == counts
    assert dump_briefing_app() == dump
    assert list(Edition.objects.values_list("number", flat=True)) == [1]
    assert Briefing.objects.get(pk=demo.pk).live_edition == demo.live_edition


def test_loading_the_demo_leaves_one_history_record_per_object(demo):
    for model in (Briefing, Actor, Source, Event, Claim):
        objects = list(model.objects.all())
        assert objects, model
        for obj in objects:
            records = list(obj.history.all())
            assert len(records) == 1, obj
            assert records[0].history_type == "+"
    assert not hasattr(Edition, "history")  # an edition never changes: nothing to record


def test_the_first_edit_after_loading_can_be_reverted(demo, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    actor = Actor.objects.get(slug="kim-jong-un")
    original = actor.history.get()
    url = reverse("admin:briefing_actor_change", args=[actor.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["name"] = "Kim Jong-un"
    assert client.post(url, data).status_code == 302
    assert Actor.objects.get(pk=actor.pk).name == "Kim Jong-un"

    revert_url = reverse("admin:briefing_actor_simple_history", args=[actor.pk, original.pk])
    form = client.get(revert_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert client.post(revert_url, data).status_code == 302
    assert Actor.objects.get(pk=actor.pk).name == "Kim Jong Un"
    assert actor.history.count() == 3


# Bad input -----------------------------------------------------------------------------


def write_fixture(tmp_path, name, objects):
    path = tmp_path / name
    path.write_text(json.dumps(objects), encoding="utf-8")
    return path


def draft_briefing(slug):
    return {
        "model": "briefing.briefing",
        "fields": {
            "title": "A broken briefing",
            "slug": slug,
            "summary": "Only here to be refused.",
            "status": "draft",
            "created_at": "2025-03-24T08:00:00Z",
            "updated_at": "2025-03-24T08:00:00Z",
        },
    }


def test_malformed_json_is_refused_and_changes_nothing(demo, tmp_path):
    path = tmp_path / "malformed.json"
    path.write_text('[{"model": "briefing.actor", "fields": {"name": ', encoding="utf-8")
    counts = row_counts()

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", str(path), verbosity=0)

    assert "could not be loaded" in str(refused.value)
    assert "malformed.json" in str(refused.value)
    assert row_counts() == counts


def test_quote_missing_from_its_paragraph_is_refused_and_changes_nothing(demo, tmp_path):
    path = write_fixture(
        tmp_path,
        "bad_quote.json",
        [
            draft_briefing("bad-quote"),
            {
                "model": "briefing.paragraph",
                "fields": {"briefing": ["bad-quote"], "number": 1, "text": "Shoigu arrived."},
            },
            {
                "model": "briefing.claim",
                "fields": {
                    "briefing": ["bad-quote"],
                    "order": 1,
                    "text": "Shoigu left.",
                    "source": ["tass"],
                    "paragraph": ["bad-quote", 1],
                    "quote": "Shoigu left",
                },
            },
        ],
    )
    counts = row_counts()

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", str(path), verbosity=0)

    assert "quote does not occur verbatim in paragraph 1" in str(refused.value)
    assert row_counts() == counts
    assert not Briefing.objects.filter(slug="bad-quote").exists()


def test_event_with_a_bad_edtf_date_is_refused_and_changes_nothing(demo, tmp_path):
    path = write_fixture(
        tmp_path,
        "bad_event.json",
        [
            draft_briefing("bad-event"),
            {
                "model": "briefing.event",
                "fields": {
                    "briefing": ["bad-event"],
                    "title": "Ends before it starts",
                    "slug": "backwards",
                    "date_edtf": "2025-03-21/2025-03-20",
                },
            },
        ],
    )
    counts = row_counts()

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", str(path), verbosity=0)

    assert "ends (20 March 2025) before it starts (21 March 2025)" in str(refused.value)
    assert row_counts() == counts
    assert not Briefing.objects.filter(slug="bad-event").exists()


def test_a_refused_fixture_leaves_the_demo_as_it_was(demo, tmp_path):
    dump = dump_briefing_app()
    path = write_fixture(
        tmp_path,
        "edits_demo.json",
        [
            {
                "model": "briefing.claim",
                "fields": {
                    "briefing": ["shoigu-pyongyang-2025"],
                    "order": 1,
                    "text": "Rewritten.",
                    "source": ["tass"],
                    "paragraph": ["shoigu-pyongyang-2025", 1],
                    "quote": "not in the paragraph",
                },
            },
        ],
    )

    with pytest.raises(CommandError):
        call_command("loaddata", str(path), verbosity=0)

    assert dump_briefing_app() == dump
