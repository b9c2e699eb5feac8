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
