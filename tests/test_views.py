"""The public pages: what a reader sees, what the public may not see, and what it costs.

Readers see editions only: a test creates the content it needs, then publishes it with
publish_edition(). Staff see the working copy at the preview address.
"""

import datetime
import json
import re
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from briefing import publishing, reading, timeline
from briefing.models import Actor, Claim, Edition, Event, Source
from briefing.views import code_token_sources
from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ClaimFactory,
    ClaimRelationFactory,
    EventFactory,
    ParagraphFactory,
    ParticipationFactory,
    SourceFactory,
    StaffFactory,
    TakeawayFactory,
    UserFactory,
    briefing_with_content,
    publish_edition,
)

pytestmark = pytest.mark.django_db

DEMO_SLUG = "shoigu-pyongyang-2025"
# The live edition (its stored document holds everything the page shows) 1, the edition
# history 1: whatever the number of actors, events or claims.
PAGE_QUERIES = 2
# The staff preview builds the working copy's document, one query per table: session 1, user 1,
# the briefing 2 (the view's, then the document's), paragraphs 1, takeaways 2 (with their claims),
# events 2 (with participants), claims 4 (with their actors, events and relations), actors 1.
PREVIEW_QUERIES = 14


def detail_url(briefing, **query):
    url = reverse("briefing:detail", kwargs={"slug": briefing.slug})
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def export_url(briefing):
    return reverse("briefing:export", kwargs={"slug": briefing.slug})


def edition_url(briefing, number, json_=False):
    name = "briefing:edition_export" if json_ else "briefing:edition"
    return reverse(name, kwargs={"slug": briefing.slug, "number": number})


def preview_url(briefing):
    return reverse("briefing:preview", kwargs={"slug": briefing.slug})


def body(response):
    """The visible page, without the JSON-LD in the head (which describes the whole briefing)."""
    html = response.content.decode()
    return html[html.index("<body") :]


class _MarkedWords(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open, self.in_label, self.words = [], 0, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "mark":
            self.open.append(int(attrs["data-claim"]))
        elif tag == "a" and attrs.get("class") == "quote-label":
            self.in_label += 1

    def handle_endtag(self, tag):
        if tag == "mark":
            self.open.pop()
        elif tag == "a" and self.in_label:
            self.in_label -= 1

    def handle_data(self, data):
        if not self.in_label:
            for order in set(self.open):
                self.words[order] = self.words.get(order, "") + data


def marked_words(html):
    """{claim number: the words inside the marks carrying its number}, labels left out."""
    parser = _MarkedWords()
    parser.feed(html)
    return parser.words


def note(html, claim):
    """The note of a claim beside its paragraph in the annotated article."""
    text = html[html.index(f'<li id="{claim.anchor}" class="note">') :]
    return text[: text.index("</li>\n")]


def json_ld(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


def published(briefing):
    """`briefing` after publishing its working copy as the next edition."""
    publish_edition(briefing)
    return briefing


def publish_edition_at(briefing, when, note=""):
    """publish_edition(), as if published at `when`."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        return publish_edition(briefing, note)


def make_publisher():
    """A user with the permission to publish and withdraw."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="publish_briefing"))
    return type(user).objects.get(pk=user.pk)  # a fresh instance: permissions are cached


def fresh(client, url, **extra):
    """GET `url` rendered afresh, not from the page cache (which an edit leaves alone)."""
    cache.clear()
    return client.get(url, **extra)


# Index ------------------------------------------------------------------------------------


def test_index_lists_live_editions_newest_first_and_no_drafts(client):
    now = timezone.now()
    older = BriefingFactory(title="Older")
    newer = BriefingFactory(title="Newer")
    publish_edition_at(older, now - datetime.timedelta(days=2))
    edition = publish_edition_at(newer, now - datetime.timedelta(days=1))
    BriefingFactory(title="Secret draft")
    response = client.get(reverse("briefing:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(newer.title) < html.index(older.title)
    assert "Secret draft" not in html
    assert newer.summary in html
    assert f'datetime="{edition.published_at.isoformat()}"' in html
    assert "latest edition 1, <time" in html


def test_index_gives_each_storys_article_date_event_years_and_latest_edition(client):
    older_story = BriefingFactory(
        title="Older story", article_published_on=datetime.date(2024, 5, 2)
    )
    EventFactory(briefing=older_story, date_edtf="2022/2024-05")
    newer_story = BriefingFactory(
        title="Newer story", article_published_on=datetime.date(2025, 3, 21)
    )
    undated = BriefingFactory(title="Undated story")
    publish_edition(undated)
    publish_edition(newer_story)
    publish_edition(older_story)  # published last, yet its story is older
    publish_edition(older_story, "Second edition.")
    html = client.get(reverse("briefing:index")).content.decode()
    # Newest story first; a story whose article is undated comes after the dated ones.
    assert html.index("Newer story") < html.index("Older story") < html.index("Undated story")
    older = html[html.index("Older story") :]
    older = older[: older.index("</li>")]
    assert 'Article of <time datetime="2024-05-02">2 May 2024</time>' in older
    assert "events 2022–2024" in older
    assert "latest edition 2," in older
    undated_item = html[html.index("Undated story") :]
    assert '<span class="unknown">date not known</span>' in undated_item


def test_index_shows_the_live_editions_title_not_the_working_copys(client):
    briefing = published(BriefingFactory(title="Title as published"))
    briefing.title = "Title being edited"
    briefing.save()
    html = fresh(client, reverse("briefing:index")).content.decode()
    assert "Title as published" in html
    assert "Title being edited" not in html


# Who may see what ---------------------------------------------------------------------------


def test_a_draft_is_not_found_for_anyone_at_its_public_address(client):
    draft = ClaimFactory().briefing
    assert client.get(detail_url(draft)).status_code == 404
    assert client.get(export_url(draft)).status_code == 404
    assert client.get(edition_url(draft, 1)).status_code == 404
    client.force_login(StaffFactory())
    assert client.get(detail_url(draft)).status_code == 404
    assert client.get(export_url(draft)).status_code == 404


def test_staff_preview_a_draft_under_a_preview_banner(client):
    draft = ClaimFactory(text="A claim of the draft.").briefing
    client.force_login(StaffFactory())
    response = client.get(preview_url(draft))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview of the working copy." in html
    assert "nothing yet, as the briefing has no published edition" in html
    assert "A claim of the draft." in html
    assert '<meta name="robots" content="noindex">' in html


def test_readers_see_only_checked_claims_and_events(client):
    briefing = BriefingFactory()
    ClaimFactory(briefing=briefing, text="A checked claim.")
    ClaimFactory(briefing=briefing, text="A claim not yet checked.", review_status="unchecked")
    EventFactory(briefing=briefing, title="An unchecked event", review_status="unchecked")
    publish_edition(briefing)
    html = client.get(detail_url(briefing)).content.decode()
    exported = client.get(export_url(briefing)).json()
    assert "A checked claim." in html
    assert "A claim not yet checked." not in html
    assert "An unchecked event" not in html
    assert "unchecked: not shown to readers" not in html
    assert [claim["text"] for claim in exported["claims"]] == ["A checked claim."]
    assert exported["events"] == []


def test_staff_preview_shows_unchecked_claims_and_events_marked_as_such(client):
    briefing = published(ClaimFactory(text="A checked claim.").briefing)
    ClaimFactory(
        briefing=briefing, text="A claim added after publication.", review_status="unchecked"
    )
    EventFactory(briefing=briefing, title="An unchecked event", review_status="unchecked")
    client.force_login(StaffFactory())
    response = client.get(preview_url(briefing))
    html = response.content.decode()
    assert response.status_code == 200
    assert "A checked claim." in html
    assert "A claim added after publication." in html
    assert "An unchecked event" in html
    assert html.count("unchecked: not shown to readers") == 2
    assert f'they see <a href="{detail_url(briefing)}">the latest edition</a>' in html


def test_staff_see_the_edition_at_the_public_address_like_everyone(client):
    briefing = published(ClaimFactory(text="A checked claim.").briefing)
    ClaimFactory(
        briefing=briefing, text="A claim added after publication.", review_status="unchecked"
    )
    briefing.title = "A title not yet published"
    briefing.save()
    client.force_login(StaffFactory())
    html = client.get(detail_url(briefing)).content.decode()
    assert "A checked claim." in html
    assert "A claim added after publication." not in html
    assert "A title not yet published" not in html
    assert "Preview of the working copy" not in html
    exported = client.get(export_url(briefing)).json()
    assert [claim["text"] for claim in exported["claims"]] == ["A checked claim."]


def test_the_preview_is_refused_to_anonymous_readers_and_non_staff(client):
    briefing = published(ClaimFactory().briefing)
    response = client.get(preview_url(briefing))
    assert response.status_code == 302
    assert "login" in response["Location"]
    client.force_login(UserFactory())
    response = client.get(preview_url(briefing))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_preview_is_never_cached(client):
    briefing = published(ClaimFactory(text="First wording.").briefing)
    client.force_login(StaffFactory())
    first = client.get(preview_url(briefing))
    cache_control = {part.strip() for part in first["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "First wording." in first.content.decode()
    claim = briefing.claims.get()
    claim.text = "Second wording."
    claim.save()
    again = client.get(preview_url(briefing))
    assert "Second wording." in again.content.decode()
    assert {"private", "no-store"} <= {part.strip() for part in again["Cache-Control"].split(",")}
    assert "First wording." in client.get(detail_url(briefing)).content.decode()


def test_published_page_has_no_preview_or_earlier_edition_banner(client):
    html = client.get(detail_url(published(BriefingFactory()))).content.decode()
    assert "Preview of the working copy" not in html
    assert "An earlier edition" not in html
    assert '<meta name="robots" content="noindex">' not in html


@pytest.mark.parametrize(
    "path",
    [
        "/briefings/no-such-briefing/",
        "/briefings/no-such-briefing.json",
        "/briefings/no-such-briefing/editions/1/",
        "/briefings/no-such-briefing/editions/1.json",
        "/briefings/no-such-briefing/preview/",
        "/briefings/%3Cscript%3E/",
        "/briefings/..%2F..%2Fetc%2Fpasswd/",
        "/briefings/%00/",
        "/briefings/" + "a" * 5000 + "/",
        "/briefings/x.json/",
        "/briefings/",
        "/briefings/briefing/editions/0/",
        "/briefings/briefing/editions/2/",
        "/briefings/briefing/editions/-1/",
        "/briefings/briefing/editions/99999999999999999999999/",
        "/briefings/briefing/editions/x/",
    ],
)
def test_crafted_paths_are_not_found(client, path):
    published(BriefingFactory(slug="briefing"))
    if path.endswith("/preview/"):
        client.force_login(StaffFactory())
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["actor=", "actor=%3Cscript%3E", "actor=" + "x" * 5000, "actor=a&actor=b", "actor=%00", "x=1"],
)
def test_crafted_query_strings_get_a_page_or_a_plain_message(client, query):
    briefing = published(BriefingFactory())
    response = client.get(detail_url(briefing) + "?" + query)
    assert response.status_code in (200, 404)
    assert b"<script>" not in response.content


def test_an_empty_actor_filter_shows_everything(client):
    claim = ClaimFactory()
    publish_edition(claim.briefing)
    response = client.get(detail_url(claim.briefing, actor=""))
    assert response.status_code == 200
    assert "Showing only" not in body(response)


def test_stylesheet_is_linked_by_hashed_name_and_cached_for_long(client):
    html = client.get(detail_url(published(BriefingFactory()))).content.decode()
    href = re.search(r'<link rel="stylesheet" href="([^"]+)">', html).group(1)
    assert re.fullmatch(r"/static/briefing/site\.[0-9a-f]{12}\.css", href)
    response = client.get(href)
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]


def test_the_article_stylesheet_is_linked_where_the_article_starts(client, demo):
    """The first screen is drawn before the article's rules arrive and its layout is done."""
    html = client.get(detail_url(demo)).content.decode()
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
    plain = [re.sub(r"\.[0-9a-f]{12}\.css$", ".css", link) for link in links]
    assert plain == ["/static/briefing/site.css", "/static/briefing/article.css"]
    site, article = (html.index(f'href="{link}"') for link in links)
    assert site < html.index("</head>") < html.index('<section id="takeaways"') < article
    assert article < html.index('<section id="article"') < html.index('class="paragraphs"')
    for link in links:
        response = client.get(link)
        assert response.status_code == 200
        assert "max-age=315360000" in response["Cache-Control"]
    # A stored page names both by their content: a change to either renews it.
    assert {"site.css", "article.css"} <= {path.name for path in code_token_sources()}


def test_only_get_and_head_are_allowed(client):
    briefing = published(BriefingFactory())
    for url in (detail_url(briefing), export_url(briefing), edition_url(briefing, 1)):
        assert client.post(url).status_code in (403, 405)
        assert client.head(url).status_code == 200


# The page: sections -------------------------------------------------------------------------


def test_demo_page_has_every_section_in_order(client, demo):
    html = client.get(detail_url(demo)).content.decode()
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert headings == [
        "Bottom line",
        'Key takeaways <span class="hint">open one for its evidence</span>',
        "On this page",
        "The article, annotated",
        "Timeline",
        "Actors: who acts on whom",
        "Sources",
        "Editions",
    ]
    assert html.count("<h1>") == 1
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    assert 'href="#main"' in html


def test_demo_page_ids_are_unique_and_every_in_page_link_has_a_target(client, demo):
    html = client.get(detail_url(demo)).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    fragments = set(re.findall(r'href="#([^"]+)"', html))
    assert fragments <= set(ids)


def test_header_credits_the_article_and_says_what_is_unknown(client):
    briefing = BriefingFactory(article_outlet="Kyiv Independent", article_headline="")
    edition = publish_edition(briefing)
    html = client.get(detail_url(briefing)).content.decode()
    assert "Based on one news article by Kyiv Independent." in html
    # What is not known about the article takes one line.
    assert '<span class="unknown">Headline and date not known.</span>' in html
    assert f'Edition 1, published <time datetime="{edition.published_at.isoformat()}">' in html


def test_takeaways_open_to_the_claims_they_rest_on_with_a_link_to_their_words(client, demo):
    html = body(client.get(detail_url(demo)))
    takeaway = demo.takeaways.first()
    item = html[html.index(takeaway.text.replace("’", "’")) :]
    item = item[: item.index("</details>")]
    claims = list(takeaway.claims.all())
    assert f"{len(claims)} claims</span></summary>" in item
    for claim in claims:
        number = claim.paragraph.number
        link = f'<q>{claim.quote}</q> <a href="#quote-{claim.order}">¶{number}</a>'
        assert link in item.replace("&#34;", '"')
        assert f'id="quote-{claim.order}"' in html
    # Who says it and how, in words.
    assert "The article states: <q>" in item


@pytest.mark.parametrize(
    ("edtf", "html"),
    [
        ("2025-03-21", '<time datetime="2025-03-21">21 March 2025</time>'),
        ("2024-10", '<time datetime="2024-10">October 2024</time>'),
        ("2024", '<time datetime="2024">2024</time>'),
        ("2025-03-21?", '<time datetime="2025-03-21">21 March 2025 (uncertain)</time>'),
        ("2025~", '<time datetime="2025">about 2025</time>'),
        (
            "2024-10/2025-03",
            'from <time datetime="2024-10">October 2024</time> to '
            '<time datetime="2025-03">March 2025</time>',
        ),
        ("[2025-03-21..]", 'not before <time datetime="2025-03-21">21 March 2025</time>'),
        ("2022/", 'from <time datetime="2022">2022</time>, end unknown'),
    ],
)
def test_event_dates_show_their_true_precision(client, edtf, html):
    event = EventFactory(date_edtf=edtf)
    publish_edition(event.briefing)
    page = client.get(detail_url(event.briefing)).content.decode()
    assert f'<p class="event-date">{html}' in page


def test_inferred_and_ongoing_events_say_so(client):
    event = EventFactory(
        date_edtf="2024/..",
        date_basis=Event.DateBasis.INFERRED,
        date_note="“last year” in an article of March 2025",
    )
    publish_edition(event.briefing)
    html = client.get(detail_url(event.briefing)).content.decode()
    assert "date inferred" in html
    date = html[html.index('<p class="aside">Date') :]
    date = date[: date.index("</p>")]
    assert "Date inferred from the text." in date
    assert "“last year” in an article of March 2025" in date
    assert 'from <time datetime="2024">2024</time>, still going on' in html


def test_timeline_is_in_date_order_with_participants_and_backing_claims(client):
    briefing = BriefingFactory()
    later = EventFactory(briefing=briefing, title="Later", date_edtf="2025-03-21")
    earlier = EventFactory(briefing=briefing, title="Earlier", date_edtf="2024")
    ParticipationFactory(event=later, actor=ActorFactory(name="Kim Jong Un"), role="host")
    claim = ClaimFactory(briefing=briefing)
    claim.events.set([later])
    publish_edition(briefing)
    html = client.get(detail_url(briefing)).content.decode()
    assert html.index(">Earlier<") < html.index(">Later<")
    assert "Kim Jong Un (host)" in html
    later_item = html[html.index(f'id="event-{later.slug}"') :]
    assert f'href="#claim-{claim.order}"' in later_item[: later_item.index("</li>\n")]
    assert f'id="event-{earlier.slug}"' in html


def timeline_briefing():
    """Events whose dates overlap: an undated span, a day, a planned window, an ongoing span."""
    briefing = BriefingFactory()
    for title, edtf, basis, status in [
        ("Troops arrive", "2024-10/2025-03", "undated", "occurred"),
        ("Shoigu meets Kim", "2025-03-21", "stated", "occurred"),
        ("Kim visits Moscow", "[2025-03-21..]", "stated", "planned"),
        ("The war goes on", "2022/..", "stated", "occurred"),
    ]:
        EventFactory(
            briefing=briefing, title=title, date_edtf=edtf, date_basis=basis, status=status
        )
    return briefing


def test_events_are_listed_by_earliest_date_then_latest_with_open_ends_last(client):
    briefing = timeline_briefing()
    in_order = ["The war goes on", "Troops arrive", "Shoigu meets Kim", "Kim visits Moscow"]
    assert [event.title for event in Event.objects.filter(briefing=briefing)] == in_order
    publish_edition(briefing)
    timeline = body(client.get(detail_url(briefing)))
    timeline = timeline[timeline.index('<ol class="events">') :]
    positions = [timeline.index(f"{title}</h3>") for title in in_order]
    assert positions == sorted(positions)
    # The chart's rows come in the same order.
    svg = body(client.get(detail_url(briefing)))
    svg = svg[svg.index("<svg") : svg.index("</svg>")]
    labels = re.findall(r'<text class="row-label"[^>]*>([^<]*)</text>', svg)
    assert [label.split(". ", 1)[1].split(" (")[0] for label in labels] == in_order


def bars(html):
    """{event title: (row label, bar classes, bar width)} of the timeline chart."""
    svg = html[html.index("<svg") : html.index("</svg>")]
    rows = re.findall(
        r'<text class="row-label"[^>]*>([^<]*)</text>'
        r'<rect class="([^"]*)" x="[^"]*" y="[^"]*" width="([^"]*)"',
        svg,
    )
    return {
        re.fullmatch(r"\d+\. (.*?)(?: \(.*\))?", label).group(1): (
            label,
            set(classes.split()),
            float(width),
        )
        for label, classes, width in rows
    }


def test_timeline_chart_bars_are_as_wide_as_the_date_allows_and_styled_by_kind(client):
    html = client.get(detail_url(published(timeline_briefing()))).content.decode()
    chart = bars(html)
    war, troops = chart["The war goes on"], chart["Troops arrive"]
    meeting, visit = chart["Shoigu meets Kim"], chart["Kim visits Moscow"]
    # Six months are wider than a day, and an open end runs further than six months.
    assert meeting[2] < troops[2] < war[2]
    assert meeting[1] == {"bar"}
    assert troops[1] == {"bar", "bar-uncertain"}  # undated: the span it allows, hatched
    assert visit[1] == {"bar", "bar-not-occurred", "bar-uncertain"}
    assert war[1] == {"bar"}
    # What the style shows, the row label says in words.
    assert troops[0] == "2. Troops arrive (not dated)"
    assert visit[0].startswith("4. Kim visits Moscow (planned")
    assert "date uncertain" in visit[0]
    assert war[0] == "1. The war goes on (ongoing)"
    assert html.count('class="bar-arrow"') == 1  # only the ongoing one has an arrow
    # The list that follows says the same in words.
    items = {
        re.search(r"([^>]*)</h3>", item).group(1).strip(): item
        for item in html.split('<li id="event-')[1:]
    }
    troops_item, visit_item = items["Troops arrive"], items["Kim visits Moscow"]
    assert "between <time" in troops_item and "not dated in the article" in troops_item
    assert '<span class="badge badge-planned">Planned or intended</span>' in visit_item
    assert "the article does not report it as having happened" in visit_item
    assert "Planned" not in items["Shoigu meets Kim"]


def test_a_wider_span_draws_a_wider_bar(client):
    briefing = BriefingFactory()
    for title, edtf in [
        ("Day", "2024-01-01"),
        ("Month", "2024-03"),
        ("Year", "2024"),
        ("Two years", "2024/2025"),
    ]:
        EventFactory(briefing=briefing, title=title, date_edtf=edtf)
    publish_edition(briefing)
    chart = bars(client.get(detail_url(briefing)).content.decode())
    widths = [chart[title][2] for title in ["Day", "Month", "Year", "Two years"]]
    assert widths == sorted(widths)
    assert len(set(widths)) == 4


def test_the_chart_spreads_clustered_events_and_labels_its_axis_in_months(client):
    briefing = BriefingFactory()
    for title, edtf in [
        ("Long ago", "2015"),
        ("Early March", "2025-03-02"),
        ("Mid March", "2025-03-15"),
        ("Late March", "2025-03-28"),
    ]:
        EventFactory(briefing=briefing, title=title, date_edtf=edtf)
    publish_edition(briefing)
    html = client.get(detail_url(briefing)).content.decode()
    starts = {
        label.split(". ", 1)[1]: float(x)
        for label, x in re.findall(
            r'<text class="row-label"[^>]*>([^<]*)</text><rect class="[^"]*" x="([^"]*)"', html
        )
    }
    # On a linear 2015–2025 axis the three March days would lie within 2 px of each other.
    assert starts["Mid March"] - starts["Early March"] > 40
    assert starts["Late March"] - starts["Mid March"] > 40
    # Tick labels are the texts placed below the plot, on the axis line's y.
    labels = re.findall(r'<text x="[^"]*" y="\d+">([^<]*)</text>', html)
    # Month ticks where events cluster, each year named once where it fits.
    assert "2015" in " ".join(labels[:3]), labels
    assert any(label.startswith(("Mar", "15 Mar")) for label in labels), labels


def test_the_charts_month_names_follow_the_active_language():
    briefing = BriefingFactory()
    for day in ["2025-03-02", "2025-03-28"]:
        EventFactory(briefing=briefing, date_edtf=day)
    events = reading.BriefingPage(publish_edition(briefing).document).events
    tick_labels = re.compile(r'<text x="[^"]*" y="\d+">([^<]*)</text>')
    english = tick_labels.findall(timeline.drawing(events)["marks"])
    with translation.override("de"):
        german = tick_labels.findall(timeline.drawing(events)["marks"])
    # Month names are remembered per process: per language, not once for all.
    assert any("Mar" in label for label in english), english
    assert any("Mär" in label for label in german), german


@pytest.mark.parametrize("edtf", ["1800", "2199-12-31", "1800/..", "../2199", "[..2199-12]"])
def test_the_chart_draws_dates_at_the_edges_of_the_allowed_years(client, edtf):
    event = EventFactory(date_edtf=edtf)
    EventFactory(briefing=event.briefing, date_edtf="2025-03-21")
    publish_edition(event.briefing)
    assert 'class="timeline-chart"' in client.get(detail_url(event.briefing)).content.decode()


def test_a_raw_stored_year_9999_does_not_take_the_chart_down(client):
    event = EventFactory(date_edtf="2199")
    Event.objects.filter(pk=event.pk).update(
        date_edtf="9999", date_earliest=datetime.date(9999, 1, 1), date_latest=datetime.date.max
    )
    publish_edition(event.briefing)
    response = client.get(detail_url(event.briefing))
    assert response.status_code == 200
    assert 'class="timeline-chart"' in response.content.decode()


def test_who_acts_on_whom_is_drawn_from_participants_with_a_text_equivalent(client, demo):
    html = body(client.get(detail_url(demo)))
    figure = html[html.index('<figure class="relations-chart">') :]
    figure = figure[: figure.index("</figure>")]
    # Drawn at its own size, so that a phone shrinks it no more than it must.
    assert re.search(r'<svg width="(\d+)" height="(\d+)" viewBox="0 0 \1 \2" role="img"', figure)
    assert "<script" not in figure
    words = re.sub(r"<[^>]+>", "", figure)
    assert "Sergei Shoigu visits North Korea" in words
    # Russia takes part in its envoy's visit; it is not itself a visitor.
    assert "Russia visits" not in words
    assert "North Korea supplies Russia" in words
    # What the article does not report as having happened is not said to have happened.
    assert "Kim Jong Un may visit Russia" in words
    assert "Kim Jong Un visits Russia" not in words
    # The event says what a visitor does: Shoigu came to meet Kim; Rudenko came for talks.
    assert "Sergei Shoigu is to meet Kim Jong Un" in words
    assert "Andrey Rudenko holds talks with Choe Son Hui" in words
    assert "North Korea holds talks with Russia" in words
    assert "Sergei Shoigu is to hold talks with North Korea" in words
    assert "Sergei Shoigu is to visit" not in words
    sentences = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", figure)]
    assert len(re.findall(r'<path class="relation[ "]', figure)) == len(sentences)
    # A force or group named in the plural takes a plural verb.
    assert "Ukrainian armed forces capture" in words
    assert "armed forces captures" not in words
    assert "North Korean soldiers fighting for Russia fight Ukraine" in words
    # Lines of what has not happened (planned, expected, speculated) are drawn apart, one for
    # each sentence that says it has not happened.
    not_yet = [s for s in sentences if re.search(r" (may|is to|are to|(is|are) expected to) ", s)]
    assert len(not_yet) >= 2
    assert figure.count("relation-not-yet") == len(not_yet)


def test_an_inferred_date_has_a_dashed_bar_and_an_uncertain_one_a_hatched_bar(client):
    briefing = BriefingFactory()
    EventFactory(briefing=briefing, title="Inferred", date_edtf="2024", date_basis="inferred")
    EventFactory(briefing=briefing, title="Uncertain", date_edtf="2025-03-21?")
    publish_edition(briefing)
    chart = bars(client.get(detail_url(briefing)).content.decode())
    assert chart["Inferred"][1] == {"bar", "bar-inferred"}
    assert chart["Inferred"][0] == "1. Inferred (date inferred)"
    assert chart["Uncertain"][1] == {"bar", "bar-uncertain"}
    assert chart["Uncertain"][0] == "2. Uncertain (date uncertain)"


def test_timeline_chart_is_an_svg_image_with_a_text_equivalent(client, demo):
    html = client.get(detail_url(demo)).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="timeline-chart-title timeline-chart-desc"' in svg
    assert (
        svg.count('<rect class="bar')
        == demo.events.exclude(date_earliest=None, date_latest=None).count()
    )


def test_actors_are_grouped_by_affiliation_with_anchor_and_filter_link(client):
    russia = ActorFactory(name="Russia", slug="russia", kind="state")
    shoigu = ActorFactory(name="Sergei Shoigu", slug="sergei-shoigu", affiliation=russia)
    shoigu.role = "Secretary of the Security Council"
    shoigu.save()
    event = EventFactory()
    ParticipationFactory(event=event, actor=shoigu, role="visitor")
    publish_edition(event.briefing)
    html = client.get(detail_url(event.briefing)).content.decode()
    group = html[html.index('id="group-russia"') :]
    assert group.index('id="actor-russia"') < group.index('id="actor-sergei-shoigu"')
    assert "Secretary of the Security Council" in html
    assert 'href="?actor=sergei-shoigu#actor-sergei-shoigu">Sergei Shoigu</a>' in html


def test_claim_says_who_says_so_in_words(client):
    russia = ActorFactory(name="Russia", kind="state")
    tass = SourceFactory(name="TASS", kind=Source.Kind.STATE_MEDIA, affiliation=russia)
    rudenko = ActorFactory(name="Andrey Rudenko")
    claim = ClaimFactory(source=tass, status=Claim.Status.ATTRIBUTED)
    ClaimFactory(briefing=claim.briefing, source=tass, claimant=rudenko)
    publish_edition(claim.briefing)
    html = client.get(detail_url(claim.briefing)).content.decode()
    first, second = claim.briefing.claims.order_by("order")
    # The note names the source, linked to it under Sources.
    source_link = f'<a href="#source-{tass.slug}">'
    assert f"{source_link}According to TASS (state media, Russia)</a> ·" in note(html, first)
    assert (
        f"{source_link}According to Andrey Rudenko, as reported by TASS (state media, Russia)"
        "</a> ·" in note(html, second)
    )
    # In the text, each quote ends with its number and who says it and how.
    assert f'href="#claim-{first.order}">{first.order} <span>TASS says</span></a>' in html
    rudenko_label = f"{second.order} <span>Andrey Rudenko states</span></a>"
    assert f'href="#claim-{second.order}">{rudenko_label}' in html


def test_a_plural_speaker_takes_a_plural_verb(client):
    soldiers = ActorFactory(name="Paek and Ri", kind=Actor.Kind.GROUP, plural_name=True)
    analysts = SourceFactory(name="South Korean analysts", kind="analysts", plural_name=True)
    tass = SourceFactory(name="TASS", kind=Source.Kind.STATE_MEDIA)
    said = ClaimFactory(source=tass, claimant=soldiers, status=Claim.Status.ATTRIBUTED)
    briefing = said.briefing
    suggested = ClaimFactory(briefing=briefing, source=analysts, status=Claim.Status.SPECULATION)
    alleged = ClaimFactory(briefing=briefing, source=tass, status=Claim.Status.ALLEGED)
    TakeawayFactory(briefing=briefing).claims.set([said, suggested])
    publish_edition(briefing)
    html = client.get(detail_url(briefing)).content.decode()
    assert f"{said.order} <span>Paek and Ri say</span></a>" in html
    assert f"{suggested.order} <span>South Korean analysts speculate</span></a>" in html
    assert f"{alleged.order} <span>TASS alleges</span></a>" in html
    # The takeaway's evidence opens each claim with who says it.
    assert "<li>Paek and Ri say: <q>" in html
    assert "<li>South Korean analysts speculate: <q>" in html
    assert "Paek and Ri says" not in html and "analysts speculates" not in html
    page = client.get(detail_url(briefing) + f"claims/{said.order}/").content.decode()
    assert 'content="Paek and Ri say: “' in page


def test_the_demo_writes_no_plural_name_with_a_singular_verb(client, demo):
    html = body(client.get(detail_url(demo)))
    plural = [
        *Actor.objects.filter(plural_name=True).values_list("name", flat=True),
        *Source.objects.filter(plural_name=True).values_list("name", flat=True),
    ]
    assert "Paek and Ri" in plural and "South Korean analysts" in plural
    for name in plural:
        for verb in ("says", "states", "judges", "alleges", "speculates"):
            assert f"{name} {verb}" not in html
    assert "Paek and Ri say:" in html
    assert "South Korean analysts speculate:" in html
    assert "Ukrainian military sources allege:" in html


def test_an_edition_made_before_names_were_marked_plural_reads_its_actors_by_their_form(client):
    soldiers = ActorFactory(name="Paek and Ri", kind=Actor.Kind.GROUP)
    claim = ClaimFactory(claimant=soldiers, status=Claim.Status.ATTRIBUTED)
    ClaimFactory(briefing=claim.briefing, claimant=ActorFactory(name="Andrey Rudenko"))
    edition = publish_edition(claim.briefing)
    document = edition.document
    for item in (*document["actors"], *document["sources"]):
        del item["plural_name"]
    Edition.objects.filter(pk=edition.pk).update(document=document)
    cache.clear()
    response = client.get(detail_url(claim.briefing))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<span>Paek and Ri say</span>" in html
    assert "<span>Andrey Rudenko states</span>" in html


def test_names_in_the_middle_of_a_sentence_read_as_english(client, demo):
    html = body(client.get(detail_url(demo)))
    assert "According to the testimony of the captured soldiers Paek and Ri" in html
    assert "According to Testimony" not in html
    # The article's typography throughout: no straight apostrophe among the page's own words.
    assert "The article’s own reporting" in html
    assert "&#39;" not in html and "'s " not in re.sub(r"<[^>]+>", "", html)
    claim = ClaimFactory(source=SourceFactory(name="The Kyiv Independent", kind="media"))
    publish_edition(claim.briefing)
    assert "According to the Kyiv Independent" in body(client.get(detail_url(claim.briefing)))


def test_article_voice_is_stated_by_the_article(client):
    claim = ClaimFactory(source=SourceFactory(kind=Source.Kind.ARTICLE))
    publish_edition(claim.briefing)
    html = client.get(detail_url(claim.briefing)).content.decode()
    assert ">According to the article</a> ·" in note(html, claim)
    assert "<span>the article states</span></a>" in html


def test_claim_shows_grade_credibility_figure_and_paragraph_link(client):
    claim = ClaimFactory(
        source=SourceFactory(reliability="B"),
        credibility=2,
        figure_low=10000,
        figure_high=12000,
        figure_unit="soldiers",
    )
    publish_edition(claim.briefing)
    html = client.get(detail_url(claim.briefing)).content.decode()
    claim_note = note(html, claim)
    # The grades, compactly: the source's reliability is explained once, under Sources.
    assert f'<a href="#source-{claim.source.slug}">According to' in claim_note
    assert "</a> · graded B2 ·" in claim_note
    assert "usually reliable" not in claim_note and "probably true" not in claim_note
    source = html[html.index(f'id="source-{claim.source.slug}"') :]
    assert "B</span>, usually reliable" in source[: source.index("</li>")]
    assert "10,000–12,000 soldiers" in claim_note
    # The note sits in the claim's paragraph, beside its marked words, and links its own page.
    paragraph = html[html.index(f'<li id="p{claim.paragraph.number}"') :]
    paragraph = paragraph[: paragraph.index("</ol>\n</li>")]
    assert f'id="quote-{claim.order}">{claim.quote}</mark>' in paragraph
    assert claim_note in paragraph
    assert f'href="claims/{claim.order}/">claim page</a>' in claim_note


def test_figure_is_shown_with_the_articles_own_qualifier(client):
    claim = ClaimFactory(
        figure_qualifier="approximately",
        figure_low=10000,
        figure_high=12000,
        figure_unit="soldiers",
    )
    ClaimFactory(
        briefing=claim.briefing, figure_qualifier="at_least", figure_low=3, figure_unit="dead"
    )
    publish_edition(claim.briefing)
    html = client.get(detail_url(claim.briefing)).content.decode()
    assert 'Figure: <span class="figure">approximately 10,000–12,000 soldiers</span>' in html
    assert 'Figure: <span class="figure">at least 3 dead</span>' in html


def test_judgement_and_speculation_claims_are_labelled_as_such(client):
    claim = ClaimFactory(status=Claim.Status.JUDGEMENT)
    ClaimFactory(briefing=claim.briefing, status=Claim.Status.SPECULATION)
    publish_edition(claim.briefing)
    html = client.get(detail_url(claim.briefing)).content.decode()
    assert "<span>the article judges</span></a>" in html
    assert "<span>the article speculates</span></a>" in html


def test_editors_note_on_a_claim_is_shown_as_the_editors(client):
    claim = ClaimFactory(note="“This month” read as March 2025.")
    publish_edition(claim.briefing)
    html = client.get(detail_url(claim.briefing)).content.decode()
    assert "Editors’ note:</span> “This month” read as March 2025." in html


def test_related_claims_link_to_each_other_with_the_relation_in_words(client):
    relation = ClaimRelationFactory(
        relation="contradicts", independence="independent", note="Different counts."
    )
    first, second = relation.claim, relation.other_claim
    publish_edition(first.briefing)
    html = body(client.get(detail_url(first.briefing)))

    def item(claim):
        text = html[html.index(f'id="{claim.anchor}"') :]
        return text[: text.index("</li>\n")]

    assert f'Contradicts <a href="#claim-{second.order}">claim {second.order}</a>' in item(first)
    assert f'Contradicted by <a href="#claim-{first.order}">claim {first.order}</a>' in item(second)
    assert "(independent of each other): Different counts." in item(first)
    claim_page = body(client.get(f"{detail_url(first.briefing)}claims/{second.order}/"))
    assert "Contradicted by <a href=" in claim_page
    assert "Contradicts by" not in html + claim_page


def test_the_demo_notes_say_which_claim_corroborates_which(client, demo):
    html = body(client.get(detail_url(demo)))

    def note(order):
        text = html[html.index(f'id="claim-{order}"') :]
        return text[: text.index("</li>\n")]

    assert 'Corroborates <a href="#claim-22">claim 22</a>' in note(27)
    assert 'Corroborated by <a href="#claim-27">claim 27</a>' in note(22)


def test_a_relation_to_a_claim_readers_cannot_see_is_not_shown(client):
    relation = ClaimRelationFactory(other_claim__review_status="unchecked")
    publish_edition(relation.claim.briefing)
    html = body(client.get(detail_url(relation.claim.briefing)))
    assert f'href="#claim-{relation.other_claim.order}"' not in html
    assert relation.note not in html


def test_what_the_editors_added_about_actors_and_sources_is_labelled_so(client):
    russia = ActorFactory(
        name="Russia",
        kind="state",
        aliases="Moscow",
        editors_aliases="Россия\nRussian Federation",
        wikidata_id="Q159",
        editors_note="A permanent member of the UN Security Council.",
    )
    tass = SourceFactory(
        name="TASS",
        affiliation=russia,
        url="https://tass.com/",
        editors_note="Russia's state news agency.",
    )
    claim = ClaimFactory(source=tass)
    claim.actors.set([russia])
    publish_edition(claim.briefing)
    # The list names each actor; its own view (its name's link) says all there is of it.
    listed = body(client.get(detail_url(claim.briefing)))
    assert f'href="?actor={russia.slug}#{russia.anchor}">Russia</a>, state; also called Moscow' in (
        listed
    )
    html = body(client.get(detail_url(claim.briefing) + f"?actor={russia.slug}"))
    actor = html[html.index(f'id="{russia.anchor}"') :]
    actor = actor[: actor.index("</li>")]
    assert "Also called Moscow." in actor
    editors = actor[actor.index('<span class="editors-note">') :]
    assert "Added by the editors:" in editors
    assert "other names Россия, Russian Federation." in editors
    assert 'href="https://www.wikidata.org/wiki/Q159"' in editors
    assert "A permanent member of the UN Security Council." in editors
    assert "Moscow" not in editors
    source = html[html.index(f'id="source-{tass.slug}"') :]
    source = source[: source.index("</li>")]
    assert '<span class="editors-label">added by the editors</span>' in source
    assert "Added by the editors:</span> Russia&#39;s state news agency." in source


def test_article_details_found_by_the_editors_are_marked_so(client):
    found = BriefingFactory(article_outlet="Kyiv Independent", article_details_from_editors=True)
    given = BriefingFactory(article_outlet="Kyiv Independent")
    publish_edition(found)
    publish_edition(given)
    assert "added by the editors" in body(client.get(detail_url(found)))
    assert "added by the editors" not in body(client.get(detail_url(given)))


def test_sources_list_kind_affiliation_grade_and_their_claims(client):
    russia = ActorFactory(name="Russia", kind="state")
    tass = SourceFactory(name="TASS", kind=Source.Kind.STATE_MEDIA, affiliation=russia)
    claim = ClaimFactory(source=tass)
    publish_edition(claim.briefing)
    html = client.get(detail_url(claim.briefing)).content.decode()
    source = html[html.index(f'id="source-{tass.slug}"') :]
    source = source[: source.index("</li>")]
    assert "State media" in source
    assert f'href="#actor-{russia.slug}">Russia</a>' in source
    assert "reliability cannot be judged" in source
    assert "1 claim</p>" in source


def test_a_source_that_is_also_an_actor_is_one_organisation_linked_both_ways(client):
    tass_actor = ActorFactory(name="TASS", kind=Actor.Kind.MEDIA_OUTLET)
    tass = SourceFactory(name="TASS", kind=Source.Kind.STATE_MEDIA, actor=tass_actor)
    claim = ClaimFactory(source=tass)
    publish_edition(claim.briefing)
    html = client.get(detail_url(claim.briefing)).content.decode()
    source = html[html.index(f'id="source-{tass.slug}"') :]
    source = source[: source.index("</li>")]
    assert f'<a href="#actor-{tass_actor.slug}">also an actor</a>' in source
    actor = html[html.index(f'id="actor-{tass_actor.slug}"') :]
    actor = actor[: actor.index("</li>")]
    assert f'also a source, <a href="#source-{tass.slug}">TASS</a>' in actor


def test_an_edition_made_before_sources_named_their_actor_still_renders(client):
    claim = ClaimFactory()
    edition = publish_edition(claim.briefing)
    document = edition.document
    for source in document["sources"]:
        source.pop("actor", None)
    Edition.objects.filter(pk=edition.pk).update(document=document)
    cache.clear()
    response = client.get(detail_url(claim.briefing))
    assert response.status_code == 200
    assert "also an actor" not in response.content.decode()


def test_article_paragraphs_have_stable_anchors_and_marked_quotes(client):
    briefing = BriefingFactory()
    ParagraphFactory(briefing=briefing, number=1, text="A heading")
    paragraph = ParagraphFactory(
        briefing=briefing, number=2, text="Shoigu arrived on 21 March to meet Kim."
    )
    ClaimFactory(briefing=briefing, paragraph=paragraph, quote="arrived on 21 March")
    publish_edition(briefing)
    html = client.get(detail_url(briefing)).content.decode()
    assert 'id="p1"' in html and 'id="p2"' in html
    claim = briefing.claims.get()
    assert (
        f'Shoigu <mark class="stated" data-claim="{claim.order}" '
        f'id="quote-{claim.order}">arrived on 21 March</mark>'
        f'<a class="quote-label" href="#claim-{claim.order}">'
    ) in html
    assert "</a> to meet Kim.</p>" in html


def test_each_claim_links_to_its_paragraph_with_only_its_own_quote_marked(client):
    paragraph = ParagraphFactory(text="Shoigu arrived on 21 March. He met Kim.")
    briefing = paragraph.briefing
    first = ClaimFactory(briefing=briefing, paragraph=paragraph, quote="Shoigu arrived")
    second = ClaimFactory(briefing=briefing, paragraph=paragraph, quote="He met Kim")
    publish_edition(briefing)
    html = client.get(detail_url(briefing)).content.decode()
    # The paragraph is emitted once, with both quotes marked in place and labelled.
    assert html.count("on 21 March.") == 1
    for claim in (first, second):
        assert f'id="quote-{claim.order}">{claim.quote}</mark>' in html
        assert f'<a class="quote-label" href="#claim-{claim.order}">' in html
    # Each claim's own page marks only its words in the paragraph.
    page = client.get(f"/briefings/{briefing.slug}/claims/{second.order}/").content.decode()
    assert "Shoigu arrived on 21 March. <mark" in page


def test_overlapping_quotes_are_marked_once(client):
    paragraph = ParagraphFactory(text="Former minister Sergei Shoigu arrived on 21 March.")
    briefing = paragraph.briefing
    ClaimFactory(briefing=briefing, paragraph=paragraph, quote="Former minister Sergei Shoigu")
    ClaimFactory(briefing=briefing, paragraph=paragraph, quote="Sergei Shoigu arrived")
    publish_edition(briefing)
    first, second = briefing.claims.order_by("order")
    html = client.get(detail_url(briefing)).content.decode()
    text = html[html.index(f'<li id="p{paragraph.number}">') :]
    text = text[: text.index("</p>")]
    # The second quote starts inside the first and ends after it: the marks stay well-formed,
    # the second claim's words continuing in a second mark after the first closes.
    assert text.count("<mark") == text.count("</mark>") == 3
    words = marked_words(text)
    assert words == {first.order: first.quote, second.order: second.quote}
    assert re.sub(r"<a .*?</a>", "", text).count("Sergei Shoigu") == 1


# A claim's own page -------------------------------------------------------------------------


def claim_url(briefing, order):
    return reverse("briefing:claim", kwargs={"slug": briefing.slug, "order": order})


def test_a_claim_has_its_own_page_with_its_quote_source_grades_and_what_it_concerns(client, demo):
    claim = demo.claims.get(order=8)
    response = client.get(claim_url(demo, 8))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{claim.text}</h1>" in html
    assert f'data-claim="8" id="quote-8">{claim.quote}</mark>' in html
    assert html.count("<mark") == 1
    assert "According to TASS (state media, Russia)" in html
    assert "reliability F, reliability cannot be judged" in html
    assert "Credibility</dt><dd>6, truth cannot be judged" in html
    for actor in claim.actors.all():
        assert f'href="/briefings/{demo.slug}/#actor-{actor.slug}">{actor.name}</a>' in html
    for event in claim.events.all():
        assert f'href="/briefings/{demo.slug}/#event-{event.slug}">' in html
    # Link previews: Open Graph title and description, and the canonical address.
    assert '<meta property="og:title" content="Claim 8: ' in html
    assert '<meta property="og:description" content="TASS says: “' in html
    assert (
        f'<link rel="canonical" href="http://testserver/briefings/{demo.slug}/claims/8/">' in html
    )
    # It is linked from its note on the briefing's page.
    page = client.get(detail_url(demo)).content.decode()
    assert 'href="claims/8/">claim page</a>' in page
    # A claim someone makes in a source names them once, linked; the source has its own line.
    html = client.get(claim_url(demo, 24)).content.decode()
    speaker = f'<a href="/briefings/{demo.slug}/#actor-paek-and-ri">Paek and Ri</a>'
    assert f"<dt>Who says it</dt><dd>{speaker}</dd>" in html
    assert "<dt>Source</dt><dd><a " in html and ">Testimony of the captured soldiers" in html
    # The article's own claim: the article says it, in a word, not “According to the article”.
    html = client.get(claim_url(demo, 14)).content.decode()
    assert "<dt>Who says it</dt><dd>The article</dd>" in html


def test_an_unknown_claim_number_is_not_found(client, demo):
    assert client.get(claim_url(demo, 99)).status_code == 404
    assert client.get(f"/briefings/{demo.slug}/claims/0x1/").status_code == 404


def test_a_claim_of_a_withdrawn_briefing_is_gone(client):
    briefing = published(ClaimFactory().briefing)
    order = briefing.claims.get().order
    assert client.get(claim_url(briefing, order)).status_code == 200
    publishing.withdraw(briefing, make_publisher())
    assert fresh(client, claim_url(briefing, order)).status_code == 410


def test_a_claim_page_shows_the_published_edition_not_the_working_copy(client):
    claim = ClaimFactory(text="Claim as published.")
    briefing = published(claim.briefing)
    claim.text = "Claim as edited."
    claim.save()
    html = fresh(client, claim_url(briefing, claim.order)).content.decode()
    assert "Claim as published." in html and "Claim as edited." not in html


def test_a_claim_page_runs_one_query(client, demo, django_assert_num_queries):
    # The live edition, whose document holds the claim: no edition history on this page.
    with django_assert_num_queries(1):
        assert client.get(claim_url(demo, 8)).status_code == 200


# The actor filter ---------------------------------------------------------------------------


def test_actor_filter_narrows_timeline_and_claims_with_a_show_all_line(client):
    briefing = BriefingFactory()
    kim = ActorFactory(name="Kim Jong Un", slug="kim-jong-un")
    other = ActorFactory(name="Someone Else")
    with_kim = EventFactory(briefing=briefing, title="Kim meets Shoigu")
    without_kim = EventFactory(briefing=briefing, title="Something else entirely")
    ParticipationFactory(event=with_kim, actor=kim)
    ParticipationFactory(event=without_kim, actor=other)
    kim_claim = ClaimFactory(briefing=briefing, text="Kim said a thing.")
    kim_claim.actors.set([kim])
    other_claim = ClaimFactory(briefing=briefing, text="Another said another thing.")
    other_claim.actors.set([other])
    other_claim.events.set([without_kim])

    publish_edition(briefing)
    html = body(client.get(detail_url(briefing, actor="kim-jong-un")))
    assert "Kim meets Shoigu" in html
    assert "Something else entirely</h3>" not in html
    assert "Kim said a thing." in html
    assert "Another said another thing." not in html
    assert "Showing only 1 event and 1 claim involving" in html
    assert f'<a href="{detail_url(briefing)}">show all</a>' in html


def test_actor_filter_includes_actors_affiliated_with_the_chosen_one(client):
    russia = ActorFactory(name="Russia", slug="russia", kind="state")
    shoigu = ActorFactory(name="Sergei Shoigu", affiliation=russia)
    claim = ClaimFactory(text="Shoigu arrived.")
    claim.actors.set([shoigu])
    publish_edition(claim.briefing)
    html = client.get(detail_url(claim.briefing, actor="russia")).content.decode()
    assert "Shoigu arrived." in html
    assert "or one of the 1 actor affiliated with it" in html


def test_unknown_actor_gets_a_plain_message_not_an_error(client):
    briefing = BriefingFactory()
    publish_edition(briefing)
    response = client.get(detail_url(briefing, actor="%3Cb%3Enobody%3C%2Fb%3E"))
    assert response.status_code == 404
    html = response.content.decode()
    assert "names no actor “&lt;b&gt;nobody&lt;/b&gt;”" in html
    assert f'href="{detail_url(briefing)}"' in html


# Escaping -----------------------------------------------------------------------------------

EVIL = '</script><script>alert("x")</script><!--'


def test_editor_text_is_escaped_on_the_page_and_cannot_leave_the_json_ld(client):
    briefing = BriefingFactory(title=EVIL, summary=EVIL, bottom_line=EVIL, article_outlet=EVIL)
    paragraph = ParagraphFactory(briefing=briefing, text=f"Before {EVIL} after.")
    actor = ActorFactory(name=EVIL, role=EVIL)
    claim = ClaimFactory(briefing=briefing, paragraph=paragraph, quote=EVIL, text=EVIL)
    claim.actors.set([actor])
    event = EventFactory(briefing=briefing, title=EVIL, summary=EVIL, date_note=EVIL)
    ParticipationFactory(event=event, actor=actor)
    publish_edition(briefing)
    response = client.get(detail_url(briefing))
    html = response.content.decode()
    assert "<script>alert" not in html
    # One JSON-LD block, closed only by its own end tag.
    assert html.count("</script>") == 1
    data = json_ld(response)
    assert data["headline"] == EVIL
    assert data["description"] == EVIL
    assert "&lt;/script&gt;" in html


def test_json_ld_describes_the_briefing_with_schema_org_types(client, demo):
    data = json_ld(client.get(detail_url(demo)))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "AnalysisNewsArticle"
    assert data["url"] == "http://testserver" + detail_url(demo)
    assert data["version"] == 1
    assert data["datePublished"] == demo.live_edition.document["edition"]["published_at"]
    assert data["isBasedOn"] == {"@type": "NewsArticle"}  # its headline, outlet and date unknown
    # Only what search engines read: the claims, events and actors are in the JSON export.
    assert not {"hasPart", "about", "mentions"} & set(data)
    export = client.get(export_url(demo)).json()
    assert len(export["claims"]) == demo.claims.count()
    assert len(export["events"]) == demo.events.count()
    assert {actor["slug"] for actor in export["actors"]} >= {"kim-jong-un", "sergei-shoigu"}


def test_the_page_lists_the_edition_history_with_dates_and_notes(client):
    briefing = ClaimFactory().briefing
    day = datetime.datetime(2025, 3, 21, 9, tzinfo=datetime.UTC)
    first = publish_edition_at(briefing, day)
    second = publish_edition_at(briefing, day + datetime.timedelta(days=1), "Added a source.")
    third = publish_edition_at(briefing, day + datetime.timedelta(days=2), "Corrected a date.")
    html = body(client.get(detail_url(briefing)))
    history = html[html.index('<section id="editions"') :]
    history = history[: history.index("</section>")]
    items = re.findall(r"<li>(.*?)</li>", history)
    assert items == [
        '<strong>Edition 3</strong> (this page), <time datetime="2025-03-23T09:00:00+00:00">'
        "23 March 2025</time>: Corrected a date.",
        f'<a href="{second.get_absolute_url()}">Edition 2</a>, '
        '<time datetime="2025-03-22T09:00:00+00:00">22 March 2025</time>: Added a source.',
        f'<a href="{first.get_absolute_url()}">Edition 1</a>, '
        '<time datetime="2025-03-21T09:00:00+00:00">21 March 2025</time>: first published',
    ]
    assert third.get_absolute_url() == edition_url(briefing, 3)
    assert 'Edition 3, published <time datetime="2025-03-23T09:00:00+00:00">' in html
    assert '<a href="#editions">all editions</a>' in html


def test_an_earlier_edition_stays_readable_with_a_notice_linking_to_the_latest(client):
    briefing = BriefingFactory(title="The first title")
    claim = ClaimFactory(briefing=briefing, text="The claim as first published.")
    day = datetime.datetime(2025, 3, 21, 9, tzinfo=datetime.UTC)
    publish_edition_at(briefing, day)
    briefing.title = "The second title"
    briefing.save()
    claim.text = "The claim as corrected."
    claim.save()
    latest = publish_edition_at(briefing, day + datetime.timedelta(days=1), "Corrected claim 1.")

    response = client.get(edition_url(briefing, 1))
    assert response.status_code == 200
    html = response.content.decode()
    page = body(response)
    assert "The first title" in page and "The claim as first published." in page
    assert "The second title" not in html and "The claim as corrected." not in html
    assert (
        "This is edition 1 of 21 March 2025, kept as it was published. "
        f'<a href="{latest.get_absolute_url()}">Read the latest edition (2)</a>.'
    ) in page
    assert '<meta name="robots" content="noindex">' in html
    assert f'<link rel="canonical" href="http://testserver{edition_url(briefing, 1)}">' in html
    assert f'href="{edition_url(briefing, 1, json_=True)}"' in html
    assert json_ld(response)["version"] == 1

    latest_page = client.get(detail_url(briefing)).content.decode()
    assert "The second title" in latest_page and "The claim as corrected." in latest_page
    assert "An earlier edition" not in latest_page
    assert "Corrected claim 1." in latest_page
    assert f'<link rel="canonical" href="http://testserver{detail_url(briefing)}">' in latest_page
    # The latest edition at its own address too, without the notice; its canonical is the page.
    numbered = client.get(edition_url(briefing, 2)).content.decode()
    assert "The second title" in numbered and "An earlier edition" not in numbered
    assert f'<link rel="canonical" href="http://testserver{detail_url(briefing)}">' in numbered


def test_each_edition_has_its_own_export_carrying_its_number(client):
    briefing = BriefingFactory(title="The first title")
    ClaimFactory(briefing=briefing)
    publish_edition_at(briefing, datetime.datetime(2025, 3, 21, 9, tzinfo=datetime.UTC))
    briefing.title = "The second title"
    briefing.save()
    publish_edition(briefing, "Retitled.")

    old = client.get(edition_url(briefing, 1, json_=True))
    assert old.status_code == 200
    assert old["Content-Type"] == "application/json"
    assert old.json()["edition"] == {
        "number": 1,
        "published_at": "2025-03-21T09:00:00Z",
        "note": "",
    }
    assert old.json()["title"] == "The first title"
    assert old.json()["url"] == "http://testserver" + edition_url(briefing, 1)
    latest = client.get(export_url(briefing)).json()
    assert (latest["edition"]["number"], latest["edition"]["note"]) == (2, "Retitled.")
    assert latest["title"] == "The second title"
    assert client.get(edition_url(briefing, 2, json_=True)).json() == latest


def test_a_new_slug_takes_effect_with_the_next_edition_and_the_old_one_redirects(client):
    briefing = published(ClaimFactory(briefing__slug="old-address").briefing)
    briefing.slug = "new-address"
    briefing.save()
    assert client.get("/briefings/old-address/").status_code == 200
    assert client.get("/briefings/new-address/").status_code == 404

    publish_edition(briefing, "New address.")
    page = client.get("/briefings/old-address/")
    assert page.status_code == 301
    assert page["Location"] == "/briefings/new-address/"
    export = client.get("/briefings/old-address.json")
    assert export.status_code == 301
    assert export["Location"] == "/briefings/new-address.json"
    assert client.get("/briefings/new-address/").status_code == 200
    # Earlier editions stay at their own addresses.
    assert client.get("/briefings/old-address/editions/1/").status_code == 200
    assert client.get("/briefings/old-address/editions/1.json").json()["slug"] == "old-address"
    assert client.get("/briefings/old-address/editions/3/").status_code == 404


def test_edits_to_the_working_copy_reach_readers_only_with_the_next_edition(client):
    briefing = BriefingFactory(title="Title as published", summary="Summary as published.")
    paragraph = ParagraphFactory(
        briefing=briefing, text="Paragraph as published: something happened."
    )
    actor = ActorFactory(name="Actor as published")
    claim = ClaimFactory(briefing=briefing, paragraph=paragraph, text="Claim as published.")
    claim.actors.set([actor])
    publish_edition(briefing)

    briefing.title, briefing.summary = "Title as edited", "Summary as edited."
    briefing.save()
    claim.text = "Claim as edited."
    claim.save()
    paragraph.text = "Paragraph as edited: something happened."
    paragraph.save()
    # A shared actor: renamed for every briefing that names it.
    actor.name = "Actor as edited"
    actor.save()

    def everything_readers_get():
        page = body(fresh(client, detail_url(briefing)))
        export = fresh(client, export_url(briefing)).content.decode()
        feed = fresh(client, reverse("briefing:feed")).content.decode()
        return page, export, feed

    page, export, feed = everything_readers_get()
    for published_text in ("Title as published", "Summary as published.", "Claim as published."):
        assert published_text in page and published_text in export
    assert "Paragraph as published" in page and "Paragraph as published" in export
    assert "Actor as published" in page and "Actor as published" in export
    assert "Title as published" in feed and "Summary as published." in feed
    for edited in ("as edited", "Title as edited", "Summary as edited."):
        assert edited not in page and edited not in export and edited not in feed

    publish_edition(briefing, "Edited everything.")
    page, export, feed = everything_readers_get()
    for edited_text in (
        "Title as edited",
        "Summary as edited.",
        "Claim as edited.",
        "Paragraph as edited",
        "Actor as edited",
    ):
        assert edited_text in page and edited_text in export
    assert "as published" not in page and "as published" not in export
    assert "Title as edited" in feed and "Summary as edited." in feed
    assert "Edition 2: Edited everything." in feed
    assert "as published" not in feed


# Withdrawal ---------------------------------------------------------------------------------


def test_a_withdrawn_briefing_is_gone_with_all_its_editions(
    client, django_capture_on_commit_callbacks
):
    briefing = published(ClaimFactory(briefing__title="Soon withdrawn").briefing)
    publish_edition(briefing, "A second edition.")
    other = published(BriefingFactory(title="Still published"))
    addresses = [
        detail_url(briefing),
        export_url(briefing),
        edition_url(briefing, 1),
        edition_url(briefing, 1, json_=True),
        edition_url(briefing, 2),
        edition_url(briefing, 2, json_=True),
    ]
    for address in addresses:
        assert client.get(address).status_code == 200  # and now in the page cache
    index, feed = reverse("briefing:index"), reverse("briefing:feed")
    assert "Soon withdrawn" in client.get(index).text
    assert "Soon withdrawn" in client.get(feed).text

    with django_capture_on_commit_callbacks(execute=True):
        publishing.withdraw(briefing, make_publisher())

    for address in addresses:
        response = client.get(address)
        assert response.status_code == 410, address
        assert "no-cache" in response["Cache-Control"]
    gone = client.get(detail_url(briefing)).content.decode()
    assert "This briefing has been withdrawn" in gone
    assert "Soon withdrawn" not in gone
    assert "Soon withdrawn" not in client.get(index).text
    assert "Soon withdrawn" not in client.get(feed).text
    assert "Still published" in client.get(index).text
    assert client.get(detail_url(other)).status_code == 200
    client.force_login(StaffFactory())
    assert client.get(detail_url(briefing)).status_code == 410
    assert client.get(preview_url(briefing)).status_code == 200


def test_publishing_again_brings_a_withdrawn_briefing_back(
    client, django_capture_on_commit_callbacks
):
    briefing = published(ClaimFactory().briefing)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.withdraw(briefing, make_publisher())
    assert client.get(detail_url(briefing)).status_code == 410
    publish_edition(briefing, "Back after a correction.")
    assert client.get(detail_url(briefing)).status_code == 200
    assert client.get(edition_url(briefing, 1)).status_code == 200
    assert client.get(export_url(briefing)).json()["edition"]["number"] == 2


def test_only_a_publisher_may_withdraw(client):
    briefing = published(ClaimFactory().briefing)
    with pytest.raises(PermissionDenied):
        publishing.withdraw(briefing, StaffFactory())
    assert client.get(detail_url(briefing)).status_code == 200


# Speed --------------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 10])
def test_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, scale):
    briefing = briefing_with_content(scale)
    assert briefing.claims.count() == 31 * scale
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(detail_url(briefing))
    assert response.status_code == 200
    assert response.content.decode().count('class="note"') == 31 * scale


@pytest.mark.parametrize("scale", [1, 10])
def test_filtered_page_runs_the_same_number_of_queries(client, django_assert_num_queries, scale):
    briefing = briefing_with_content(scale)
    actor = briefing.claims.first().actors.first()
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(detail_url(briefing, actor=actor.slug))
    assert "Showing only" in response.content.decode()


@pytest.mark.parametrize("scale", [1, 10])
def test_an_earlier_edition_runs_the_same_number_of_queries(
    client, django_assert_num_queries, scale
):
    briefing = briefing_with_content(scale)
    publish_edition(briefing, "A second edition.")
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(edition_url(briefing, 1))
    assert response.status_code == 200
    assert response.content.decode().count('class="note"') == 31 * scale


def test_demo_page_runs_the_same_fixed_number_of_queries(client, demo, django_assert_num_queries):
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(detail_url(demo)).status_code == 200


@pytest.mark.parametrize("scale", [1, 10])
def test_the_preview_runs_a_fixed_number_of_queries(client, django_assert_num_queries, scale):
    briefing = briefing_with_content(scale)
    client.force_login(StaffFactory())
    with django_assert_num_queries(PREVIEW_QUERIES):
        response = client.get(preview_url(briefing))
    assert response.status_code == 200
    assert response.content.decode().count('class="note"') == 31 * scale


def test_index_runs_one_query(client, django_assert_num_queries):
    for _ in range(5):
        published(ClaimFactory().briefing)
    with django_assert_num_queries(1):
        response = client.get(reverse("briefing:index"))
    assert response.content.decode().count('class="briefing-card"') == 5


# Caching headers and conditional GET ---------------------------------------------------------


def test_page_carries_etag_and_last_modified_and_answers_304(client):
    briefing = briefing_with_content()
    first = client.get(detail_url(briefing))
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(detail_url(briefing), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(detail_url(briefing), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


@pytest.mark.parametrize("address", [detail_url, export_url])
def test_work_on_the_working_copy_keeps_the_etag_and_a_new_edition_changes_it(client, address):
    briefing = ClaimFactory(text="As published.").briefing
    publish_edition_at(briefing, timezone.now() - datetime.timedelta(days=1))
    url = address(briefing)
    first = client.get(url)

    claim = briefing.claims.get()
    claim.text = "Hidden work on the working copy."
    claim.save()
    briefing.title = "A hidden new title"
    briefing.save()
    hidden = fresh(client, url)
    assert hidden.status_code == 200
    assert (hidden["ETag"], hidden["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    assert "Hidden work" not in hidden.content.decode()
    assert fresh(client, url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    since = fresh(client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304

    publish_edition(briefing, "Published the hidden work.")
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert after["Last-Modified"] != first["Last-Modified"]
    assert "Hidden work on the working copy." in after.content.decode()
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 200


def test_an_earlier_editions_etag_changes_when_a_newer_edition_is_published(client):
    briefing = published(ClaimFactory().briefing)
    first = client.get(edition_url(briefing, 1))
    assert "An earlier edition" not in first.content.decode()
    publish_edition(briefing, "A second edition.")
    after = client.get(edition_url(briefing, 1), HTTP_IF_NONE_MATCH=first["ETag"])
    # Its notice now links to the newer edition: the page is not the one the browser holds.
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert "An earlier edition" in after.content.decode()


@pytest.mark.parametrize(
    "address",
    [
        lambda briefing: detail_url(briefing),
        lambda briefing: export_url(briefing),
        lambda briefing: edition_url(briefing, 1),
        lambda briefing: edition_url(briefing, 1, json_=True),
        lambda briefing: reverse("briefing:feed"),
        lambda briefing: reverse("briefing:index"),
    ],
    ids=["page", "export", "edition", "edition-export", "feed", "index"],
)
def test_readers_revalidate_every_time(client, address):
    briefing = published(ClaimFactory().briefing)
    url = address(briefing)
    for response in (client.get(url), client.get(url)):  # rendered, then from the page cache
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"]
        assert "max-age" not in response["Cache-Control"]
