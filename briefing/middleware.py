"""Response headers, the early page cache for anonymous readers, and the client address.

The page cache: anonymous GETs of the public pages (settings.PAGE_CACHE_URL_NAMES) are answered
from the configured cache before any other middleware but compression runs. Each page is stored
as it left the site, with the headers the middleware inside added (security headers, CSP), so a
hit replays it without building them again. Every cached page is keyed by a content
*generation* number kept in the same cache. Readers see only editions, which never change, so
only publishing and withdrawing bump it (briefing.publishing): work on the working copy never
empties the cache.

Nothing a client sends can force a render of a page that is cached: query parameters the page
does not read are dropped (settings.PAGE_CACHE_URL_NAMES), and only a logged-in member of staff,
proven by a signed cookie (briefing.staff_cookie), gets past the cache; a session cookie alone
does not. What still has to be rendered (a miss: a new edition, an unknown ?actor=, a made-up
slug) is counted per client and refused with 429 beyond settings.PAGE_RENDER_RATE
(briefing.render_limit).
"""

import contextlib
import functools
import hashlib
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.core.files.storage import storages
from django.core.handlers.exception import response_for_exception
from django.http import HttpResponse, QueryDict
from django.middleware import security
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe, urlencode
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.responders import MissingFileError

from briefing import staff_cookie

logger = logging.getLogger(__name__)

GENERATION_KEY = "briefing:page-cache:generation"
# Longer values of the parameters a page reads are answered but not cached.
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
        try:
            # A fresh start value, never one an evicted counter may have had before.
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        except Exception:
            return None  # a cache refusing writes: render (see content_changed)
        generation = cache.get(GENERATION_KEY)
    return generation


def _bump_generation():
    """Make every cached page stale; None if the cache took it, else the cache's error."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # the counter was evicted or never set
            cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
        return None
    except Exception as error:
        # A cache that refuses writes often still deletes: Redis out of memory accepts DEL, a
        # full disk still unlinks. Without the counter every server renders every page until a
        # write succeeds again and starts a new generation (content_generation).
        with contextlib.suppress(Exception):
            cache.delete(GENERATION_KEY)
        return error


def content_changed(**kwargs):
    """Make every cached page stale: the next request renders afresh.

    If the cache refuses (a full disk, Redis out of memory), no cached page is served until it
    takes a new generation again: the failure is written to settings.PAGE_CACHE_FAULT_FILE,
    which every app process checks before answering from the cache, and each request retries.
    Why a file: the cache cannot record its own failure, and the database would cost a query
    on every cached page (the very work the cache saves) or a delay; a file check costs a
    stat(). It reaches every process of one server; deleting the counter (above) reaches
    every server whenever the cache still allows a delete.
    """
    error = _bump_generation()
    if error is None:
        return
    global _failed_in_this_process
    _failed_in_this_process = True
    logger.error(
        "Page cache could not be cleared: rendering every page until it can be", exc_info=error
    )
    try:
        Path(settings.PAGE_CACHE_FAULT_FILE).touch()
    except OSError:
        logger.error("Could not record the page cache fault in %s", settings.PAGE_CACHE_FAULT_FILE)


# Set when clearing failed here, in case the fault file could not be written.
_failed_in_this_process = False


def cache_clearing_failed():
    """True while cached pages may be stale: the last clearing failed and no retry worked yet."""
    return _failed_in_this_process or os.path.exists(settings.PAGE_CACHE_FAULT_FILE)


def retry_clearing():
    """Try again to clear the cache; True once it worked (cached pages may be served again)."""
    global _failed_in_this_process
    started = time.time_ns()
    if _bump_generation() is not None:
        return False
    _failed_in_this_process = False
    try:
        # Not a fault recorded by another process after this retry began: that one needs its own.
        if os.stat(settings.PAGE_CACHE_FAULT_FILE).st_mtime_ns < started:
            os.remove(settings.PAGE_CACHE_FAULT_FILE)
    except FileNotFoundError:
        pass
    logger.warning("Page cache cleared after an earlier failure: serving cached pages again")
    return True


# A cache outage fails every request: one warning a minute per process, not one per request.
CACHE_WARNING_INTERVAL = 60
_last_cache_warning = -CACHE_WARNING_INTERVAL


def warn_cache_unavailable(path):
    global _last_cache_warning
    now = time.monotonic()
    if now - _last_cache_warning >= CACHE_WARNING_INTERVAL:
        _last_cache_warning = now
        logger.warning(
            "Page cache unavailable; rendering %s and every page until it is back "
            "(this warning repeats at most once a minute)",
            path,
            exc_info=True,
        )


def keep_only(request, parameters):
    """Drop every query parameter the page does not read, for its cache key and its view alike.

    The view sees the same request the cache key was made of, so the cached page is exactly
    what a request without the junk gets. Each parameter keeps its last non-empty value, the
    one the view would read (QueryDict.get).
    """
    kept = [(name, request.GET[name]) for name in parameters if request.GET.get(name)]
    query_string = urlencode(kept)
    request.META["QUERY_STRING"] = query_string
    request.GET = QueryDict(query_string)


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


# The settings that shape the headers a cached page is stored with: a deploy that changes one
# stores pages afresh rather than replaying the old headers until they expire.
HEADER_SETTINGS = (
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    "PERMISSIONS_POLICY",
    "X_FRAME_OPTIONS",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
)


def stored_version():
    """What a stored page must have been made by: this page code and these header settings."""
    from briefing.views import CODE_TOKEN

    header_settings = repr([getattr(settings, name, None) for name in HEADER_SETTINGS])
    return hashlib.sha256(f"{CODE_TOKEN}|{header_settings}".encode()).hexdigest()[:16]


class AnonymousPageCacheMiddleware:
    """Answer GET and HEAD of the public pages from the cache; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.parameters = {
            name: tuple(parameters) for name, parameters in settings.PAGE_CACHE_URL_NAMES.items()
        }
        self.version = stored_version()
        # Only to ask whether SecurityMiddleware, further in, would redirect to https.
        self.security = security.SecurityMiddleware(get_response)
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
        parameters = self.cached_page_parameters(request)
        if parameters is None or staff_cookie.is_staff_request(request):
            return self.get_response(request)  # not a cached page, or staff: always fresh
        if not self.is_served_here(request):
            return self.get_response(request)  # a bad Host (400) or http→https: answered inside
        keep_only(request, parameters)
        if cache_clearing_failed() and not retry_clearing():
            return self.render(request)  # the cache may hold pages from before the change
        if len(request.META["QUERY_STRING"]) > MAX_CACHED_QUERY_LENGTH:
            return self.render(request)
        try:
            key = self.cache_key(request)
            if key is None:  # a cache that keeps nothing (dummy), or the counter just evicted
                return self.render(request)
            cached = self.copies.get(key) if self.copies else None
            if cached is None:
                cached = cache.get(key)
                if cached is not None and self.copies:
                    self.copies.set(key, cached)
        except Exception:  # a cache outage must not take the site down with it
            warn_cache_unavailable(request.path)
            return self.render(request)
        if cached is not None:
            return self.replay(request, *cached)
        response = self.render(request)
        if request.method == "GET" and self.is_cacheable_response(response):
            content = (response.status_code, dict(response.items()), response.content)
            try:
                cache.set(key, content, settings.PAGE_CACHE_SECONDS)
                if self.copies:
                    self.copies.set(key, content)
            except Exception:
                logger.warning("Page cache unavailable; not storing %s", request.path)
        return response

    def render(self, request):
        """The page as the site makes it, counted against the client's renders (render_limit)."""
        request.renders_cached_page = True
        return self.get_response(request)

    def cached_page_parameters(self, request):
        """The query parameters the page reads, if it is a page answered from the cache."""
        if request.method not in ("GET", "HEAD"):
            return None
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        return self.parameters.get(view_name(urlconf, request.path_info))

    def is_served_here(self, request):
        """False for a Host the site does not serve and a request to be redirected to https."""
        try:
            request.get_host()
        except DisallowedHost:
            return False
        return self.security.process_request(request) is None

    def cache_key(self, request):
        # Scheme and host are part of the address: links in the feed and JSON-LD are absolute.
        address = request.build_absolute_uri().encode("utf-8", "surrogateescape")
        generation = content_generation()
        if generation is None:
            return None
        digest = hashlib.sha256(address).hexdigest()
        return f"briefing:page-cache:{generation}:{self.version}:{digest}"

    @staticmethod
    def is_cacheable_response(response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
            "Cache-Control", ""
        ):
            return False
        if "nonce-" in response.get("Content-Security-Policy", ""):
            return False  # a nonce is for one response only
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        # The page is the same for every anonymous reader; any other Vary would need its own key.
        return vary <= {"cookie"}

    @staticmethod
    def replay(request, status, headers, content):
        response = HttpResponse(content, status=status, headers=headers)
        if not CONDITIONAL_HEADERS.intersection(request.META):
            return response
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        # The cached copy answers conditional GETs too (304), exactly as the view would, and
        # with the headers the middleware inside would have added to the view's 304.
        conditional = get_conditional_response(
            request, etag=response.get("ETag"), last_modified=last_modified, response=response
        )
        if conditional is not response:
            for name, value in headers.items():
                if name.lower() not in ("content-type", "content-length"):
                    conditional.headers.setdefault(name, value)
        return conditional
