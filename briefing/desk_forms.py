"""The desk's forms: a claim drafted on a sentence, and the actor, source or event it needs."""

from django import forms
from django.db.models import Max

from briefing.models import Actor, Claim, Event, Paragraph, Source
from briefing.organisations import DuplicateCheckForm, SourceOrganisationForm, unique_slug


def list_suggested_first(field, suggested):
    """A plain select (usable without JavaScript) whose suggested choices come first."""
    suggested = [obj for obj in suggested if obj is not None]
    if not suggested:
        return
    first = [(obj.pk, f"{obj} (suggested)") for obj in suggested]
    taken = {pk for pk, _ in first}
    rest = [(obj.pk, str(obj)) for obj in field.queryset if obj.pk not in taken]
    blank = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = [*blank, ("Suggested", first), ("All", rest)]


class DeskClaimForm(forms.ModelForm):
    """A claim on words of one paragraph: the briefing, paragraph and order are the desk's."""

    paragraph = forms.ModelChoiceField(queryset=Paragraph.objects.none(), widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = [
            "paragraph",
            "quote",
            "text",
            "source",
            "claimant",
            "status",
            "credibility",
            "note",
            "actors",
            "events",
        ]
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 2}),
            "text": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
            "actors": forms.CheckboxSelectMultiple,
            "events": forms.CheckboxSelectMultiple,
        }
        labels = {"text": "Claim, in the briefing's words"}

    def __init__(
        self,
        *args,
        briefing,
        actor_choices=(),
        suggested_source=None,
        suggested_claimant=None,
        **kwargs,
    ):
        kwargs.setdefault("instance", Claim(briefing=briefing))
        super().__init__(*args, **kwargs)
        self.instance.briefing = briefing
        self.fields["paragraph"].queryset = briefing.paragraphs.all()
        list_suggested_first(self.fields["source"], [suggested_source])
        list_suggested_first(self.fields["claimant"], [suggested_claimant])
        # Scoped to the briefing: the actors this sentence names or the briefing already uses.
        self.fields["actors"].queryset = Actor.objects.filter(
            pk__in=[actor.pk for actor in actor_choices]
        )
        self.fields["actors"].help_text = "Actors named in the sentence or used in this briefing."
        self.fields["events"].queryset = briefing.events.all()
        self.fields["events"].help_text = "Events of this briefing."

    def save(self, user):
        claim = self.instance
        claim.order = next_order(claim.briefing.claims)
        claim.last_edited_by = user
        claim._history_user = user
        return super().save()


def next_order(items):
    """The order after the last of a briefing's claims or takeaways."""
    return (items.aggregate(last=Max("order"))["last"] or 0) + 1


class NewActorForm(DuplicateCheckForm):
    """An actor from a mention in the article: its name as written, its kind."""

    class Meta:
        model = Actor
        fields = ["name", "kind", "role"]

    def save(self, user):
        self.instance.slug = unique_slug(Actor, self.cleaned_data["name"])
        self.instance._history_user = user
        return super().save()


class NewSourceForm(SourceOrganisationForm):
    """A source from an attribution cue (“according to RIA Novosti”), and the actor it is."""

    class Meta:
        model = Source
        fields = ["name", "kind"]

    def save(self, user):
        self.instance.slug = unique_slug(Source, self.cleaned_data["name"])
        self.instance._history_user = user
        self.create_actor_if_asked(user)
        return super().save()


class NewEventForm(forms.ModelForm):
    """An event of the briefing, dated from a phrase of the sentence."""

    class Meta:
        model = Event
        fields = ["title", "kind", "status", "date_edtf", "date_basis", "date_note", "location"]

    def __init__(self, *args, briefing, **kwargs):
        super().__init__(*args, instance=Event(briefing=briefing), **kwargs)

    def save(self, user):
        event = self.instance
        event.slug = unique_slug(Event, event.title, briefing=event.briefing)
        event.last_edited_by = user
        event._history_user = user
        return super().save()


class DatelineForm(forms.Form):
    """The article's outlet and date as its dateline gives them, for the editor to confirm."""

    article_outlet = forms.CharField(max_length=200)
    article_published_on = forms.DateField(required=False)
    based_on_version = forms.IntegerField(widget=forms.HiddenInput)
