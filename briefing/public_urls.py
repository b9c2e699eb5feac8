from django.urls import path

from briefing import views

app_name = "briefing"

urlpatterns = [
    path("", views.briefing_list, name="index"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="detail"),
]
