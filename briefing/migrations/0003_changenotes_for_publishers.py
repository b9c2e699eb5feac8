"""“What changed” notes are public and go with republishing: Publishers write them, Editors read them."""

from django.db import migrations

NOTE_CODENAMES = ["add_changenote", "change_changenote"]


def restrict_notes_to_publishers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    note_permissions = Permission.objects.filter(
        content_type__app_label="briefing", codename__in=NOTE_CODENAMES
    )
    Group.objects.get(name="Editors").permissions.remove(*note_permissions)
    Group.objects.get(name="Publishers").permissions.add(*note_permissions)


def let_editors_write_notes(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    note_permissions = Permission.objects.filter(
        content_type__app_label="briefing", codename__in=NOTE_CODENAMES
    )
    Group.objects.get(name="Editors").permissions.add(*note_permissions)


class Migration(migrations.Migration):
    dependencies = [("briefing", "0002_editorial_groups")]

    operations = [migrations.RunPython(restrict_notes_to_publishers, let_editors_write_notes)]
