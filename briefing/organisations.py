"""Actors and sources kept single: near-duplicates confirmed at the door, duplicates merged.

One organisation may be both: a source can name the actor it is (RIA Novosti the outlet), and
be made together with it in one step.
"""

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from briefing import suggestions
from briefing.models import Actor, Claim, Participation, Source


def duplicate_message(name, matches):
    """“Putin” closely matches “Vladimir Putin” (as “Putin”): the words an editor sees."""
    described = "; ".join(
        f"“{obj}”" + (f" (as “{matched}”)" if matched != obj.name else "")
        for obj, matched, _ in matches[:3]
    )
    return f"“{name}” closely matches {described}."


def alias_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class DuplicateCheckForm(forms.ModelForm):
    """Refuses a name or alias close to another actor's or source's until the editor confirms."""

    confirm_duplicate = forms.BooleanField(
        label="Save although the name is close to another",
        required=False,
        help_text="Tick only when the similar one named above is really someone or something "
        "else; otherwise use that one (a Publisher can merge duplicates).",
    )

    def names_to_check(self):
        names = [self.cleaned_data.get("name") or ""]
        for field in ("aliases", "editors_aliases"):
            if field in self.changed_data:
                names += alias_lines(self.cleaned_data.get(field))
        return [name for name in names if name]

    def clean(self):
        cleaned_data = super().clean()
        naming = {"name", "aliases", "editors_aliases"} & set(self.changed_data)
        if not naming or cleaned_data.get("confirm_duplicate"):
            return cleaned_data
        model = self._meta.model
        index = suggestions.NameIndex.of(model._default_manager.exclude(pk=self.instance.pk))
        for name in self.names_to_check():
            matches = suggestions.close_matches(name, index)
            if matches:
                self.add_error(
                    "confirm_duplicate",
                    f"{duplicate_message(name, matches)} Use that {model._meta.verbose_name}, "
                    "or tick the box to save this one all the same.",
                )
                break
        return cleaned_data


class SourceOrganisationForm(DuplicateCheckForm):
    """A source that can be made an actor too, in the same step."""

    also_actor_kind = forms.ChoiceField(
        label="Also an actor, of kind",
        required=False,
        choices=[("", "No: only a source"), *Actor.Kind.choices],
        help_text="RIA Novosti is an outlet readers meet as a source and as an actor: choose "
        "its kind to create the actor with the same name and link it here. Leave as is when "
        "the actor exists: pick it in “Actor” instead.",
    )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("also_actor_kind"):
            if cleaned_data.get("actor"):
                self.add_error(
                    "also_actor_kind", "The source is linked to an actor already: choose one way."
                )
            elif not cleaned_data.get("confirm_duplicate"):
                index = suggestions.NameIndex.of(Actor.objects.all())
                matches = suggestions.close_matches(cleaned_data.get("name") or "", index)
                if matches:
                    self.add_error(
                        "also_actor_kind",
                        f"{duplicate_message(cleaned_data['name'], matches)} Pick that actor in "
                        "“Actor”, or tick the box below to create a new one all the same.",
                    )
        return cleaned_data

    def create_actor_if_asked(self, user):
        """Create the actor the source also is, when asked to, and link it."""
        kind = self.cleaned_data.get("also_actor_kind")
        if not kind:
            return None
        source = self.instance
        actor = Actor(
            name=source.name,
            slug=unique_slug(Actor, source.name),
            kind=kind,
            plural_name=source.plural_name,
            description=source.description,
        )
        actor._history_user = user
        actor.save()
        source.actor = actor
        return actor


@transaction.atomic
def merge_actors(survivor, duplicates, user):
    """Move every reference to `duplicates` onto `survivor`, combine names, delete them.

    The survivor's history records the merge; the duplicates' history keeps them as they were.
    """
    merged_names = []
    for duplicate in duplicates:
        if duplicate.pk == survivor.pk:
            continue
        Claim.objects.filter(claimant=duplicate).update(claimant=survivor)
        links = Claim.actors.through.objects
        already = links.filter(actor=survivor).values("claim_id")
        links.filter(actor=duplicate, claim_id__in=already).delete()
        links.filter(actor=duplicate).update(actor=survivor)
        for participation in Participation.objects.filter(actor=duplicate):
            twin = Participation.objects.filter(
                event_id=participation.event_id, actor=survivor, role=participation.role
            )
            if twin.exists():
                participation.delete()
            else:
                participation.actor = survivor
                participation.save()
        Actor.objects.filter(affiliation=duplicate).exclude(pk=survivor.pk).update(
            affiliation=survivor
        )
        if survivor.affiliation_id == duplicate.pk:
            survivor.affiliation_id = duplicate.affiliation_id
            if survivor.affiliation_id == survivor.pk:
                survivor.affiliation_id = None
        Source.objects.filter(affiliation=duplicate).update(affiliation=survivor)
        if not Source.objects.filter(actor=survivor).exists():
            Source.objects.filter(actor=duplicate).update(actor=survivor)
        else:
            Source.objects.filter(actor=duplicate).update(actor=None)
        survivor.aliases = combined(survivor.aliases, [duplicate.name, *duplicate.alias_list])
        survivor.editors_aliases = combined(survivor.editors_aliases, duplicate.editors_alias_list)
        survivor.aliases = "\n".join(
            alias for alias in alias_lines(survivor.aliases) if alias != survivor.name
        )
        for field in ("role", "description", "wikidata_id", "editors_note"):
            if not getattr(survivor, field):
                setattr(survivor, field, getattr(duplicate, field))
        merged_names.append(duplicate.name)
        duplicate._history_user = user
        duplicate._change_reason = f"Merged into “{survivor.name}”"
        duplicate.delete()
    survivor._history_user = user
    survivor._change_reason = "Merged " + ", ".join(f"“{name}”" for name in merged_names)
    survivor.save()
    return merged_names


def combined(aliases, more):
    """Alias lines with `more` added, each once."""
    lines = alias_lines(aliases)
    seen = {line.casefold() for line in lines}
    for alias in more:
        if alias.casefold() not in seen:
            lines.append(alias)
            seen.add(alias.casefold())
    return "\n".join(lines)


def references_of(actor):
    """How many claims, participations, members and sources point at `actor`."""
    return {
        "claims": Claim.objects.filter(Q(claimant=actor) | Q(actors=actor)).distinct().count(),
        "participations": actor.participations.count(),
        "members": actor.members.count(),
        "sources": Source.objects.filter(Q(affiliation=actor) | Q(actor=actor)).count(),
    }


def unique_slug(model, name, **scope):
    """A slug for `name` not yet taken (within `scope`, e.g. a briefing)."""
    base = (slugify(name) or model._meta.model_name)[:90]
    slug, number = base, 1
    while model._default_manager.filter(slug=slug, **scope).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug
