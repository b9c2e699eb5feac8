import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import ProtectedError

from briefing.models import (
    Actor,
    Briefing,
    Claim,
    ClaimRelation,
    Edition,
    Event,
    ReviewStatus,
    split_into_paragraphs,
)
from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ClaimFactory,
    ClaimRelationFactory,
    EventFactory,
    ParagraphFactory,
    StaffFactory,
    UserFactory,
    publish_edition,
)

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_withdrawn_briefings():
    published = BriefingFactory()
    publish_edition(published)
    BriefingFactory()
    withdrawn = BriefingFactory()
    publish_edition(withdrawn)
    withdrawn.record_withdrawal()
    assert list(Briefing.objects.published()) == [published]


def test_a_briefing_marked_published_without_an_edition_is_not_shown():
    BriefingFactory(
        status=Briefing.Status.PUBLISHED, published_at=datetime.datetime.now(datetime.UTC)
    )
    assert not Briefing.objects.published().exists()


def test_staff_see_drafts_and_others_do_not():
    draft = BriefingFactory()
    assert draft in Briefing.objects.visible_to(StaffFactory())
    assert draft not in Briefing.objects.visible_to(UserFactory())


def test_briefing_status_outside_the_choices_is_rejected_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        BriefingFactory(status="gone", published_at=datetime.datetime.now(datetime.UTC))


def test_published_briefing_needs_a_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        BriefingFactory(status=Briefing.Status.PUBLISHED, published_at=None)


def test_briefing_url_is_reversed_from_its_slug():
    assert BriefingFactory(slug="a-b").get_absolute_url() == "/briefings/a-b/"


# Editions ---------------------------------------------------------------------------------


def test_publication_records_the_live_edition_and_keeps_the_first_date():
    briefing = BriefingFactory(title="First title")
    first = publish_edition(briefing)
    briefing.refresh_from_db()
    assert (briefing.status, briefing.live_edition, briefing.published_at) == (
        Briefing.Status.PUBLISHED,
        first,
        first.published_at,
    )
    second = publish_edition(briefing, note="Corrected a date.")
    briefing.refresh_from_db()
    assert briefing.live_edition == second
    assert briefing.published_at == first.published_at
    assert briefing.version == 1  # publishing is no edit of the working copy
    assert list(briefing.editions.values_list("number", flat=True)) == [2, 1]
    assert str(second) == "First title, edition 2"
    assert second.get_absolute_url() == f"/briefings/{briefing.slug}/editions/2/"
    assert Edition.objects.get_by_natural_key(*second.natural_key()) == second


def test_an_edition_number_is_unique_within_its_briefing_only():
    edition = publish_edition(BriefingFactory())
    publish_edition(BriefingFactory())  # another briefing's edition 1
    duplicate = {
        field: getattr(edition, field)
        for field in ("slug", "title", "summary", "published_at", "document")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.create(briefing=edition.briefing, number=1, **duplicate)
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.create(briefing=edition.briefing, number=0, **duplicate)
    assert Edition.objects.filter(number=1).count() == 2


def test_an_edition_keeps_its_briefing_from_being_deleted():
    edition = publish_edition(BriefingFactory())
    with pytest.raises(ProtectedError):
        edition.briefing.delete()


def test_live_editions_are_the_latest_of_each_published_briefing():
    briefing = BriefingFactory()
    publish_edition(briefing)
    latest = publish_edition(briefing, note="Second.")
    other = BriefingFactory()
    other_edition = publish_edition(other)
    withdrawn = BriefingFactory()
    withdrawn_edition = publish_edition(withdrawn)
    withdrawn.record_withdrawal()
    BriefingFactory()  # a draft: no edition at all

    assert set(Edition.objects.live()) == {latest, other_edition}
    assert withdrawn_edition not in Edition.objects.of_published()
    assert Edition.objects.of_published().filter(briefing=briefing).count() == 2


# Checking: a check vouches for one version ----------------------------------------------


def test_a_check_vouches_only_for_the_version_it_was_given_on():
    claim = ClaimFactory()
    assert claim.is_checked
    assert list(Claim.objects.checked()) == [claim]
    Claim.objects.filter(pk=claim.pk).update(version=2)  # saved since, status untouched
    claim.refresh_from_db()
    assert claim.review_status == ReviewStatus.CHECKED
    assert not claim.is_checked
    assert list(Claim.objects.checked()) == []
    assert list(Claim.objects.unchecked()) == [claim]


def test_marking_checked_records_the_checker_and_the_version():
    checker = UserFactory()
    event = EventFactory(review_status=ReviewStatus.UNCHECKED, version=4)
    assert not event.is_checked
    event.mark_checked(checker)
    assert (event.review_status, event.checked_by, event.checked_version) == (
        ReviewStatus.CHECKED,
        checker,
        4,
    )
    assert event.checked_at is not None
    assert event.is_checked
    event.mark_unchecked()
    assert (event.checked_by, event.checked_at, event.checked_version) == (None, None, None)
    assert not event.is_checked


def test_uncheck_needs_a_new_check_by_someone_else(settings):
    editor = UserFactory()
    checked, other = ClaimFactory(), ClaimFactory()
    assert Claim.objects.filter(pk=checked.pk).uncheck(editor) == 1
    checked.refresh_from_db()
    assert (checked.review_status, checked.checked_by, checked.checked_version) == (
        ReviewStatus.UNCHECKED,
        None,
        None,
    )
    assert (checked.version, checked.last_edited_by) == (2, editor)
    assert not checked.may_be_checked_by(editor)
    assert checked.may_be_checked_by(UserFactory())
    other.refresh_from_db()
    assert other.is_checked
    settings.ALLOW_SELF_CHECK = True
    assert checked.may_be_checked_by(editor)


def test_unchecked_items_of_a_briefing_include_stale_checks():
    briefing = BriefingFactory()
    fresh = ClaimFactory(briefing=briefing)
    stale = ClaimFactory(briefing=briefing)
    Claim.objects.filter(pk=stale.pk).update(version=2)
    unchecked_event = EventFactory(briefing=briefing, review_status=ReviewStatus.UNCHECKED)
    EventFactory(briefing=briefing)
    assert briefing.unchecked_items() == [unchecked_event, stale]
    assert fresh not in briefing.unchecked_items()


def test_claim_quote_must_occur_verbatim_in_its_paragraph():
    claim = ClaimFactory.build(
        briefing=(briefing := BriefingFactory()),
        paragraph=ParagraphFactory(briefing=briefing, text="Shoigu arrived on 21 March."),
        source=ClaimFactory().source,
        quote="Shoigu arrived on 22 March",
    )
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "does not occur verbatim in paragraph" in str(error.value.message_dict["quote"])


def test_claim_paragraph_must_belong_to_its_briefing():
    claim = ClaimFactory()
    claim.paragraph = ParagraphFactory(text="something happened")
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "paragraph" in error.value.message_dict


def test_claim_figure_low_above_high_is_rejected_by_form_and_database():
    claim = ClaimFactory.build(figure_low=12000, figure_high=10000, figure_unit="soldiers")
    with pytest.raises(ValidationError) as error:
        claim.clean()
    assert "figure_high" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(figure_low=12000, figure_high=10000, figure_unit="soldiers")


def test_claim_range_within_bounds_is_valid():
    claim = ClaimFactory(figure_low=10000, figure_high=12000, figure_unit="soldiers")
    claim.full_clean()
    assert Claim.objects.get(pk=claim.pk).figure_high == 12000


def test_figure_qualifier_needs_a_figure():
    claim = ClaimFactory.build(figure_qualifier="approximately")
    with pytest.raises(ValidationError) as error:
        claim.clean()
    assert "needs a figure" in " ".join(error.value.message_dict["figure_qualifier"])
    ClaimFactory.build(figure_qualifier="at_least", figure_low=1000, figure_unit="soldiers").clean()


@pytest.mark.parametrize("status", ["assessment", "true", ""])
def test_claim_status_outside_the_choices_is_rejected_by_the_database(status):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(status=status)


def test_claim_figure_qualifier_outside_the_choices_is_rejected_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(figure_qualifier="roughly", figure_low=1, figure_unit="soldiers")


def test_claim_relation_links_two_claims_of_one_briefing():
    relation = ClaimRelationFactory(relation="contradicts", independence="independent")
    assert relation.claim.briefing_id == relation.other_claim.briefing_id
    assert list(relation.claim.relations.all()) == [relation]
    assert list(relation.other_claim.related_from.all()) == [relation]
    assert str(relation) == f"{relation.claim} contradicts {relation.other_claim}"
    assert ClaimRelation.objects.get_by_natural_key(*relation.natural_key()) == relation


def test_claim_relation_to_itself_or_another_briefing_is_rejected():
    claim = ClaimFactory()
    with pytest.raises(ValidationError) as error:
        ClaimRelationFactory.build(claim=claim, other_claim=claim).full_clean()
    assert "cannot corroborate itself" in str(error.value)
    with pytest.raises(ValidationError) as error:
        ClaimRelationFactory.build(claim=claim, other_claim=ClaimFactory()).full_clean()
    assert "another briefing" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelationFactory(claim=claim, other_claim=claim)


def test_a_pair_of_claims_has_one_relation_only():
    relation = ClaimRelationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelationFactory(claim=relation.claim, other_claim=relation.other_claim)


def test_claim_events_of_another_briefing_are_rejected():
    claim = ClaimFactory()
    claim.events.add(EventFactory())
    with pytest.raises(ValidationError):
        claim.validate_related()


def test_event_ending_before_it_starts_is_rejected_by_clean_and_database():
    event = EventFactory.build(briefing=BriefingFactory(), date_edtf="2025-03-21/2025-03-20")
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "ends (20 March 2025) before it starts (21 March 2025)" in " ".join(
        error.value.message_dict["date_edtf"]
    )
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(
            date_earliest=datetime.date(2025, 3, 21), date_latest=datetime.date(2025, 3, 20)
        )


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest"),
    [
        ("2025-03-21", datetime.date(2025, 3, 21), datetime.date(2025, 3, 21)),
        ("2024-10", datetime.date(2024, 10, 1), datetime.date(2024, 10, 31)),
        ("2024-02", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
        ("2024", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
        ("2024-10/2025-03", datetime.date(2024, 10, 1), datetime.date(2025, 3, 31)),
        ("2022/..", datetime.date(2022, 1, 1), None),
        ("[..2025-03]", None, datetime.date(2025, 3, 31)),
    ],
)
def test_saving_an_event_sets_the_bounds_its_date_allows(edtf, earliest, latest):
    event = EventFactory(date_edtf=edtf)
    event.refresh_from_db()
    assert (event.date_earliest, event.date_latest) == (earliest, latest)


def test_clean_sets_the_bounds_before_saving():
    event = EventFactory.build(briefing=BriefingFactory(), date_edtf="2024-10/2025-03")
    event.full_clean()
    assert (event.date_earliest, event.date_latest) == (
        datetime.date(2024, 10, 1),
        datetime.date(2025, 3, 31),
    )


def test_changing_the_date_of_a_saved_event_moves_its_bounds():
    event = EventFactory(date_edtf="2025-03-21")
    assert event.date_words == "21 March 2025"  # parsed once before the change
    event.date_edtf = "2024"
    event.save()
    event.refresh_from_db()
    assert (event.date_earliest, event.date_latest) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
    )
    assert event.date_words == "2024"


def test_a_bad_edtf_date_is_refused_with_how_to_write_one():
    event = EventFactory.build(briefing=BriefingFactory(), date_edtf="21 March 2025")
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    message = " ".join(error.value.message_dict["date_edtf"])
    assert "not a date in EDTF" in message
    assert "Write a day as 2025-03-21" in message


def test_an_ongoing_event_has_an_open_end_and_says_so():
    event = EventFactory(date_edtf="2022/..")
    assert event.is_ongoing
    assert event.date_latest is None
    assert event.date_words == "from 2022, still going on"
    assert not EventFactory(date_edtf="2022/").is_ongoing  # end unknown, not ongoing


@pytest.mark.parametrize(
    ("edtf", "basis", "words", "uncertain"),
    [
        ("2025-03-21", "stated", "21 March 2025", False),
        ("2024", "inferred", "2024", False),
        ("2025-03-21?", "stated", "21 March 2025 (uncertain)", True),
        ("2025~", "stated", "about 2025", True),
        ("2024-10/2025-03", "stated", "from October 2024 to March 2025", False),
        ("2024-10/2025-03", "undated", "between October 2024 and March 2025", True),
        ("[2025-03-21..]", "stated", "not before 21 March 2025", True),
    ],
)
def test_event_date_in_words_and_whether_it_is_uncertain(edtf, basis, words, uncertain):
    event = EventFactory.build(date_edtf=edtf, date_basis=basis)
    assert event.date_words == words
    assert event.is_uncertain is uncertain


def test_an_invalid_stored_date_reads_as_unknown_not_an_error():
    event = EventFactory()
    Event.objects.filter(pk=event.pk).update(date_edtf="not a date")
    event.refresh_from_db()
    assert event.parsed_date is None
    assert event.date_words == "date unknown"


def test_event_status_outside_the_choices_is_rejected_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(status="happened")


def test_events_come_in_order_of_earliest_then_latest_date_open_ends_last():
    briefing = BriefingFactory()
    made = {
        edtf: EventFactory(briefing=briefing, date_edtf=edtf, date_basis=basis, status=status)
        for edtf, basis, status in [
            ("2025-03-21", "stated", "occurred"),
            ("[2025-03-21..]", "stated", "planned"),
            ("2024-10/2025-03", "undated", "occurred"),
            ("2022/..", "stated", "occurred"),
            ("../2021", "stated", "occurred"),
            ("2025-03", "stated", "occurred"),
        ]
    }
    assert [event.date_edtf for event in Event.objects.filter(briefing=briefing)] == [
        "../2021",  # an open start comes first
        "2022/..",
        "2024-10/2025-03",
        "2025-03",  # from 1 March
        "2025-03-21",  # from 21 March, ending first
        "[2025-03-21..]",  # from 21 March, end unknown: last
    ]
    assert len(made) == 6


def test_event_slugs_are_unique_within_a_briefing_only():
    first = EventFactory(slug="visit")
    EventFactory(slug="visit")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(slug="visit", briefing=first.briefing)
    assert Event.objects.filter(slug="visit").count() == 2


@pytest.mark.parametrize("wikidata_id", ["7747", "Q07747", "Q", "q7747", "Q77 47"])
def test_malformed_wikidata_ids_are_rejected(wikidata_id):
    actor = ActorFactory.build(wikidata_id=wikidata_id)
    with pytest.raises(ValidationError) as error:
        actor.full_clean()
    assert "wikidata_id" in error.value.message_dict


def test_wellformed_wikidata_id_is_accepted():
    ActorFactory.build(wikidata_id="Q7747").full_clean()


def test_actor_names_from_the_article_and_from_the_editors_are_kept_apart():
    actor = ActorFactory.build(
        aliases="Russian forces\n\n  Moscow  \n", editors_aliases="Россия\nRussian Federation"
    )
    assert actor.alias_list == ["Russian forces", "Moscow"]
    assert actor.editors_alias_list == ["Россия", "Russian Federation"]


def test_actor_cannot_be_affiliated_with_itself():
    actor = ActorFactory()
    actor.affiliation = actor
    with pytest.raises(ValidationError):
        actor.full_clean()


def test_actor_is_found_by_its_natural_key():
    actor = ActorFactory(slug="sergei-shoigu")
    assert Actor.objects.get_by_natural_key("sergei-shoigu") == actor


def test_article_text_splits_into_paragraphs_and_headings():
    text = "First paragraph, with a full stop.\n\nA subheading\nSecond “quoted.”\n"
    assert split_into_paragraphs(text) == [
        ("First paragraph, with a full stop.", False),
        ("A subheading", True),
        ("Second “quoted.”", False),
    ]


# The data migration from start/end/precision dates to EDTF ---------------------------------

BEFORE_EDTF = [("briefing", "0003_changenotes_for_publishers")]


def migrate(targets):
    """Migrate the test database to `targets`; the app registry of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest_migrations():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("briefing")


def old_event(apps, briefing, slug, start, precision="day", end=None, is_ongoing=False):
    return apps.get_model("briefing", "Event").objects.create(
        briefing=briefing,
        title=slug,
        slug=slug,
        start_date=start,
        date_precision=precision,
        end_date=end,
        is_ongoing=is_ongoing,
    )


# Schema changes cannot run inside the test's transaction: this test commits, and leaves the
# database migrated to the latest state whatever happens. Like the suite's other transactional
# tests it restores the database's initial rows (content types, groups) from the serialized copy,
# so that its flush does not recreate content types that the next such test restores again.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_data_migration_turns_old_dates_statuses_and_aliases_into_the_new_fields():
    latest = latest_migrations()
    try:
        apps = migrate(BEFORE_EDTF)
        briefing = apps.get_model("briefing", "Briefing").objects.create(
            title="Old", slug="old", status="draft"
        )
        D = datetime.date
        old_event(apps, briefing, "day", D(2025, 3, 21))
        old_event(apps, briefing, "month", D(2025, 3, 1), "month")
        old_event(apps, briefing, "year", D(2024, 1, 1), "year")
        old_event(apps, briefing, "ongoing", D(2022, 1, 1), "year", is_ongoing=True)
        old_event(apps, briefing, "span", D(2024, 10, 1), end=D(2025, 1, 15))
        old_event(apps, briefing, "month-ending-within", D(2025, 3, 1), "month", D(2025, 3, 20))
        Source = apps.get_model("briefing", "Source")
        article = Source.objects.create(name="The article", slug="article", kind="article")
        analysts = Source.objects.create(name="Analysts", slug="analysts", kind="analysts")
        paragraph = apps.get_model("briefing", "Paragraph").objects.create(
            briefing=briefing, number=1, text="Kim may visit Russia, which matters."
        )
        Claim = apps.get_model("briefing", "Claim")
        for order, source in [(1, article), (2, analysts)]:
            Claim.objects.create(
                briefing=briefing,
                order=order,
                text="An assessment.",
                source=source,
                paragraph=paragraph,
                quote="Kim may visit Russia",
                status="assessment",
            )
        Claim.objects.create(
            briefing=briefing,
            order=3,
            text="Stated.",
            source=article,
            paragraph=paragraph,
            quote="which matters",
            status="stated",
        )
        apps.get_model("briefing", "Actor").objects.create(
            name="Russia", slug="russia", kind="state", aliases="Russian Federation\nРоссия"
        )

        migrate(latest)

        dates = {
            event.slug: (event.date_edtf, event.date_earliest, event.date_latest)
            for event in Event.objects.all()
        }
        assert dates == {
            "day": ("2025-03-21", D(2025, 3, 21), D(2025, 3, 21)),
            "month": ("2025-03", D(2025, 3, 1), D(2025, 3, 31)),
            "year": ("2024", D(2024, 1, 1), D(2024, 12, 31)),
            "ongoing": ("2022/..", D(2022, 1, 1), None),
            "span": ("2024-10-01/2025-01-15", D(2024, 10, 1), D(2025, 1, 15)),
            # An end inside the month the start names adds nothing the month does not say.
            "month-ending-within": ("2025-03", D(2025, 3, 1), D(2025, 3, 31)),
        }
        for event in Event.objects.all():
            # What the migration stored is what the model derives from the EDTF value.
            assert event.date_bounds() == (event.date_earliest, event.date_latest)
            event.full_clean()
        assert Event.objects.get(slug="ongoing").is_ongoing
        statuses = dict(Claim.objects.values_list("order", "status"))
        assert statuses == {1: "judgement", 2: "speculation", 3: "stated"}
        russia = Actor.objects.get(slug="russia")
        assert (russia.aliases, russia.editors_aliases) == ("Russian Federation", "Россия")
    finally:
        migrate(latest)
    assert (
        MigrationRecorder(connection)
        .migration_qs.filter(app="briefing", name=latest[0][1])
        .exists()
    )


# The data migration that marks actors' plural names ----------------------------------------

BEFORE_PLURAL_NAMES = [("briefing", "0012_plural_name")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_data_migration_marks_actors_whose_pages_gave_them_a_plural_verb():
    latest = latest_migrations()
    try:
        OldActor = migrate(BEFORE_PLURAL_NAMES).get_model("briefing", "Actor")
        for name, kind in [
            ("Paek and Ri", "group"),
            ("Ukrainian armed forces", "armed_force"),
            ("North Korean soldiers fighting for Russia", "armed_force"),
            ("Korean People's Army", "armed_force"),
            ("Vladimir Putin", "person"),
            ("United States", "state"),
        ]:
            OldActor.objects.create(name=name, slug=name.lower().replace(" ", "-"), kind=kind)

        migrate(latest)

        assert set(Actor.objects.filter(plural_name=True).values_list("name", flat=True)) == {
            "Paek and Ri",
            "Ukrainian armed forces",
            "North Korean soldiers fighting for Russia",
        }
    finally:
        migrate(latest)


# The data migration that gives published briefings their first edition --------------------

BEFORE_FIRST_EDITIONS = [("briefing", "0007_editions")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_data_migration_gives_each_published_briefing_its_first_edition(client):
    latest = latest_migrations()
    try:
        apps = migrate(BEFORE_FIRST_EDITIONS)
        for name in ("Editors", "Publishers"):  # gone if an earlier transactional test flushed
            apps.get_model("auth", "Group").objects.get_or_create(name=name)
        Briefing_ = apps.get_model("briefing", "Briefing")
        published_at = datetime.datetime(2025, 3, 24, 8, 0, tzinfo=datetime.UTC)
        briefing = Briefing_.objects.create(
            title="Shoigu in Pyongyang",
            slug="shoigu",
            summary="Shoigu met Kim.",
            bottom_line="Ties deepen.",
            status="published",
            published_at=published_at,
        )
        draft = Briefing_.objects.create(title="Draft", slug="draft", summary="Not yet.")
        paragraph = apps.get_model("briefing", "Paragraph").objects.create(
            briefing=briefing, number=1, text="Shoigu arrived on 21 March and met Kim."
        )
        source = apps.get_model("briefing", "Source").objects.create(
            name="The article", slug="article", kind="article"
        )
        Claim_ = apps.get_model("briefing", "Claim")
        checked = Claim_.objects.create(
            briefing=briefing,
            order=1,
            text="Shoigu met Kim.",
            source=source,
            paragraph=paragraph,
            quote="met Kim",
            review_status="checked",
            version=3,
        )
        unchecked = Claim_.objects.create(
            briefing=briefing,
            order=2,
            text="A claim readers never saw.",
            source=source,
            paragraph=paragraph,
            quote="arrived on 21 March",
        )
        event = apps.get_model("briefing", "Event").objects.create(
            briefing=briefing,
            title="The visit",
            slug="visit",
            date_edtf="2025-03-21",
            date_earliest=datetime.date(2025, 3, 21),
            date_latest=datetime.date(2025, 3, 21),
            review_status="checked",
            version=2,
        )
        apps.get_model("briefing", "Takeaway").objects.create(
            briefing=briefing, order=1, text="Moscow and Pyongyang draw closer."
        ).claims.add(checked)
        note = apps.get_model("briefing", "ChangeNote").objects.create(
            briefing=briefing, text="Corrected the date of the visit."
        )

        # As `manage.py migrate` does: the last migration, then post_migrate.
        call_command("migrate", verbosity=0)

        briefing = Briefing.objects.get(pk=briefing.pk)
        edition = briefing.editions.get()
        assert briefing.live_edition == edition
        assert (edition.number, edition.slug, edition.title, edition.published_at) == (
            1,
            "shoigu",
            "Shoigu in Pyongyang",
            published_at,
        )
        assert edition.note == f"{note.created_at:%d %B %Y}: Corrected the date of the visit."
        document = edition.document
        assert document["edition"]["number"] == 1
        assert (document["summary"], document["bottom_line"]) == ("Shoigu met Kim.", "Ties deepen.")
        assert [claim["text"] for claim in document["claims"]] == ["Shoigu met Kim."]
        assert [event["slug"] for event in document["events"]] == ["visit"]
        assert [takeaway["claims"] for takeaway in document["takeaways"]] == [[1]]
        assert not Edition.objects.filter(briefing_id=draft.pk).exists()
        # Every check now vouches for the version it was given on.
        assert Claim.objects.get(pk=checked.pk).checked_version == 3
        assert Claim.objects.get(pk=checked.pk).is_checked
        assert Claim.objects.get(pk=unchecked.pk).checked_version is None
        assert Event.objects.get(pk=event.pk).is_checked
        # The groups read editions; readers see the first edition, as they saw the briefing.
        for group in ("Editors", "Publishers"):
            codenames = Group.objects.get(name=group).permissions.values_list("codename", flat=True)
            assert {"view_edition", "add_claimrelation"} <= set(codenames)
        page = client.get(briefing.get_absolute_url())
        assert page.status_code == 200
        assert "Shoigu met Kim." in page.text
        assert "A claim readers never saw." not in page.text
    finally:
        migrate(latest)
    assert (
        MigrationRecorder(connection)
        .migration_qs.filter(app="briefing", name=latest[0][1])
        .exists()
    )
