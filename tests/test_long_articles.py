"""A long article (hundreds of paragraphs) stays editable: no form outgrows what Django accepts."""

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefing.models import Paragraph, ReviewStatus
from tests.factories import BriefingFactory, ClaimFactory, UserFactory
from tests.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

PARAGRAPHS = 500


@pytest.fixture
def chief(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


@pytest.fixture
def long_briefing(db):
    briefing = BriefingFactory(title="A long read")
    Paragraph.objects.bulk_create(
        Paragraph(briefing=briefing, number=n, text=f"Paragraph {n} says that something happened.")
        for n in range(1, PARAGRAPHS + 1)
    )
    return briefing


def changelist_form_data(response):
    """The POST the paragraphs page's “Save” button sends, unchanged."""
    formset = response.context["cl"].formset
    data = {"_save": "Save"}
    management = formset.management_form
    data |= {management.add_prefix(name): management[name].value() for name in management.fields}
    for form in formset.forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


def test_the_change_form_of_a_briefing_with_500_paragraphs_saves(client, chief, long_briefing):
    client.force_login(chief)
    response = client.get(change_url(long_briefing))
    data = form_data(response) | {"title": "A long read, retitled"}
    assert len(data) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS

    assert client.post(change_url(long_briefing), data).status_code == 302

    long_briefing.refresh_from_db()
    assert (long_briefing.title, long_briefing.version) == ("A long read, retitled", 2)
    assert long_briefing.paragraphs.count() == PARAGRAPHS
    page = response.content.decode()
    assert f"{PARAGRAPHS} paragraph(s); too many to edit on this form" in page
    assert f"?briefing__id__exact={long_briefing.pk}" in page


def test_the_paragraphs_of_a_long_article_are_edited_a_page_at_a_time(client, chief, long_briefing):
    paragraph = long_briefing.paragraphs.get(number=250)
    claim = ClaimFactory(briefing=long_briefing, paragraph=paragraph, quote="something happened")
    client.force_login(chief)
    url = reverse("admin:briefing_paragraph_changelist")
    query = f"?briefing__id__exact={long_briefing.pk}&p=3"  # paragraphs 201–300
    response = client.get(url + query)
    assert response.status_code == 200
    data = changelist_form_data(response)
    assert len(data) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    row = next(key for key, value in data.items() if value == str(paragraph.pk))
    data[row.replace("-id", "-text")] = "Paragraph 250 says that something happened, twice."

    response = client.post(url + query, data, follow=True)

    assert response.status_code == 200
    paragraph.refresh_from_db()
    assert paragraph.text == "Paragraph 250 says that something happened, twice."
    claim.refresh_from_db()
    assert claim.review_status == ReviewStatus.UNCHECKED  # its words changed: check again
    assert "1 claim(s) quoting the edited paragraphs need checking again" in (
        response.content.decode()
    )


def test_a_paragraph_edit_that_loses_a_claims_quote_is_refused_on_the_paragraphs_page(
    client, chief, long_briefing
):
    paragraph = long_briefing.paragraphs.get(number=1)
    claim = ClaimFactory(briefing=long_briefing, paragraph=paragraph, quote="something happened")
    client.force_login(chief)
    url = (
        reverse("admin:briefing_paragraph_changelist") + f"?briefing__id__exact={long_briefing.pk}"
    )
    data = changelist_form_data(client.get(url))
    row = next(key for key, value in data.items() if value == str(paragraph.pk))
    data[row.replace("-id", "-text")] = "Nothing of the sort."

    response = client.post(url, data)

    assert response.status_code == 200
    assert f"claim {claim.order} (“something happened”)" in str(
        response.context["cl"].formset.errors
    )
    paragraph.refresh_from_db()
    assert paragraph.text == "Paragraph 1 says that something happened."


def test_a_short_article_is_still_edited_inline_with_a_link_to_its_paragraphs_page(client, chief):
    paragraph = ClaimFactory().paragraph
    client.force_login(chief)
    response = client.get(change_url(paragraph.briefing))
    formsets = [inline.formset.model for inline in response.context["inline_admin_formsets"]]
    assert Paragraph in formsets
    assert "1 paragraph(s); edit them below, or" in response.content.decode()


def test_the_paragraphs_page_costs_the_same_queries_for_a_short_and_a_long_article(
    client, chief, long_briefing
):
    short = ClaimFactory().briefing
    client.force_login(chief)
    url = reverse("admin:briefing_paragraph_changelist")

    def queries(briefing):
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{url}?briefing__id__exact={briefing.pk}")
        assert response.status_code == 200
        return len(captured)

    assert queries(short) == queries(long_briefing)  # 1 row and a full page of 100
