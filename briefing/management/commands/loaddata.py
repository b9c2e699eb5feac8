"""loaddata that validates what it loaded and undoes the whole load if anything is wrong.

Django's loaddata saves raw rows without model validation, so a fixture whose quote is not in
its paragraph, or whose event ends before it starts, would load silently; and a malformed file
ends in a traceback. Here both end in one message naming the problem, with the database as it was.

A valid load then gets what the app keeps beside the rows: a first edition for a briefing the
fixture marks published (readers see only editions), and a first history record for every loaded
object that has none, so the first edit after a load can be reverted.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError


class Command(loaddata.Command):
    help = loaddata.Command.help + " Every loaded object is validated; any error undoes the load."

    def handle(self, *fixture_labels, **options):
        try:
            super().handle(*fixture_labels, **options)
        except (DeserializationError, DatabaseError, ObjectDoesNotExist, ValueError) as error:
            cause = error.__cause__ and str(error.__cause__)
            cause = f"\n{cause}" if cause and cause not in str(error) else ""
            raise CommandError(
                f"The fixture could not be loaded; nothing was changed.\n{error}{cause}"
            ) from error

    def loaddata(self, fixture_labels):
        self.loaded_instances = []
        # Report the installed count only once the load has passed validation.
        verbosity, self.verbosity = self.verbosity, 0
        super().loaddata(fixture_labels)
        self.verbosity = verbosity
        problems = []
        for deserialized in self.loaded_instances:
            # Re-read, so many-to-many relations saved after the object are seen too.
            instance = type(deserialized.object)._default_manager.get(pk=deserialized.object.pk)
            try:
                instance.full_clean()
                if hasattr(instance, "validate_related"):
                    instance.validate_related()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    problems.append(
                        f"{instance._meta.label} “{instance}”: {field}: {' '.join(messages)}"
                    )
            else:
                self.store_derived_fields(instance)
        if problems:
            # Raised inside loaddata's transaction, so nothing of the load is kept.
            raise CommandError(
                "The fixture is inconsistent; nothing was changed.\n" + "\n".join(problems)
            )
        self.record_history()
        self.publish_first_editions()
        if self.verbosity >= 1:
            self.stdout.write(
                f"Installed {self.loaded_object_count} object(s) from {self.fixture_count} "
                "fixture(s), all valid"
            )

    @staticmethod
    def store_derived_fields(instance):
        """Store what full_clean derived (an event's date bounds): raw saves skip save()."""
        fields = getattr(instance, "DERIVED_FIELDS", ())
        if fields:
            type(instance)._default_manager.filter(pk=instance.pk).update(
                **{name: getattr(instance, name) for name in fields}
            )

    def record_history(self):
        """A first history record for each loaded object without one (raw saves leave none)."""
        by_model = {}
        for deserialized in self.loaded_instances:
            instance = deserialized.object
            if hasattr(type(instance), "history"):
                by_model.setdefault(type(instance), []).append(instance)
        for model, instances in by_model.items():
            recorded = set(
                model.history.filter(id__in=[i.pk for i in instances]).values_list("id", flat=True)
            )
            missing = [
                model._default_manager.get(pk=i.pk) for i in instances if i.pk not in recorded
            ]
            if missing:
                model.history.bulk_history_create(missing, default_change_reason="Loaded")

    def publish_first_editions(self):
        """Readers see editions only: a briefing loaded as published gets its first one."""
        from briefing import publishing
        from briefing.middleware import content_changed
        from briefing.models import Briefing

        loaded = [d.object.pk for d in self.loaded_instances if isinstance(d.object, Briefing)]
        waiting = Briefing.objects.filter(
            pk__in=loaded, status=Briefing.Status.PUBLISHED, live_edition__isnull=True
        )
        for briefing in waiting:
            latest = briefing.editions.defer("document").order_by("-number").first()
            if latest is not None:
                # Loaded again: the rows said nothing of the edition; readers keep seeing it.
                briefing.record_publication(latest)
                continue
            if briefing.unchecked_items():
                raise CommandError(
                    f"Briefing “{briefing}” is marked published but has unchecked events or "
                    "claims; nothing was changed."
                )
            publishing.make_edition(briefing, published_at=briefing.published_at)
            content_changed()

    def save_obj(self, obj):
        saved = super().save_obj(obj)
        if saved:
            self.loaded_instances.append(obj)
        return saved
