"""Autocomplete in the admin: exact and prefix matches first, and pickers kept to one briefing."""

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Case, IntegerField, Value, When
from django.utils.text import Truncator

from briefing.lookups import as_id

# The query parameter a scoped autocomplete widget adds to its search address.
SCOPE_PARAMETER = "in_briefing"
RANKED_FIELDS = ("name", "title", "text")


class RankedSearchMixin:
    """Search results with the exact match first, then names starting with the term, then the rest.

    Typing “Russia” offers Russia before “North Korean soldiers fighting for Russia”. An
    autocomplete search for items of a briefing (`?in_briefing=<pk>`, sent by a scoped widget)
    offers only that briefing's.
    """

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if is_autocomplete(request):
            queryset = scoped_to_briefing(queryset, request.GET.get(SCOPE_PARAMETER))
        field = next(
            (name for name in RANKED_FIELDS if any(f.name == name for f in self.opts.fields)),
            None,
        )
        term = search_term.strip()
        if field and term:
            ordering = queryset.query.order_by or self.get_ordering(request) or self.opts.ordering
            queryset = queryset.annotate(
                search_rank=Case(
                    When(**{f"{field}__iexact": term}, then=Value(0)),
                    When(**{f"{field}__istartswith": term}, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            ).order_by("search_rank", *ordering)
        return queryset, may_have_duplicates


def is_autocomplete(request):
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "autocomplete")


def scoped_to_briefing(queryset, briefing_id):
    """Only the items of one briefing, when the model has a briefing and one is asked for."""
    if briefing_id is None or not any(f.name == "briefing" for f in queryset.model._meta.fields):
        return queryset
    briefing_id = as_id(briefing_id)
    return queryset.none() if briefing_id is None else queryset.filter(briefing_id=briefing_id)


class ScopedAutocompleteMixin:
    """A widget whose searches ask only for the items of one briefing (`scope_briefing_id`)."""

    scope_briefing_id = None

    def get_url(self):
        url = super().get_url()
        if self.scope_briefing_id is None:
            return url
        return f"{url}?{urlencode({SCOPE_PARAMETER: self.scope_briefing_id})}"


def scope_widget(field, briefing_id):
    """Keep an autocomplete field's searches (possibly inside the admin's wrapper) to a briefing."""
    widget = getattr(field.widget, "widget", field.widget)
    if isinstance(widget, ScopedAutocompleteMixin) and briefing_id:
        widget.scope_briefing_id = briefing_id


class BriefingLabelledAutocompleteView(AutocompleteJsonView):
    """Results of a briefing's items name their briefing, unless the search was kept to one."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.labels_briefing():
            queryset = queryset.select_related("briefing")
        return queryset

    def labels_briefing(self):
        model = self.model_admin.model
        has_briefing = any(f.name == "briefing" and f.is_relation for f in model._meta.fields)
        return has_briefing and SCOPE_PARAMETER not in self.request.GET

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if self.labels_briefing():
            result["text"] = f"{result['text']} · {Truncator(obj.briefing.title).chars(40)}"
        return result


class BriefingAdminSite(AdminSite):
    """The admin, with autocomplete results that say which briefing an item belongs to."""

    def autocomplete_view(self, request):
        return BriefingLabelledAutocompleteView.as_view(admin_site=self)(request)
