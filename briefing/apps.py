from django.apps import AppConfig


class BriefingConfig(AppConfig):
    name = "briefing"
    verbose_name = "Briefings"
    default_auto_field = "django.db.models.BigAutoField"
