"""The admin side of briefing.organisations: duplicate checks, one-step source-and-actor, merge."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from briefing import organisations, publishing


class DuplicateCheckAdminMixin:
    """Adds the duplicate check (and its confirmation box) to an actor's or source's form."""

    checked_form = organisations.DuplicateCheckForm
    organisation_fields = ["confirm_duplicate"]

    def get_form(self, request, obj=None, **kwargs):
        base = kwargs.get("form", self.form)
        kwargs["form"] = type(base.__name__, (self.checked_form, base), {})
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return [
            *super().get_fieldsets(request, obj),
            ("One organisation, one entry", {"fields": self.organisation_fields}),
        ]


class ActorOrganisationAdmin(DuplicateCheckAdminMixin):
    actions = ["merge_selected"]

    def has_merge_permission(self, request):
        # Merging rewrites every briefing that cites the actors: a Publisher's decision.
        user = request.user
        return user.has_perm(publishing.PUBLISH_PERMISSION) and user.has_perm(
            "briefing.change_actor"
        )

    @admin.action(description="Merge selected actors into one…", permissions=["merge"])
    def merge_selected(self, request, queryset):
        actors = list(queryset.order_by("name"))
        if len(actors) < 2:
            self.message_user(request, "Select at least two actors to merge.", messages.WARNING)
            return None
        if "_merge_into" in request.POST:
            survivor = next((a for a in actors if str(a.pk) == request.POST.get("survivor")), None)
            if survivor is None:
                self.message_user(request, "Choose the actor that remains.", messages.ERROR)
            else:
                merged = organisations.merge_actors(
                    survivor, [a for a in actors if a.pk != survivor.pk], request.user
                )
                self.message_user(
                    request,
                    f"Merged {', '.join(f'“{name}”' for name in merged)} into “{survivor}”: "
                    "every claim, event, member and source now points to it.",
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge actors",
            "actors": [(actor, organisations.references_of(actor)) for actor in actors],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/briefing/actor/merge.html", context)


class SourceOrganisationAdmin(DuplicateCheckAdminMixin):
    checked_form = organisations.SourceOrganisationForm
    organisation_fields = ["actor", "also_actor_kind", "confirm_duplicate"]

    def get_autocomplete_fields(self, request):
        return [*super().get_autocomplete_fields(request), "actor"]

    def save_model(self, request, obj, form, change):
        form.create_actor_if_asked(request.user)
        super().save_model(request, obj, form, change)
