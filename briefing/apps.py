from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BriefingConfig(AppConfig):
    name = "briefing"
    verbose_name = "Briefings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from briefing import (
            lookups,  # noqa: F401 - registers the lookups
            staff_cookie,
        )
        from briefing.publishing import complete_first_editions

        # The page cache renders afresh only for requests with a valid staff cookie.
        user_logged_in.connect(staff_cookie.staff_logged_in, dispatch_uid="briefing-staff-in")
        user_logged_out.connect(staff_cookie.staff_logged_out, dispatch_uid="briefing-staff-out")

        post_migrate.connect(complete_first_editions, sender=self)
