"""Response headers, the early page cache for anonymous readers, and the client address.

The page cache: anonymous GETs of the public pages (settings.PAGE_CACHE_URL_NAMES) are answered
from the configured cache before the session, auth and CSRF middleware run. Every cached page is
keyed by a content *generation* number kept in the same cache. Readers see only editions, which
never change, so only publishing and withdrawing bump it (briefing.publishing): work on the
working copy never empties the cache. Requests carrying a session cookie skip the cache.
"""

import functools
import hashlib
import logging
import os
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.core.files.storage import storages
from django.core.handlers.exception import response_for_exception
from django.http import HttpResponse
from django.middleware import security
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.responders import MissingFileError

logger = logging.getLogger(__name__)

GENERATION_KEY = "briefing:page-cache:generation"
# Longer query strings are answered but not cached: junk parameters must not fill the cache.
MAX_CACHED_QUERY_LENGTH = 200


def client_ip(request):
    """The client's address; behind a trusted proxy, the one the proxy appended last."""
    if settings.TRUST_PROXY_HEADERS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


class AllowedHostMiddleware:
    """Refuse a Host the site does not serve before anything else reads it: 400, one log line.

    SecurityMiddleware's http→https redirect reads the Host header and would raise
    DisallowedHost before adding its headers; answered here as Django answers it (the 400 page,
    logged by django.security), the 400 then gets SecurityMiddleware's headers like any other
    response, and the outer middleware add theirs.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.security_headers = security.SecurityMiddleware(get_response)

    def __call__(self, request):
        try:
            request.get_host()
        except DisallowedHost as error:
            response = response_for_exception(request, error)
            return self.security_headers.process_response(request, response)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Deny the browser features the site never uses (camera, geolocation, payment...)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """whitenoise, except for the manifest: the list of every static file is for the server only."""

    def __init__(self, get_response=None, settings=settings):
        manifest_name = getattr(storages["staticfiles"], "manifest_name", None)
        self.hidden_paths = set()
        if manifest_name and settings.STATIC_ROOT:
            self.hidden_paths.add(
                os.path.join(os.path.abspath(settings.STATIC_ROOT), manifest_name)
            )
        super().__init__(get_response, settings=settings)

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        if path not in self.hidden_paths:
            super().add_file_to_dictionary(url, path, stat_cache=stat_cache)

    def find_file_at_path(self, path, url):  # with autorefresh (DEBUG)
        if os.path.abspath(path) in self.hidden_paths:
            raise MissingFileError(path)
        return super().find_file_at_path(path, url)


# Invalidation ------------------------------------------------------------------


def content_generation():
    """The current content generation, part of every cached page's key; None if not kept."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh start value, never one an evicted counter may have had before.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def content_changed(**kwargs):
    """Make every cached page stale: the next request renders afresh."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # the counter was evicted or never set
            cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:
        # The edit itself must still be saved; pages are not served from a cache that is down.
        logger.error("Page cache unavailable: cached pages could not be invalidated", exc_info=True)


# The cache ---------------------------------------------------------------------

CONDITIONAL_HEADERS = frozenset(
    ["HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE"]
)


@functools.lru_cache(maxsize=1024)
def view_name(urlconf, path):
    """The name of the view a path leads to, remembered: resolving costs more than a cache hit."""
    try:
        return resolve(path, urlconf).view_name
    except Resolver404:
        return None


class AnonymousPageCacheMiddleware:
    """Answer anonymous GETs of the public pages from the cache; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.bypass_cookies = (settings.SESSION_COOKIE_NAME, "messages")
        self.url_names = frozenset(settings.PAGE_CACHE_URL_NAMES)
        # In front of a shared cache, each process keeps copies of the pages it served last:
        # a hit then costs one shared read (the small generation counter), not the whole page.
        # A copy's key holds the generation, so it is exactly as fresh as the shared entry.
        self.copies = None
        if not isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache):
            self.copies = LocMemCache(
                "briefing-page-copies",
                {"TIMEOUT": settings.PAGE_CACHE_SECONDS, "OPTIONS": {"MAX_ENTRIES": 64}},
            )

    def __call__(self, request):
        if not self.is_cacheable_request(request):
            return self.get_response(request)
        try:
            key = self.cache_key(request)
            if key is None:  # a cache that keeps nothing (dummy), or the counter just evicted
                return self.get_response(request)
            cached = self.copies.get(key) if self.copies else None
            if cached is None:
                cached = cache.get(key)
                if cached is not None and self.copies:
                    self.copies.set(key, cached)
        except Exception:  # a cache outage must not take the site down with it
            logger.warning("Page cache unavailable; rendering %s", request.path, exc_info=True)
            return self.get_response(request)
        if cached is not None:
            return self.replay(request, *cached)
        response = self.get_response(request)
        if self.is_cacheable_response(response):
            content = (response.status_code, dict(response.items()), response.content)
            try:
                cache.set(key, content, settings.PAGE_CACHE_SECONDS)
                if self.copies:
                    self.copies.set(key, content)
            except Exception:
                logger.warning("Page cache unavailable; not storing %s", request.path)
        return response

    def is_cacheable_request(self, request):
        if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
            return False
        if any(name in request.COOKIES for name in self.bypass_cookies):
            return False  # staff and editors always get a fresh page
        if len(request.META.get("QUERY_STRING", "")) > MAX_CACHED_QUERY_LENGTH:
            return False
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        return view_name(urlconf, request.path_info) in self.url_names

    def cache_key(self, request):
        # Scheme and host are part of the address: links in the feed and JSON-LD are absolute.
        address = request.build_absolute_uri().encode("utf-8", "surrogateescape")
        generation = content_generation()
        if generation is None:
            return None
        digest = hashlib.sha256(address).hexdigest()
        return f"briefing:page-cache:{generation}:{digest}"

    @staticmethod
    def is_cacheable_response(response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
            "Cache-Control", ""
        ):
            return False
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        # The page is the same for every anonymous reader; any other Vary would need its own key.
        return vary <= {"cookie"}

    @staticmethod
    def replay(request, status, headers, content):
        response = HttpResponse(content, status=status, headers=headers)
        if not CONDITIONAL_HEADERS.intersection(request.META):
            return response
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        # The cached copy answers conditional GETs too (304), exactly as the view would.
        return get_conditional_response(
            request, etag=response.get("ETag"), last_modified=last_modified, response=response
        )
