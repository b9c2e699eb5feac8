"""Security headers, cookies, login throttling and who may reach what."""

import datetime
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    PASSWORD,
    BriefingFactory,
    ClaimFactory,
    StaffFactory,
    TakeawayFactory,
    UserFactory,
    publish_edition,
)


def public_urls(briefing):
    return [
        reverse("briefing:index"),
        reverse("briefing:detail", kwargs={"slug": briefing.slug}),
        reverse("briefing:export", kwargs={"slug": briefing.slug}),
        reverse("briefing:feed"),
    ]


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# Headers -----------------------------------------------------------------------


@pytest.fixture
def every_kind_of_response(demo):
    return [
        *public_urls(demo),
        "/no/such/page/",
        reverse("admin:login"),
        reverse("healthz"),
        static("briefing/site.css"),
    ]


def test_every_response_carries_the_security_headers(client, every_kind_of_response, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    for url in every_kind_of_response:
        for attempt in ("first", "cached"):
            response = client.get(url, secure=True)
            context = f"{url} ({attempt})"
            assert response.status_code in (200, 404), context
            assert response["X-Content-Type-Options"] == "nosniff", context
            assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", context
            assert response["Cross-Origin-Opener-Policy"] == "same-origin", context
            assert "camera=()" in response["Permissions-Policy"], context
            assert "geolocation=()" in response["Permissions-Policy"], context
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"], context
            assert response["Strict-Transport-Security"] == (
                "max-age=31536000; includeSubDomains"
            ), context


def test_pages_cannot_be_framed(client, demo):
    for url in [*public_urls(demo), reverse("admin:login"), "/no/such/page/"]:
        assert client.get(url)["X-Frame-Options"] == "DENY", url


def test_hsts_preload_is_sent_only_when_opted_in(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    assert "preload" not in client.get("/", secure=True)["Strict-Transport-Security"]

    settings.SECURE_HSTS_PRELOAD = True
    assert "preload" in Client().get("/", secure=True)["Strict-Transport-Security"]


def test_the_csp_allows_scripts_and_styles_from_the_site_only(client, db):
    directives = parse_csp(client.get("/")["Content-Security-Policy"])

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    policy = " ".join(value for values in directives.values() for value in values)
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "http" not in policy  # no other origin


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts and styles, style attributes."""

    def __init__(self):
        super().__init__()
        self.blocked = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.blocked.append(f"style attribute on <{tag}>")
        if tag == "style":
            self.blocked.append("<style> element")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/ld+json":
            self.blocked.append("inline <script>")
        if any(name.startswith("on") for name in attrs):
            self.blocked.append(f"event handler attribute on <{tag}>")


def test_public_pages_have_nothing_the_csp_would_block(client, demo):
    for url in [reverse("briefing:index"), demo.get_absolute_url(), "/no/such/page/"]:
        finder = InlineCodeFinder()
        finder.feed(client.get(url).text)
        assert finder.blocked == [], url


# Cookies -----------------------------------------------------------------------


@pytest.fixture
def production_cookies(settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def test_the_login_cookies_are_secure_httponly_and_samesite(client, db, production_cookies):
    user = StaffFactory()
    login_page = client.get(reverse("admin:login"), secure=True)
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "next": reverse("admin:index")},
        secure=True,
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["max-age"] == 8 * 60 * 60
    csrf = login_page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"


def test_an_expired_session_no_longer_opens_the_admin(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:index")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# Login throttling (django-axes) ------------------------------------------------


def fail_login(client, username, **extra):
    return client.post(
        reverse("admin:login"), {"username": username, "password": "wrong password"}, **extra
    )


def log_in(client, username, **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": PASSWORD, "next": reverse("admin:index")},
        **extra,
    )


def test_repeated_failed_logins_lock_out_that_user_from_that_address(client, db, caplog):
    user = StaffFactory()
    statuses = [fail_login(client, user.username).status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    locked = log_in(client, user.username)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    assert "_auth_user_id" not in client.session
    assert any(
        f'Locking out {{username: "{user.username}", ip_address: "127.0.0.1"' in r.getMessage()
        for r in caplog.records
    )


def test_the_failure_limit_comes_from_the_settings(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = StaffFactory()

    assert [fail_login(client, user.username).status_code for _ in range(2)] == [200, 429]


def test_the_lockout_ends_after_the_cool_off(client, db, settings):
    user = StaffFactory()
    for _ in range(5):
        fail_login(client, user.username)
    assert log_in(client, user.username).status_code == 429

    cool_off = settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - cool_off - datetime.timedelta(minutes=1)
    )
    assert log_in(client, user.username).status_code == 302


def test_a_lockout_does_not_block_the_same_user_from_another_address(client, db):
    user = StaffFactory()
    for _ in range(5):
        fail_login(client, user.username)

    assert log_in(client, user.username, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_locked_out(client, db, settings):
    settings.TRUST_PROXY_HEADERS = True
    user = StaffFactory()
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for _ in range(5):
        fail_login(client, user.username, **attacker)

    assert log_in(client, user.username, **attacker).status_code == 429
    assert log_in(client, user.username, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302


def test_a_successful_login_resets_the_failure_count(client, db):
    user = StaffFactory()
    for _ in range(4):
        fail_login(client, user.username)
    assert log_in(client, user.username).status_code == 302
    client.logout()

    assert [fail_login(client, user.username).status_code for _ in range(4)] == [200] * 4


def test_force_login_is_not_affected_by_login_throttling(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        fail_login(client, user.username)
    client.force_login(user)

    assert client.get(reverse("admin:index")).status_code == 200


# Access --------------------------------------------------------------------------


def admin_urls_of_every_model(objects_by_model=None):
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls += [
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
        ]
        instance = model._default_manager.first()
        if instance is not None:
            urls.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
            )
    return urls


def staff_only_urls(briefing):
    """The working copy's preview and the publish screen: never for readers."""
    return [
        reverse("briefing:preview", kwargs={"slug": briefing.slug}),
        reverse("admin:briefing_briefing_publish", args=[briefing.pk]),
    ]


def test_anonymous_users_get_nothing_from_the_admin(client, demo):
    for url in [*admin_urls_of_every_model(), *staff_only_urls(demo)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    response = client.post(staff_only_urls(demo)[1], {"_withdraw": "1"})
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.status == "published"


@pytest.fixture
def draft(db):
    draft = BriefingFactory(title="Unannounced draft", slug="unannounced-draft")
    claim = ClaimFactory(briefing=draft, text="A claim nobody may read yet.")
    TakeawayFactory(briefing=draft, text="A takeaway nobody may read yet.").claims.add(claim)
    return draft


SECRETS = ("unannounced-draft", "Unannounced draft", "nobody may read yet")


def test_anonymous_readers_get_nothing_of_a_draft(client, demo, draft):
    assert client.get(reverse("briefing:detail", kwargs={"slug": draft.slug})).status_code == 404
    assert client.get(reverse("briefing:export", kwargs={"slug": draft.slug})).status_code == 404
    edition = reverse("briefing:edition", kwargs={"slug": draft.slug, "number": 1})
    assert client.get(edition).status_code == 404
    for url in public_urls(demo):  # feed, index and the published page with its JSON-LD
        text = client.get(url).text
        for secret in SECRETS:
            assert secret not in text, (url, secret)


def test_a_logged_in_non_staff_user_gets_nothing_of_a_draft(client, draft):
    client.force_login(UserFactory())

    assert client.get(draft.get_absolute_url()).status_code == 404
    for url in staff_only_urls(draft):
        assert client.get(url).status_code == 302, url
    assert client.get(reverse("admin:index")).status_code == 302


def test_readers_never_see_the_working_copy_of_a_published_briefing(client, draft):
    publish_edition(draft)
    ClaimFactory(briefing=draft, text="An edit nobody may read yet.")
    draft.title = "A retitled working copy"
    draft.save()
    client.force_login(UserFactory())  # logged in, not staff: a reader

    for url in public_urls(draft):
        text = client.get(url).text
        assert "Unannounced draft" in text, url  # the edition, as it was published
        assert "An edit nobody may read yet" not in text, url
        assert "A retitled working copy" not in text, url


def test_readers_get_nothing_of_a_withdrawn_briefing(client, demo, draft):
    edition = publish_edition(draft)
    draft.record_withdrawal()

    for url in (
        draft.get_absolute_url(),
        reverse("briefing:export", kwargs={"slug": draft.slug}),
        edition.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 410, url
        for secret in SECRETS:
            assert secret not in response.text, (url, secret)
    for url in public_urls(demo):
        for secret in SECRETS:
            assert secret not in client.get(url).text, (url, secret)


@pytest.fixture
def editor(db):
    user = StaffFactory(username="an-editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_editors_cannot_reach_user_management(client, editor):
    client.force_login(editor)
    for name in ("auth_user_changelist", "auth_user_add", "auth_group_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 403, name
    other = UserFactory()
    assert client.get(reverse("admin:auth_user_change", args=[other.pk])).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[other.pk])).status_code in (
        403,
        404,
    )
    assert reverse("admin:auth_user_changelist") not in client.get(reverse("admin:index")).text


def test_every_admin_form_refuses_a_post_without_a_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    # Every admin page a superuser can open (axes' attempt logs have no add form).
    urls = [
        url
        for url in [*admin_urls_of_every_model(), *staff_only_urls(demo)]
        if client.get(url).status_code == 200
    ]
    assert len(urls) > 20
    assert staff_only_urls(demo)[1] in urls
    for url in urls:
        assert client.post(url, {}).status_code == 403, url
    assert client.post(reverse("admin:logout")).status_code == 403


def test_the_login_form_refuses_a_post_without_a_csrf_token(db):
    user = StaffFactory()
    client = Client(enforce_csrf_checks=True)

    assert log_in(client, user.username).status_code == 403


# The admin under the CSP, in a real browser ------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("unhashed_static_names")
def test_the_admin_works_under_the_csp_after_a_login_through_the_form(page, live_server):
    """Log in over plain http as `make demo` serves it; no page breaks the policy."""
    from django.core.management import call_command

    call_command("loaddata", "demo", verbosity=0)
    UserFactory(username="chief", is_staff=True, is_superuser=True)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"script error: {error}"))
    page.on(
        "response", lambda r: violations.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )

    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Site administration").wait_for()

    from briefing.models import Briefing, Claim

    briefing = Briefing.objects.get(slug="shoigu-pyongyang-2025")
    claim = Claim.objects.filter(briefing=briefing).first()
    for url in (
        reverse("admin:index"),
        reverse("admin:briefing_briefing_changelist"),
        reverse("admin:briefing_briefing_change", args=[briefing.pk]),
        reverse("admin:briefing_briefing_add"),
        reverse("admin:briefing_claim_change", args=[claim.pk]),
        reverse("admin:briefing_claim_history", args=[claim.pk]),
        reverse("admin:briefing_event_add"),
        reverse("admin:briefing_briefing_publish", args=[briefing.pk]),
        reverse("admin:briefing_edition_changelist"),
        reverse("briefing:preview", kwargs={"slug": briefing.slug}),
        briefing.get_absolute_url(),
    ):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    # The admin's own scripts run: the autocomplete widget opens, an inline row is added.
    page.goto(live_server.url + reverse("admin:briefing_claim_add"))
    page.locator("#id_source + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").wait_for()
    page.goto(live_server.url + reverse("admin:briefing_event_add"))
    rows = page.locator(".dynamic-participations")
    before = rows.count()
    page.get_by_text("Add another Participation").click()
    assert rows.count() == before + 1

    assert violations == []
