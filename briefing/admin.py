"""The editors' desk: curating, reviewing and publishing briefings in the Django admin."""

import csv

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from briefing.forms import (
    BriefingAddForm,
    BriefingForm,
    ClaimForm,
    ClaimRelationForm,
    EventForm,
    ParticipationForm,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    TakeawayForm,
)
from briefing.models import (
    Actor,
    Briefing,
    ChangeNote,
    Claim,
    ClaimRelation,
    Event,
    Paragraph,
    Participation,
    ReviewStatus,
    Source,
    StaleVersionError,
    Takeaway,
    advance_version,
)

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


class HistoryAdmin(AutocompleteWidgetsMixin, SimpleHistoryAdmin):
    """Every change is kept by django-simple-history, viewable and revertible."""

    # An address typed without a scheme is taken as https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Django's change view runs in a transaction; the revert view does not. The version
        # check locks the row until the revert is saved, so it needs one too.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)


class VersionedAdmin(HistoryAdmin):
    """Saves advance the version the form was checked against; a stale save never lands."""

    def save_model(self, request, obj, form, change):
        if change:
            advance_version(obj, form.cleaned_data["based_on_version"])
        super().save_model(request, obj, form, change)


class ReviewedAdmin(VersionedAdmin):
    """Events and claims: a review state, with who checked it and when."""

    readonly_fields = ["checked_by", "checked_at"]
    actions = ["mark_checked"]

    def save_model(self, request, obj, form, change):
        if "review_status" in form.changed_data:
            if obj.is_checked:
                obj.mark_checked(request.user)
            else:
                obj.checked_by = obj.checked_at = None
        elif obj.is_checked and set(form.changed_data) - {"based_on_version"}:
            # A check vouches for what was checked: edited content needs a new look.
            obj.review_status = ReviewStatus.UNCHECKED
            obj.checked_by = obj.checked_at = None
            self.message_user(
                request, f"“{obj}” was edited, so it needs checking again.", messages.WARNING
            )
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark selected as checked", permissions=["change"])
    def mark_checked(self, request, queryset):
        marked, moved_on = 0, []
        for item in queryset.exclude(review_status=ReviewStatus.CHECKED):
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
                f"Not marked, because they were saved meanwhile: {'; '.join(moved_on)}. "
                "Look at them again.",
                messages.WARNING,
            )


@admin.display(description="briefing", ordering="briefing__title")
def briefing_title(item):
    """The briefing's title, short enough to leave room for the other columns."""
    return Truncator(item.briefing.title).chars(40)


# Briefing ------------------------------------------------------------------


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    fields = ["number", "text", "is_heading"]
    extra = 0
    classes = ["collapse"]


class TakeawayInline(AutocompleteWidgetsMixin, admin.StackedInline):
    model = Takeaway
    form = TakeawayForm
    fields = ["order", "text", "claims"]
    autocomplete_fields = ["claims"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("claims")


class ChangeNoteInline(admin.TabularInline):
    model = ChangeNote
    fields = ["created_at", "text"]
    extra = 0
    verbose_name = "“What changed” note"
    verbose_name_plural = "“What changed” notes (public; add one when republishing)"


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
    readonly_fields = ["status", "published_at", "review_progress"]
    inlines = [ParagraphInline, TakeawayInline, ChangeNoteInline]
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "bottom_line", "based_on_version"]}),
        (
            "Publication",
            {
                "fields": [("status", "published_at"), "review_progress"],
                "description": "Published only with the “Save and publish” button or action, "
                "and only once every event and claim is checked.",
            },
        ),
        (
            "The article",
            {
                "fields": [
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
        (None, {"fields": ["title", "slug", "summary", "bottom_line"]}),
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
                    filter=~Q(claims__review_status=ReviewStatus.CHECKED),
                    distinct=True,
                ),
                unchecked_events=Count(
                    "events",
                    filter=~Q(events__review_status=ReviewStatus.CHECKED),
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
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def save_model(self, request, obj, form, change):
        if change:
            # Publication changes only through publish() and unpublish(): never through the
            # form, a tampered POST or a revert to a historical record.
            obj.status, obj.published_at = (
                Briefing.objects.filter(pk=obj.pk).values_list("status", "published_at").get()
            )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            form.create_paragraphs()

    def response_change(self, request, obj):
        if "_publish" in request.POST or "_unpublish" in request.POST:
            publish = "_publish" in request.POST
            if not self.has_publish_permission(request, obj):
                self.message_user(
                    request,
                    "Saved, but not published: only Publishers may publish or unpublish.",
                    messages.ERROR,
                )
            else:
                self._set_publication(request, obj, publish)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _set_publication(self, request, briefing, publish):
        briefing._history_user = request.user
        try:
            with transaction.atomic():
                if publish:
                    briefing.publish()
                else:
                    briefing.unpublish()
        except ValidationError as error:
            self.message_user(request, f"“{briefing}”: {' '.join(error.messages)}", messages.ERROR)
            return False
        except StaleVersionError:
            self.message_user(
                request, f"“{briefing}” was saved meanwhile: look at it again.", messages.ERROR
            )
            return False
        done = "published" if publish else "returned to draft"
        self.message_user(request, f"“{briefing}” is {done}.", messages.SUCCESS)
        return True

    @admin.action(
        description="Publish selected briefings (only fully checked ones)",
        permissions=["publish"],
    )
    def publish_selected(self, request, queryset):
        for briefing in queryset.filter(status=Briefing.Status.DRAFT):
            self._set_publication(request, briefing, publish=True)

    @admin.action(description="Unpublish selected briefings", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        for briefing in queryset.filter(status=Briefing.Status.PUBLISHED):
            self._set_publication(request, briefing, publish=False)


# Actors and sources --------------------------------------------------------


@admin.register(Actor)
class ActorAdmin(HistoryAdmin):
    list_display = ["name", "kind", "role", "affiliation", "wikidata_id"]
    list_filter = ["kind"]
    list_select_related = ["affiliation"]
    search_fields = ["name", "aliases", "editors_aliases", "role", "slug", "wikidata_id"]
    search_help_text = "Search names, aliases (any script), roles and Wikidata IDs."
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["affiliation"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "role", "affiliation"]}),
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
class SourceAdmin(HistoryAdmin):
    list_display = ["name", "kind", "reliability", "affiliation"]
    list_filter = ["kind", "reliability"]
    list_select_related = ["affiliation"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["affiliation"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "affiliation", "url"]}),
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
class EventAdmin(ReviewedAdmin):
    form = EventForm
    list_display = [
        "title",
        briefing_title,
        "kind",
        "status",
        "date_edtf",
        "date_basis",
        "review_status",
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


class ClaimRelationInline(AutocompleteWidgetsMixin, admin.StackedInline):
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
class ClaimAdmin(ReviewedAdmin):
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
        "review_status",
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
