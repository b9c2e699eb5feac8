"""The signed cookie that tells the page cache a request comes from a logged-in member of staff.

Staff get every public page rendered afresh; anonymous readers get it from the cache. A session
cookie alone cannot decide that: anyone can send `sessionid=anything`, and checking it means a
session query per request, the very cost the cache exists to avoid. So at a staff login the
site also sets this cookie, signed with SECRET_KEY and bound to the new session key (a digest of
it), and deletes it at logout. Verifying it is one HMAC, no query: a forged or copied cookie
gets the cached page like any reader. A cached session lookup would cost a cache read per
forged cookie and keep the session key in a second store; the signature costs neither.
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

COOKIE_NAME = "briefing_staff"
SALT = "briefing.staff-cookie"


def _session_digest(session_key):
    return hashlib.sha256(session_key.encode()).hexdigest()


def _signer():
    return signing.TimestampSigner(salt=SALT)


def is_staff_request(request):
    """True when the request carries a valid staff cookie for the session cookie it carries."""
    marker = request.COOKIES.get(COOKIE_NAME)
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not marker or not session_key:
        return False
    try:
        signed_digest = _signer().unsign(marker, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return False
    return constant_time_compare(signed_digest, _session_digest(session_key))


# Set at login, deleted at logout (receivers connected in BriefingConfig.ready) ---------------


def staff_logged_in(sender, request, user, **kwargs):
    if request is not None and user.is_staff:
        request.staff_cookie = "set"


def staff_logged_out(sender, request, user, **kwargs):
    if request is not None:
        request.staff_cookie = "delete"


class StaffCookieMiddleware:
    """Set or delete the staff cookie on the response to a login or a logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        action = getattr(request, "staff_cookie", None)
        if action == "set" and request.session.session_key:
            response.set_cookie(
                COOKIE_NAME,
                _signer().sign(_session_digest(request.session.session_key)),
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif action == "delete":
            response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return response
