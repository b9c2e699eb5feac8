"""Actors saved before plural_name existed keep the verbs their pages gave them: the field is
set where the name's form called for a plural verb ("Ukrainian armed forces capture")."""

from django.db import migrations

from briefing.documents import actor_name_reads_as_plural


def mark_plural_names(apps, schema_editor):
    Actor = apps.get_model("briefing", "Actor")
    plural = [
        pk
        for pk, name, kind in Actor.objects.values_list("pk", "name", "kind")
        if actor_name_reads_as_plural(name, kind)
    ]
    Actor.objects.filter(pk__in=plural).update(plural_name=True)


class Migration(migrations.Migration):
    dependencies = [("briefing", "0012_plural_name")]

    operations = [migrations.RunPython(mark_plural_names, migrations.RunPython.noop)]
