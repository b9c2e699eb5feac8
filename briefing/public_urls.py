from django.urls import path

from briefing import views
from briefing.feeds import LatestBriefingsFeed

app_name = "briefing"

urlpatterns = [
    path("", views.briefing_list, name="index"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="detail"),
    path("briefings/<slug:slug>.json", views.briefing_export, name="export"),
    path("briefings/<slug:slug>/editions/<int:number>/", views.edition_detail, name="edition"),
    path(
        "briefings/<slug:slug>/editions/<int:number>.json",
        views.edition_export,
        name="edition_export",
    ),
    path("briefings/<slug:slug>/claims/<int:order>/", views.claim_detail, name="claim"),
    path("briefings/<slug:slug>/preview/", views.briefing_preview, name="preview"),
    path("feed/", LatestBriefingsFeed(), name="feed"),
]
