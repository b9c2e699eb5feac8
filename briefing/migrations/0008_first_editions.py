"""Existing data in the publishing model: every published briefing gets its first edition, made
from its content as it stands (so readers see what they saw before), and every check vouches for
the version it was given on.

The migration records each first edition with the historical models: its number, title, dates
and a “what changed” note that keeps the texts of the briefing's earlier public notes, which
editions replace. Its document is written once every migration has run, by the app's own
document builder as the page rendered it (`briefing.publishing.complete_first_editions`, on
post_migrate): the builder reads today's models, which a later migration may have changed.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Editors and Publishers relate claims (0004) and read editions; only publishing makes editions.
GROUP_PERMISSIONS = {
    "Editors": ["add_claimrelation", "change_claimrelation", "view_claimrelation", "view_edition"],
    "Publishers": [
        "add_claimrelation",
        "change_claimrelation",
        "delete_claimrelation",
        "view_claimrelation",
        "view_edition",
    ],
}


def grant_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="briefing", codename__in=codenames
                )
            )


def forwards(apps, schema_editor):
    for name in ("Event", "Claim"):
        model = apps.get_model("briefing", name)
        model.objects.filter(review_status="checked").update(checked_version=models.F("version"))

    Briefing = apps.get_model("briefing", "Briefing")
    ChangeNote = apps.get_model("briefing", "ChangeNote")
    Edition = apps.get_model("briefing", "Edition")
    for briefing in Briefing.objects.filter(status="published", live_edition__isnull=True):
        notes = ChangeNote.objects.filter(briefing_id=briefing.pk).order_by("created_at")
        note = " ".join(f"{n.created_at:%d %B %Y}: {n.text}" for n in notes)
        # An empty document: complete_first_editions writes it after the last migration.
        edition = Edition.objects.create(
            briefing=briefing,
            number=1,
            slug=briefing.slug,
            title=briefing.title,
            summary=briefing.summary,
            published_at=briefing.published_at,
            note=note.strip(),
            document={},
        )
        Briefing.objects.filter(pk=briefing.pk).update(live_edition=edition)


class Migration(migrations.Migration):
    dependencies = [("briefing", "0007_editions")]

    operations = [
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
