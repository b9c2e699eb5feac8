"""Every date a briefing holds lies between 1800 and 2199: entered, loaded, or shown."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from briefing.dates import EARLIEST, LATEST
from briefing.models import Briefing, Event
from tests.factories import BriefingFactory, EventFactory, UserFactory, publish_edition
from tests.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("typed", ["31/12/9999", "01/01/0001", "31/12/1799", "01/01/2200"])
def test_an_article_date_outside_the_range_is_a_form_error_and_saves_nothing(client, chief, typed):
    client.force_login(chief)
    briefing = BriefingFactory()
    data = form_data(client.get(change_url(briefing))) | {"article_published_on": typed}

    response = client.post(change_url(briefing), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["article_published_on"]
    assert "between 1800 and 2199" in errors[0]
    briefing.refresh_from_db()
    assert (briefing.article_published_on, briefing.version) == (None, 1)


@pytest.mark.parametrize("typed", ["01/01/1800", "31/12/2199"])
def test_an_article_date_at_the_ends_of_the_range_saves(client, chief, typed):
    client.force_login(chief)
    briefing = BriefingFactory()
    data = form_data(client.get(change_url(briefing))) | {"article_published_on": typed}

    assert client.post(change_url(briefing), data).status_code == 302
    briefing.refresh_from_db()
    assert briefing.article_published_on in (EARLIEST, LATEST)


def test_the_article_date_field_states_the_range(client, chief):
    client.force_login(chief)
    for url in (reverse("admin:briefing_briefing_add"), change_url(BriefingFactory())):
        form = client.get(url).context["adminform"].form
        assert "1800–2199" in form.fields["article_published_on"].help_text


def load(tmp_path, objects):
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(objects))
    call_command("loaddata", str(path), verbosity=0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("article_published_on", "9999-12-31"),
        ("article_published_on", "0001-01-01"),
        ("published_at", "9999-12-31T00:00:00Z"),
        ("created_at", "1066-10-14T09:00:00Z"),
    ],
)
def test_loaddata_refuses_a_briefing_date_outside_the_range_and_changes_nothing(
    tmp_path, field, value
):
    briefing = BriefingFactory(title="Before")
    fields = {
        "title": "After",
        "slug": briefing.slug,
        "summary": "S.",
        "created_at": "2025-03-21T09:00:00Z",
        "updated_at": "2025-03-21T09:00:00Z",
        field: value,
    }
    if field == "published_at":
        fields["status"] = "withdrawn"  # a published_at, without making an edition

    with pytest.raises(CommandError, match=f"{field}: .*between 1800 and 2199"):
        load(tmp_path, [{"model": "briefing.briefing", "pk": briefing.pk, "fields": fields}])

    briefing.refresh_from_db()
    assert briefing.title == "Before"


# Dates stored around the rules never take a page down --------------------------------------


def briefing_with_events(*edtf_values):
    briefing = BriefingFactory(article_published_on=datetime.date(2025, 3, 21))
    events = [
        EventFactory(briefing=briefing, slug=f"event-{n}", date_edtf=value)
        for n, value in enumerate(edtf_values)
    ]
    return briefing, events


def pages(briefing):
    edition = briefing.editions.get()
    return [
        reverse("briefing:detail", kwargs={"slug": briefing.slug}),
        reverse("briefing:edition", kwargs={"slug": edition.slug, "number": edition.number}),
        reverse("briefing:preview", kwargs={"slug": briefing.slug}),
    ]


@pytest.mark.parametrize(
    "edtf_values",
    [
        ["1800-01-01", "2199-12-31"],
        ["1800", "2199"],
        ["1800-01-01/..", "[..2199-12-31]"],
        ["2199-12"],
    ],
)
def test_pages_show_events_at_the_ends_of_the_range(client, chief, edtf_values):
    briefing, _ = briefing_with_events(*edtf_values)
    publish_edition(briefing)
    client.force_login(chief)
    for url in pages(briefing):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'class="timeline-chart"' in response.content.decode()


@pytest.mark.parametrize(
    "bounds",
    [
        {"date_latest": datetime.date(9999, 12, 31)},
        {"date_earliest": datetime.date(9999, 12, 31), "date_latest": datetime.date(9999, 12, 31)},
        {"date_earliest": datetime.date(1, 1, 1)},
        {
            "date_edtf": "9999-12-31",
            "date_earliest": datetime.date(9999, 12, 31),
            "date_latest": datetime.date(9999, 12, 31),
        },
    ],
)
def test_an_event_date_stored_outside_the_range_takes_no_page_down(client, chief, bounds):
    briefing, (event, _) = briefing_with_events("2025-03-21", "2024-10/2025-03")
    # Written around the forms and loaddata, as a script or a database console could.
    Event.objects.filter(pk=event.pk).update(**bounds)
    Briefing.objects.filter(pk=briefing.pk).update(article_published_on=datetime.date(9999, 12, 31))
    publish_edition(briefing)
    client.force_login(chief)
    for url in pages(briefing):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'class="timeline-chart"' in response.content.decode()
