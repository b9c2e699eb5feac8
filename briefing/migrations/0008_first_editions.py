"""Existing data in the publishing model: every published briefing gets its first edition, made
from its content as it stands (so readers see what they saw before), and every check vouches for
the version it was given on.

The first editions are built with the app's own document builder, as the page rendered them:
this migration fits the models of this release. Its “what changed” note keeps the texts of the
briefing's earlier public notes, which editions replace.
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
    from briefing.models import Briefing
    from briefing.publishing import make_edition

    for name in ("Event", "Claim"):
        model = apps.get_model("briefing", name)
        model.objects.filter(review_status="checked").update(checked_version=models.F("version"))

    ChangeNote = apps.get_model("briefing", "ChangeNote")
    for briefing in Briefing.objects.filter(status="published", live_edition__isnull=True):
        notes = ChangeNote.objects.filter(briefing_id=briefing.pk).order_by("created_at")
        note = " ".join(f"{n.created_at:%d %B %Y}: {n.text}" for n in notes)
        # What readers saw: the checked events and claims.
        make_edition(
            briefing, published_at=briefing.published_at, note=note, checked_only=True
        )


class Migration(migrations.Migration):
    dependencies = [("briefing", "0007_editions")]

    operations = [
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
