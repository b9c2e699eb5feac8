"""Admin forms: starting a briefing from an article, and saves that never overwrite others' work."""

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max
from django.utils.text import Truncator

from briefing import dates
from briefing.autocomplete import ScopedAutocompleteMixin, scope_widget
from briefing.lookups import as_id
from briefing.models import (
    Briefing,
    Claim,
    ClaimRelation,
    Event,
    Paragraph,
    Participation,
    ReviewStatus,
    Takeaway,
    split_into_paragraphs,
)

STALE_VERSION_MESSAGE = (
    "Someone else saved this {name} while you were editing it (you started from version "
    "{submitted}, it is now at version {current}). Nothing was saved. Your input is still in "
    "the form: copy what you need, reload the page to see the other changes, and apply yours again."
)
LOST_VERSION_MESSAGE = (
    "This form does not say which version of the {name} you edited, so nothing was saved. "
    "Reload the page and make your changes again."
)


class VersionedForm(forms.ModelForm):
    """A change form that refuses a save based on an older version of the object.

    The version the editor started from travels in a hidden field. The check reads the stored
    version with SELECT ... FOR UPDATE inside the admin's transaction, so a concurrent save waits
    and then sees the new version; the admin's save then advances the version with a conditional
    UPDATE (see `advance_version`).
    """

    # Not named "version": the admin refuses a form field named like a non-editable model field.
    based_on_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["based_on_version"].initial = self._version_to_edit()

    def _version_to_edit(self):
        if getattr(self.instance, "_history", None) is not None:
            # Reverting to a historical record: the revert is an edit of the version stored now.
            return self._stored_version(lock=False)
        return self.instance.version

    def _stored_version(self, lock):
        objects = type(self.instance)._default_manager
        if lock:
            objects = objects.select_for_update()
        return objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()

    def clean(self):
        cleaned_data = super().clean()
        if self.instance._state.adding:
            return cleaned_data
        name = self.instance._meta.verbose_name
        try:
            submitted = int(self.data.get(self.add_prefix("based_on_version"), ""))
        except ValueError:
            raise ValidationError(
                LOST_VERSION_MESSAGE.format(name=name), code="no_version"
            ) from None
        current = self._stored_version(lock=True)
        if submitted != current:
            raise ValidationError(
                STALE_VERSION_MESSAGE.format(name=name, submitted=submitted, current=current),
                code="stale_version",
            )
        cleaned_data["based_on_version"] = submitted
        return cleaned_data


class ParagraphForm(forms.ModelForm):
    class Meta:
        model = Paragraph
        fields = ["number", "text", "is_heading"]

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and "text" in self.changed_data and "text" in cleaned_data:
            self.instance.text = cleaned_data["text"]
            try:
                self.instance.validate_related()
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class ParticipationForm(forms.ModelForm):
    class Meta:
        model = Participation
        fields = ["actor", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.actor_id and "actor" in self.fields:
            # Loaded with select_related by the inline: no query per row.
            give_widget_known_objects(self.fields["actor"], [self.instance.actor])


class ParagraphChoiceField(forms.ModelChoiceField):
    """Paragraphs labelled with their briefing, number and opening words."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.select_related("briefing"), **kwargs)

    def label_from_instance(self, paragraph):
        briefing = Truncator(paragraph.briefing.title).chars(30)
        return f"{briefing} · ¶{paragraph.number}: {Truncator(paragraph.text).chars(60)}"


def https_by_default(model_field, **kwargs):
    """An address typed without a scheme is taken as https (Django 6's default, asked for now)."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class BriefingForm(VersionedForm):
    class Meta:
        model = Briefing
        formfield_callback = https_by_default
        # Never status or published_at: those change only through publish() and unpublish().
        fields = [
            "title",
            "slug",
            "summary",
            "bottom_line",
            "article_headline",
            "article_outlet",
            "article_url",
            "article_published_on",
            "article_details_from_editors",
        ]
        help_texts = {
            "article_published_on": "Leave empty when the article's date is not known. "
            f"Years {dates.EARLIEST.year}–{dates.LATEST.year}.",
        }


class BriefingAddForm(BriefingForm):
    """The first step of a briefing: its summary, and the article pasted in as text."""

    article_text = forms.CharField(
        label="Article text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Paste the whole article: each non-empty line becomes a numbered paragraph, "
        "kept verbatim; a short line without final punctuation becomes a heading. "
        "Claims will cite these paragraphs.",
    )

    def create_paragraphs(self):
        """Number the pasted article's paragraphs after any the briefing already has."""
        briefing = self.instance
        last = briefing.paragraphs.aggregate(last=Max("number"))["last"] or 0
        Paragraph.objects.bulk_create(
            Paragraph(briefing=briefing, number=number, text=text, is_heading=is_heading)
            for number, (text, is_heading) in enumerate(
                split_into_paragraphs(self.cleaned_data.get("article_text", "")), start=last + 1
            )
        )


class ReviewedForm(VersionedForm):
    """Events and claims: whoever made a version cannot check it (four eyes)."""

    checking_user = None  # set by the admin for each request

    def changes_content(self):
        # A revert to a historical record is an edit, even when nothing on its form is touched.
        reverting = getattr(self.instance, "_history", None) is not None
        return (
            self.instance._state.adding
            or reverting
            or bool(set(self.changed_data) - {"based_on_version", "review_status"})
        )

    def newly_checked(self):
        """Checked on this form: a status left at “Checked” by an edit vouches for nothing."""
        return (
            "review_status" in self.changed_data
            and self.cleaned_data.get("review_status") == ReviewStatus.CHECKED
        )

    def clean(self):
        cleaned_data = super().clean()
        user = self.checking_user
        if user is None or settings.ALLOW_SELF_CHECK or not self.newly_checked():
            return cleaned_data
        maker = user.pk if self.changes_content() else self.instance.last_edited_by_id
        if maker == user.pk:
            self.add_error(
                "review_status",
                "You made this version, so someone else must check it (four eyes). Save it as "
                "unchecked and ask a colleague.",
            )
        return cleaned_data


class EventForm(ReviewedForm):
    class Meta:
        model = Event
        fields = [
            "briefing",
            "title",
            "slug",
            "summary",
            "kind",
            "status",
            "date_edtf",
            "date_basis",
            "date_note",
            "location",
            "review_status",
        ]


class ClaimForm(ReviewedForm):
    class Meta:
        model = Claim
        fields = [
            "briefing",
            "order",
            "text",
            "source",
            "claimant",
            "status",
            "credibility",
            "figure_qualifier",
            "figure_low",
            "figure_high",
            "figure_unit",
            "paragraph",
            "quote",
            "note",
            "actors",
            "events",
            "review_status",
        ]
        field_classes = {"paragraph": ParagraphChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "order" in self.fields:
            self.fields["order"].required = False
            self.fields["order"].help_text = "Left empty: after the briefing's last claim."
        briefing_id = self.briefing_id()
        if briefing_id:
            # Pickers offer this briefing's paragraphs and events only.
            if "paragraph" in self.fields:
                field = self.fields["paragraph"]
                field.queryset = field.queryset.filter(briefing_id=briefing_id)
            if "events" in self.fields:
                scope_widget(self.fields["events"], briefing_id)

    def briefing_id(self):
        """The briefing the claim belongs to or is being added to, as far as the form knows."""
        if self.instance.briefing_id:
            return self.instance.briefing_id
        value = (self.data or {}).get(self.add_prefix("briefing")) or self.initial.get("briefing")
        return as_id(value)

    def clean(self):
        cleaned_data = super().clean()
        briefing = cleaned_data.get("briefing")
        foreign = (
            [e for e in cleaned_data.get("events") or [] if e.briefing_id != briefing.pk]
            if briefing
            else []
        )
        if foreign:
            self.add_error(
                "events",
                f"These events belong to another briefing: {', '.join(map(str, foreign))}.",
            )
        return cleaned_data


class ClaimRelationForm(forms.ModelForm):
    scope_briefing_id = None  # set by the inline: the briefing of the claim being edited

    class Meta:
        model = ClaimRelation
        fields = ["other_claim", "relation", "independence", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.other_claim_id and "other_claim" in self.fields:
            # Loaded with select_related by the inline: no query per row.
            give_widget_known_objects(self.fields["other_claim"], [self.instance.other_claim])
        if "other_claim" in self.fields:
            scope_widget(self.fields["other_claim"], self.scope_briefing_id)

    def clean(self):
        cleaned_data = super().clean()
        other = cleaned_data.get("other_claim")
        claim = self.instance.claim if self.instance.claim_id else None
        if other is not None and claim is not None:
            if other.pk == claim.pk:
                self.add_error("other_claim", "A claim cannot corroborate or contradict itself.")
            elif other.briefing_id != claim.briefing_id:
                self.add_error("other_claim", "This claim belongs to another briefing.")
        return cleaned_data


class TakeawayForm(forms.ModelForm):
    scope_briefing_id = None  # set by the inline: the briefing being edited

    class Meta:
        model = Takeaway
        fields = ["order", "text", "claims"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "order" in self.fields:
            self.fields["order"].required = False
            self.fields["order"].help_text = "Left empty: after the last takeaway."
        if "claims" in self.fields:
            scope_widget(self.fields["claims"], self.instance.briefing_id or self.scope_briefing_id)
        if self.instance.pk and "claims" in self.fields:
            # Prefetched by the inline, so each row costs no query of its own.
            give_widget_known_objects(self.fields["claims"], self.instance.claims.all())

    def clean(self):
        cleaned_data = super().clean()
        foreign = [
            claim
            for claim in cleaned_data.get("claims") or []
            if claim.briefing_id != self.instance.briefing_id
        ]
        if foreign:
            self.add_error(
                "claims",
                "A takeaway rests on claims of its own briefing; these belong to another "
                f"(or the briefing is not saved yet): {', '.join(map(str, foreign))}.",
            )
        return cleaned_data


class SafeAutocompleteMixin:
    """Autocomplete that never crashes on a tampered id and can label rows without a query.

    Django's autocomplete widget looks up the selected ids to label them: one query per widget
    (so one per inline row), and an id that is not a number (a tampered POST) raises while the
    page renders. Here malformed ids are left out (the field reports them as an error), and a
    form may hand the widget its already-loaded selected objects in `known_objects`.
    """

    known_objects = None

    def optgroups(self, name, value, attr=None):
        pk = self.field.remote_field.model._meta.pk
        well_formed = []
        for item in value:
            try:
                pk.to_python(item)
            except ValidationError:
                continue
            well_formed.append(str(item))
        known = self.known_objects
        if known is not None and {str(obj.pk) for obj in known} == set(well_formed):
            options = [
                self.create_option(
                    name, obj.pk, self.choices.field.label_from_instance(obj), True, index
                )
                for index, obj in enumerate(known)
            ]
            if not self.is_required and not self.allow_multiple_selected:
                options.insert(0, self.create_option(name, "", "", False, 0))
            return [(None, options, 0)]
        return super().optgroups(name, well_formed, attr)


class SafeAutocompleteSelect(ScopedAutocompleteMixin, SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(
    ScopedAutocompleteMixin, SafeAutocompleteMixin, AutocompleteSelectMultiple
):
    pass


def give_widget_known_objects(field, objects):
    """Let an autocomplete widget (possibly inside the admin's wrapper) label these objects."""
    widget = getattr(field.widget, "widget", field.widget)
    if isinstance(widget, SafeAutocompleteMixin):
        widget.known_objects = list(objects)


class PublishForm(forms.Form):
    note = forms.CharField(
        label="What changed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Public, shown with the edition: what readers of the earlier edition should "
        "know changed. Required from the second edition on.",
    )
