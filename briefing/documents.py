"""A briefing's working copy as one document: what an edition freezes and a preview shows.

The working copy is loaded in a fixed number of queries (one per table) and written out in the
export format (docs/export.md). Publishing stores that document as an edition; the staff preview
renders a freshly built one; both go through briefing.reading, so they cannot drift apart.
"""

import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q

from briefing.models import (
    EVENT_ORDER,
    Actor,
    AdmiraltyCredibility,
    AdmiraltyReliability,
    Briefing,
    Claim,
    ClaimRelation,
    Event,
    Paragraph,
    Participation,
    Source,
    Takeaway,
)

EXPORT_FORMAT_VERSION = 2


# Escapes that keep JSON inside <script> from closing the element or opening a comment.
def with_content(queryset):
    """Prefetch everything a document holds: one query per table, whatever the size.

    Unchecked events and claims are included, marked: a preview shows them, and publishing is
    refused while there is any.
    """
    return queryset.prefetch_related(
        Prefetch("paragraphs", queryset=Paragraph.objects.order_by("number")),
        Prefetch(
            "takeaways",
            queryset=Takeaway.objects.order_by("order").prefetch_related(
                Prefetch(
                    "claims",
                    queryset=Claim.objects.only("pk", "order", "briefing_id").order_by("order"),
                )
            ),
        ),
        Prefetch(
            "events",
            queryset=Event.objects.order_by(*EVENT_ORDER).prefetch_related(
                Prefetch(
                    "participations",
                    queryset=Participation.objects.select_related("actor").order_by("pk"),
                )
            ),
        ),
        Prefetch(
            "claims",
            queryset=Claim.objects.order_by("order")
            .select_related("source__affiliation", "source__actor", "claimant")
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
        | Q(pk__in=Source.objects.filter(claims__in=claim_ids).values("actor_id"))
    ).select_related("affiliation__affiliation")


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


def name_in_sentence(name, kind_label=""):
    """A name as the middle of a sentence writes it.

    'The article (outlet unknown)' → 'the article (outlet unknown)'; a name that opens with the
    common noun of its kind reads as that noun: 'Testimony of the captured soldiers' → 'the
    testimony of the captured soldiers'. Proper names are left alone.
    """
    if name.startswith("The "):
        return "the " + name[4:]
    first = name.split(" ", 1)[0]
    if kind_label and first.casefold() == kind_label.casefold() and " " in name:
        return f"the {first.lower()} {name.split(' ', 1)[1]}"
    return name


# Where a name's head noun ends: "soldiers" in "North Korean soldiers fighting for Russia".
PHRASE_AFTER_NOUN = re.compile(r" (?:fighting|serving|based|from|for|of|in|with|who|that) ")


def actor_name_reads_as_plural(name, kind):
    """Whether an actor's name, by its form, calls for a plural verb: a group or force named in
    the plural ("Ukrainian armed forces", "Paek and Ri", "North Korean soldiers fighting for
    Russia"). Editors now say so themselves (plural_name); this reads the actors of editions
    published before they could, and set the field once for actors saved before it existed.
    """
    head = PHRASE_AFTER_NOUN.split(name, maxsplit=1)[0]
    return kind in {"armed_force", "group"} and (head.endswith("s") or " and " in head)


def attribution(claim):
    """Who says so, in words: 'According to TASS (state media, Russia)'."""
    source = claim.source
    claimant = claim.claimant if claim.claimant_id else None
    if source.kind == Source.Kind.ARTICLE:
        if claimant:
            return f"According to {claimant.name}, as reported by the article"
        return "According to the article"
    name = name_in_sentence(source.name, source.get_kind_display())
    described = name
    if detail := source_description(source):
        described = f"{name} ({detail})"
    speaks_for_itself = claimant is None or claimant.pk == source.affiliation_id
    if speaks_for_itself or claimant.name.casefold() in source.name.casefold():
        return f"According to {described}"
    return f"According to {claimant.name}, as reported by {described}"


# The loaded briefing ----------------------------------------------------------------------


class BriefingContent:
    """A briefing and its content, cross-referenced in memory for the page and the exports."""

    def __init__(self, briefing):
        self.briefing = briefing
        self.paragraphs = list(briefing.paragraphs.all())
        self.takeaways = list(briefing.takeaways.all())
        self.events = list(briefing.events.all())
        self.claims = list(briefing.claims.all())

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


# The document ------------------------------------------------------------------------------


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def build_document(content, edition=None):
    """The briefing as plain data; documented in docs/export.md and docs/export.schema.json.

    `edition`: the number, date and note of the edition the document is made for, if any.
    """
    briefing = content.briefing
    return {
        "format": "briefing-export",
        "format_version": EXPORT_FORMAT_VERSION,
        "slug": briefing.slug,
        "url": briefing.get_absolute_url(),
        "edition": edition,
        "title": briefing.title,
        "summary": briefing.summary,
        "bottom_line": briefing.bottom_line,
        # An edition is published by definition, though the document is built just before the
        # briefing is marked so (a draft's first edition, or one bringing a withdrawn one back).
        "status": Briefing.Status.PUBLISHED if edition else briefing.status,
        "published_at": briefing.published_at or (edition["published_at"] if edition else None),
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
                "plural_name": actor.plural_name,
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
                "plural_name": source.plural_name,
                "affiliation": source.affiliation.slug if source.affiliation_id else None,
                "actor": source.actor.slug if source.actor_id else None,
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
                "review_status": "checked" if event.is_checked else "unchecked",
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
                "review_status": "checked" if claim.is_checked else "unchecked",
            }
            for claim in content.claims
        ],
        "paragraphs": [
            {"number": paragraph.number, "text": paragraph.text, "is_heading": paragraph.is_heading}
            for paragraph in content.paragraphs
        ],
    }


def working_document(briefing, edition=None):
    """The working copy of `briefing` as a document, unchecked items included and marked.

    As plain JSON data (dates as ISO text), exactly as an edition stores it: a preview, a
    comparison with an edition and the edition itself all read the same shapes.
    """
    loaded = with_content(Briefing.objects.filter(pk=briefing.pk)).get()
    document = build_document(BriefingContent(loaded), edition)
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder))


def only_checked(document):
    """The document without its unchecked events and claims, and without links to them."""
    events = [e for e in document["events"] if e["review_status"] == "checked"]
    claims = [c for c in document["claims"] if c["review_status"] == "checked"]
    event_slugs = {e["slug"] for e in events}
    claim_orders = {c["order"] for c in claims}
    for event in events:
        event["claims"] = [n for n in event["claims"] if n in claim_orders]
    for claim in claims:
        claim["events"] = [slug for slug in claim["events"] if slug in event_slugs]
        claim["relations"] = [r for r in claim["relations"] if r["claim"] in claim_orders]
    takeaways = [
        {**t, "claims": [n for n in t["claims"] if n in claim_orders]}
        for t in document["takeaways"]
    ]
    return {**document, "events": events, "claims": claims, "takeaways": takeaways}
