"""How many uncached page renders one client may cause: settings.PAGE_RENDER_RATE.

A cached page costs a cache read; a render costs ten times that or more. Anonymous readers almost
never cause one (the first reader after a new edition does, for everyone), so a client that
keeps missing the cache (unknown actors, made-up slugs) is flooding, and gets 429 until its
window ends. Counted with django-ratelimit in the default cache, per address (per /64 for
IPv6, where one client commonly holds the whole /64).
"""

import functools
import ipaddress
import logging

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django_ratelimit.core import get_usage

from briefing.middleware import client_ip

logger = logging.getLogger(__name__)

GROUP = "briefing:page-render"


def client_key(address):
    """The address the count is kept for: an IPv4 address, or the /64 of an IPv6 one."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@functools.cache
def too_many_requests_page():
    """The 429 page, rendered once per process: refusing must cost less than rendering."""
    return loader.render_to_string("429.html")


def refusal(request, address):
    """None while the client may cause another render (and counts it), else the 429 answer."""
    try:
        usage = get_usage(
            request,
            group=GROUP,
            key=lambda group, request: client_key(address),
            rate=settings.PAGE_RENDER_RATE,
            increment=True,
        )
    except Exception:
        # The count lives in the cache; with the cache down the page is rendered, as every page
        # then is (see AnonymousPageCacheMiddleware).
        return None
    if usage is None or not usage["should_limit"]:
        return None
    if usage["count"] == usage["limit"] + 1:  # once per client and window, not per request
        logger.warning(
            "Too many uncached pages for %s: answering 429 (PAGE_RENDER_RATE=%s)",
            client_key(address),
            settings.PAGE_RENDER_RATE,
        )
    response = HttpResponse(too_many_requests_page(), status=429)
    response["Retry-After"] = str(max(1, usage["time_left"]))
    response["Cache-Control"] = "no-store"
    return response


class RenderLimitMiddleware:
    """Answer 429 instead of rendering a cached page for a client over PAGE_RENDER_RATE.

    Only requests the page cache could not answer are counted (it marks them); it sits inside
    the middleware that add the security headers, so a refusal carries them like any answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "renders_cached_page", False) and (
            answer := refusal(request, client_ip(request))
        ):
            return answer
        return self.get_response(request)
