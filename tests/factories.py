"""factory-boy factories for every model of the briefing app."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from briefing import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    is_staff = True


class BriefingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Briefing

    title = factory.Sequence(lambda n: f"Briefing {n}")
    slug = factory.Sequence(lambda n: f"briefing-{n}")
    summary = "What happened and why it matters."
    bottom_line = "The one judgement to take away."
    status = models.Briefing.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=models.Briefing.Status.DRAFT, published_at=None)


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
    start_date = datetime.date(2025, 3, 21)
    # Readers see only checked content; tests ask for unchecked explicitly.
    review_status = models.ReviewStatus.CHECKED


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
    # Readers see only checked content; tests ask for unchecked explicitly.
    review_status = models.ReviewStatus.CHECKED


class TakeawayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Takeaway

    briefing = factory.SubFactory(BriefingFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Takeaway {n}.")


class ChangeNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ChangeNote

    briefing = factory.SubFactory(BriefingFactory)
    text = "Corrected the date of the visit."


def briefing_with_content(scale=1, **briefing_fields):
    """A briefing about as rich as the demo (13 events, 31 claims, ~20 actors) times `scale`."""
    briefing = BriefingFactory(**briefing_fields)
    precisions = [models.DatePrecision.DAY, models.DatePrecision.MONTH, models.DatePrecision.YEAR]
    for unit in range(scale):
        state = ActorFactory(kind=models.Actor.Kind.STATE, name=f"State {unit}")
        actors = [state] + [ActorFactory(affiliation=state) for _ in range(19)]
        sources = [SourceFactory(affiliation=state if n % 2 else None) for n in range(8)]
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
            event = EventFactory(
                briefing=briefing,
                slug=f"event-{unit}-{n}",
                start_date=datetime.date(2022 + n % 4, 1, 1),
                date_precision=precisions[n % 3],
                date_basis=models.Event.DateBasis.INFERRED if n % 4 == 0 else "stated",
                is_ongoing=n % 5 == 0,
            )
            for actor in actors[n % 5 : n % 5 + 3]:
                ParticipationFactory(event=event, actor=actor)
            events.append(event)
        claims = []
        for n in range(31):
            claim = ClaimFactory(
                briefing=briefing,
                order=unit * 31 + n + 1,
                source=sources[n % 8],
                claimant=actors[n % 20] if n % 3 == 0 else None,
                paragraph=paragraphs[n % 11],
                quote="something happened",
                figure_low=10000 if n % 7 == 0 else None,
                figure_high=12000 if n % 7 == 0 else None,
                figure_unit="soldiers" if n % 7 == 0 else "",
            )
            claim.actors.set(actors[n % 20 : n % 20 + 2])
            claim.events.set([events[n % 13]])
            claims.append(claim)
        for n in range(5):
            takeaway = TakeawayFactory(briefing=briefing, order=unit * 5 + n + 1)
            takeaway.claims.set(claims[n * 6 : n * 6 + 6])
        ChangeNoteFactory(briefing=briefing)
    return briefing
