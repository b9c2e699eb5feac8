import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from briefing.models import Actor, Briefing, Claim, Event, split_into_paragraphs
from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ClaimFactory,
    EventFactory,
    ParagraphFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts():
    published = BriefingFactory()
    BriefingFactory(draft=True)
    assert list(Briefing.objects.published()) == [published]


def test_staff_see_drafts_and_others_do_not():
    draft = BriefingFactory(draft=True)
    assert draft in Briefing.objects.visible_to(StaffFactory())
    assert draft not in Briefing.objects.visible_to(UserFactory())


def test_published_briefing_needs_a_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        BriefingFactory(status=Briefing.Status.PUBLISHED, published_at=None)


def test_briefing_url_is_reversed_from_its_slug():
    assert BriefingFactory(slug="a-b").get_absolute_url() == "/briefings/a-b/"


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


def test_claim_events_of_another_briefing_are_rejected():
    claim = ClaimFactory()
    claim.events.add(EventFactory())
    with pytest.raises(ValidationError):
        claim.validate_related()


def test_event_end_before_start_is_rejected_by_clean_and_database():
    event = EventFactory.build(
        briefing=BriefingFactory(),
        start_date=datetime.date(2025, 3, 21),
        end_date=datetime.date(2025, 3, 20),
    )
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "end_date" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def test_ongoing_event_cannot_have_an_end():
    event = EventFactory.build(
        briefing=BriefingFactory(), is_ongoing=True, end_date=datetime.date(2025, 4, 1)
    )
    with pytest.raises(ValidationError):
        event.full_clean()


def test_month_precision_requires_the_first_day_of_the_month():
    event = EventFactory.build(
        briefing=BriefingFactory(),
        start_date=datetime.date(2024, 10, 5),
        date_precision="month",
    )
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "start_date" in error.value.message_dict


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
