"""Django's admin, installed on the site of briefing.autocomplete (see settings.INSTALLED_APPS)."""

from django.contrib.admin.apps import AdminConfig


class BriefingAdminConfig(AdminConfig):
    """Django's admin, on a site whose autocomplete results name their briefing."""

    default_site = "briefing.autocomplete.BriefingAdminSite"
