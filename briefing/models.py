"""The briefing data model: a briefing of one article, its actors, sources, events and claims."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from briefing import dates
from briefing.dates import validate_edtf
from briefing.quotes import quote_mismatch

wikidata_id_validator = RegexValidator(
    r"^Q[1-9][0-9]*$",
    "A Wikidata ID is a Q followed by digits, with no leading zero, e.g. Q7747.",
)


# Characters no text of a briefing needs and XML 1.0 (the feed) cannot carry: the C0 controls but
# tab, line feed and carriage return, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CleanTextModel(models.Model):
    """Refuses control characters in every text field and dates outside the briefing range
    (dates.EARLIEST to dates.LATEST) in every date field, from the admin and loaddata alike."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude:
                continue
            value = getattr(self, field.attname, None)
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                character = CONTROL_CHARACTERS.search(value).group()
                errors.setdefault(field.name, []).append(
                    ValidationError(
                        f"Remove the invisible control character U+{ord(character):04X}: "
                        "it is not text (often left over from copying).",
                        code="control_character",
                    )
                )
            if isinstance(value, datetime.date) and not dates.in_range(value):
                errors.setdefault(field.name, []).append(
                    ValidationError(f"Out of range: {dates.OUT_OF_RANGE}", code="date_out_of_range")
                )
        if errors:
            raise ValidationError(errors)


class AdmiraltyReliability(models.TextChoices):
    """NATO Admiralty scale, source reliability."""

    A = "A", "A – Completely reliable"
    B = "B", "B – Usually reliable"
    C = "C", "C – Fairly reliable"
    D = "D", "D – Not usually reliable"
    E = "E", "E – Unreliable"
    F = "F", "F – Reliability cannot be judged"


class AdmiraltyCredibility(models.IntegerChoices):
    """NATO Admiralty scale, credibility of a piece of information."""

    CONFIRMED = 1, "1 – Confirmed by other sources"
    PROBABLY_TRUE = 2, "2 – Probably true"
    POSSIBLY_TRUE = 3, "3 – Possibly true"
    DOUBTFUL = 4, "4 – Doubtful"
    IMPROBABLE = 5, "5 – Improbable"
    CANNOT_BE_JUDGED = 6, "6 – Truth cannot be judged"


class ReviewStatus(models.TextChoices):
    UNCHECKED = "unchecked", "Unchecked"
    CHECKED = "checked", "Checked"


class Reviewed(CleanTextModel):
    """Review state and an edit counter shared by the content editors check before publishing."""

    review_status = models.CharField(
        max_length=10,
        choices=ReviewStatus,
        default=ReviewStatus.UNCHECKED,
        help_text="A briefing can be published only when all its claims and events are checked.",
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The version the check vouched for: any later change needs a new check.",
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Who made the version there is now; someone else must check it.",
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised on every save; a save based on an older version is refused.",
    )

    class Meta:
        abstract = True

    def mark_checked(self, user):
        """Vouch for the version about to be saved (call after the version was advanced)."""
        self.review_status = ReviewStatus.CHECKED
        self.checked_by = user
        self.checked_at = timezone.now()
        self.checked_version = self.version

    def mark_unchecked(self):
        self.review_status = ReviewStatus.UNCHECKED
        self.checked_by = self.checked_at = self.checked_version = None

    @property
    def is_checked(self):
        return self.review_status == ReviewStatus.CHECKED and self.checked_version == self.version

    def may_be_checked_by(self, user):
        """Four eyes: not by whoever made this version, unless one-person newsrooms are allowed."""
        return settings.ALLOW_SELF_CHECK or self.last_edited_by_id != user.pk


class ReviewedQuerySet(models.QuerySet):
    def checked(self):
        """Checked, and the check vouches for the version there is now."""
        return self.filter(review_status=ReviewStatus.CHECKED, checked_version=F("version"))

    def unchecked(self):
        return self.exclude(pk__in=self.checked().values("pk"))

    def uncheck(self, user):
        """A change to what these rest on (a paragraph, participants): each needs a new check."""
        return self.update(
            review_status=ReviewStatus.UNCHECKED,
            checked_by=None,
            checked_at=None,
            checked_version=None,
            last_edited_by=user,
            version=F("version") + 1,
        )


# Briefing ------------------------------------------------------------------


class BriefingQuerySet(models.QuerySet):
    def published(self):
        """Briefings the public may see: published, with the edition they see."""
        return self.filter(status=Briefing.Status.PUBLISHED, live_edition__isnull=False)

    def visible_to(self, user):
        """Staff preview drafts; everyone else sees only what is published."""
        if user.is_active and user.is_staff:
            return self.all()
        return self.published()


class BriefingManager(models.Manager.from_queryset(BriefingQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Briefing(CleanTextModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: never published"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Part of the page address: /briefings/<slug>/."
    )
    summary = models.TextField(
        blank=True,
        help_text="Two or three sentences: what happened and why it matters. Needed only to "
        "publish: write it once the article is annotated.",
    )
    bottom_line = models.TextField(
        blank=True, help_text="The one judgement a reader should take away, stated first."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the briefing is first published."
    )
    live_edition = models.ForeignKey(
        "Edition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The edition readers see while the briefing is published: the latest.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised on every save; a save based on an older version is refused.",
    )

    article_headline = models.CharField(
        max_length=300, blank=True, help_text="Leave empty when the article came without one."
    )
    article_outlet = models.CharField(
        max_length=200, blank=True, help_text="Leave empty when the outlet is not known."
    )
    article_url = models.URLField(
        max_length=500, blank=True, help_text="Leave empty when the address is not known."
    )
    article_published_on = models.DateField(
        null=True, blank=True, help_text="Leave empty when the article's date is not known."
    )
    article_details_from_editors = models.BooleanField(
        "article details added by the editors",
        default=False,
        help_text="Tick when the headline, outlet, address or date above did not come with the "
        "article but were found by the editors; readers see them marked as the editors'.",
    )

    history = HistoricalRecords()
    objects = BriefingManager()

    class Meta:
        ordering = ["-published_at", "-updated_at"]
        permissions = [("publish_briefing", "Can publish and unpublish a briefing")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "withdrawn"]),
                name="briefing_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="briefing_published_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("briefing:detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def unchecked_items(self):
        """The events and claims that must be checked before the briefing may be published."""
        return [*self.events.unchecked(), *self.claims.unchecked()]

    def record_publication(self, edition):
        """Readers see `edition` from now on (see briefing.publishing.publish)."""
        self.status = self.Status.PUBLISHED
        self.live_edition = edition
        self.published_at = self.published_at or edition.published_at
        # Not a save: the working copy's version and history are the editors', and an editor's
        # open form must not turn stale because someone published.
        Briefing.objects.filter(pk=self.pk).update(
            status=self.status, live_edition=edition, published_at=self.published_at
        )

    def record_withdrawal(self):
        """Readers see none of its editions from now on (see briefing.publishing.withdraw)."""
        self.status = self.Status.WITHDRAWN
        Briefing.objects.filter(pk=self.pk).update(status=self.status)


class StaleVersionError(Exception):
    """Someone saved the object after the version an edit was based on."""


def advance_version(instance, expected):
    """Count a save of `instance` that was based on version `expected`, or refuse it.

    One conditional UPDATE ... WHERE version = expected: of two saves based on the same
    version only the first passes, even when they run at the same time.
    """
    advanced = (
        type(instance)
        ._default_manager.filter(pk=instance.pk, version=expected)
        .update(version=expected + 1)
    )
    if not advanced:
        raise StaleVersionError(f"{instance._meta.verbose_name} “{instance}” was saved meanwhile.")
    instance.version = expected + 1


class ParagraphManager(models.Manager):
    def get_by_natural_key(self, briefing_slug, number):
        return self.get(briefing__slug=briefing_slug, number=number)


class Paragraph(CleanTextModel):
    """One numbered paragraph of the original article, kept verbatim."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="paragraphs")
    number = models.PositiveIntegerField(help_text="1 for the first paragraph of the article.")
    text = models.TextField(help_text="The paragraph exactly as the article has it.")
    is_heading = models.BooleanField(
        default=False, help_text="A subheading of the article rather than a paragraph of prose."
    )

    objects = ParagraphManager()

    class Meta:
        ordering = ["briefing", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "number"], name="paragraph_number_unique_in_briefing"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="paragraph_number_positive"),
        ]

    def __str__(self):
        return f"¶{self.number}: {self.text[:60]}"

    def get_absolute_url(self):
        return f"{self.briefing.get_absolute_url()}#{self.anchor}"

    def natural_key(self):
        return (*self.briefing.natural_key(), self.number)

    natural_key.dependencies = ["briefing.briefing"]

    @property
    def anchor(self):
        return f"p{self.number}"

    def validate_related(self):
        """The claims citing the paragraph still find their quotes in its text."""
        lost = [claim for claim in self.claims.all() if claim.quote not in self.text]
        if lost:
            raise ValidationError(
                {
                    "text": "These claims quote words this text no longer has; change their "
                    "quotes first, or keep the words: "
                    + "; ".join(f"claim {claim.order} (“{claim.quote}”)" for claim in lost)
                    + "."
                }
            )


def split_into_paragraphs(text):
    """Split pasted article text into (text, is_heading) pairs, one per non-empty line.

    A short line without final punctuation is a subheading.
    """
    paragraphs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        is_heading = len(line) <= 120 and not re.search(r"[.!?:;…\"”’')]$", line)
        paragraphs.append((line, is_heading))
    return paragraphs


# Actors and sources --------------------------------------------------------


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


# Pages put a verb after a claim's speaker: "Paek and Ri say", "TASS says".
PLURAL_NAME_HELP = (
    "Tick when the name takes a plural verb, so pages write “Paek and Ri say” or "
    "“South Korean analysts suggest”, not “says”."
)


class Actor(CleanTextModel):
    """A person, state, body, armed force or outlet; shared by all briefings."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        STATE = "state", "State"
        GOVERNMENT_BODY = "government_body", "Government body"
        ARMED_FORCE = "armed_force", "Armed force"
        MEDIA_OUTLET = "media_outlet", "Media outlet"
        GROUP = "group", "Group of people"
        ORGANISATION = "organisation", "Organisation"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    plural_name = models.BooleanField("name is plural", default=False, help_text=PLURAL_NAME_HELP)
    role = models.CharField(
        max_length=200,
        blank=True,
        help_text="Role or title as the article gives it, "
        "e.g. “Secretary of the Security Council”.",
    )
    affiliation = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The actor this one belongs to or acts for, e.g. Russia for Sergei Shoigu.",
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other names the article itself uses, one per line (“Seoul”, “Russian forces”).",
    )
    description = models.TextField(
        blank=True, help_text="Who the actor is, as the article describes it: nothing more."
    )
    editors_aliases = models.TextField(
        "other names added by the editors",
        blank=True,
        help_text="Names from outside the article, one per line, e.g. native-script spellings "
        "(김정은); readers see them marked “added by the editors”.",
    )
    editors_note = models.TextField(
        "background added by the editors",
        blank=True,
        help_text="Knowledge from outside the article; readers see it marked as the editors'.",
    )
    wikidata_id = models.CharField(
        "Wikidata ID",
        max_length=20,
        blank=True,
        validators=[wikidata_id_validator],
        help_text="Only an ID you have checked, e.g. Q7747 for Vladimir Putin; readers see it "
        "marked “added by the editors”.",
    )

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised on every save; a save based on an older version is refused.",
    )

    history = HistoricalRecords()
    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "person",
                        "state",
                        "government_body",
                        "armed_force",
                        "media_outlet",
                        "group",
                        "organisation",
                    ]
                ),
                name="actor_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(affiliation=F("pk")), name="actor_not_affiliated_with_itself"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if self.pk and self.affiliation_id == self.pk:
            raise ValidationError({"affiliation": "An actor cannot be affiliated with itself."})

    @property
    def anchor(self):
        """The id of the actor's entry on a briefing's page."""
        return f"actor-{self.slug}"

    @property
    def alias_list(self):
        """Other names the article uses."""
        return [alias.strip() for alias in self.aliases.splitlines() if alias.strip()]

    @property
    def editors_alias_list(self):
        """Other names the editors added from outside the article."""
        return [alias.strip() for alias in self.editors_aliases.splitlines() if alias.strip()]

    @property
    def wikidata_url(self):
        return f"https://www.wikidata.org/wiki/{self.wikidata_id}" if self.wikidata_id else ""


class Source(CleanTextModel):
    """Where a claim comes from, as the briefing received it."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "The article’s own reporting"
        STATE_MEDIA = "state_media", "State media"
        MEDIA = "media", "Independent media"
        GOVERNMENT = "government", "Government"
        MILITARY = "military", "Military"
        ANALYSTS = "analysts", "Analysts"
        TESTIMONY = "testimony", "Testimony"
        LAW = "law", "Law"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    plural_name = models.BooleanField("name is plural", default=False, help_text=PLURAL_NAME_HELP)
    affiliation = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        help_text="The actor behind the source, e.g. Russia for TASS.",
    )
    actor = models.OneToOneField(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="as_source",
        help_text="The actor this source is, when it is also one (RIA Novosti the outlet, "
        "the Kremlin): readers see the two as one organisation.",
    )
    url = models.URLField(
        "URL",
        max_length=500,
        blank=True,
        help_text="Where the editors found the source; readers see it marked as the editors'.",
    )
    reliability = models.CharField(
        max_length=1,
        choices=AdmiraltyReliability,
        default=AdmiraltyReliability.F,
        help_text="Admiralty scale A–F; F when the source's record cannot be judged.",
    )
    description = models.TextField(
        blank=True, help_text="What the article says of the source: nothing more."
    )
    editors_note = models.TextField(
        "background added by the editors",
        blank=True,
        help_text="Knowledge from outside the article; readers see it marked as the editors'.",
    )

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised on every save; a save based on an older version is refused.",
    )

    history = HistoricalRecords()
    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reliability__in=list("ABCDEF")), name="source_reliability_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


# Events --------------------------------------------------------------------


# Events come in the order they can first have happened; an unknown start sorts first and an
# open or unknown end last, alike on SQLite and PostgreSQL.
EVENT_ORDER = [
    F("date_earliest").asc(nulls_first=True),
    F("date_latest").asc(nulls_last=True),
    "pk",
]


class InBriefingManager(models.Manager.from_queryset(ReviewedQuerySet)):
    def get_by_natural_key(self, briefing_slug, slug):
        return self.get(briefing__slug=briefing_slug, slug=slug)


class Event(Reviewed):
    class Kind(models.TextChoices):
        VISIT = "visit", "Visit"
        MEETING = "meeting", "Meeting"
        TALKS = "talks", "Talks"
        NEGOTIATION = "negotiation", "Negotiation"
        DEPLOYMENT = "deployment", "Deployment"
        COMBAT = "combat", "Combat"
        ARMS_TRANSFER = "arms_transfer", "Arms transfer"
        INVASION = "invasion", "Invasion"
        CAPTURE = "capture", "Capture"
        AGREEMENT = "agreement", "Agreement"
        OFFER = "offer", "Offer"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OCCURRED = "occurred", "Occurred"
        PLANNED = "planned", "Planned or intended"
        EXPECTED = "expected", "Expected"
        SPECULATED = "speculated", "Speculated"

    class DateBasis(models.TextChoices):
        STATED = "stated", "Stated in the text"
        INFERRED = "inferred", "Inferred from the text"
        UNDATED = "undated", "Not dated in the text"

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, help_text="Unique within the briefing.")
    summary = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OTHER)
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.OCCURRED,
        help_text="Occurred only when the text reports it as having happened; “arrived … to "
        "meet” states a purpose: the meeting is planned.",
    )
    date_edtf = models.CharField(
        "date (EDTF)",
        max_length=64,
        validators=[validate_edtf],
        help_text="As precise as the text allows, in EDTF: 2025-03-21, 2025-03 or 2025; "
        "2025-03-21? uncertain, 2025~ approximate; 2024-10/2025-03 a span, 2022/.. still going "
        "on, 2022/ end unknown; [2024-10..2025-03] one moment somewhere in a window, "
        "[2025-03-21..] not before. Years 1800–2199.",
    )
    date_earliest = models.DateField(
        null=True, editable=False, db_index=True, help_text="First day the date allows."
    )
    date_latest = models.DateField(
        null=True, editable=False, db_index=True, help_text="Last day the date allows."
    )
    date_basis = models.CharField(
        max_length=10,
        choices=DateBasis,
        default=DateBasis.STATED,
        help_text="Inferred when the text implies the date (“last year”) rather than giving it; "
        "not dated when the text gives no date and the EDTF value is only the span it allows.",
    )
    date_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="How the date was worked out, e.g. “‘last year’ in an article of March 2025”.",
    )
    location = models.CharField(max_length=200, blank=True)
    participants = models.ManyToManyField(
        Actor, through="Participation", related_name="events", blank=True
    )

    # Computed from date_edtf on save and clean; never entered (see the loaddata command).
    DERIVED_FIELDS = ("date_earliest", "date_latest")

    history = HistoricalRecords()
    objects = InBriefingManager()

    class Meta:
        ordering = EVENT_ORDER
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "slug"], name="event_slug_unique_in_briefing"
            ),
            models.CheckConstraint(
                condition=Q(date_earliest__isnull=True)
                | Q(date_latest__isnull=True)
                | Q(date_latest__gte=F("date_earliest")),
                name="event_date_latest_not_before_earliest",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["occurred", "planned", "expected", "speculated"]),
                name="event_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(date_basis__in=["stated", "inferred", "undated"]),
                name="event_date_basis_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The bounds are the EDTF value's, kept in step with it for ordering and date queries.
        self.date_earliest, self.date_latest = self.date_bounds()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.briefing.get_absolute_url()}#{self.anchor}"

    def natural_key(self):
        return (*self.briefing.natural_key(), self.slug)

    natural_key.dependencies = ["briefing.briefing", "briefing.actor"]

    @property
    def anchor(self):
        return f"event-{self.slug}"

    @property
    def parsed_date(self):
        """The parsed EDTF date; None when the stored value is not valid (never from the admin).

        Parsed once per value: a changed `date_edtf` (a form, a script, refresh_from_db) is
        parsed afresh, so save() never stores the bounds of the previous value.
        """
        cached = self.__dict__.get("_parsed_date")
        if cached is None or cached[0] != self.date_edtf:
            try:
                parsed = dates.parse(self.date_edtf)
            except ValidationError:
                parsed = None
            cached = self.__dict__["_parsed_date"] = (self.date_edtf, parsed)
        return cached[1]

    def date_bounds(self):
        """(first day, last day) the date allows; None for an open or unknown end."""
        if self.parsed_date is None:
            return None, None
        return self.parsed_date.earliest, self.parsed_date.latest

    @property
    def date_words(self):
        """The date in words, as honest as the text: 'between October 2024 and March 2025'."""
        if self.parsed_date is None:
            return "date unknown"
        return self.parsed_date.words(within=self.date_basis == self.DateBasis.UNDATED)

    @property
    def is_ongoing(self):
        return bool(self.parsed_date and self.parsed_date.is_ongoing)

    @property
    def is_uncertain(self):
        """Not dated in the text, or dated with a qualifier, an unknown end or a window."""
        if self.date_basis == self.DateBasis.UNDATED:
            return True
        return bool(self.parsed_date and self.parsed_date.is_uncertain)

    def clean(self):
        if self.date_edtf:
            # The field's validator reports a bad value; here only the bounds follow it.
            self.date_earliest, self.date_latest = self.date_bounds()


class ParticipationManager(models.Manager):
    def get_by_natural_key(self, briefing_slug, event_slug, actor_slug, role):
        return self.get(
            event__briefing__slug=briefing_slug,
            event__slug=event_slug,
            actor__slug=actor_slug,
            role=role,
        )


class Participation(CleanTextModel):
    """An actor taking part in an event, in a given role."""

    class Role(models.TextChoices):
        VISITOR = "visitor", "Visitor"
        HOST = "host", "Host"
        SUPPLIER = "supplier", "Supplier"
        RECIPIENT = "recipient", "Recipient"
        COMBATANT = "combatant", "Combatant"
        NEGOTIATOR = "negotiator", "Negotiator"
        AGGRESSOR = "aggressor", "Aggressor"
        TARGET = "target", "Target"
        CAPTOR = "captor", "Captor"
        CAPTIVE = "captive", "Captive"
        OFFEROR = "offeror", "Offeror"
        PARTICIPANT = "participant", "Participant"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role, default=Role.PARTICIPANT)

    objects = ParticipationManager()

    class Meta:
        ordering = ["event", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "actor", "role"], name="participation_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.actor} ({self.get_role_display()}) in {self.event}"

    def natural_key(self):
        return (*self.event.natural_key(), *self.actor.natural_key(), self.role)

    natural_key.dependencies = ["briefing.event", "briefing.actor"]


# Claims --------------------------------------------------------------------


class OrderedInBriefingManager(models.Manager):
    def get_by_natural_key(self, briefing_slug, order):
        return self.get(briefing__slug=briefing_slug, order=order)


class ClaimManager(OrderedInBriefingManager.from_queryset(ReviewedQuerySet)):
    pass


class Claim(Reviewed):
    class Status(models.TextChoices):
        STATED = "stated", "Stated as fact by the article"
        JUDGEMENT = "judgement", "The article’s own judgement"
        ATTRIBUTED = "attributed", "Attributed to a source"
        ALLEGED = "alleged", "Alleged, not confirmed"
        SPECULATION = "speculation", "Speculation (may, could)"
        DISPUTED = "disputed", "Disputed"
        CONFIRMED = "confirmed", "Confirmed"

    class FigureQualifier(models.TextChoices):
        EXACT = "", "Exactly"
        APPROXIMATELY = "approximately", "Approximately"
        AT_LEAST = "at_least", "At least"
        MORE_THAN = "more_than", "More than"
        UP_TO = "up_to", "Up to"
        FEWER_THAN = "fewer_than", "Fewer than"

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="claims")
    order = models.PositiveIntegerField(help_text="Position of the claim in the briefing.")
    text = models.TextField(help_text="The statement, in the briefing's words.")
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="Where the briefing got the claim, e.g. TASS, or the article itself.",
    )
    claimant = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_made",
        help_text="The actor who asserted it, when not the source itself "
        "(TASS reports that Rudenko said: source TASS, claimant Rudenko).",
    )
    status = models.CharField(
        max_length=12,
        choices=Status,
        default=Status.STATED,
        help_text="Stated: a fact the article reports in its own voice. Judgement: the article's "
        "own unsourced assessment (“played a key role”). Attributed: a source says it. Alleged: "
        "reported but unconfirmed (“reportedly”). Speculation: what may happen (“may”).",
    )
    credibility = models.PositiveSmallIntegerField(
        choices=AdmiraltyCredibility,
        default=AdmiraltyCredibility.CANNOT_BE_JUDGED,
        help_text="Admiralty scale 1–6 for this piece of information, "
        "judged apart from the source's reliability.",
    )
    figure_qualifier = models.CharField(
        max_length=13,
        choices=FigureQualifier,
        default=FigureQualifier.EXACT,
        blank=True,
        help_text="The article's own qualifier: “approximately 10,000-12,000” is approximately.",
    )
    figure_low = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="For “10,000–12,000 soldiers”: 10000. For a single number, low and high alike.",
    )
    figure_high = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text="Never below the low."
    )
    figure_unit = models.CharField(max_length=50, blank=True, help_text="e.g. soldiers")
    paragraph = models.ForeignKey(
        Paragraph,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="The paragraph of the original article the claim comes from.",
    )
    quote = models.TextField(
        help_text="The exact words of that paragraph the claim rests on, copied verbatim."
    )
    note = models.TextField(
        "editors' note",
        blank=True,
        help_text="Shown to readers as the editors' note: say here when the text allows two "
        "readings, or how a word like “this month” was read.",
    )
    actors = models.ManyToManyField(Actor, related_name="claims", blank=True)
    events = models.ManyToManyField(Event, related_name="claims", blank=True)

    history = HistoricalRecords()
    objects = ClaimManager()

    class Meta:
        ordering = ["briefing", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "order"], name="claim_order_unique_in_briefing"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "stated",
                        "judgement",
                        "attributed",
                        "alleged",
                        "speculation",
                        "disputed",
                        "confirmed",
                    ]
                ),
                name="claim_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    figure_qualifier__in=[
                        "",
                        "approximately",
                        "at_least",
                        "more_than",
                        "up_to",
                        "fewer_than",
                    ]
                ),
                name="claim_figure_qualifier_valid",
            ),
            models.CheckConstraint(
                condition=Q(credibility__gte=1, credibility__lte=6), name="claim_credibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(figure_low__isnull=True)
                | Q(figure_high__isnull=True)
                | Q(figure_low__lte=F("figure_high")),
                name="claim_figure_low_not_above_high",
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="claim_quote_not_empty"),
        ]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return f"{self.briefing.get_absolute_url()}#{self.anchor}"

    def natural_key(self):
        return (*self.briefing.natural_key(), self.order)

    natural_key.dependencies = ["briefing.paragraph", "briefing.source", "briefing.event"]

    @property
    def anchor(self):
        return f"claim-{self.order}"

    @property
    def has_figure(self):
        return self.figure_low is not None or self.figure_high is not None

    def clean(self):
        errors = {}
        if None not in (self.figure_low, self.figure_high) and self.figure_low > self.figure_high:
            errors["figure_high"] = "The high figure is below the low figure."
        if self.has_figure and not self.figure_unit:
            errors["figure_unit"] = "Give the unit of the figure, e.g. soldiers."
        if self.figure_qualifier and not self.has_figure:
            errors["figure_qualifier"] = "A qualifier needs a figure to qualify."
        if self.paragraph_id and self.briefing_id:
            paragraph = self.paragraph
            if paragraph.briefing_id != self.briefing_id:
                errors["paragraph"] = "This paragraph belongs to another briefing."
            elif self.quote and self.quote not in paragraph.text:
                errors["quote"] = (
                    f"The quote does not occur verbatim in paragraph {paragraph.number}. "
                    + quote_mismatch(self.quote, paragraph.text)
                )
        if errors:
            raise ValidationError(errors)

    def validate_related(self):
        """The claim's events must belong to its own briefing (checked once they are saved)."""
        foreign = self.events.exclude(briefing_id=self.briefing_id)
        if foreign.exists():
            raise ValidationError(
                {"events": f"Events of another briefing: {', '.join(map(str, foreign))}."}
            )


class ClaimRelationManager(models.Manager):
    def get_by_natural_key(self, briefing_slug, claim_order, other_order):
        return self.get(
            claim__briefing__slug=briefing_slug,
            claim__order=claim_order,
            other_claim__order=other_order,
        )


class ClaimRelation(CleanTextModel):
    """One claim corroborating or contradicting another, and whether the two are independent."""

    class Relation(models.TextChoices):
        CORROBORATES = "corroborates", "Corroborates"
        CONTRADICTS = "contradicts", "Contradicts"

    # The same relation as the other claim's note reads it: "Corroborated by claim 22".
    PASSIVE_LABELS = {
        Relation.CORROBORATES: "Corroborated by",
        Relation.CONTRADICTS: "Contradicted by",
    }

    class Independence(models.TextChoices):
        INDEPENDENT = "independent", "Independent of each other"
        DEPENDENT = "dependent", "Not independent (same origin)"
        UNKNOWN = "unknown", "Independence cannot be judged"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations")
    other_claim = models.ForeignKey(
        Claim,
        on_delete=models.CASCADE,
        related_name="related_from",
        help_text="A claim of the same briefing.",
    )
    relation = models.CharField(max_length=12, choices=Relation)
    independence = models.CharField(
        max_length=11,
        choices=Independence,
        default=Independence.UNKNOWN,
        help_text="Independent only when the text shows the two come from different origins.",
    )
    note = models.TextField(
        help_text="Why they agree or differ and how independent they are, e.g. “both describe "
        "avoiding surrender; the article does not say whether the sources spoke to each other”."
    )

    objects = ClaimRelationManager()

    class Meta:
        ordering = ["claim", "other_claim"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "other_claim"], name="claim_relation_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(claim=F("other_claim")), name="claim_relation_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(relation__in=["corroborates", "contradicts"]),
                name="claim_relation_valid",
            ),
            models.CheckConstraint(
                condition=Q(independence__in=["independent", "dependent", "unknown"]),
                name="claim_relation_independence_valid",
            ),
        ]

    def __str__(self):
        return f"{self.claim} {self.get_relation_display().lower()} {self.other_claim}"

    def natural_key(self):
        return (*self.claim.natural_key(), self.other_claim.order)

    natural_key.dependencies = ["briefing.claim"]

    def clean(self):
        if self.claim_id and self.other_claim_id:
            if self.claim_id == self.other_claim_id:
                raise ValidationError({"other_claim": "A claim cannot corroborate itself."})
            if self.claim.briefing_id != self.other_claim.briefing_id:
                raise ValidationError({"other_claim": "This claim belongs to another briefing."})


class Takeaway(CleanTextModel):
    """A key takeaway of the briefing, resting on claims."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="takeaways")
    order = models.PositiveIntegerField()
    text = models.TextField()
    claims = models.ManyToManyField(
        Claim, related_name="takeaways", blank=True, help_text="The claims this takeaway rests on."
    )

    objects = OrderedInBriefingManager()

    class Meta:
        ordering = ["briefing", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "order"], name="takeaway_order_unique_in_briefing"
            ),
        ]

    def __str__(self):
        return self.text[:80]

    def natural_key(self):
        return (*self.briefing.natural_key(), self.order)

    natural_key.dependencies = ["briefing.claim"]

    def validate_related(self):
        """The takeaway must rest on claims of its own briefing (checked once they are saved)."""
        foreign = self.claims.exclude(briefing_id=self.briefing_id)
        if foreign.exists():
            raise ValidationError(
                {"claims": f"Claims of another briefing: {', '.join(map(str, foreign))}."}
            )


class EditionQuerySet(models.QuerySet):
    def live(self):
        """The edition each published briefing shows its readers: its latest."""
        return self.filter(
            briefing__status=Briefing.Status.PUBLISHED, briefing__live_edition=F("pk")
        )

    def of_published(self):
        """Every edition of the briefings that are published (none of a withdrawn one)."""
        return self.filter(briefing__status=Briefing.Status.PUBLISHED)


class EditionManager(models.Manager.from_queryset(EditionQuerySet)):
    # The reader's page asks for these two on every render. Django builds and compiles a query
    # anew each time, which cost 3 million CPU instructions of the page's 25 million; the
    # statements below never change (docs/performance.md §7). Tests hold them to the ORM's
    # live() and to the model's ordering.

    def get_by_natural_key(self, briefing_slug, number):
        return self.get(briefing__slug=briefing_slug, number=number)

    def live_at(self, slug):
        """The edition readers see at /briefings/<slug>/, or None: the live() edition with
        this slug, the newest if ever more than one."""
        editions = self.raw(
            f'SELECT e.* FROM "{self.model._meta.db_table}" e '  # noqa: S608 - names are ours
            f'JOIN "{Briefing._meta.db_table}" b ON b.id = e.briefing_id '
            "WHERE e.slug = %s AND b.status = %s AND b.live_edition_id = e.id "
            "ORDER BY e.published_at DESC, e.id DESC LIMIT 1",
            [slug, Briefing.Status.PUBLISHED],
        )
        return next(iter(editions), None)

    def history_of(self, briefing_id):
        """The editions of a briefing, newest first, with their number, slug, date and note
        only: never their documents."""
        table = self.model._meta.db_table
        return list(
            self.raw(
                f'SELECT id, number, slug, published_at, note FROM "{table}" '  # noqa: S608 - ours
                "WHERE briefing_id = %s ORDER BY number DESC",
                [briefing_id],
            )
        )


class Edition(CleanTextModel):
    """A briefing as a Publisher published it: numbered, dated, never changed afterwards."""

    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveIntegerField(help_text="1 for the first edition, then 2, 3 …")
    slug = models.SlugField(
        max_length=100, db_index=True, help_text="The briefing's address when it was published."
    )
    title = models.CharField(max_length=200)
    summary = models.TextField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(
        "what changed", blank=True, help_text="For readers; required from the second edition."
    )
    document = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text="The whole briefing as published, in the export format (docs/export.md).",
    )

    objects = EditionManager()

    class Meta:
        ordering = ["briefing", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "number"], name="edition_number_unique_in_briefing"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="edition_number_positive"),
        ]

    def __str__(self):
        return f"{self.title}, edition {self.number}"

    def get_absolute_url(self):
        return reverse("briefing:edition", kwargs={"slug": self.slug, "number": self.number})

    def natural_key(self):
        return (*self.briefing.natural_key(), self.number)

    natural_key.dependencies = ["briefing.briefing"]
