from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from briefing import health

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("", include("briefing.public_urls")),
]

handler500 = "briefing.health.server_error"
