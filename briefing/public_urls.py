from django.urls import path

from briefing import views
from briefing.feeds import LatestBriefingsFeed

app_name = "briefing"

urlpatterns = [
    path("", views.briefing_list, name="index"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="detail"),
    path("briefings/<slug:slug>.json", views.briefing_export, name="export"),
    path("feed/", LatestBriefingsFeed(), name="feed"),
]
