from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BriefingConfig(AppConfig):
    name = "briefing"
    verbose_name = "Briefings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from briefing import lookups  # noqa: F401 - registers the lookups
        from briefing.publishing import complete_first_editions

        post_migrate.connect(complete_first_editions, sender=self)
