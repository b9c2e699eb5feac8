"""The annotation desk: a briefing's article sentence by sentence, claimed where the editor points.

Every sentence shows whether a claim covers it; pointing at one (a button, or words selected
with the desk's script) opens a draft claim under it with the briefing, paragraph, exact quote
and order filled in and the suggestions of briefing.suggestions offered, never saved unasked.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from briefing import suggestions
from briefing.desk_forms import (
    DatelineForm,
    DeskClaimForm,
    NewActorForm,
    NewEventForm,
    NewSourceForm,
)
from briefing.models import Actor, Claim, Source, StaleVersionError, advance_version


@dataclass
class Piece:
    """A stretch of a sentence, marked when a claim quotes it or a suggestion rests on it."""

    text: str
    kind: str = ""
    title: str = ""


@dataclass(frozen=True)
class Mark:
    """Words of a paragraph to mark: quoted by a claim, or a suggestion's cue, date or actor."""

    start: int
    end: int
    kind: str
    title: str


@dataclass
class DeskSentence:
    paragraph: object
    number: int  # 1 for the paragraph's first sentence
    sentence: suggestions.Sentence
    claims: list
    pieces: list

    @property
    def anchor(self):
        return f"p{self.paragraph.number}s{self.number}"

    @property
    def covered(self):
        return bool(self.claims)


@dataclass
class DeskParagraph:
    paragraph: object
    sentences: list


@dataclass
class Draft:
    """The claim being drafted on words of a paragraph, and what the words suggest."""

    paragraph: object
    start: int
    end: int
    sentence: suggestions.Sentence
    cues: list
    dates: list
    mentions: list
    unknown: list
    status: str
    source: object
    claimant: object
    unknown_source: str = ""  # a name a cue gives that no source has
    pieces: list = field(default_factory=list)

    @property
    def quote(self):
        return self.paragraph.text[self.start : self.end]

    @property
    def location(self):
        return {"p": self.paragraph.number, "start": self.start, "end": self.end}


def quoted_spans(paragraph, claims):
    """(start, end, claim) for each claim whose quote is found in the paragraph."""
    spans = []
    for claim in claims:
        start = paragraph.text.find(claim.quote)
        if start >= 0 and claim.quote:
            spans.append((start, start + len(claim.quote), claim))
    return spans


def pieces_of(text, offset, marks):
    """Cut `text` (starting at `offset` in its paragraph) where marks begin and end."""
    cuts = {0, len(text)}
    for mark in marks:
        for at in (mark.start - offset, mark.end - offset):
            cuts.add(min(max(at, 0), len(text)))
    cuts = sorted(cuts)
    pieces = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        covering = [m for m in marks if m.start - offset <= left and m.end - offset >= right]
        kind = covering[0].kind if covering else ""
        title = "; ".join(dict.fromkeys(m.title for m in covering))
        pieces.append(Piece(text[left:right], kind, title))
    return pieces


def desk_paragraphs(paragraphs, claims):
    """The article as the desk shows it: sentences with the claims covering them marked."""
    by_paragraph = {}
    for claim in claims:
        by_paragraph.setdefault(claim.paragraph_id, []).append(claim)
    result = []
    for paragraph in paragraphs:
        spans = quoted_spans(paragraph, by_paragraph.get(paragraph.pk, []))
        marks = [Mark(start, end, "quote", f"claim {claim.order}") for start, end, claim in spans]
        sentences = []
        for number, sentence in enumerate(suggestions.split_sentences(paragraph.text), start=1):
            covering = [
                claim
                for start, end, claim in spans
                if start < sentence.end and end > sentence.start
            ]
            pieces = pieces_of(sentence.text, sentence.start, marks)
            sentences.append(DeskSentence(paragraph, number, sentence, covering, pieces))
        result.append(DeskParagraph(paragraph, sentences))
    return result


def article_date(briefing, paragraphs):
    """The date relative dates are read against: the article's, else its dateline's."""
    if briefing.article_published_on:
        return briefing.article_published_on
    dateline = suggestions.parse_dateline(paragraphs[0].text) if paragraphs else None
    return dateline.date if dateline else None


def make_draft(paragraph, start, end, actor_index, source_index, briefing, base_date):
    """The draft claim on paragraph[start:end], with what the surrounding sentence suggests."""
    sentences = suggestions.split_sentences(paragraph.text)
    sentence = next(
        (s for s in sentences if s.start <= start < s.end),
        suggestions.Sentence(paragraph.text[start:end], start, end),
    )
    text = sentence.text
    cues = suggestions.find_cues(text)
    dates = suggestions.find_dates(text, base_date)
    mentions = suggestions.find_actors(text, actor_index)
    unknown = [
        name
        for name in suggestions.unknown_names(text, mentions)
        if not suggestions.close_matches(name.text, actor_index)
    ]
    who = next((cue.who for cue in cues if cue.who), "")
    source = suggestions.best_match(who, source_index) if who else None
    claimant = suggestions.best_match(who, actor_index) if who else None
    if source is None and claimant is not None:
        # One organisation in two roles: the actor who said it is also the source.
        source = next((s for _, s in source_index.entries if s.actor_id == claimant.pk), None)
    if source is not None and claimant is not None and source.actor_id == claimant.pk:
        claimant = None
    # A speaker no source and no actor has yet: offered as a new source.
    unknown_source = who if who and source is None and claimant is None else ""
    if source is None and briefing.article_outlet:
        source = suggestions.best_match(briefing.article_outlet, source_index)
    marks = suggestions.without_overlaps(
        [
            *(Mark(c.start, c.end, "cue", f"attribution cue: {c.status}") for c in cues),
            *(Mark(d.start, d.end, "date", d.note) for d in dates),
            *(Mark(m.start, m.end, "actor", f"actor: {m.actor}") for m in mentions),
        ]
    )
    draft = Draft(
        paragraph,
        start,
        end,
        sentence,
        cues,
        dates,
        mentions,
        unknown,
        suggestions.suggested_status(cues),
        source,
        claimant,
        unknown_source,
    )
    draft.pieces = pieces_of(text, 0, marks)
    return draft


def read_location(data, paragraphs):
    """(paragraph, start, end) the editor pointed at, from ?p=&s= or ?p=&start=&end=; None."""
    if "p" not in data:
        return None
    try:
        number = int(data["p"])
        paragraph = next(p for p in paragraphs if p.number == number)
        if "s" in data:
            sentence = suggestions.split_sentences(paragraph.text)[int(data["s"]) - 1]
            if int(data["s"]) < 1:
                raise IndexError
            return paragraph, sentence.start, sentence.end
        start, end = int(data["start"]), int(data["end"])
    except (ValueError, KeyError, IndexError, StopIteration):
        raise Http404("No such words in the article.") from None
    words = paragraph.text[start:end]
    if not (0 <= start < end <= len(paragraph.text)) or not words.strip():
        raise Http404("No such words in the article.")
    # Selections often take a space too many: the quote is the words themselves.
    start += len(words) - len(words.lstrip())
    end -= len(words) - len(words.rstrip())
    return paragraph, start, end


def desk_url(briefing, location=None, anchor=""):
    url = reverse("admin:briefing_briefing_desk", args=[briefing.pk])
    if location:
        url += "?" + urlencode(location)
    return url + (f"#{anchor}" if anchor else "")


def desk_view(model_admin, request, object_id):
    """The desk page; its forms post back to it and return to the same place."""
    briefing = model_admin.get_object(request, object_id)
    if briefing is None:
        raise Http404("No such briefing.")
    if not model_admin.has_view_permission(request, briefing):
        raise PermissionDenied
    paragraphs = list(briefing.paragraphs.all())
    data = request.POST if request.method == "POST" else request.GET
    location = read_location(data, paragraphs)
    actors = list(Actor.objects.all())
    actor_index = suggestions.NameIndex.of(actors)
    source_index = suggestions.NameIndex.of(Source.objects.all())
    base_date = article_date(briefing, paragraphs)
    draft = (
        make_draft(*location, actor_index, source_index, briefing, base_date) if location else None
    )
    claims = list(
        briefing.claims.select_related("source", "claimant", "paragraph").prefetch_related("actors")
    )
    used_actor_ids = {actor.pk for claim in claims for actor in claim.actors.all()}
    actor_choices = [a for a in actors if a.pk in used_actor_ids]
    if draft:
        actor_choices += [m.actor for m in draft.mentions if m.actor.pk not in used_actor_ids]

    forms = {}
    if request.method == "POST":
        handled = handle_post(model_admin, request, briefing, draft, actor_choices, forms)
        if handled is not None:
            return handled

    if draft and "claim" not in forms:
        forms["claim"] = DeskClaimForm(
            briefing=briefing,
            actor_choices=actor_choices,
            suggested_source=draft.source,
            suggested_claimant=draft.claimant,
            initial={
                "paragraph": draft.paragraph.pk,
                "quote": draft.quote,
                "text": draft.quote,
                "status": draft.status,
                "source": draft.source.pk if draft.source else None,
                "claimant": draft.claimant.pk if draft.claimant else None,
                "actors": [m.actor.pk for m in draft.mentions],
            },
        )
    dateline = (
        suggestions.parse_dateline(paragraphs[0].text, today=briefing.article_published_on)
        if paragraphs
        else None
    )
    if dateline and "dateline" not in forms:
        forms["dateline"] = DatelineForm(
            initial={
                "article_outlet": dateline.outlet,
                "article_published_on": dateline.date,
                "based_on_version": briefing.version,
            }
        )
    article = desk_paragraphs(paragraphs, claims)
    # A heading states nothing: its words need no claim, so they are not counted.
    sentences = [
        sentence
        for paragraph in article
        if not paragraph.paragraph.is_heading
        for sentence in paragraph.sentences
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Desk: {briefing}",
        "briefing": briefing,
        "article": article,
        "sentence_count": len(sentences),
        "covered_count": sum(sentence.covered for sentence in sentences),
        "draft": draft,
        "forms": forms,
        "event_forms": event_forms(briefing, draft, forms),
        "dateline": dateline,
        "base_date": base_date,
        "claims": claims,
        "can_add_claim": request.user.has_perm("briefing.add_claim"),
        "can_add_actor": request.user.has_perm("briefing.add_actor"),
        "can_add_source": request.user.has_perm("briefing.add_source"),
        "can_add_event": request.user.has_perm("briefing.add_event"),
        "can_change_briefing": request.user.has_perm("briefing.change_briefing"),
        "can_change_claim": request.user.has_perm("briefing.change_claim"),
        "actor_forms": actor_forms(draft, forms),
        "source_form": source_form(draft, forms),
    }
    return TemplateResponse(request, "admin/briefing/desk.html", context)


def actor_forms(draft, forms):
    """A new-actor form per name of the sentence no actor has (or the one that was refused)."""
    if "actor" in forms:
        return [forms["actor"]]
    if draft is None:
        return []
    return [
        NewActorForm(prefix="actor", auto_id=f"id_new{number}_%s", initial={"name": name.text})
        for number, name in enumerate(draft.unknown, start=1)
    ]


def source_form(draft, forms):
    """A new-source form when a cue names a source the desk does not know."""
    if "source" in forms:
        return forms["source"]
    if draft is None or not draft.unknown_source:
        return None
    return NewSourceForm(prefix="source", initial={"name": draft.unknown_source})


def event_forms(briefing, draft, forms):
    """One new-event form per date the draft's sentence gives (or the one that was refused)."""
    if "event" in forms:
        return [forms["event"]]
    if draft is None:
        return []
    return [
        NewEventForm(
            briefing=briefing,
            prefix=f"event{number}",
            initial={
                "date_edtf": date.edtf,
                "date_basis": date.basis,
                "date_note": date.note,
            },
        )
        for number, date in enumerate(draft.dates, start=1)
    ]


def handle_post(model_admin, request, briefing, draft, actor_choices, forms):
    """Save what the editor submitted and return to the same place; None to show errors."""
    user = request.user
    back = desk_url(briefing, draft.location if draft else None, "draft" if draft else "")
    if "_claim" in request.POST:
        if not user.has_perm("briefing.add_claim"):
            raise PermissionDenied
        form = DeskClaimForm(request.POST, briefing=briefing, actor_choices=actor_choices)
        if form.is_valid():
            with transaction.atomic():
                claim = form.save(user)
            model_admin.message_user(
                request, f"Claim {claim.order} saved: “{claim}”.", messages.SUCCESS
            )
            sentence_anchor = f"p{claim.paragraph.number}"
            return HttpResponseRedirect(desk_url(briefing, anchor=sentence_anchor))
        forms["claim"] = form
        return None
    for key, form_class, permission in (
        ("_actor", NewActorForm, "briefing.add_actor"),
        ("_source", NewSourceForm, "briefing.add_source"),
    ):
        if key not in request.POST:
            continue
        if not user.has_perm(permission):
            raise PermissionDenied
        form = form_class(request.POST, prefix=key.strip("_"))
        if form.is_valid():
            with transaction.atomic():
                created = form.save(user)
            model_admin.message_user(
                request,
                f"{created._meta.verbose_name.capitalize()} “{created}” created"
                + (
                    f", and the actor “{created.actor}”."
                    if getattr(created, "actor", None)
                    else "."
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(back)
        forms[key.strip("_")] = form
        return None
    if "_event" in request.POST:
        if not user.has_perm("briefing.add_event"):
            raise PermissionDenied
        prefix = request.POST.get("event_prefix", "event1")
        if not prefix.startswith("event") or not prefix[5:].isdigit():
            raise Http404("No such form.")
        form = NewEventForm(request.POST, briefing=briefing, prefix=prefix)
        if form.is_valid():
            event = form.save(user)
            model_admin.message_user(
                request, f"Event “{event}” created, dated {event.date_words}.", messages.SUCCESS
            )
            return HttpResponseRedirect(back)
        forms["event"] = form
        return None
    if "_move" in request.POST:
        if not user.has_perm("briefing.change_claim"):
            raise PermissionDenied
        moved = move_claim(briefing, request.POST.get("claim"), request.POST.get("_move"))
        if moved:
            model_admin.message_user(request, f"“{moved}” is now claim {moved.order}.")
        return HttpResponseRedirect(desk_url(briefing, anchor="claim-order"))
    if "_dateline" in request.POST:
        if not user.has_perm("briefing.change_briefing"):
            raise PermissionDenied
        form = DatelineForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    advance_version(briefing, form.cleaned_data["based_on_version"])
                    briefing.article_outlet = form.cleaned_data["article_outlet"]
                    briefing.article_published_on = form.cleaned_data["article_published_on"]
                    briefing._history_user = user
                    briefing.save()
            except StaleVersionError:
                form.add_error(None, "Someone saved the briefing meanwhile: reload and try again.")
            else:
                model_admin.message_user(
                    request, "The article's outlet and date are saved.", messages.SUCCESS
                )
                return HttpResponseRedirect(back)
        forms["dateline"] = form
        return None
    raise Http404("Nothing to do.")


@transaction.atomic
def move_claim(briefing, claim_pk, direction):
    """Swap a claim with its neighbour in the briefing's order; None when it cannot move."""
    claims = list(briefing.claims.select_for_update().order_by("order"))
    index = next((i for i, claim in enumerate(claims) if str(claim.pk) == claim_pk), None)
    if index is None:
        raise Http404("No such claim in this briefing.")
    other = index + {"up": -1, "down": 1}.get(direction, 0)
    if other == index or not 0 <= other < len(claims):
        return None
    claim, neighbour = claims[index], claims[other]
    # Through a free number: the order is unique within the briefing at every step.
    free = claims[-1].order + 1
    Claim.objects.filter(pk=claim.pk).update(order=free)
    Claim.objects.filter(pk=neighbour.pk).update(order=claim.order)
    Claim.objects.filter(pk=claim.pk).update(order=neighbour.order)
    claim.order = neighbour.order
    return claim
