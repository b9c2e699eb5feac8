"""factory-boy factories for every model of the briefing app."""

import factory
from django.contrib.auth import get_user_model

from briefing import models, publishing
from briefing.middleware import content_changed

# Every test user's password.
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    is_staff = True


class BriefingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Briefing

    title = factory.Sequence(lambda n: f"Briefing {n}")
    slug = factory.Sequence(lambda n: f"briefing-{n}")
    summary = "What happened and why it matters."
    bottom_line = "The one judgement to take away."
    # Readers see editions only: make one with publish_edition() once the content is there.
    status = models.Briefing.Status.DRAFT


class ParagraphFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Paragraph

    briefing = factory.SubFactory(BriefingFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Paragraph {n} says that something happened on 21 March.")


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = models.Actor.Kind.PERSON


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    kind = models.Source.Kind.ARTICLE


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event

    briefing = factory.SubFactory(BriefingFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = models.Event.Kind.MEETING
    date_edtf = "2025-03-21"
    # Checked, as publishing needs; tests ask for unchecked explicitly.
    review_status = models.ReviewStatus.CHECKED
    checked_version = factory.LazyAttribute(
        lambda event: 1 if event.review_status == models.ReviewStatus.CHECKED else None
    )


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Participation

    event = factory.SubFactory(EventFactory)
    actor = factory.SubFactory(ActorFactory)
    role = models.Participation.Role.PARTICIPANT


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Claim

    briefing = factory.SubFactory(BriefingFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Claim {n}: something happened.")
    source = factory.SubFactory(SourceFactory)
    paragraph = factory.SubFactory(ParagraphFactory, briefing=factory.SelfAttribute("..briefing"))
    quote = "something happened"
    # Checked, as publishing needs; tests ask for unchecked explicitly.
    review_status = models.ReviewStatus.CHECKED
    checked_version = factory.LazyAttribute(
        lambda claim: 1 if claim.review_status == models.ReviewStatus.CHECKED else None
    )


class ClaimRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ClaimRelation

    claim = factory.SubFactory(ClaimFactory)
    other_claim = factory.SubFactory(
        ClaimFactory, briefing=factory.SelfAttribute("..claim.briefing")
    )
    relation = models.ClaimRelation.Relation.CORROBORATES
    note = "Both describe the same meeting."


class TakeawayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Takeaway

    briefing = factory.SubFactory(BriefingFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Takeaway {n}.")


def publish_edition(briefing, note="", user=None):
    """The working copy's checked content as the briefing's next edition, as publishing makes it.

    For tests of what readers see: it skips publishing's own rules (briefing.publishing.publish,
    tested on its own), so a test can publish a briefing with only the content it needs.
    """
    briefing.refresh_from_db()  # title and slug as stored, like the document
    edition = publishing.make_edition(briefing, published_by=user, note=note, checked_only=True)
    content_changed()
    return edition


def briefing_with_content(scale=1, **briefing_fields):
    """A published briefing about as rich as the demo (13 events, 31 claims, ~20 actors) × `scale`.

    With every kind of date (a day, a month, a year, an undated span, an ongoing one, a
    window), planned events, figure qualifiers, editors' notes and additions, and relations
    between claims, so that query counts cover all of them.
    """
    briefing = BriefingFactory(**briefing_fields)
    dates = ["{}-03-21", "{}-10", "{}", "{}-10/{}-03", "{}/..", "[{}-03-21..]"]
    for unit in range(scale):
        state = ActorFactory(
            kind=models.Actor.Kind.STATE,
            name=f"State {unit}",
            aliases=f"The state {unit}",
            editors_aliases=f"Государство {unit}",
            wikidata_id=f"Q{unit + 1}",
        )
        actors = [state] + [ActorFactory(affiliation=state) for _ in range(19)]
        sources = [
            SourceFactory(
                affiliation=state if n % 2 else None,
                url=f"https://example.org/source-{n}" if n % 3 == 0 else "",
                editors_note="Known from elsewhere." if n % 3 == 0 else "",
            )
            for n in range(8)
        ]
        paragraphs = [
            ParagraphFactory(
                briefing=briefing,
                number=unit * 11 + n + 1,
                text=f"In unit {unit}, paragraph {n} says that something happened on 21 March.",
            )
            for n in range(11)
        ]
        events = []
        for n in range(13):
            year = 2022 + n % 3
            event = EventFactory(
                briefing=briefing,
                slug=f"event-{unit}-{n}",
                date_edtf=dates[n % 6].format(year, year + 1),
                date_basis=(
                    models.Event.DateBasis.UNDATED
                    if n % 6 == 3
                    else models.Event.DateBasis.INFERRED
                    if n % 4 == 0
                    else models.Event.DateBasis.STATED
                ),
                status=models.Event.Status.PLANNED if n % 6 == 5 else "occurred",
            )
            for actor in actors[n % 5 : n % 5 + 3]:
                ParticipationFactory(event=event, actor=actor)
            events.append(event)
        claims = []
        for n in range(31):
            has_figure = n % 7 == 0
            claim = ClaimFactory(
                briefing=briefing,
                order=unit * 31 + n + 1,
                source=sources[n % 8],
                claimant=actors[n % 20] if n % 3 == 0 else None,
                paragraph=paragraphs[n % 11],
                quote="something happened",
                figure_qualifier="approximately" if has_figure and n % 2 else "",
                figure_low=10000 if has_figure else None,
                figure_high=12000 if has_figure else None,
                figure_unit="soldiers" if has_figure else "",
                note="Read “this month” as March." if n % 5 == 0 else "",
            )
            claim.actors.set(actors[n % 20 : n % 20 + 2])
            claim.events.set([events[n % 13]])
            claims.append(claim)
        for n in range(1, 31, 4):
            ClaimRelationFactory(
                claim=claims[n],
                other_claim=claims[n - 1],
                relation="contradicts" if n % 8 == 1 else "corroborates",
            )
        for n in range(5):
            takeaway = TakeawayFactory(briefing=briefing, order=unit * 5 + n + 1)
            takeaway.claims.set(claims[n * 6 : n * 6 + 6])
    publish_edition(briefing)
    return briefing
