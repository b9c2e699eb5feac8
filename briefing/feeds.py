"""Atom feed of published briefings."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from briefing.views import list_queryset

FEED_LENGTH = 50


class LatestBriefingsFeed(Feed):
    feed_type = Atom1Feed
    title = "Briefing: latest briefings"
    subtitle = "News articles turned into structured, sourced briefings."
    link = reverse_lazy("briefing:index")

    def items(self):
        # Only published briefings, whoever asks: feed readers cache and share what they get.
        return list_queryset()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
