"""The editors' desk: curating, reviewing and publishing briefings in the Django admin."""

import csv
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.forms import Textarea
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from briefing import desk, documents, publishing
from briefing.autocomplete import RankedSearchMixin
from briefing.desk_forms import next_order
from briefing.forms import (
    BriefingAddForm,
    BriefingForm,
    ClaimForm,
    ClaimRelationForm,
    EventForm,
    ParagraphForm,
    ParticipationForm,
    PublishForm,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    TakeawayForm,
    VersionedForm,
)
from briefing.middleware import cache_clearing_failed
from briefing.models import (
    Actor,
    Briefing,
    Claim,
    ClaimRelation,
    Edition,
    Event,
    Paragraph,
    Participation,
    ReviewStatus,
    Source,
    StaleVersionError,
    Takeaway,
    advance_version,
)
from briefing.organisation_admin import ActorOrganisationAdmin, SourceOrganisationAdmin

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
REVIEW_FIELDSET = (
    "Review",
    {
        "fields": ["review_status", ("checked_by", "checked_at")],
        "description": "Set to checked once every fact here is verified against the article "
        "and the source; who checked it and when are recorded on save.",
    },
)


def neutralise_formula(value):
    """Keep a spreadsheet from running a cell as a formula: prefix such cells with an apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_PREFIXES) else text


class AutocompleteWidgetsMixin:
    """Autocomplete widgets that survive tampered ids and can label rows without a query."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CalendarSafeChangeList(ChangeList):
    """A date drill-down past the calendar's last year (a crafted ?year=9999&month=12) is a bad
    filter, as Django treats other bad filters, rather than an overflow and a 500."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


def id_or_404(field, value):
    """An id in the address that the field cannot hold (“abc”) names no page: 404, not 500."""
    try:
        field.to_python(unquote(value))
    except ValidationError:
        raise Http404("No such object.") from None


class WellFormedSelectionMixin:
    """An action on ids no object can have (“abc” in a crafted POST) is a 400, not a 500."""

    def response_action(self, request, queryset):
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                self.opts.pk.to_python(value)
            except ValidationError:
                return HttpResponseBadRequest("The selection names objects that cannot exist.")
        return super().response_action(request, queryset)


class HistoryAdmin(
    WellFormedSelectionMixin, RankedSearchMixin, AutocompleteWidgetsMixin, SimpleHistoryAdmin
):
    """Every change is kept by django-simple-history, viewable and revertible."""

    # An address typed without a scheme is taken as https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_changelist(self, request, **kwargs):
        return CalendarSafeChangeList

    def history_view(self, request, object_id, extra_context=None):
        id_or_404(self.opts.pk, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        id_or_404(self.opts.pk, object_id)
        id_or_404(self.model.history.model._meta.pk, version_id)
        # Django's change view runs in a transaction; the revert view does not. The version
        # check locks the row until the revert is saved, so it needs one too.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)


class VersionedAdmin(HistoryAdmin):
    """Saves advance the version the form was checked against; a stale save never lands."""

    def save_model(self, request, obj, form, change):
        if change:
            advance_version(obj, form.cleaned_data["based_on_version"])
        self.prepare_save(request, obj, form, change)
        super().save_model(request, obj, form, change)

    def prepare_save(self, request, obj, form, change):
        """Set what depends on the version being saved (it is advanced by now)."""


class ReviewedAdmin(VersionedAdmin):
    """Events and claims: checked by someone other than their last editor, version by version.

    A check vouches for one version (`checked_version`): any save makes a new version that needs
    a new check. “Mark selected as checked” carries the versions the list showed and refuses an
    item saved since; the person who made a version cannot check it (four eyes), unless
    settings.ALLOW_SELF_CHECK is on.
    """

    readonly_fields = ["checked_by", "checked_at"]
    actions = ["mark_checked"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "seen_version"]

    @admin.display(description="review", ordering="review_status")
    def check_state(self, item):
        if item.is_checked:
            return "checked"
        if item.review_status == ReviewStatus.CHECKED:
            return "changed since checked"
        return "unchecked"

    @admin.display(description="version")
    def seen_version(self, item):
        # Inside the changelist form: the action learns which version each row showed.
        return format_html(
            '{}<input type="hidden" name="seen_version_{}" value="{}">',
            item.version,
            item.pk,
            item.version,
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"checking_user": request.user})

    def prepare_save(self, request, obj, form, change):
        content_changed = form.changes_content()
        newly_checked = form.newly_checked()
        if content_changed:
            obj.last_edited_by = request.user
        if newly_checked:
            obj.mark_checked(request.user)  # the form refused a self-check already
        elif obj.review_status == ReviewStatus.CHECKED and not content_changed:
            # Saved unchanged: the check still vouches for the same content.
            if obj.checked_version == obj.version - 1:
                obj.checked_version = obj.version
        else:
            was_checked = obj.review_status == ReviewStatus.CHECKED
            obj.mark_unchecked()
            if was_checked:
                self.message_user(
                    request, f"“{obj}” was edited, so it needs checking again.", messages.WARNING
                )

    def uncheck_after_related_change(self, request, obj, formsets):
        """An inline edit changes what the item says: it needs a new check."""
        if any(formset.has_changed() for formset in formsets):
            type(obj)._default_manager.filter(pk=obj.pk).uncheck(request.user)

    @admin.action(description="Mark selected as checked", permissions=["change"])
    def mark_checked(self, request, queryset):
        marked, moved_on, own = 0, [], []
        for item in queryset:
            seen = request.POST.get(f"seen_version_{item.pk}", "")
            if item.is_checked:
                continue
            if not item.may_be_checked_by(request.user):
                own.append(str(item))
                continue
            if seen != str(item.version):
                moved_on.append(str(item))
                continue
            try:
                with transaction.atomic():
                    advance_version(item, item.version)
                    item.mark_checked(request.user)
                    item._history_user = request.user
                    item.save()
            except StaleVersionError:
                moved_on.append(str(item))
                continue
            marked += 1
        self.message_user(request, f"Marked {marked} as checked.", messages.SUCCESS)
        if moved_on:
            self.message_user(
                request,
                f"Not marked, because they changed after this list was shown: "
                f"{'; '.join(moved_on)}. Look at them again.",
                messages.WARNING,
            )
        if own:
            self.message_user(
                request,
                f"Not marked, because you made their latest version and someone else must "
                f"check it: {'; '.join(own)}.",
                messages.WARNING,
            )


class KeepsBriefingMixin:
    """“Save and add another” starts the next item in the same briefing."""

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST:
            return HttpResponseRedirect(
                f"{request.path}?{urlencode({'briefing': obj.briefing_id})}"
            )
        return response


class ScopedInlineMixin:
    """An inline whose autocomplete pickers offer only the items of the parent's briefing."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            briefing_id = obj.pk if isinstance(obj, Briefing) else obj.briefing_id
            formset.form = type(
                formset.form.__name__, (formset.form,), {"scope_briefing_id": briefing_id}
            )
        return formset


@admin.display(description="briefing", ordering="briefing__title")
def briefing_title(item):
    """The briefing's title, short enough to leave room for the other columns."""
    return Truncator(item.briefing.title).chars(40)


# Briefing ------------------------------------------------------------------


# Up to this many paragraphs are also edited inline on the briefing's form. Each inline row posts
# up to 6 fields (id, briefing, number, text, is_heading, DELETE): 100 rows are 600 of the 1,000
# fields Django accepts in one request (DATA_UPLOAD_MAX_NUMBER_FIELDS), which leaves room for
# the briefing's 15 and its takeaways. A longer article's paragraphs are edited only on their own
# page (ParagraphAdmin), a page of PARAGRAPHS_PER_PAGE at a time, so its form always saves.
PARAGRAPHS_INLINE_LIMIT = 100
PARAGRAPHS_PER_PAGE = 100


def uncheck_claims_quoting(model_admin, request, paragraphs):
    """A claim vouches for words of its paragraph: new words need a new check."""
    unchecked = Claim.objects.filter(paragraph__in=paragraphs).uncheck(request.user)
    if unchecked:
        model_admin.message_user(
            request,
            f"{unchecked} claim(s) quoting the edited paragraphs need checking again.",
            messages.WARNING,
        )


def number_new_takeaways(formset):
    """Takeaways saved without an order come after the others, in the order of the form."""
    kept = [f for f in formset.forms if f.has_changed() and f not in formset.deleted_forms]
    taken = [f.cleaned_data.get("order") for f in formset.forms if f.cleaned_data.get("order")]
    last = max([next_order(formset.instance.takeaways) - 1, *taken])
    for form in kept:
        if form.instance.order is None:
            last += 1
            form.instance.order = last


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    form = ParagraphForm
    fields = ["number", "text", "is_heading"]
    extra = 0
    classes = ["collapse"]


class TakeawayInline(ScopedInlineMixin, AutocompleteWidgetsMixin, admin.StackedInline):
    model = Takeaway
    form = TakeawayForm
    fields = ["order", "text", "claims"]
    autocomplete_fields = ["claims"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("claims")


@admin.register(Briefing)
class BriefingAdmin(VersionedAdmin):
    form = BriefingForm
    add_form = BriefingAddForm
    change_form_template = "admin/briefing/briefing/change_form.html"
    list_display = [
        "title",
        "status",
        "published_at",
        "updated_at",
        "claim_count",
        "unchecked_count",
    ]
    list_filter = ["status"]
    search_fields = ["title", "slug", "summary", "article_headline", "article_outlet"]
    search_help_text = "Search titles, slugs, summaries and the article's headline and outlet."
    date_hierarchy = "created_at"
    # Meta.ordering is dropped from the annotated (GROUP BY) queryset, so it is restated here.
    ordering = Briefing._meta.ordering
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "status",
        "published_at",
        "live_edition",
        "review_progress",
        "paragraphs_page",
    ]
    inlines = [ParagraphInline, TakeawayInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "bottom_line", "based_on_version"]}),
        (
            "Publication",
            {
                "fields": [("status", "published_at"), "live_edition", "review_progress"],
                "description": "Readers see the latest edition, never this working copy. "
                "A Publisher makes the next edition with “Publish…” (docs/publishing.md).",
            },
        ),
        (
            "The article",
            {
                "fields": [
                    "paragraphs_page",
                    "article_headline",
                    "article_outlet",
                    "article_url",
                    "article_published_on",
                    "article_details_from_editors",
                ],
                "description": "All optional: fill in what came with the article. Anything "
                "found elsewhere is the editors' knowledge: tick the box so readers see it so.",
            },
        ),
    ]
    add_fieldsets = [
        (None, {"fields": ["title", "slug"]}),
        (
            "The article",
            {
                "fields": [
                    "article_text",
                    "article_headline",
                    "article_outlet",
                    "article_url",
                    "article_published_on",
                    "article_details_from_editors",
                ],
                "description": "Paste the article to number its paragraphs; "
                "the headline, outlet, address and date are optional.",
            },
        ),
        (
            "Conclusions",
            {
                "fields": ["summary", "bottom_line"],
                "description": "Needed only to publish: write them after annotating the article "
                "on the desk, where saving this page takes you.",
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        # As UserAdmin does: a first-step form on add, the full form on change.
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                claim_total=Count("claims", distinct=True),
                unchecked_claims=Count(
                    "claims",
                    filter=~Q(
                        claims__review_status=ReviewStatus.CHECKED,
                        claims__checked_version=F("claims__version"),
                    ),
                    distinct=True,
                ),
                unchecked_events=Count(
                    "events",
                    filter=~Q(
                        events__review_status=ReviewStatus.CHECKED,
                        events__checked_version=F("events__version"),
                    ),
                    distinct=True,
                ),
            )
        )

    @admin.display(description="claims", ordering="claim_total")
    def claim_count(self, briefing):
        return briefing.claim_total

    @admin.display(description="unchecked events + claims")
    def unchecked_count(self, briefing):
        return briefing.unchecked_events + briefing.unchecked_claims

    @admin.display(description="Still to check")
    def review_progress(self, briefing):
        if briefing.pk is None:
            return "-"
        unchecked = briefing.unchecked_items()
        if not unchecked:
            return "Everything is checked: the briefing can be published."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{} <a href="{}">{}</a></li>',
                (
                    (
                        item._meta.verbose_name,
                        reverse(admin_urlname(item._meta, "change"), args=[item.pk]),
                        item,
                    )
                    for item in unchecked
                ),
            ),
        )

    def has_publish_permission(self, request, obj=None):
        return request.user.has_perm(publishing.PUBLISH_PERMISSION)

    def view_on_site(self, briefing):
        return reverse("briefing:preview", kwargs={"slug": briefing.slug})

    def save_model(self, request, obj, form, change):
        if change:
            # Publication changes only through briefing.publishing: never through the form, a
            # tampered POST or a revert to a historical record (read under the form's row lock).
            obj.status, obj.published_at, obj.live_edition_id = (
                Briefing.objects.filter(pk=obj.pk)
                .values_list("status", "published_at", "live_edition")
                .get()
            )
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Takeaway:
            number_new_takeaways(formset)
        super().save_formset(request, form, formset, change)
        if formset.model is Paragraph and formset.changed_objects:
            edited = [paragraph for paragraph, _ in formset.changed_objects]
            uncheck_claims_quoting(self, request, edited)

    def get_inlines(self, request, obj):
        if obj is not None and self.paragraph_count(obj) > PARAGRAPHS_INLINE_LIMIT:
            return [inline for inline in self.inlines if inline is not ParagraphInline]
        return self.inlines

    @staticmethod
    def paragraph_count(briefing):
        if not hasattr(briefing, "_paragraph_count"):
            briefing._paragraph_count = briefing.paragraphs.count()
        return briefing._paragraph_count

    @admin.display(description="Paragraphs")
    def paragraphs_page(self, briefing):
        count = self.paragraph_count(briefing)
        url = reverse("admin:briefing_paragraph_changelist")
        where = (
            "too many to edit on this form: edit them"
            if count > PARAGRAPHS_INLINE_LIMIT
            else "edit them below, or"
        )
        return format_html(
            '{} paragraph(s); {} <a href="{}?briefing__id__exact={}">on their own page</a>.',
            count,
            where,
            url,
            briefing.pk,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            form.create_paragraphs()

    def response_add(self, request, obj, post_url_continue=None):
        # The order of work follows the article: from pasting it straight to annotating it.
        response = super().response_add(request, obj, post_url_continue)
        if {"_addanother", "_continue", IS_POPUP_VAR} & set(request.POST):
            return response
        return HttpResponseRedirect(reverse("admin:briefing_briefing_desk", args=[obj.pk]))

    def get_urls(self):
        publish = self.admin_site.admin_view(self.publish_view)
        annotate = self.admin_site.admin_view(self.desk_view)
        return [
            path("<path:object_id>/publish/", publish, name="briefing_briefing_publish"),
            path("<path:object_id>/desk/", annotate, name="briefing_briefing_desk"),
            *super().get_urls(),
        ]

    def desk_view(self, request, object_id):
        """The annotation desk: claims drafted on the article's own sentences (briefing.desk)."""
        return desk.desk_view(self, request, object_id)

    def warn_if_cache_not_cleared(self, request):
        if cache_clearing_failed():
            self.message_user(
                request,
                "The page cache could not be cleared (the cache server refuses writes). Readers "
                "get freshly rendered pages, not stale ones, until it can be; the site is slower "
                "meanwhile. Tell whoever runs the site.",
                messages.WARNING,
            )

    def publish_view(self, request, object_id):
        """The publish screen: what the next edition changes, what stops it, and the button."""
        briefing = self.get_object(request, object_id)
        if briefing is None:
            raise Http404("No such briefing.")
        if not self.has_publish_permission(request, briefing):
            raise PermissionDenied
        form = PublishForm(request.POST or None)
        if request.method == "POST" and "_withdraw" in request.POST:
            publishing.withdraw(briefing, request.user)
            self.message_user(
                request, f"“{briefing}” is withdrawn: readers now get “gone”.", messages.SUCCESS
            )
            self.warn_if_cache_not_cleared(request)
            return HttpResponseRedirect(request.path)
        if request.method == "POST" and form.is_valid():
            try:
                edition = publishing.publish(briefing, request.user, form.cleaned_data["note"])
            except publishing.PublishingRefused as refused:
                for problem in refused.problems:
                    form.add_error(None, problem)
            else:
                self.message_user(
                    request,
                    f"Published edition {edition.number} of “{briefing}”: readers see it now.",
                    messages.SUCCESS,
                )
                self.warn_if_cache_not_cleared(request)
                return HttpResponseRedirect(
                    reverse(admin_urlname(self.opts, "change"), args=[briefing.pk])
                )
        latest = briefing.editions.defer("document").order_by("-number").first()
        working = documents.working_document(briefing)
        old = Edition.objects.get(pk=latest.pk).document if latest else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "briefing": briefing,
            "title": f"Publish “{briefing}”",
            "latest": latest,
            "next_number": (latest.number + 1) if latest else 1,
            "differences": publishing.differences(old, working),
            "problems": publishing.publishing_problems(briefing, note="x"),
            "form": form,
        }
        return TemplateResponse(request, "admin/briefing/briefing/publish.html", context)


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Editions as published: to look at and to cite, never to change."""

    list_display = ["__str__", "number", "published_at", "published_by", "note"]
    list_select_related = ["published_by"]
    list_filter = ["briefing"]
    search_fields = ["title", "note", "slug"]
    fields = ["briefing", "number", "slug", "title", "published_at", "published_by", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def view_on_site(self, edition):
        return edition.get_absolute_url()


@admin.register(Paragraph)
class ParagraphAdmin(WellFormedSelectionMixin, AutocompleteWidgetsMixin, admin.ModelAdmin):
    """The article's paragraphs, a page at a time: a long article never outgrows one form."""

    form = ParagraphForm
    list_display = ["number", "text", "is_heading", briefing_title]
    list_display_links = ["number"]
    list_editable = ["text", "is_heading"]
    list_filter = ["briefing"]
    list_select_related = ["briefing"]
    list_per_page = PARAGRAPHS_PER_PAGE
    search_fields = ["text"]
    ordering = ["briefing", "number"]
    fields = ["briefing", "number", "text", "is_heading"]
    autocomplete_fields = ["briefing"]
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 80})}}

    def get_changelist_form(self, request, **kwargs):
        # The list's rows are checked like the change form (Django's default is a plain form).
        return super().get_changelist_form(request, form=self.form, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "text" in form.changed_data:
            uncheck_claims_quoting(self, request, [obj])


# Actors and sources --------------------------------------------------------


@admin.register(Actor)
class ActorAdmin(ActorOrganisationAdmin, VersionedAdmin):
    form = VersionedForm
    list_display = ["name", "kind", "role", "affiliation", "wikidata_id"]
    list_filter = ["kind"]
    list_select_related = ["affiliation"]
    search_fields = ["name", "aliases", "editors_aliases", "role", "slug", "wikidata_id"]
    search_help_text = "Search names, aliases (any script), roles and Wikidata IDs."
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["affiliation"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    ("kind", "plural_name"),
                    "role",
                    "affiliation",
                    "based_on_version",
                ]
            },
        ),
        (
            "From the article",
            {
                "fields": ["aliases", "description"],
                "description": "Only what the article says: its names for the actor and how "
                "it describes it.",
            },
        ),
        (
            "Added by the editors",
            {
                "fields": ["editors_aliases", "wikidata_id", "editors_note"],
                "description": "Knowledge from outside the article; readers see it labelled "
                "“added by the editors”.",
            },
        ),
    ]


@admin.register(Source)
class SourceAdmin(SourceOrganisationAdmin, VersionedAdmin):
    form = VersionedForm
    list_display = ["name", "kind", "reliability", "affiliation"]
    list_filter = ["kind", "reliability"]
    list_select_related = ["affiliation"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["affiliation"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    ("kind", "plural_name"),
                    "affiliation",
                    "url",
                    "based_on_version",
                ]
            },
        ),
        ("Assessment", {"fields": ["reliability", "description"]}),
        (
            "Added by the editors",
            {
                "fields": ["editors_note"],
                "description": "Knowledge from outside the article, and the URL above; readers "
                "see it labelled “added by the editors”.",
            },
        ),
    ]


# Events and claims ---------------------------------------------------------


class ParticipationInline(AutocompleteWidgetsMixin, admin.TabularInline):
    model = Participation
    form = ParticipationForm
    fields = ["actor", "role"]
    autocomplete_fields = ["actor"]
    extra = 0

    def get_queryset(self, request):
        # Each row is labelled with the participation's actor and event.
        return super().get_queryset(request).select_related("actor", "event")


@admin.register(Event)
class EventAdmin(KeepsBriefingMixin, ReviewedAdmin):
    form = EventForm
    list_display = [
        "title",
        briefing_title,
        "kind",
        "status",
        "date_edtf",
        "date_basis",
        "check_state",
    ]
    list_filter = ["briefing", "kind", "status", "date_basis", "review_status"]
    list_select_related = ["briefing"]
    search_fields = ["title", "summary", "location", "briefing__title"]
    date_hierarchy = "date_earliest"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["briefing"]
    readonly_fields = [*ReviewedAdmin.readonly_fields, "date_in_words"]
    inlines = [ParticipationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "briefing",
                    "title",
                    "slug",
                    "kind",
                    "status",
                    "summary",
                    "location",
                    "based_on_version",
                ]
            },
        ),
        (
            "When",
            {
                "fields": ["date_edtf", "date_in_words", "date_basis", "date_note"],
                "description": "Never more precise than the text: a span where it gives no "
                "date, with the reasoning in the note.",
            },
        ),
        REVIEW_FIELDSET,
    ]

    @admin.display(description="Date in words, as readers see it")
    def date_in_words(self, event):
        if not event.date_edtf:
            return "Enter a date and save to see it in words here."
        return event.date_words

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.message_user(request, f"“{obj}” is dated {obj.date_words}.", messages.INFO)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Who took part is part of what the event says.
        self.uncheck_after_related_change(request, form.instance, formsets)


class ClaimRelationInline(ScopedInlineMixin, AutocompleteWidgetsMixin, admin.StackedInline):
    model = ClaimRelation
    form = ClaimRelationForm
    fk_name = "claim"
    fields = [("other_claim", "relation", "independence"), "note"]
    autocomplete_fields = ["other_claim"]
    extra = 0
    verbose_name = "related claim"
    verbose_name_plural = "Claims this one corroborates or contradicts"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("other_claim")


@admin.register(Claim)
class ClaimAdmin(KeepsBriefingMixin, ReviewedAdmin):
    form = ClaimForm
    list_display = [
        "order",
        "short_text",
        briefing_title,
        "source",
        "claimant",
        "status",
        "credibility",
        "paragraph_number",
        "check_state",
    ]
    list_display_links = ["order", "short_text"]
    list_filter = ["briefing", "status", "review_status", "credibility", "source__kind"]
    list_select_related = ["briefing", "source", "claimant", "paragraph"]
    search_fields = ["text", "quote", "source__name", "claimant__name", "briefing__title"]
    search_help_text = "Search claim texts, quotes, sources, claimants and briefings."
    autocomplete_fields = ["briefing", "source", "claimant", "actors", "events"]
    inlines = [ClaimRelationInline]
    readonly_fields = [*ReviewedAdmin.readonly_fields, "cited_paragraph"]
    actions = [*ReviewedAdmin.actions, "export_csv"]
    fieldsets = [
        (None, {"fields": ["briefing", "order", "text", "based_on_version"]}),
        ("Attribution", {"fields": ["source", "claimant", "status", "credibility", "note"]}),
        (
            "Evidence",
            {
                "fields": ["paragraph", "cited_paragraph", "quote"],
                "description": "The quote must occur verbatim in the cited paragraph, "
                "punctuation and quotation marks included.",
            },
        ),
        (
            "Figure",
            {
                "fields": [("figure_qualifier", "figure_low", "figure_high", "figure_unit")],
                "description": "Only for a claim about a number; the low is never above the high.",
            },
        ),
        ("Related", {"fields": ["actors", "events"]}),
        REVIEW_FIELDSET,
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.uncheck_after_related_change(request, form.instance, formsets)

    def prepare_save(self, request, obj, form, change):
        super().prepare_save(request, obj, form, change)
        if obj.order is None:
            obj.order = next_order(obj.briefing.claims)

    @admin.display(description="claim", ordering="text")
    def short_text(self, claim):
        return Truncator(claim.text).chars(80)

    @admin.display(description="¶", ordering="paragraph__number")
    def paragraph_number(self, claim):
        return claim.paragraph.number

    @admin.display(description="Text of the cited paragraph")
    def cited_paragraph(self, claim):
        if claim.paragraph_id is None:
            return "Choose a paragraph and save to see its text here."
        return format_html("¶{}: {}", claim.paragraph.number, claim.paragraph.text)

    @admin.action(description="Export selected claims as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="claims.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["text", "claimant", "source", "status", "credibility", "paragraph", "quote"]
        )
        for claim in queryset.select_related("claimant", "source", "paragraph"):
            writer.writerow(
                neutralise_formula(value)
                for value in (
                    claim.text,
                    claim.claimant or "",
                    claim.source,
                    claim.get_status_display(),
                    claim.get_credibility_display(),
                    claim.paragraph.number,
                    claim.quote,
                )
            )
        return response
