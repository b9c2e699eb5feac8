from django.apps import AppConfig


class BriefingConfig(AppConfig):
    name = "briefing"
    verbose_name = "Briefings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from briefing import staff_cookie

        # The page cache renders afresh only for requests with a valid staff cookie.
        user_logged_in.connect(staff_cookie.staff_logged_in, dispatch_uid="briefing-staff-in")
        user_logged_out.connect(staff_cookie.staff_logged_out, dispatch_uid="briefing-staff-out")
