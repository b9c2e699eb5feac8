from django.apps import AppConfig


class BriefingConfig(AppConfig):
    name = "briefing"
    verbose_name = "Briefings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from briefing.middleware import connect_invalidation

        # Every save of briefing content clears the anonymous page cache (briefing/middleware.py).
        connect_invalidation()
