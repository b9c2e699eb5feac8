"""Public pages: the index, a briefing's latest edition, any earlier edition, their JSON, and the
staff preview of the working copy.

Readers only ever get an edition's stored document (briefing.models.Edition); the preview builds
a document from the working copy the same way. Both render through briefing.reading.
"""

import datetime
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models.fields.json import KT, KeyTransform
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from briefing import documents, reading
from briefing.addresses import address
from briefing.models import Briefing, Edition

ACTOR_PARAM_MAX = 100


def code_token_sources():
    """The files a stored page or its ETag can depend on: the public templates, the stylesheets
    (a page links them by names made from their content) and every module of the app.

    Every module, not only those that seem to shape a page: that costs one render of each page
    after a deploy, and no stored page outlives a change to a module that was overlooked.
    """
    app = Path(__file__).parent
    return sorted(
        [
            *(settings.BASE_DIR / "templates" / "public").glob("**/*.html"),
            *app.glob("*.py"),
            *(settings.BASE_DIR / "static" / "briefing").glob("*.css"),
        ]
    )


def _code_token():
    """Changes when any of those files changes, so a deploy renews ETags and stored pages."""
    digest = hashlib.sha256()
    for path in code_token_sources():
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_TOKEN = _code_token()


def list_queryset():
    """What feeds the index page and the feed: the live edition of each published briefing.

    Of each document only the article's date and the events are read, for the index's dates;
    ordered by publication (the index puts the newest story first).
    """
    return (
        Edition.objects.live()
        .defer("document")
        .annotate(
            article_published_on=KT("document__article__published_on"),
            events=KeyTransform("events", "document"),
        )
        .order_by("-published_at", "-pk")
    )


def revalidate(response):
    """Browsers ask again every time: a briefing may be withdrawn or republished at any moment."""
    patch_cache_control(response, no_cache=True)
    return response


# Finding the edition ----------------------------------------------------------------------


def _live_edition(request, slug):
    """The edition readers see at /briefings/<slug>/: one query, remembered for the request."""
    if not hasattr(request, "_live_edition"):
        request._live_edition = Edition.objects.live_at(slug)
    return request._live_edition


def _numbered_edition(request, slug, number):
    """Edition `number` of the briefing that has (or once had) this slug, if it is published."""
    if not hasattr(request, "_numbered_edition"):
        same_briefing = Edition.objects.filter(slug=slug).values("briefing_id")
        request._numbered_edition = (
            Edition.objects.of_published()
            .filter(briefing_id__in=same_briefing, number=number)
            .select_related("briefing__live_edition")
            .defer("briefing__live_edition__document")
            .first()
        )
    return request._numbered_edition


def _briefing_that_had(slug):
    """The briefing any edition of which was published at this slug, or None: one query."""
    earlier = (
        Edition.objects.filter(slug=slug)
        .select_related("briefing__live_edition")
        .defer("document", "briefing__live_edition__document")
        .order_by("-number")
        .first()
    )
    return earlier.briefing if earlier else None


def _missing(request, slug, number=None, url_name="briefing:detail", **url_kwargs):
    """No edition to show here: 410 for a withdrawn briefing, a redirect for a renamed one.

    The redirect goes to `url_name` at the new slug: the page to the page, the JSON to the JSON,
    a claim to the same claim.
    """
    briefing = _briefing_that_had(slug)
    if briefing is None:
        raise Http404("No briefing at this address.")
    if briefing.status != Briefing.Status.PUBLISHED:
        return _gone(request)
    if number is not None:
        raise Http404("This briefing has no edition of that number.")
    return HttpResponsePermanentRedirect(
        reverse(url_name, kwargs={"slug": briefing.live_edition.slug, **url_kwargs})
    )


def _gone(request):
    response = render(request, "briefing/withdrawn.html", status=410)
    return revalidate(response)


def _etag(edition, live_edition_id):
    key = f"{CODE_TOKEN}|{edition.pk}|{live_edition_id}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _live_etag(request, slug):
    edition = _live_edition(request, slug)
    # The live edition is its briefing's live edition: no query for the briefing.
    return _etag(edition, edition.pk) if edition else None


def _live_last_modified(request, slug):
    edition = _live_edition(request, slug)
    return edition.published_at if edition else None


def _numbered_etag(request, slug, number):
    edition = _numbered_edition(request, slug, number)
    return _etag(edition, edition.briefing.live_edition_id) if edition else None


def _numbered_last_modified(request, slug, number):
    edition = _numbered_edition(request, slug, number)
    return edition.published_at if edition else None


# Pages --------------------------------------------------------------------------------------


def _render_page(request, page, context):
    """The briefing page for a document: filtered by ?actor= when asked."""
    context |= {
        "page": page,
        "events": page.events,
        "claims": page.claims,
        "actor_groups": page.actor_groups(),
    }
    context["json_ld"] = reading.json_ld(page, context["canonical_url"])
    if wanted := request.GET.get("actor", ""):
        actor = page.actor_by_slug.get(wanted)
        if actor is None:
            context["unknown_actor"] = wanted[:ACTOR_PARAM_MAX]
            return render(request, "briefing/unknown_actor.html", context, status=404)
        context["actor"] = actor
        context["events"], context["claims"] = page.involving(actor)
        context["member_count"] = len(actor.member_slugs)
        page.show_only(context["claims"], request.path)
    context["annotated_paragraphs"] = page.annotated_paragraphs(context["claims"])
    context["unplaced_claims"] = page.unplaced(context["claims"])
    return render(request, "briefing/briefing_detail.html", context)


def _edition_context(request, edition, live, export_url):
    """What the page says of its edition and the others; `export_url`: the JSON it offers."""
    is_latest = live is not None and edition.pk == live.pk
    live_url = address("briefing:detail", slug=live.slug) if live else ""
    return {
        "edition": edition,
        "editions": Edition.objects.history_of(edition.briefing_id),
        "is_latest": is_latest,
        "latest_url": live.get_absolute_url() if live and not is_latest else "",
        "latest_number": live.number if live else None,
        "live_url": live_url,
        "canonical_url": request.build_absolute_uri(
            live_url if is_latest else edition.get_absolute_url()
        ),
        "export_url": export_url,
    }


@require_safe
def briefing_list(request):
    editions = list(list_queryset())
    for edition in editions:
        edition.event_years = reading.event_years(edition.events)
        edition.article_day = reading.stored_day(edition.article_published_on)
    # Newest story first: by the article's date where known, then by publication.
    editions.sort(key=lambda edition: edition.article_day or datetime.date.min, reverse=True)
    return revalidate(render(request, "briefing/briefing_list.html", {"editions": editions}))


@require_safe
@condition(etag_func=_live_etag, last_modified_func=_live_last_modified)
def briefing_detail(request, slug):
    edition = _live_edition(request, slug)
    if edition is None:
        return _missing(request, slug)
    export_url = address("briefing:export", slug=edition.slug)
    context = _edition_context(request, edition, live=edition, export_url=export_url)
    context["claim_pages"] = True
    return revalidate(_render_page(request, reading.BriefingPage(edition.document), context))


@require_safe
@condition(etag_func=_numbered_etag, last_modified_func=_numbered_last_modified)
def edition_detail(request, slug, number):
    edition = _numbered_edition(request, slug, number)
    if edition is None:
        return _missing(request, slug, number)
    export_url = address("briefing:edition_export", slug=edition.slug, number=edition.number)
    context = _edition_context(request, edition, edition.briefing.live_edition, export_url)
    return revalidate(_render_page(request, reading.BriefingPage(edition.document), context))


def _claim_etag(request, slug, order):
    return _live_etag(request, slug)


def _claim_last_modified(request, slug, order):
    return _live_last_modified(request, slug)


@require_safe
@condition(etag_func=_claim_etag, last_modified_func=_claim_last_modified)
def claim_detail(request, slug, order):
    """One claim of the latest edition on its own page, to link to and share."""
    edition = _live_edition(request, slug)
    if edition is None:
        return _missing(request, slug, url_name="briefing:claim", order=order)
    page = reading.BriefingPage(edition.document)
    claim = page.claim_by_order.get(order)
    if claim is None:
        raise Http404("This briefing has no claim of that number.")
    position = page.claims.index(claim)
    context = {
        "page": page,
        "claim": claim,
        "edition": edition,
        "briefing_url": address("briefing:detail", slug=edition.slug),
        "canonical_url": request.build_absolute_uri(claim.url),
        "previous_claim": page.claims[position - 1] if position > 0 else None,
        "next_claim": page.claims[position + 1] if position + 1 < len(page.claims) else None,
    }
    return revalidate(render(request, "briefing/claim_detail.html", context))


def _document_response(request, edition):
    document = dict(edition.document)
    document["url"] = request.build_absolute_uri(edition.get_absolute_url())
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = (
        f'inline; filename="{edition.slug}-edition-{edition.number}.json"'
    )
    return revalidate(response)


@require_safe
@condition(etag_func=_live_etag, last_modified_func=_live_last_modified)
def briefing_export(request, slug):
    edition = _live_edition(request, slug)
    if edition is None:
        return _missing(request, slug, url_name="briefing:export")
    return _document_response(request, edition)


@require_safe
@condition(etag_func=_numbered_etag, last_modified_func=_numbered_last_modified)
def edition_export(request, slug, number):
    edition = _numbered_edition(request, slug, number)
    if edition is None:
        return _missing(request, slug, number)
    return _document_response(request, edition)


@require_safe
@staff_member_required
def briefing_preview(request, slug):
    """The working copy as its next edition would show it; staff only, never cached."""
    briefing = get_object_or_404(Briefing.objects.select_related("live_edition"), slug=slug)
    document = documents.working_document(briefing)
    live = briefing.live_edition if briefing.status == Briefing.Status.PUBLISHED else None
    context = {
        "preview": True,
        "edition": None,
        "editions": [],
        "is_latest": True,
        "live_url": reverse("briefing:detail", kwargs={"slug": live.slug}) if live else "",
        "canonical_url": request.build_absolute_uri(request.path),
        "export_url": "",
    }
    response = _render_page(request, reading.BriefingPage(document), context)
    patch_cache_control(response, private=True, no_store=True)
    return response
