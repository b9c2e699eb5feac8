"""The health check for load balancers, and the error page for server errors."""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache

from briefing.models import Briefing

logger = logging.getLogger(__name__)

# What a reader sees if even the error template cannot be rendered.
BARE_ERROR_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>{title}</title>'
    "<h1>{title}</h1><p>Please try again in a moment.</p></html>"
)


@never_cache
def healthz(request):
    """200 when the app can read its own tables (one round-trip), 503 when it cannot.

    A query on one of the app's tables, not a bare SELECT 1: SQLite quietly creates an empty
    database where its file went missing, and that must not pass for a working site.
    """
    try:
        Briefing.objects.only("pk").first()
    except DatabaseError as error:
        logger.error("Health check failed: the database is unavailable: %s", error)
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request):
    """handler500: a plain page in the site's style; 503 when the database is unreachable.

    Django calls it while handling the exception, which django.request has logged with the
    request path and traceback; the page shows neither.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        status, template_name, title = 503, "503.html", "Temporarily unavailable"
    else:
        status, template_name, title = 500, "500.html", "Something went wrong"
    try:
        # No request context: context processors might need the very thing that failed.
        body = loader.render_to_string(template_name)
    except Exception:
        logger.exception("The %s error page could not be rendered", status)
        body = BARE_ERROR_PAGE.format(title=title)
    response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response
