"""Public pages: the list of briefings, a briefing, its JSON export."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import condition, require_safe

from briefing import export
from briefing.models import Briefing

ACTOR_PARAM_MAX = 100


def _code_token():
    """Changes when the page's templates or this code change, so a deploy renews ETags."""
    digest = hashlib.sha256()
    for path in sorted(
        [
            *(settings.BASE_DIR / "templates").glob("**/*.html"),
            Path(export.__file__),
            Path(__file__),
            Path(__file__).parent / "templatetags" / "briefing_tags.py",
            settings.BASE_DIR / "static" / "briefing" / "site.css",
        ]
    ):
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_TOKEN = _code_token()


def list_queryset():
    """What feeds the index page and the feed: published briefings, newest first."""
    return Briefing.objects.published().order_by("-published_at", "-pk")


def page_queryset(user):
    """What feeds a briefing's page and export: the briefing with all its content prefetched."""
    return export.with_content(Briefing.objects.visible_to(user), checked_only=not user.is_staff)


def _freshness(request, slug):
    # condition() asks for the ETag and Last-Modified separately: one query serves both.
    if not hasattr(request, "_briefing_freshness"):
        request._briefing_freshness = export.freshness(
            Briefing.objects.visible_to(request.user), slug
        )
    return request._briefing_freshness


def _etag(request, slug):
    row = _freshness(request, slug)
    if row is None:
        return None
    key = "|".join(str(value) for value in (CODE_TOKEN, *row.values()))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request, slug):
    row = _freshness(request, slug)
    return row["last_modified"] if row else None


def _load(request, slug):
    briefing = page_queryset(request.user).filter(slug=slug).first()
    if briefing is None:
        raise Http404("No briefing at this address.")
    return export.BriefingContent(briefing)


@require_safe
def briefing_list(request):
    return render(request, "briefing/briefing_list.html", {"briefings": list_queryset()})


@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def briefing_detail(request, slug):
    content = _load(request, slug)
    context = {
        "briefing": content.briefing,
        "content": content,
        "events": content.events,
        "claims": content.claims,
        "actor_groups": content.actor_groups(),
        "page_url": request.build_absolute_uri(content.briefing.get_absolute_url()),
    }
    context["json_ld"] = export.json_ld(content, context["page_url"])
    if wanted := request.GET.get("actor", ""):
        actor = content.actor_by_slug.get(wanted)
        if actor is None:
            context["unknown_actor"] = wanted[:ACTOR_PARAM_MAX]
            return render(request, "briefing/unknown_actor.html", context, status=404)
        context["actor"] = actor
        context["events"], context["claims"] = content.involving(actor)
        context["member_count"] = len(actor.member_ids)
        context["shown_event_ids"] = {event.pk for event in context["events"]}
        context["shown_claim_ids"] = {claim.pk for claim in context["claims"]}
    return render(request, "briefing/briefing_detail.html", context)


@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def briefing_export(request, slug):
    content = _load(request, slug)
    data = export.export_briefing(
        content, request.build_absolute_uri(content.briefing.get_absolute_url())
    )
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'inline; filename="{content.briefing.slug}.json"'
    return response
