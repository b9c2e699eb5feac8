"""The public pages: what a reader sees, what the public may not see, and what it costs."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from briefing.models import Briefing, Claim, Event, Source
from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ChangeNoteFactory,
    ClaimFactory,
    ClaimRelationFactory,
    EventFactory,
    ParagraphFactory,
    ParticipationFactory,
    SourceFactory,
    StaffFactory,
    briefing_with_content,
)

pytestmark = pytest.mark.django_db

DEMO_SLUG = "shoigu-pyongyang-2025"
# Freshness (ETag/Last-Modified) 1, briefing 1, paragraphs 1, takeaways 2, events 2,
# claims 4 (with their actors, events and relations), change notes 1, involved actors 1.
PAGE_QUERIES = 13


def detail_url(briefing, **query):
    url = reverse("briefing:detail", kwargs={"slug": briefing.slug})
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def body(response):
    """The visible page, without the JSON-LD in the head (which describes the whole briefing)."""
    html = response.content.decode()
    return html[html.index("<body") :]


def json_ld(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


# Index ------------------------------------------------------------------------------------


def test_index_lists_published_briefings_newest_first_and_no_drafts(client):
    now = timezone.now()
    older = BriefingFactory(title="Older", published_at=now - datetime.timedelta(days=2))
    newer = BriefingFactory(title="Newer", published_at=now - datetime.timedelta(days=1))
    BriefingFactory(title="Secret draft", draft=True)
    response = client.get(reverse("briefing:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(newer.title) < html.index(older.title)
    assert "Secret draft" not in html
    assert newer.summary in html
    assert f'datetime="{newer.published_at.isoformat()}"' in html


# Who may see what ---------------------------------------------------------------------------


def test_draft_is_not_found_for_the_public(client):
    draft = BriefingFactory(draft=True)
    assert client.get(detail_url(draft)).status_code == 404
    assert client.get(reverse("briefing:export", kwargs={"slug": draft.slug})).status_code == 404


def test_staff_preview_a_draft_under_a_draft_banner(client):
    draft = BriefingFactory(draft=True)
    client.force_login(StaffFactory())
    response = client.get(detail_url(draft))
    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_readers_see_only_checked_claims_and_events(client):
    briefing = BriefingFactory()
    ClaimFactory(briefing=briefing, text="A checked claim.")
    ClaimFactory(
        briefing=briefing, text="A claim added after publication.", review_status="unchecked"
    )
    EventFactory(briefing=briefing, title="An unchecked event", review_status="unchecked")
    html = client.get(detail_url(briefing)).content.decode()
    exported = client.get(reverse("briefing:export", kwargs={"slug": briefing.slug})).json()
    assert "A checked claim." in html
    assert "A claim added after publication." not in html
    assert "An unchecked event" not in html
    assert [claim["text"] for claim in exported["claims"]] == ["A checked claim."]
    assert exported["events"] == []


def test_staff_see_unchecked_claims_and_events_marked_as_such(client):
    briefing = BriefingFactory()
    ClaimFactory(
        briefing=briefing, text="A claim added after publication.", review_status="unchecked"
    )
    EventFactory(briefing=briefing, title="An unchecked event", review_status="unchecked")
    client.force_login(StaffFactory())
    html = client.get(detail_url(briefing)).content.decode()
    assert "A claim added after publication." in html
    assert "An unchecked event" in html
    assert html.count("unchecked: not shown to readers") == 2


def test_published_briefing_has_no_draft_banner(client):
    response = client.get(detail_url(BriefingFactory()))
    assert "Draft preview" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/briefings/no-such-briefing/",
        "/briefings/no-such-briefing.json",
        "/briefings/%3Cscript%3E/",
        "/briefings/..%2F..%2Fetc%2Fpasswd/",
        "/briefings/%00/",
        "/briefings/" + "a" * 5000 + "/",
        "/briefings/x.json/",
        "/briefings/",
    ],
)
def test_crafted_paths_are_not_found(client, path):
    BriefingFactory()
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["actor=", "actor=%3Cscript%3E", "actor=" + "x" * 5000, "actor=a&actor=b", "actor=%00", "x=1"],
)
def test_crafted_query_strings_get_a_page_or_a_plain_message(client, query):
    briefing = BriefingFactory()
    response = client.get(detail_url(briefing) + "?" + query)
    assert response.status_code in (200, 404)
    assert b"<script>" not in response.content


def test_an_empty_actor_filter_shows_everything(client):
    claim = ClaimFactory()
    response = client.get(detail_url(claim.briefing, actor=""))
    assert response.status_code == 200
    assert "Showing only" not in body(response)


def test_stylesheet_is_linked_by_hashed_name_and_cached_for_long(client):
    html = client.get(detail_url(BriefingFactory())).content.decode()
    href = re.search(r'<link rel="stylesheet" href="([^"]+)">', html).group(1)
    assert re.fullmatch(r"/static/briefing/site\.[0-9a-f]{12}\.css", href)
    response = client.get(href)
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]


def test_only_get_and_head_are_allowed(client):
    briefing = BriefingFactory()
    assert client.post(detail_url(briefing)).status_code in (403, 405)
    assert client.head(detail_url(briefing)).status_code == 200


# The page: sections -------------------------------------------------------------------------


def test_demo_page_has_every_section_in_order(client, demo):
    html = client.get(detail_url(demo)).content.decode()
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert headings == [
        "On this page",
        "Bottom line up front",
        "Timeline",
        "Actors",
        "Claims",
        "Sources",
        "The original article",
    ] + (["What changed"] if demo.change_notes.exists() else [])
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
    html = client.get(detail_url(briefing)).content.decode()
    assert "Kyiv Independent" in html
    assert html.count('<span class="unknown">unknown</span>') == 3
    assert f'datetime="{briefing.updated_at.isoformat()}"' in html


def test_takeaways_link_to_the_claims_they_rest_on(client, demo):
    html = client.get(detail_url(demo)).content.decode()
    takeaway = demo.takeaways.first()
    for claim in takeaway.claims.all():
        assert f'<a href="#claim-{claim.order}">claim {claim.order}</a>' in html


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
    page = client.get(detail_url(event.briefing)).content.decode()
    assert f'<p class="event-date">{html}' in page


def test_inferred_and_ongoing_events_say_so(client):
    event = EventFactory(
        date_edtf="2024/..",
        date_basis=Event.DateBasis.INFERRED,
        date_note="“last year” in an article of March 2025",
    )
    html = client.get(detail_url(event.briefing)).content.decode()
    assert "date inferred" in html
    date = html[html.index("<dt>Date</dt>") :]
    date = date[: date.index("</dd>")]
    assert "Inferred from the text" in date
    assert "“last year” in an article of March 2025" in date
    assert 'from <time datetime="2024">2024</time>, still going on' in html


def test_timeline_is_in_date_order_with_participants_and_backing_claims(client):
    briefing = BriefingFactory()
    later = EventFactory(briefing=briefing, title="Later", date_edtf="2025-03-21")
    earlier = EventFactory(briefing=briefing, title="Earlier", date_edtf="2024")
    ParticipationFactory(event=later, actor=ActorFactory(name="Kim Jong Un"), role="host")
    claim = ClaimFactory(briefing=briefing)
    claim.events.set([later])
    html = client.get(detail_url(briefing)).content.decode()
    assert html.index(">Earlier<") < html.index(">Later<")
    assert "Kim Jong Un</a> (host)" in html
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
    html = client.get(detail_url(timeline_briefing())).content.decode()
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
    chart = bars(client.get(detail_url(briefing)).content.decode())
    widths = [chart[title][2] for title in ["Day", "Month", "Year", "Two years"]]
    assert widths == sorted(widths)
    assert len(set(widths)) == 4


def test_an_inferred_date_has_a_dashed_bar_and_an_uncertain_one_a_hatched_bar(client):
    briefing = BriefingFactory()
    EventFactory(briefing=briefing, title="Inferred", date_edtf="2024", date_basis="inferred")
    EventFactory(briefing=briefing, title="Uncertain", date_edtf="2025-03-21?")
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
    html = client.get(detail_url(event.briefing)).content.decode()
    group = html[html.index('id="group-russia"') :]
    assert group.index('id="actor-russia"') < group.index('id="actor-sergei-shoigu"')
    assert "Secretary of the Security Council" in html
    assert 'href="?actor=sergei-shoigu#timeline"' in html


def test_claim_says_who_says_so_in_words(client):
    russia = ActorFactory(name="Russia", kind="state")
    tass = SourceFactory(name="TASS", kind=Source.Kind.STATE_MEDIA, affiliation=russia)
    rudenko = ActorFactory(name="Andrey Rudenko")
    claim = ClaimFactory(source=tass, status=Claim.Status.ATTRIBUTED)
    ClaimFactory(briefing=claim.briefing, source=tass, claimant=rudenko)
    html = client.get(detail_url(claim.briefing)).content.decode()
    assert "According to TASS (state media, Russia):" in html
    assert "According to Andrey Rudenko, as reported by TASS (state media, Russia):" in html
    assert '<span class="badge status-attributed">Attributed to a source</span>' in html


def test_article_voice_is_stated_by_the_article(client):
    claim = ClaimFactory(source=SourceFactory(kind=Source.Kind.ARTICLE))
    html = client.get(detail_url(claim.briefing)).content.decode()
    assert "According to the article:" in html
    assert "Stated as fact by the article" in html


def test_claim_shows_grade_credibility_figure_and_paragraph_link(client):
    claim = ClaimFactory(
        source=SourceFactory(reliability="B"),
        credibility=2,
        figure_low=10000,
        figure_high=12000,
        figure_unit="soldiers",
    )
    html = client.get(detail_url(claim.briefing)).content.decode()
    assert 'title="B – Usually reliable">B</abbr> (usually reliable)' in html
    assert 'title="2 – Probably true">2</abbr> (probably true)' in html
    assert "10,000–12,000 soldiers" in html
    number, order = claim.paragraph.number, claim.order
    assert f'<a class="paragraph-link" href="#p{number}">Paragraph {number}</a>' in html
    assert f'<a class="quote-link" href="#p{number}-claim-{order}"' in html


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
    html = client.get(detail_url(claim.briefing)).content.decode()
    assert '<dd class="figure">approximately 10,000–12,000 soldiers</dd>' in html
    assert '<dd class="figure">at least 3 dead</dd>' in html


def test_judgement_and_speculation_claims_are_labelled_as_such(client):
    claim = ClaimFactory(status=Claim.Status.JUDGEMENT)
    ClaimFactory(briefing=claim.briefing, status=Claim.Status.SPECULATION)
    html = client.get(detail_url(claim.briefing)).content.decode().replace("&#x27;", "'")
    assert '<span class="badge status-judgement">The article\'s own judgement</span>' in html
    assert '<span class="badge status-speculation">Speculation (may, could)</span>' in html


def test_editors_note_on_a_claim_is_shown_as_the_editors(client):
    claim = ClaimFactory(note="“This month” read as March 2025.")
    html = client.get(detail_url(claim.briefing)).content.decode()
    assert "Editors’ note:</span> “This month” read as March 2025." in html


def test_related_claims_link_to_each_other_with_the_relation_in_words(client):
    relation = ClaimRelationFactory(
        relation="contradicts", independence="independent", note="Different counts."
    )
    first, second = relation.claim, relation.other_claim
    html = body(client.get(detail_url(first.briefing)))

    def item(claim):
        text = html[html.index(f'id="{claim.anchor}"') :]
        return text[: text.index("</li>\n")]

    assert f'Contradicts <a href="#claim-{second.order}">claim {second.order}</a>' in item(first)
    assert f'Contradicts by <a href="#claim-{first.order}">claim {first.order}</a>' in item(second)
    assert "(independent of each other): Different counts." in item(first)


def test_a_relation_to_a_claim_readers_cannot_see_is_not_shown(client):
    relation = ClaimRelationFactory(other_claim__review_status="unchecked")
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
    html = body(client.get(detail_url(claim.briefing)))
    actor = html[html.index(f'id="{russia.anchor}"') :]
    actor = actor[: actor.index("</li>")]
    assert "Also called in the article: Moscow" in actor
    editors = actor[actor.index('<p class="editors-note">') :]
    assert "Added by the editors:" in editors
    assert "other names Россия, Russian Federation." in editors
    assert 'href="https://www.wikidata.org/wiki/Q159"' in editors
    assert "A permanent member of the UN Security Council." in editors
    assert "Moscow" not in editors
    source = html[html.index(f'id="source-{tass.slug}"') :]
    source = source[: source.index("</li>")]
    assert '<span class="editors-label">added by the editors</span>' in source
    assert "Added by the editors:</span> Russia's state news agency." in source.replace(
        "&#x27;", "'"
    )


def test_article_details_found_by_the_editors_are_marked_so(client):
    found = BriefingFactory(article_outlet="Kyiv Independent", article_details_from_editors=True)
    given = BriefingFactory(article_outlet="Kyiv Independent")
    assert "added by the editors" in body(client.get(detail_url(found)))
    assert "added by the editors" not in body(client.get(detail_url(given)))


def test_sources_list_kind_affiliation_grade_and_their_claims(client):
    russia = ActorFactory(name="Russia", kind="state")
    tass = SourceFactory(name="TASS", kind=Source.Kind.STATE_MEDIA, affiliation=russia)
    claim = ClaimFactory(source=tass)
    html = client.get(detail_url(claim.briefing)).content.decode()
    source = html[html.index(f'id="source-{tass.slug}"') :]
    source = source[: source.index("</li>")]
    assert "State media" in source
    assert f'href="#actor-{russia.slug}">Russia</a>' in source
    assert "reliability cannot be judged" in source
    assert f'href="#claim-{claim.order}"' in source


def test_article_paragraphs_have_stable_anchors_and_marked_quotes(client):
    briefing = BriefingFactory()
    ParagraphFactory(briefing=briefing, number=1, text="A heading")
    paragraph = ParagraphFactory(
        briefing=briefing, number=2, text="Shoigu arrived on 21 March to meet Kim."
    )
    ClaimFactory(briefing=briefing, paragraph=paragraph, quote="arrived on 21 March")
    html = client.get(detail_url(briefing)).content.decode()
    assert 'id="p1"' in html and 'id="p2"' in html
    assert "Shoigu <mark>arrived on 21 March</mark> to meet Kim." in html


def test_each_claim_links_to_its_paragraph_with_only_its_own_quote_marked(client):
    paragraph = ParagraphFactory(text="Shoigu arrived on 21 March. He met Kim.")
    briefing = paragraph.briefing
    first = ClaimFactory(briefing=briefing, paragraph=paragraph, quote="Shoigu arrived")
    second = ClaimFactory(briefing=briefing, paragraph=paragraph, quote="He met Kim")
    html = client.get(detail_url(briefing)).content.decode()
    number = paragraph.number
    for claim, marked in (
        (first, "<mark>Shoigu arrived</mark> on 21 March. He met Kim."),
        (second, "Shoigu arrived on 21 March. <mark>He met Kim</mark>."),
    ):
        anchor = f"p{number}-claim-{claim.order}"
        assert f'href="#{anchor}"' in html
        copy = html[html.index(f'id="{anchor}"') :]
        assert marked in copy[: copy.index("</p>")]


def test_overlapping_quotes_are_marked_once(client):
    paragraph = ParagraphFactory(text="Former minister Sergei Shoigu arrived on 21 March.")
    briefing = paragraph.briefing
    ClaimFactory(briefing=briefing, paragraph=paragraph, quote="Former minister Sergei Shoigu")
    ClaimFactory(briefing=briefing, paragraph=paragraph, quote="Sergei Shoigu arrived")
    html = client.get(detail_url(briefing)).content.decode()
    assert "<mark>Former minister Sergei Shoigu arrived</mark> on 21 March." in html


def test_change_notes_are_listed_newest_first(client):
    briefing = BriefingFactory()
    now = timezone.now()
    ChangeNoteFactory(briefing=briefing, text="First note", created_at=now - datetime.timedelta(1))
    ChangeNoteFactory(briefing=briefing, text="Second note", created_at=now)
    html = client.get(detail_url(briefing)).content.decode()
    assert "What changed" in html
    assert html.index("Second note") < html.index("First note")


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
    html = client.get(detail_url(claim.briefing, actor="russia")).content.decode()
    assert "Shoigu arrived." in html
    assert "or one of the 1 actor affiliated with it" in html


def test_unknown_actor_gets_a_plain_message_not_an_error(client):
    briefing = BriefingFactory()
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
    response = client.get(detail_url(briefing))
    html = response.content.decode()
    assert "<script>alert" not in html
    # One JSON-LD block, closed only by its own end tag.
    assert html.count("</script>") == 1
    data = json_ld(response)
    assert data["headline"] == EVIL
    assert data["hasPart"][0]["text"] == EVIL
    assert "&lt;/script&gt;" in html


def test_json_ld_describes_the_briefing_with_schema_org_types(client, demo):
    data = json_ld(client.get(detail_url(demo)))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "AnalysisNewsArticle"
    assert {node["@type"] for node in data["about"]} == {"Event"}
    assert {"Person", "Country"} <= {node["@type"] for node in data["mentions"]}
    claims = data["hasPart"]
    assert len(claims) == demo.claims.count()
    assert all(claim["@type"] == "Claim" and "appearance" in claim for claim in claims)
    assert all("author" in claim for claim in claims)
    dated = [node["startDate"] for node in data["about"] if "startDate" in node]
    assert dated
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", start) for start in dated)


def test_json_ld_gives_exact_dates_only_where_the_article_dates_the_event(client):
    briefing = BriefingFactory()
    for slug, edtf, basis, status in [
        ("span", "2024-10/2025-03", "stated", "occurred"),
        ("undated", "2024-10/2025-03", "undated", "occurred"),
        ("planned", "[2025-03-21..]", "stated", "planned"),
        ("ongoing", "2022/..", "stated", "occurred"),
    ]:
        EventFactory(briefing=briefing, slug=slug, date_edtf=edtf, date_basis=basis, status=status)
    nodes = {node["@id"]: node for node in json_ld(client.get(detail_url(briefing)))["about"]}
    span, undated = nodes["#event-span"], nodes["#event-undated"]
    planned, ongoing = nodes["#event-planned"], nodes["#event-ongoing"]
    assert (span["startDate"], span["endDate"]) == ("2024-10", "2025-03")
    assert "startDate" not in undated and "endDate" not in undated
    assert (
        "Date: between October 2024 and March 2025 (not dated in the article)."
        in (undated["description"])
    )
    assert planned["startDate"] == "2025-03-21" and "endDate" not in planned
    assert planned["eventStatus"] == "https://schema.org/EventScheduled"
    assert "Planned or intended." in planned["description"]
    assert "eventStatus" not in span
    assert ongoing["startDate"] == "2022" and "endDate" not in ongoing


def test_json_ld_marks_names_and_identifiers_the_editors_added(client):
    actor = ActorFactory(
        name="Russia",
        kind="state",
        aliases="Moscow",
        editors_aliases="Россия",
        wikidata_id="Q159",
    )
    plain = ActorFactory(name="Kim Jong Un", aliases="Kim")
    claim = ClaimFactory()
    claim.actors.set([actor, plain])
    nodes = {
        node["name"]: node for node in json_ld(client.get(detail_url(claim.briefing)))["mentions"]
    }
    russia, kim = nodes["Russia"], nodes["Kim Jong Un"]
    assert russia["alternateName"] == ["Moscow", "Россия"]
    assert russia["sameAs"] == "https://www.wikidata.org/wiki/Q159"
    assert "added by the editors" in russia["disambiguatingDescription"]
    assert kim["alternateName"] == ["Kim"]
    assert "sameAs" not in kim and "disambiguatingDescription" not in kim


# Speed --------------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 10])
def test_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, scale):
    briefing = briefing_with_content(scale)
    assert briefing.claims.count() == 31 * scale
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(detail_url(briefing))
    assert response.status_code == 200
    assert response.content.decode().count('class="claim"') == 31 * scale


@pytest.mark.parametrize("scale", [1, 10])
def test_filtered_page_runs_the_same_number_of_queries(client, django_assert_num_queries, scale):
    briefing = briefing_with_content(scale)
    actor = briefing.claims.first().actors.first()
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(detail_url(briefing, actor=actor.slug))
    assert "Showing only" in response.content.decode()


def test_demo_page_runs_the_same_fixed_number_of_queries(client, demo, django_assert_num_queries):
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(detail_url(demo)).status_code == 200


def test_index_runs_one_query(client, django_assert_num_queries):
    for _ in range(5):
        BriefingFactory()
    with django_assert_num_queries(1):
        client.get(reverse("briefing:index"))


# Conditional GET ----------------------------------------------------------------------------


def test_page_carries_etag_and_last_modified_and_answers_304(client):
    briefing = briefing_with_content()
    first = client.get(detail_url(briefing))
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(detail_url(briefing), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(detail_url(briefing), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_editing_a_claim_changes_the_etag(client):
    briefing = briefing_with_content()
    first = client.get(detail_url(briefing))
    claim = briefing.claims.first()
    claim.text = "A corrected claim."
    claim.save()
    after = client.get(detail_url(briefing), HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert "A corrected claim." in after.content.decode()


def test_a_briefing_unpublished_after_caching_is_gone_for_the_public(client):
    briefing = BriefingFactory()
    first = client.get(detail_url(briefing))
    Briefing.objects.filter(pk=briefing.pk).update(status="draft", published_at=None)
    from briefing.middleware import content_changed

    content_changed()
    response = client.get(detail_url(briefing), HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 404
