"""Reliability: a burst of readers, a database that goes away, interrupted saves, hostile input."""

import hashlib
import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from briefing.models import Actor, Briefing, Claim, Event, Paragraph, Source
from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ClaimFactory,
    ClaimRelationFactory,
    EventFactory,
    ParagraphFactory,
    ParticipationFactory,
    SourceFactory,
    TakeawayFactory,
    UserFactory,
    publish_edition,
)
from tests.faults import database_down

DEMO_SLUG = "shoigu-pyongyang-2025"

# Load ---------------------------------------------------------------------------


def fetch(url, cookie=None):
    request = urllib.request.Request(  # noqa: S310 (the live server on loopback)
        url, headers={"Cookie": cookie} if cookie else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
            return response.status, hashlib.sha256(response.read()).hexdigest()
    except urllib.error.HTTPError as error:
        return error.code, None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_concurrent_readers_gets_identical_pages_without_errors(live_server):
    call_command("loaddata", "demo", verbosity=0)
    page = live_server.url + reverse("briefing:detail", kwargs={"slug": DEMO_SLUG})
    export = live_server.url + reverse("briefing:export", kwargs={"slug": DEMO_SLUG})

    def reader(number):
        # Every other reader carries a (stale) session cookie: the page is rendered afresh for
        # them, so the database serves concurrent requests too, not only the cache.
        cookie = "sessionid=expired-session" if number % 2 else None
        return [(url, *fetch(url, cookie)) for _ in range(8) for url in (page, export)]

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = [result for batch in pool.map(reader, range(20)) for result in batch]

    assert len(results) == 20 * 8 * 2
    assert {status for _, status, _ in results} == {200}
    assert len({body for url, _, body in results if url == page}) == 1
    assert len({body for url, _, body in results if url == export}) == 1


# Faults: the database goes away ---------------------------------------------------

faults = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@faults
def test_pages_answer_503_while_the_database_is_down_and_recover_when_it_returns(client):
    briefing = BriefingFactory()
    publish_edition(briefing)
    client.raise_request_exception = False
    url = briefing.get_absolute_url()

    with database_down():
        page = client.get(url)
        health = client.get(reverse("healthz"))
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert "Temporarily unavailable" in page.text
    assert "Traceback" not in page.text
    assert "OperationalError" not in page.text
    assert health.status_code == 503

    assert client.get(url).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


@faults
def test_the_admin_answers_503_while_the_database_is_down(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.raise_request_exception = False

    with database_down():
        response = client.get(reverse("admin:index"))

    assert response.status_code == 503
    assert "Traceback" not in response.text


@faults
def test_cached_pages_are_still_served_to_readers_while_the_database_is_down(client):
    briefing = BriefingFactory()
    publish_edition(briefing)
    url = briefing.get_absolute_url()
    before = client.get(url)

    with database_down():
        during = client.get(url)

    assert during.status_code == 200
    assert during.content == before.content


# Faults: a save interrupted half-way ----------------------------------------------

INTERRUPT_TRIGGER = {
    "sqlite": [
        """CREATE TRIGGER interrupt_paragraph BEFORE INSERT ON briefing_paragraph
           WHEN NEW.text LIKE '%INTERRUPTED HERE%'
           BEGIN SELECT RAISE(ABORT, 'save interrupted'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION interrupt_paragraph() RETURNS trigger AS $$
           BEGIN
             IF NEW.text LIKE '%INTERRUPTED HERE%' THEN RAISE EXCEPTION 'save interrupted'; END IF;
             RETURN NEW;
           END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER interrupt_paragraph BEFORE INSERT ON briefing_paragraph
           FOR EACH ROW EXECUTE FUNCTION interrupt_paragraph()""",
    ],
}


class FormReader(HTMLParser):
    """The fields of the admin's main form with their values, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.data, self.selects, self.text_fields = {}, {}, []
        self.select, self.textarea = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value", "")
                if (
                    attrs.get("type", "text") in ("text", "url", "email")
                    and "__prefix__" not in name
                ):
                    self.text_fields.append(name)
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""
            if "__prefix__" not in name:
                self.text_fields.append(name)
        elif tag == "select" and name:
            self.select = name
            self.selects[name] = []
        elif tag == "option" and self.select:
            self.selects[self.select].append(attrs.get("value", ""))
            if "selected" in attrs:
                self.data[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data.removeprefix("\n")


def read_form(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    reader = FormReader()
    reader.feed(response.text)
    # A required choice with nothing selected takes its first real option, as an editor would.
    for name, options in reader.selects.items():
        if not reader.data.get(name) and "__prefix__" not in name:
            real = [value for value in options if value]
            if real:
                reader.data[name] = real[0]
    return reader


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.raise_request_exception = False
    return client


def test_a_save_interrupted_by_a_database_error_leaves_no_half_written_briefing(
    superuser_client,
):
    with connection.cursor() as cursor:
        for statement in INTERRUPT_TRIGGER[connection.vendor]:
            cursor.execute(statement)
    url = reverse("admin:briefing_briefing_add")
    form = read_form(superuser_client, url)
    form.data.update(
        title="Half-written briefing",
        slug="half-written",
        summary="Its paragraphs are saved after the briefing itself.",
        article_text="A first paragraph.\n\nA second paragraph.\n\nINTERRUPTED HERE.\n",
    )

    response = superuser_client.post(url, form.data)

    assert response.status_code == 500
    assert not Briefing.objects.filter(slug="half-written").exists()
    assert not Paragraph.objects.filter(text__startswith="A first paragraph").exists()
    assert not Briefing.history.filter(slug="half-written").exists()


def test_the_same_save_without_the_error_is_complete(superuser_client):
    url = reverse("admin:briefing_briefing_add")
    form = read_form(superuser_client, url)
    form.data.update(
        title="Whole briefing",
        slug="whole",
        summary="Its paragraphs are saved after the briefing itself.",
        article_text="A first paragraph.\n\nA second paragraph.\n\nA third one.\n",
    )

    assert superuser_client.post(url, form.data).status_code == 302
    assert Briefing.objects.get(slug="whole").paragraphs.count() == 3


# Bad input ----------------------------------------------------------------------

HOSTILE = [
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "' autofocus onfocus='alert(1)",
    "</script><script>alert(document.cookie)</script>",
    "<!--<script>",
    "javascript:alert(1)",
    "{{ settings.SECRET_KEY }} {% debug %}",
    "'; DROP TABLE briefing_briefing; --",
    "1' OR '1'='1",
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "\u202egnp.exe \u0000 \ufeff",
    "Шойгу 김정은 🙂",
    "A" * 5000,
]
JSON_LD = re.compile(r'<script type="application/ld\+json">.*?</script>', re.DOTALL)
# Markup that must never come back verbatim in an HTML page.
MARKUP = [text for text in HOSTILE if "<" in text or '"' in text or "'" in text]


def public_urls(slug):
    return [
        reverse("briefing:index"),
        reverse("briefing:detail", kwargs={"slug": slug}),
        reverse("briefing:export", kwargs={"slug": slug}),
        reverse("briefing:edition", kwargs={"slug": slug, "number": 1}),
        reverse("briefing:edition_export", kwargs={"slug": slug, "number": 1}),
        reverse("briefing:feed"),
    ]


def assert_no_raw_markup(response, context):
    assert response.status_code != 500, context
    if response.get("Content-Type", "").startswith("text/html"):
        # JSON-LD blocks hold JSON strings, checked apart: quotes inside them are harmless.
        html = JSON_LD.sub("", response.text)
        for text in MARKUP:
            assert text not in html, (context, text)


def test_hostile_query_parameters_on_every_public_url_give_no_error(client, demo):
    for url in public_urls(demo.slug):
        for text in HOSTILE:
            for name in ("actor", "page", "q", "format", text[:50]):
                response = client.get(url, {name: text})
                assert_no_raw_markup(response, (url, name))
                assert response.status_code in (200, 400, 404), (url, name)


def test_hostile_paths_give_404_and_never_500(client, demo):
    for text in HOSTILE:
        for url in (
            f"/briefings/{quote(text, safe='')}/",
            f"/briefings/{quote(text, safe='')}.json",
            f"/briefings/{demo.slug}/{quote(text, safe='/')}",
            f"/static/{quote(text, safe='/')}",
            f"/{quote(text, safe='/')}",
        ):
            response = client.get(url)
            assert response.status_code in (400, 404), url
            assert_no_raw_markup(response, url)
            assert b"root:" not in response.content


def test_non_utf8_input_is_refused_or_replaced_never_a_500(client, demo):
    for url in public_urls(demo.slug):
        response = client.get(url, QUERY_STRING="actor=%FF%FE%00&q=%C0%AF")
        assert response.status_code in (200, 400, 404), url
    assert client.get("/briefings/%FF%FE/").status_code in (400, 404)


@pytest.fixture
def hostile_briefing(db):
    """A published briefing whose every editor-typed text is a hostile string.

    Published twice, so that the page lists its editions with their (hostile) notes.
    """
    texts = iter(HOSTILE * 6)

    def hostile(limit=None):
        # Forms refuse NUL characters (and PostgreSQL cannot store them): none reach the page.
        return next(texts).replace("\x00", "")[:limit]

    briefing = BriefingFactory(
        title=hostile(200),
        summary=hostile(),
        bottom_line=hostile(),
        article_headline=hostile(300),
        article_outlet=hostile(200),
    )
    actor = ActorFactory(
        name=hostile(200),
        role=hostile(200),
        aliases=hostile(),
        description=hostile(),
        editors_aliases=hostile(),
        editors_note=hostile(),
    )
    source = SourceFactory(
        name=hostile(200), description=hostile(), editors_note=hostile(), affiliation=actor
    )
    paragraph = ParagraphFactory(briefing=briefing, number=1, text=hostile())
    event = EventFactory(
        briefing=briefing,
        title=hostile(200),
        summary=hostile(),
        location=hostile(200),
        date_note=hostile(300),
    )
    ParticipationFactory(event=event, actor=actor)
    claim = ClaimFactory(
        briefing=briefing,
        text=hostile(),
        source=source,
        claimant=actor,
        paragraph=paragraph,
        quote=paragraph.text,
        figure_low=1,
        figure_high=2,
        figure_unit=hostile(50),
        note=hostile(),
    )
    claim.actors.add(actor)
    claim.events.add(event)
    ClaimRelationFactory(
        claim=ClaimFactory(
            briefing=briefing, source=source, paragraph=paragraph, quote=claim.quote
        ),
        other_claim=claim,
        note=hostile(),
    )
    TakeawayFactory(briefing=briefing, text=hostile()).claims.add(claim)
    publish_edition(briefing, note=hostile())
    publish_edition(briefing, note=hostile())
    return briefing


def strings_in(data):
    """Every string value in decoded JSON: the texts must come back exactly as typed."""
    if isinstance(data, dict):
        return [text for value in data.values() for text in strings_in(value)]
    if isinstance(data, list):
        return [text for value in data for text in strings_in(value)]
    return [data] if isinstance(data, str) else []


class ScriptBlocks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside, self.json_ld, self.inline = None, [], []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            attrs = dict(attrs)
            self.inside = attrs.get("type") == "application/ld+json"
            if not self.inside and "src" not in attrs:
                self.inline.append(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self.inside = None

    def handle_data(self, data):
        if self.inside:
            self.json_ld.append(data)


def test_every_text_an_editor_typed_is_escaped_on_every_public_url(client, hostile_briefing):
    for url in public_urls(hostile_briefing.slug):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_raw_markup(response, url)
        assert "SECRET_KEY" not in response.text or "{{ settings.SECRET_KEY }}" in response.text

    page = client.get(hostile_briefing.get_absolute_url()).text
    scripts = ScriptBlocks()
    scripts.feed(page)
    assert scripts.inline == []  # no script was smuggled into the page
    assert scripts.json_ld, "the page describes the briefing in JSON-LD"
    for block in scripts.json_ld:
        assert not re.search(r"</script|<!--", block, re.IGNORECASE)
        assert hostile_briefing.title in strings_in(json.loads(block))

    export = client.get(reverse("briefing:export", kwargs={"slug": hostile_briefing.slug}))
    assert hostile_briefing.title in strings_in(export.json())

    feed = ET.fromstring(client.get(reverse("briefing:feed")).content)  # noqa: S314 (our feed)
    titles = [element.text for element in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert hostile_briefing.title in titles


def hostile_admin_forms():
    """(model, add-form overrides) for each model an editor types text into."""
    return [
        (Actor, {"slug": "hostile-actor", "wikidata_id": ""}),
        (Source, {"slug": "hostile-source", "url": ""}),
        (Briefing, {"slug": "hostile-briefing", "article_url": "", "article_published_on": ""}),
        (Event, {"slug": "hostile-event", "date_edtf": "2025-03-21"}),
        (Claim, {"order": "99", "quote": None}),
    ]


def test_hostile_strings_in_every_admin_text_field_give_no_error_and_stay_in_limits(
    superuser_client, demo
):
    editors = Group.objects.get(name="Editors")
    assert editors  # the data migration's groups exist: the admin is the real one
    paragraph = demo.paragraphs.filter(is_heading=False).first()
    # Autocomplete fields have no options in the page: an editor's pick arrives as a key.
    references = {
        "briefing": str(demo.pk),
        "source": str(Source.objects.first().pk),
        "paragraph": str(paragraph.pk),
    }
    preview_url = reverse("briefing:preview", kwargs={"slug": DEMO_SLUG})
    publish_url = reverse("admin:briefing_briefing_publish", args=[demo.pk])
    for model, overrides in hostile_admin_forms():
        url = reverse(f"admin:briefing_{model._meta.model_name}_add")
        for text in HOSTILE:
            form = read_form(superuser_client, url)
            data = dict(form.data)
            for name in form.text_fields:
                if name not in overrides and not name.endswith(("_date", "_at", "-number")):
                    data[name] = text
            for name, value in references.items():
                if name in form.selects:
                    data[name] = value
            data.update(overrides)
            if "quote" in overrides:  # the quote must occur in the paragraph: the text need not
                data["quote"] = paragraph.text[:40]
            response = superuser_client.post(url, data)
            assert response.status_code in (200, 302), (model.__name__, text[:40])
            assert_no_raw_markup(response, (model.__name__, text[:40]))
            saved = model._default_manager.filter(**_created(model, overrides))
            assert_within_limits(saved)
            if model is Claim and saved:
                # The claim shows in the preview and on the publish screen, never to readers.
                for public_url in public_urls(DEMO_SLUG):
                    assert_no_raw_markup(superuser_client.get(public_url), public_url)
                    assert_no_raw_markup(Client().get(public_url), public_url)
                preview = superuser_client.get(preview_url)
                assert preview.status_code == 200
                assert_no_raw_markup(preview, preview_url)
                # Refused (the new claim is unchecked), the note typed is shown back.
                refused = superuser_client.post(publish_url, {"note": text, "_publish": "1"})
                assert refused.status_code == 200
                assert_no_raw_markup(refused, publish_url)
            saved.delete()


def _created(model, overrides):
    if "slug" in overrides:
        return {"slug": overrides["slug"]}
    return {"order": overrides["order"], "briefing__slug": DEMO_SLUG}


def assert_within_limits(queryset):
    """No stored text is longer than its column allows (SQLite would not refuse it)."""
    for field in queryset.model._meta.concrete_fields:
        if isinstance(field, models.CharField) and field.max_length:
            too_long = [
                value
                for value in queryset.values_list(field.attname, flat=True)
                if value and len(value) > field.max_length
            ]
            assert too_long == [], f"{queryset.model.__name__}.{field.name}"


def test_an_over_long_admin_input_is_refused_and_nothing_is_stored(superuser_client, db):
    url = reverse("admin:briefing_actor_add")
    form = read_form(superuser_client, url)
    data = dict(form.data, name="A" * 5000, slug="too-long", kind="person")

    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.text
    assert not Actor.objects.filter(slug="too-long").exists()


def test_a_non_utf8_admin_post_is_no_error(superuser_client, db):
    url = reverse("admin:briefing_actor_add")
    body = b"name=%FF%FEbroken&slug=broken&kind=person&" + b"description=%C0%AF"
    response = superuser_client.post(
        url, body, content_type="application/x-www-form-urlencoded; charset=utf-8"
    )

    assert response.status_code in (200, 302, 400)


def test_the_csrf_check_guards_the_admin_against_a_forged_hostile_post(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:briefing_actor_add"), {"name": HOSTILE[0], "slug": "x", "kind": "person"}
    )

    assert response.status_code == 403
    assert not Actor.objects.filter(slug="x").exists()
