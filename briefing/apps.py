from django.apps import AppConfig


class BriefingConfig(AppConfig):
    name = "briefing"
    verbose_name = "Briefings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from briefing import lookups  # noqa: F401 - registers the lookups
