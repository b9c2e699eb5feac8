"""A briefing with all its content, loaded in a fixed number of queries, and its data exports.

The public page, the JSON export and the JSON-LD all read a `BriefingContent`: the queries are
fixed here (one per table), so no template or serializer can fall into a query per row.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils.safestring import mark_safe

from briefing.models import (
    EVENT_ORDER,
    Actor,
    AdmiraltyCredibility,
    AdmiraltyReliability,
    ChangeNote,
    Claim,
    ClaimRelation,
    Event,
    Paragraph,
    Participation,
    ReviewStatus,
    Source,
    Takeaway,
)

EXPORT_FORMAT_VERSION = 2

# Escapes that keep JSON inside <script> from closing the element or opening a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def with_content(queryset, checked_only=True):
    """Prefetch everything the page and the export show: one query per table, whatever the size.

    Readers see only checked events and claims: one edited or added after publication stays
    out of sight until someone checks it. Staff previews pass checked_only=False.
    """
    reviewed = Q(review_status=ReviewStatus.CHECKED) if checked_only else Q()
    return queryset.prefetch_related(
        Prefetch("paragraphs", queryset=Paragraph.objects.order_by("number")),
        Prefetch(
            "takeaways",
            queryset=Takeaway.objects.order_by("order").prefetch_related(
                Prefetch(
                    "claims",
                    queryset=Claim.objects.filter(reviewed)
                    .only("pk", "order", "briefing_id")
                    .order_by("order"),
                )
            ),
        ),
        Prefetch(
            "events",
            queryset=Event.objects.filter(reviewed)
            .order_by(*EVENT_ORDER)
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=Participation.objects.select_related("actor").order_by("pk"),
                )
            ),
        ),
        Prefetch(
            "claims",
            queryset=Claim.objects.filter(reviewed)
            .order_by("order")
            .select_related("source__affiliation", "claimant")
            .prefetch_related(
                Prefetch("actors", queryset=Actor.objects.order_by("name")),
                Prefetch("events", queryset=Event.objects.only("pk", "briefing_id")),
                Prefetch(
                    "relations",
                    queryset=ClaimRelation.objects.select_related("other_claim").order_by(
                        "other_claim__order"
                    ),
                ),
            ),
        ),
        Prefetch("change_notes", queryset=ChangeNote.objects.order_by("-created_at")),
    )


def involved_actors(events, claims):
    """Every actor the shown events and claims involve, with its affiliation chain: one query."""
    event_ids = [event.pk for event in events]
    claim_ids = [claim.pk for claim in claims]
    return Actor.objects.filter(
        Q(pk__in=Participation.objects.filter(event__in=event_ids).values("actor_id"))
        | Q(pk__in=Claim.actors.through.objects.filter(claim__in=claim_ids).values("actor_id"))
        | Q(pk__in=Claim.objects.filter(pk__in=claim_ids).values("claimant_id"))
        | Q(pk__in=Source.objects.filter(claims__in=claim_ids).values("affiliation_id"))
    ).select_related("affiliation__affiliation")


def freshness(queryset, slug):
    """The timestamps and version that change when anything on the briefing's page changes.

    One query. Content edits are seen through the briefing's own `updated_at` (the admin saves
    the briefing with its paragraph and takeaway inlines) and the history tables of events,
    claims, actors and sources (every save and delete leaves a row there). Changes that bypass
    model saves (QuerySet.update, raw SQL, loaddata's raw saves) are not seen until the next save;
    the ETag also carries the briefing's version and a token of the page's code.
    """

    def latest(model, **filters):
        history = model.history.model.objects.filter(**filters).order_by("-history_date")
        return Subquery(history.values("history_date")[:1])

    notes = ChangeNote.objects.filter(briefing_id=OuterRef("pk")).order_by("-created_at")
    row = (
        queryset.filter(slug=slug)
        .annotate(
            events_changed=latest(Event, briefing_id=OuterRef("pk")),
            claims_changed=latest(Claim, briefing_id=OuterRef("pk")),
            actors_changed=latest(Actor),
            sources_changed=latest(Source),
            notes_changed=Subquery(notes.values("created_at")[:1]),
        )
        .values(
            "pk",
            "version",
            "updated_at",
            "events_changed",
            "claims_changed",
            "actors_changed",
            "sources_changed",
            "notes_changed",
        )
        .first()
    )
    if row is None:
        return None
    stamps = [value for key, value in row.items() if key.endswith("changed") and value]
    row["last_modified"] = max([row["updated_at"], *stamps])
    return row


# Formatting shared by the page, the JSON-LD and the export ------------------------------


def figure_number(value):
    """12000.00 → 12,000; 2.50 → 2.5."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,}"


def figure_text(claim):
    """'approximately 10,000–12,000 soldiers': the figure with the article's own qualifier."""
    if not claim.has_figure:
        return ""
    low, high = claim.figure_low, claim.figure_high
    if low is not None and high is not None and low != high:
        number = f"{figure_number(low)}–{figure_number(high)}"
    else:
        number = figure_number(low if low is not None else high)
    if claim.figure_qualifier:
        number = f"{claim.get_figure_qualifier_display().lower()} {number}"
    return f"{number} {claim.figure_unit}".strip()


def reliability_meaning(grade):
    """'B' → 'usually reliable'."""
    return AdmiraltyReliability(grade).label.split("–", 1)[1].strip().lower()


def credibility_meaning(value):
    return AdmiraltyCredibility(value).label.split("–", 1)[1].strip().lower()


def source_description(source):
    """TASS → 'state media, Russia'; what the name already says is not repeated."""
    if source.kind == Source.Kind.ARTICLE:
        return ""
    name = source.name.casefold()
    parts = []
    kind = source.get_kind_display()
    if kind.casefold() not in name:
        parts.append(kind.lower())
    if source.affiliation_id and source.affiliation.name.casefold() not in name:
        parts.append(source.affiliation.name)
    return ", ".join(parts)


def attribution(claim):
    """Who says so, in words: 'According to TASS (state media, Russia)'."""
    source = claim.source
    claimant = claim.claimant if claim.claimant_id else None
    if source.kind == Source.Kind.ARTICLE:
        if claimant:
            return f"According to {claimant.name}, as reported by the article"
        return "According to the article"
    described = source.name
    if detail := source_description(source):
        described = f"{source.name} ({detail})"
    speaks_for_itself = claimant is None or claimant.pk == source.affiliation_id
    if speaks_for_itself or claimant.name.casefold() in source.name.casefold():
        return f"According to {described}"
    return f"According to {claimant.name}, as reported by {described}"


# The loaded briefing ----------------------------------------------------------------------


class ActorGroup:
    def __init__(self, head, name):
        self.head = head
        self.name = name
        self.actors = []

    @property
    def slug(self):
        return self.head.slug if self.head else "unaffiliated"


class BriefingContent:
    """A briefing and its content, cross-referenced in memory for the page and the exports."""

    def __init__(self, briefing):
        self.briefing = briefing
        self.paragraphs = list(briefing.paragraphs.all())
        self.takeaways = list(briefing.takeaways.all())
        self.events = list(briefing.events.all())
        self.claims = list(briefing.claims.all())
        self.change_notes = list(briefing.change_notes.all())

        paragraph_by_id = {paragraph.pk: paragraph for paragraph in self.paragraphs}
        event_by_id = {event.pk: event for event in self.events}
        for paragraph in self.paragraphs:
            paragraph.quoting_claims = []
        for event in self.events:
            event.backing_claims = []
        sources = {}
        for claim in self.claims:
            claim.paragraph_ref = paragraph_by_id.get(claim.paragraph_id)
            if claim.paragraph_ref is not None:
                claim.paragraph_ref.quoting_claims.append(claim)
            claim.linked_events = [
                event_by_id[event.pk] for event in claim.events.all() if event.pk in event_by_id
            ]
            for event in claim.linked_events:
                event.backing_claims.append(claim)
            claim.involved_ids = {actor.pk for actor in claim.actors.all()}
            if claim.claimant_id:
                claim.involved_ids.add(claim.claimant_id)
            source = sources.setdefault(claim.source_id, claim.source)
            source.__dict__.setdefault("briefing_claims", []).append(claim)
        self.sources = sorted(sources.values(), key=lambda source: source.name.casefold())
        claim_by_id = {claim.pk: claim for claim in self.claims}
        for claim in self.claims:
            claim.linked_claims = []
        for claim in self.claims:
            # Only relations between claims the reader can see; each shown on both claims.
            claim.shown_relations = [
                relation
                for relation in claim.relations.all()
                if relation.other_claim_id in claim_by_id
            ]
            for relation in claim.shown_relations:
                other = claim_by_id[relation.other_claim_id]
                claim.linked_claims.append((relation, other))
                other.linked_claims.append((relation, claim))
        for event in self.events:
            event.involved_ids = {p.actor_id for p in event.participations.all()}

        actors = {}
        for actor in involved_actors(self.events, self.claims):
            actors[actor.pk] = actor
            parent = actor.affiliation
            while parent is not None and parent.pk not in actors:
                actors[parent.pk] = parent
                # Only the levels select_related loaded: never a query per actor.
                parent = parent._state.fields_cache.get("affiliation")
        self.actors = sorted(actors.values(), key=lambda actor: actor.name.casefold())
        self.actor_by_slug = {actor.slug: actor for actor in self.actors}
        self.actor_by_id = actors
        for actor in self.actors:
            actor.member_ids = set()
        for actor in self.actors:
            parent_id = actor.affiliation_id
            while parent_id in actors:
                actors[parent_id].member_ids.add(actor.pk)
                parent_id = actors[parent_id].affiliation_id

    def root_of(self, actor):
        while actor.affiliation_id in self.actor_by_id:
            actor = self.actor_by_id[actor.affiliation_id]
        return actor

    def actor_groups(self):
        """Actors grouped by the state or body they ultimately belong to, biggest groups first."""
        groups = {}
        loose = ActorGroup(None, "Unaffiliated")
        for actor in self.actors:
            root = self.root_of(actor)
            if root.pk == actor.pk and not actor.member_ids and actor.kind != Actor.Kind.STATE:
                loose.actors.append(actor)
                continue
            group = groups.setdefault(root.pk, ActorGroup(root, root.name))
            group.actors.append(actor)
        for group in groups.values():
            # The state or body heading the group comes first, then its people and bodies.
            group.actors.sort(key=lambda actor: (actor.pk != group.head.pk, actor.name.casefold()))
        ordered = sorted(groups.values(), key=lambda group: (-len(group.actors), group.name))
        return ordered + ([loose] if loose.actors else [])

    def involving(self, actor):
        """Events and claims that involve the actor or anyone affiliated with it."""
        wanted = {actor.pk} | actor.member_ids
        events = [event for event in self.events if event.involved_ids & wanted]
        claims = [claim for claim in self.claims if claim.involved_ids & wanted]
        return events, claims


# JSON export ------------------------------------------------------------------------------


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def export_briefing(content, page_url):
    """The briefing as plain data; documented in docs/export.md and docs/export.schema.json."""
    briefing = content.briefing
    return {
        "format": "briefing-export",
        "format_version": EXPORT_FORMAT_VERSION,
        "slug": briefing.slug,
        "url": page_url,
        "title": briefing.title,
        "summary": briefing.summary,
        "bottom_line": briefing.bottom_line,
        "status": briefing.status,
        "published_at": briefing.published_at,
        "updated_at": briefing.updated_at,
        "version": briefing.version,
        "article": {
            "headline": briefing.article_headline or None,
            "outlet": briefing.article_outlet or None,
            "url": briefing.article_url or None,
            "published_on": briefing.article_published_on,
            "details_added_by_editors": briefing.article_details_from_editors,
        },
        "takeaways": [
            {
                "order": takeaway.order,
                "text": takeaway.text,
                "claims": [claim.order for claim in takeaway.claims.all()],
            }
            for takeaway in content.takeaways
        ],
        "actors": [
            {
                "slug": actor.slug,
                "name": actor.name,
                "kind": actor.kind,
                "role": actor.role,
                "affiliation": actor.affiliation.slug if actor.affiliation_id else None,
                "aliases": actor.alias_list,
                "description": actor.description,
                "added_by_editors": {
                    "aliases": actor.editors_alias_list,
                    "wikidata_id": actor.wikidata_id or None,
                    "note": actor.editors_note,
                },
            }
            for actor in content.actors
        ],
        "sources": [
            {
                "slug": source.slug,
                "name": source.name,
                "kind": source.kind,
                "affiliation": source.affiliation.slug if source.affiliation_id else None,
                "reliability": source.reliability,
                "reliability_meaning": reliability_meaning(source.reliability),
                "description": source.description,
                "added_by_editors": {"url": source.url or None, "note": source.editors_note},
            }
            for source in content.sources
        ],
        "events": [
            {
                "slug": event.slug,
                "title": event.title,
                "summary": event.summary,
                "kind": event.kind,
                "status": event.status,
                "date": {
                    "edtf": event.date_edtf,
                    "earliest": event.date_earliest,
                    "latest": event.date_latest,
                    "text": event.date_words,
                    "basis": event.date_basis,
                    "note": event.date_note,
                },
                "location": event.location,
                "participants": [
                    {"actor": participation.actor.slug, "role": participation.role}
                    for participation in event.participations.all()
                ],
                "claims": [claim.order for claim in event.backing_claims],
                "review_status": event.review_status,
            }
            for event in content.events
        ],
        "claims": [
            {
                "order": claim.order,
                "text": claim.text,
                "source": claim.source.slug,
                "claimant": claim.claimant.slug if claim.claimant_id else None,
                "attribution": attribution(claim),
                "status": claim.status,
                "credibility": claim.credibility,
                "figure": (
                    {
                        "qualifier": claim.figure_qualifier or None,
                        "text": figure_text(claim),
                        "low": _number(claim.figure_low),
                        "high": _number(claim.figure_high),
                        "unit": claim.figure_unit,
                    }
                    if claim.has_figure
                    else None
                ),
                "paragraph": claim.paragraph_ref.number,
                "quote": claim.quote,
                "editors_note": claim.note,
                "actors": [actor.slug for actor in claim.actors.all()],
                "events": [event.slug for event in claim.linked_events],
                "relations": [
                    {
                        "claim": relation.other_claim.order,
                        "relation": relation.relation,
                        "independence": relation.independence,
                        "note": relation.note,
                    }
                    for relation in claim.shown_relations
                ],
                "review_status": claim.review_status,
            }
            for claim in content.claims
        ],
        "paragraphs": [
            {"number": paragraph.number, "text": paragraph.text, "is_heading": paragraph.is_heading}
            for paragraph in content.paragraphs
        ],
        "change_notes": [
            {"created_at": note.created_at, "text": note.text} for note in content.change_notes
        ],
    }


# JSON-LD ----------------------------------------------------------------------------------

EDITORS_NOTE = "Other names and identifiers added by the editors, not from the article."

# Only a planned happening has a schema.org status; "expected" and "speculated" have none.
SCHEMA_EVENT_STATUS = {"planned": "https://schema.org/EventScheduled"}

SCHEMA_TYPES = {
    Actor.Kind.PERSON: "Person",
    Actor.Kind.STATE: "Country",
    Actor.Kind.GOVERNMENT_BODY: "GovernmentOrganization",
    Actor.Kind.ARMED_FORCE: "GovernmentOrganization",
    Actor.Kind.MEDIA_OUTLET: "NewsMediaOrganization",
    Actor.Kind.GROUP: "Organization",
    Actor.Kind.ORGANISATION: "Organization",
}


def json_ld(content, page_url):
    """schema.org description of the briefing: the article, its events, actors and claims."""
    briefing = content.briefing

    # Node ids are fragments of the page's own address, written relative to keep the block small
    # (JSON-LD resolves them against the document's URL).
    def ref(fragment):
        return {"@id": f"#{fragment}"}

    original = {"@type": "NewsArticle", "@id": "#original-article"}
    if briefing.article_headline:
        original["headline"] = briefing.article_headline
    if briefing.article_url:
        original["url"] = briefing.article_url
    if briefing.article_outlet:
        original["publisher"] = {"@type": "Organization", "name": briefing.article_outlet}
    if briefing.article_published_on:
        original["datePublished"] = briefing.article_published_on

    actors = []
    for actor in content.actors:
        node = {
            "@type": SCHEMA_TYPES.get(actor.kind, "Thing"),
            "@id": f"#{actor.anchor}",
            "name": actor.name,
        }
        if actor.role:
            node["jobTitle" if actor.kind == Actor.Kind.PERSON else "description"] = actor.role
        if actor.alias_list:
            node["alternateName"] = actor.alias_list
        # Names and identifiers the editors added come with a note saying so.
        if actor.editors_alias_list or actor.wikidata_url:
            if actor.wikidata_url:
                node["sameAs"] = actor.wikidata_url
            node["alternateName"] = [*actor.alias_list, *actor.editors_alias_list]
            node["disambiguatingDescription"] = EDITORS_NOTE
        if actor.affiliation_id:
            key = "affiliation" if actor.kind == Actor.Kind.PERSON else "parentOrganization"
            node[key] = ref(actor.affiliation.anchor)
        actors.append(node)

    events = []
    for event in content.events:
        node = {
            "@type": "Event",
            "@id": f"#{event.anchor}",
            "name": event.title,
        }
        # schema.org dates are exact: given only for a date the text states or implies, never
        # for a span the text leaves undated, which the description gives in words instead.
        date = event.parsed_date
        if date and event.date_basis != Event.DateBasis.UNDATED:
            if date.start:
                node["startDate"] = date.start.machine
            if date.form == "span" and date.end:
                node["endDate"] = date.end.machine
        if event.status in SCHEMA_EVENT_STATUS:
            node["eventStatus"] = SCHEMA_EVENT_STATUS[event.status]
        node["description"] = " ".join(
            part
            for part in (
                event.summary,
                f"Date: {event.date_words}"
                + (" (not dated in the article)." if event.date_basis == "undated" else "."),
                "" if event.status == Event.Status.OCCURRED else f"{event.get_status_display()}.",
            )
            if part
        )
        if event.location:
            node["location"] = {"@type": "Place", "name": event.location}
        participants = [ref(p.actor.anchor) for p in event.participations.all()]
        if participants:
            node["attendee"] = participants
        events.append(node)

    claims = []
    for claim in content.claims:
        author = claim.claimant if claim.claimant_id else claim.source.affiliation
        node = {
            "@type": "Claim",
            "@id": f"#{claim.anchor}",
            "text": claim.text,
            # What kind of statement it is, its figure as qualified, and the editors' reading.
            "description": " ".join(
                part
                for part in (
                    f"{claim.get_status_display()}.",
                    f"Figure: {figure_text(claim)}." if claim.has_figure else "",
                    f"Editors’ note: {claim.note}" if claim.note else "",
                )
                if part
            ),
            "appearance": {
                "@type": "Quotation",
                "text": claim.quote,
                "isPartOf": {"@id": original["@id"]},
            },
        }
        if claim.source.kind == Source.Kind.ARTICLE and not claim.claimant_id:
            # The article's own voice: its outlet, when known.
            name = briefing.article_outlet or claim.source.name
            node["author"] = {"@type": "Organization", "name": name}
        elif author is not None and author.pk in content.actor_by_id:
            node["author"] = ref(author.anchor)
        else:
            node["author"] = {"@type": "Organization", "name": claim.source.name}
        about = [ref(event.anchor) for event in claim.linked_events]
        about += [ref(actor.anchor) for actor in claim.actors.all()]
        if about:
            node["about"] = about
        claims.append(node)

    data = {
        "@context": "https://schema.org",
        "@type": "AnalysisNewsArticle",
        "@id": page_url,
        "url": page_url,
        "headline": briefing.title,
        "description": briefing.summary,
        "dateModified": briefing.updated_at,
        "isBasedOn": original,
        "about": events,
        "mentions": actors,
        "hasPart": claims,
    }
    if briefing.published_at:
        data["datePublished"] = briefing.published_at
    return script_json(data)


def script_json(data):
    """JSON safe to place inside a <script> element: <, > and & are escaped as \\u escapes."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 - <, >, & escaped above
