"""Atom feed of published briefings: one entry per briefing, its latest edition."""

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from briefing.models import CONTROL_CHARACTERS
from briefing.views import list_queryset, revalidate

FEED_LENGTH = 50


def feed_text(value):
    """Text XML 1.0 can carry: stored data with a control character must not break the feed."""
    return CONTROL_CHARACTERS.sub("", value)


class PlainTextSummaryAtomFeed(Atom1Feed):
    """Atom whose summaries are plain text: Django sends them as HTML, which ours are not."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class LatestBriefingsFeed(Feed):
    feed_type = PlainTextSummaryAtomFeed
    title = "Briefing: latest briefings"
    subtitle = "News articles turned into structured, sourced briefings."
    link = reverse_lazy("briefing:index")

    def __call__(self, request, *args, **kwargs):
        return revalidate(super().__call__(request, *args, **kwargs))

    def items(self):
        # Only live editions, whoever asks: feed readers cache and share what they get.
        return list_queryset()[:FEED_LENGTH]

    def item_title(self, edition):
        return feed_text(edition.title)

    def item_description(self, edition):
        if edition.note:
            return feed_text(f"{edition.summary}\n\nEdition {edition.number}: {edition.note}")
        return feed_text(edition.summary)

    def item_link(self, edition):
        return reverse("briefing:detail", kwargs={"slug": edition.slug})

    def item_guid(self, edition):
        # A new edition is a new entry for feed readers.
        return edition.get_absolute_url()

    def item_pubdate(self, edition):
        return edition.published_at

    def item_updateddate(self, edition):
        return edition.published_at
