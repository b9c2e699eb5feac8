"""A briefing document read back into the objects its page is rendered from.

Readers see an edition's document; staff preview a document built from the working copy the same
way. Both go through `BriefingPage`, so a preview and the edition it becomes cannot drift apart.
Nothing here queries the database: a page costs the queries that fetched its document.
"""

import datetime
import functools
import json
from dataclasses import dataclass, field
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from briefing import dates
from briefing.addresses import address
from briefing.documents import actor_name_reads_as_plural, name_in_sentence
from briefing.models import (
    Actor,
    AdmiraltyCredibility,
    AdmiraltyReliability,
    Claim,
    ClaimRelation,
    Event,
    Participation,
    Source,
)


@functools.lru_cache(maxsize=1024)
def _label(choices, value):
    """The display label of a stored choice; the raw value when the code no longer knows it."""
    try:
        return choices(value).label
    except ValueError:
        return str(value)


def _day(value):
    """A date from the document: ISO text once stored as JSON, a date when freshly built."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


# How each kind of claim is said, as a verb after its speaker (one speaker, then several), and
# as one word.
VOICE_VERBS = {
    "stated": ("states", "state"),
    "judgement": ("judges", "judge"),
    "attributed": ("says", "say"),
    "alleged": ("alleges", "allege"),
    "speculation": ("speculates", "speculate"),
    "disputed": ("says (disputed)", "say (disputed)"),
    "confirmed": ("states (confirmed)", "state (confirmed)"),
}
STATUS_WORDS = {
    "stated": "stated",
    "judgement": "the article’s judgement",
    "attributed": "attributed",
    "alleged": "alleged",
    "speculation": "speculation",
    "disputed": "disputed",
    "confirmed": "confirmed",
}


def _meaning(label):
    """'B – Usually reliable' → 'usually reliable'."""
    return label.split("–", 1)[-1].strip().lower()


def stored_day(value):
    """A date read from a stored document, or None when it is missing or unreadable."""
    try:
        return _day(value) if value not in ("", "null") else None
    except (TypeError, ValueError):
        return None


def event_years(events):
    """'2022–2025': the years a document's events span, as far as their dates are known."""
    days = []
    for event in events or []:
        date = event.get("date") or {}
        days += [stored_day(date.get("earliest")), stored_day(date.get("latest"))]
    years = sorted(day.year for day in days if day)
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


@dataclass
class ActorItem:
    slug: str
    name: str
    kind: str
    role: str
    affiliation_slug: str | None
    aliases: list
    description: str
    editors_aliases: list
    wikidata_id: str | None
    editors_note: str
    affiliation: "ActorItem | None" = None
    member_slugs: set = field(default_factory=set, repr=False)
    plural_name: bool = False  # "Paek and Ri say"
    # The source this actor also is (one organisation in two roles), shown with it once.
    source: "SourceItem | None" = field(default=None, repr=False)

    @property
    def anchor(self):
        return f"actor-{self.slug}"

    @property
    def filter_href(self):
        """'?actor=<slug>#actor-<slug>': the briefing shown for this actor alone, at its entry."""
        return f"?actor={quote(self.slug)}#{self.anchor}"

    @property
    def kind_label(self):
        return _label(Actor.Kind, self.kind)

    @property
    def wikidata_url(self):
        return f"https://www.wikidata.org/wiki/{self.wikidata_id}" if self.wikidata_id else ""

    @property
    def has_editors_additions(self):
        return bool(self.editors_aliases or self.wikidata_id or self.editors_note)


@dataclass
class SourceItem:
    slug: str
    name: str
    kind: str
    affiliation: ActorItem | None
    reliability: str
    description: str
    url: str | None
    editors_note: str
    # The actor this source also is (RIA Novosti the outlet and the actor); older editions
    # carry no such link.
    actor: ActorItem | None = field(default=None, repr=False)
    plural_name: bool = False  # "South Korean analysts suggest"; absent from older editions
    # Back-references: left out of repr(), which would otherwise run round the cycle.
    claims: list = field(default_factory=list, repr=False)

    @property
    def anchor(self):
        return f"source-{self.slug}"

    @property
    def kind_label(self):
        return _label(Source.Kind, self.kind)

    @property
    def reliability_label(self):
        return _label(AdmiraltyReliability, self.reliability)

    @property
    def reliability_meaning(self):
        return _meaning(self.reliability_label)


@dataclass
class ParagraphItem:
    number: int
    text: str
    is_heading: bool
    quoting_claims: list = field(default_factory=list, repr=False)

    @property
    def anchor(self):
        return f"p{self.number}"


@dataclass
class Participant:
    actor: ActorItem
    role: str

    @property
    def role_label(self):
        return _label(Participation.Role, self.role)


@dataclass
class EventItem:
    slug: str
    title: str
    summary: str
    kind: str
    status: str
    date_edtf: str
    date_text: str
    date_basis: str
    date_note: str
    location: str
    is_checked: bool
    date_earliest: datetime.date | None = None
    date_latest: datetime.date | None = None
    participants: list = field(default_factory=list)
    backing_claims: list = field(default_factory=list, repr=False)
    # Its place in the briefing's timeline: the list, the chart and the links keep it when
    # ?actor= shows only some events.
    number: int = 0

    @property
    def anchor(self):
        return f"event-{self.slug}"

    @property
    def kind_label(self):
        return _label(Event.Kind, self.kind)

    @property
    def status_label(self):
        return _label(Event.Status, self.status)

    @property
    def date_basis_label(self):
        return _label(Event.DateBasis, self.date_basis)

    @property
    def date_basis_sentence(self):
        """'Date inferred from the text.', or 'Not dated in the text.'"""
        if self.is_undated:
            return f"{self.date_basis_label}."
        return f"Date {self.date_basis_label.lower()}."

    @cached_property
    def parsed_date(self):
        try:
            return dates.parse(self.date_edtf)
        except Exception:  # noqa: BLE001 - a stored value this code no longer reads: show the words
            return None

    @property
    def is_occurred(self):
        return self.status == Event.Status.OCCURRED

    @property
    def is_undated(self):
        return self.date_basis == Event.DateBasis.UNDATED

    @property
    def involved_slugs(self):
        return {participant.actor.slug for participant in self.participants}

    @property
    def is_ongoing(self):
        date = self.parsed_date
        return bool(date and date.is_ongoing)

    @property
    def is_uncertain(self):
        date = self.parsed_date
        return self.is_undated or bool(date and date.is_uncertain)


@dataclass
class Comparison:
    """Another claim that corroborates or contradicts this one, as this claim's note says it."""

    phrase: str  # "Corroborates", or "Corroborated by" on the other claim's side
    independence: str
    note: str
    other: "ClaimItem"


@dataclass
class ClaimItem:
    order: int
    text: str
    source: SourceItem
    claimant: ActorItem | None
    attribution: str
    status: str
    credibility: int
    figure_text: str
    paragraph: ParagraphItem | None
    quote: str
    note: str
    is_checked: bool
    actors: list = field(default_factory=list)
    events: list = field(default_factory=list)
    url: str = ""
    # Links to its note and to its words on the page: see BriefingPage.show_only().
    href: str = ""
    quote_href: str = ""
    comparisons: list = field(default_factory=list, repr=False)  # of Comparison

    @property
    def anchor(self):
        return f"claim-{self.order}"

    @property
    def status_label(self):
        return _label(Claim.Status, self.status)

    @property
    def credibility_label(self):
        return _label(AdmiraltyCredibility, self.credibility)

    @property
    def credibility_meaning(self):
        return _meaning(self.credibility_label)

    @cached_property
    def is_placed(self):
        """Its quote is found in its paragraph: marked there, its note beside it."""
        return bool(self.paragraph and self.quote and self.quote in self.paragraph.text)

    @cached_property
    def quote_anchor(self):
        """The claim's words marked in the annotated article (the note itself when unplaced)."""
        return f"quote-{self.order}" if self.is_placed else self.anchor

    @cached_property
    def speaker(self):
        """Who says it, as a sentence names them: 'TASS', 'Paek and Ri', 'the article'."""
        if self.claimant:
            return self.claimant.name
        if self.source.kind == Source.Kind.ARTICLE:
            return "the article"
        return name_in_sentence(self.source.name, self.source.kind_label)

    @property
    def speakers_are_plural(self):
        """'Paek and Ri', 'South Korean analysts': the verb after them is plural."""
        if self.claimant:
            return self.claimant.plural_name
        return self.source.kind != Source.Kind.ARTICLE and self.source.plural_name

    @cached_property
    def voice(self):
        """Who says it and how, in a few words: 'TASS says', 'Paek and Ri say'."""
        one, several = VOICE_VERBS.get(self.status, ("says", "say"))
        return f"{self.speaker} {several if self.speakers_are_plural else one}"

    @property
    def status_word(self):
        return STATUS_WORDS.get(self.status, self.status_label)

    @property
    def involved_slugs(self):
        slugs = {actor.slug for actor in self.actors}
        if self.claimant:
            slugs.add(self.claimant.slug)
        return slugs


@dataclass
class AnnotatedParagraph:
    paragraph: ParagraphItem
    notes: list


@dataclass
class TakeawayItem:
    order: int
    text: str
    claims: list


@dataclass
class ActorGroup:
    head: ActorItem | None
    name: str
    actors: list = field(default_factory=list)

    @property
    def slug(self):
        return self.head.slug if self.head else "unaffiliated"


class BriefingPage:
    """Everything a briefing's page shows, read from one briefing document."""

    def __init__(self, document):
        self.document = document
        self.slug = document["slug"]
        self.title = document["title"]
        self.summary = document["summary"]
        self.bottom_line = document["bottom_line"]
        self.article = document["article"]
        self.edition = document.get("edition")

        self.actor_by_slug = {}
        for data in document["actors"]:
            added = data.get("added_by_editors") or {}
            self.actor_by_slug[data["slug"]] = ActorItem(
                slug=data["slug"],
                name=data["name"],
                kind=data["kind"],
                plural_name=(
                    data["plural_name"]
                    if "plural_name" in data
                    else actor_name_reads_as_plural(data["name"], data["kind"])
                ),
                role=data["role"],
                affiliation_slug=data["affiliation"],
                aliases=data["aliases"],
                description=data["description"],
                editors_aliases=added.get("aliases") or [],
                wikidata_id=added.get("wikidata_id"),
                editors_note=added.get("note") or "",
            )
        for actor in self.actor_by_slug.values():
            actor.affiliation = self.actor_by_slug.get(actor.affiliation_slug)
        for actor in self.actor_by_slug.values():
            seen, parent = {actor.slug}, actor.affiliation
            while parent is not None and parent.slug not in seen:
                parent.member_slugs.add(actor.slug)
                seen.add(parent.slug)
                parent = parent.affiliation
        self.actors = sorted(self.actor_by_slug.values(), key=lambda actor: actor.name.casefold())

        sources = {}
        for data in document["sources"]:
            added = data.get("added_by_editors") or {}
            source = SourceItem(
                slug=data["slug"],
                name=data["name"],
                kind=data["kind"],
                plural_name=data.get("plural_name", False),
                affiliation=self.actor_by_slug.get(data["affiliation"]),
                reliability=data["reliability"],
                description=data["description"],
                url=added.get("url"),
                editors_note=added.get("note") or "",
                actor=self.actor_by_slug.get(data.get("actor")),
            )
            if source.actor is not None:
                source.actor.source = source
            sources[source.slug] = source
        self.sources = sorted(sources.values(), key=lambda source: source.name.casefold())

        self.paragraphs = [
            ParagraphItem(data["number"], data["text"], data["is_heading"])
            for data in document["paragraphs"]
        ]
        paragraph_by_number = {paragraph.number: paragraph for paragraph in self.paragraphs}

        self.events = []
        event_by_slug = {}
        for data in document["events"]:
            date = data["date"]
            event = EventItem(
                slug=data["slug"],
                title=data["title"],
                summary=data["summary"],
                kind=data["kind"],
                status=data["status"],
                date_edtf=date["edtf"],
                date_text=date["text"],
                date_basis=date["basis"],
                date_note=date["note"],
                location=data["location"],
                is_checked=data.get("review_status") == "checked",
                date_earliest=_day(date["earliest"]),
                date_latest=_day(date["latest"]),
                participants=[
                    Participant(self.actor_by_slug[p["actor"]], p["role"])
                    for p in data["participants"]
                    if p["actor"] in self.actor_by_slug
                ],
            )
            self.events.append(event)
            event.number = len(self.events)
            event_by_slug[event.slug] = event

        self.claims = []
        self.claim_by_order = {}
        # One address for all the claims' pages: /briefings/<slug>/claims/<n>/.
        claims_path = address("briefing:claim", slug=self.slug, order=1)[:-2]
        for data in document["claims"]:
            source = sources[data["source"]]
            paragraph = paragraph_by_number.get(data["paragraph"])
            figure = data.get("figure")
            claim = ClaimItem(
                order=data["order"],
                text=data["text"],
                source=source,
                claimant=self.actor_by_slug.get(data["claimant"]),
                attribution=data["attribution"],
                status=data["status"],
                credibility=data["credibility"],
                figure_text=figure["text"] if figure else "",
                paragraph=paragraph,
                quote=data["quote"],
                note=data.get("editors_note") or "",
                is_checked=data.get("review_status") == "checked",
                actors=[self.actor_by_slug[s] for s in data["actors"] if s in self.actor_by_slug],
                events=[event_by_slug[slug] for slug in data["events"] if slug in event_by_slug],
            )
            claim.url = f"{claims_path}{claim.order}/"
            claim.href, claim.quote_href = f"#{claim.anchor}", f"#{claim.quote_anchor}"
            self.claims.append(claim)
            self.claim_by_order[claim.order] = claim
            source.claims.append(claim)
            if paragraph is not None:
                paragraph.quoting_claims.append(claim)
            for event in claim.events:
                event.backing_claims.append(claim)
        for data in document["claims"]:
            claim = self.claim_by_order[data["order"]]
            for relation in data.get("relations", []):
                other = self.claim_by_order.get(relation["claim"])
                if other is None:
                    continue
                kind = relation["relation"]
                independence = _label(ClaimRelation.Independence, relation["independence"])
                claim.comparisons.append(
                    Comparison(
                        _label(ClaimRelation.Relation, kind), independence, relation["note"], other
                    )
                )
                passive = ClaimRelation.PASSIVE_LABELS.get(kind, f"{kind} by")
                other.comparisons.append(Comparison(passive, independence, relation["note"], claim))

        self.takeaways = [
            TakeawayItem(
                data["order"],
                data["text"],
                [self.claim_by_order[n] for n in data["claims"] if n in self.claim_by_order],
            )
            for data in document["takeaways"]
        ]

    @property
    def detail_url(self):
        return address("briefing:detail", slug=self.slug)

    @property
    def article_unknowns(self):
        """'Outlet, headline and date': what the briefing does not know about its article."""
        missing = [
            name
            for key, name in (
                ("outlet", "outlet"),
                ("headline", "headline"),
                ("published_on", "date"),
            )
            if not self.article.get(key)
        ]
        if not missing:
            return ""
        text = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        return text[0].upper() + text[1:]

    @property
    def grades_in_use(self):
        """The credibility grades the claims carry, each once: the page explains only those."""
        return sorted({claim.credibility for claim in self.claims})

    @property
    def article_details_from_editors(self):
        return bool(self.article.get("details_added_by_editors"))

    def annotated_paragraphs(self, shown_claims):
        """Each paragraph with the notes of the shown claims that quote it, in claim order."""
        shown = {claim.order for claim in shown_claims}
        return [
            AnnotatedParagraph(
                paragraph,
                [
                    claim
                    for claim in paragraph.quoting_claims
                    if claim.order in shown and claim.is_placed
                ],
            )
            for paragraph in self.paragraphs
        ]

    def unplaced(self, shown_claims):
        """Shown claims whose quote is not found in their paragraph (or that have none)."""
        return [claim for claim in shown_claims if not claim.is_placed]

    def root_of(self, actor):
        seen = {actor.slug}
        while actor.affiliation is not None and actor.affiliation.slug not in seen:
            actor = actor.affiliation
            seen.add(actor.slug)
        return actor

    def actor_groups(self):
        """Actors grouped by the state or body they ultimately belong to, biggest groups first."""
        groups = {}
        loose = ActorGroup(None, "Unaffiliated")
        for actor in self.actors:
            root = self.root_of(actor)
            if root is actor and not actor.member_slugs and actor.kind != Actor.Kind.STATE:
                loose.actors.append(actor)
                continue
            group = groups.setdefault(root.slug, ActorGroup(root, root.name))
            group.actors.append(actor)
        for group in groups.values():
            # The state or body heading the group comes first, then its people and bodies.
            group.actors.sort(key=lambda actor: (actor is not group.head, actor.name.casefold()))
        ordered = sorted(groups.values(), key=lambda group: (-len(group.actors), group.name))
        return ordered + ([loose] if loose.actors else [])

    def show_only(self, claims, path):
        """Only `claims` are on the page (?actor=): links to the others lead to the whole page."""
        shown = {claim.order for claim in claims}
        for claim in self.claims:
            if claim.order not in shown:
                claim.href = f"{path}#{claim.anchor}"
                claim.quote_href = f"{path}#{claim.quote_anchor}"

    def involving(self, actor):
        """Events and claims that involve the actor or anyone affiliated with it."""
        wanted = {actor.slug} | actor.member_slugs
        events = [event for event in self.events if event.involved_slugs & wanted]
        claims = [claim for claim in self.claims if claim.involved_slugs & wanted]
        return events, claims


# JSON-LD ----------------------------------------------------------------------------------


def json_ld(page, page_url):
    """What search engines read of a briefing, in schema.org terms: what it is, its title and
    summary, its edition and the article it is based on.

    Its claims, events and actors are left to the JSON export (docs/export.md): search engines
    use none of them, and they were most of the page's weight.
    """
    article = page.article
    original = {"@type": "NewsArticle"}
    for key, name in (("headline", "headline"), ("url", "url"), ("published_on", "datePublished")):
        if article.get(key):
            original[name] = article[key]
    if article.get("outlet"):
        original["publisher"] = {"@type": "Organization", "name": article["outlet"]}
    data = {
        "@context": "https://schema.org",
        "@type": "AnalysisNewsArticle",
        "@id": page_url,
        "url": page_url,
        "headline": page.title,
        "description": page.summary,
        "isBasedOn": original,
    }
    if page.edition:
        data["datePublished"] = page.edition["published_at"]
        data["version"] = page.edition["number"]
    return script_json(data)


def script_json(data):
    """JSON safe to place inside a <script> element: <, > and & are escaped as \\u escapes."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # Three str.replace calls: some twenty times faster than str.translate on this text.
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - <, > and & escaped above
