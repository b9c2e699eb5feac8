"""Existing data in the new model: start/end/precision become an EDTF date with its bounds;
"assessment" claims become the article's judgement or a source's speculation; aliases in another
script than the article's move to the editors' additions.

Self-contained on purpose: it must keep working however the app's code changes later.
"""

import calendar
import datetime
import unicodedata

from django.db import migrations


def _machine(day, precision):
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _last_day(day, precision):
    if precision == "year":
        return datetime.date(day.year, 12, 31)
    if precision == "month":
        return datetime.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def edtf_from_old(start, precision, end, is_ongoing):
    """(EDTF string, earliest, latest) for the old columns of one event."""
    point = _machine(start, precision)
    last = _last_day(start, precision)
    if is_ongoing:
        return f"{point}/..", start, None
    if end and end > last:
        return f"{point}/{end.isoformat()}", start, end
    return point, start, last


def _convert_events(model):
    for event in model.objects.all().iterator():
        if event.start_date is None:
            continue
        event.date_edtf, event.date_earliest, event.date_latest = edtf_from_old(
            event.start_date, event.date_precision, event.end_date, event.is_ongoing
        )
        event.save(update_fields=["date_edtf", "date_earliest", "date_latest"])


def _is_latin(text):
    return all(
        not character.isalpha() or "LATIN" in unicodedata.name(character, "")
        for character in text
    )


def forwards(apps, schema_editor):
    for name in ("Event", "HistoricalEvent"):
        _convert_events(apps.get_model("briefing", name))

    Source = apps.get_model("briefing", "Source")
    article_sources = set(Source.objects.filter(kind="article").values_list("pk", flat=True))
    for name in ("Claim", "HistoricalClaim"):
        model = apps.get_model("briefing", name)
        for claim in model.objects.filter(status="assessment").iterator():
            own_voice = claim.source_id in article_sources and claim.claimant_id is None
            claim.status = "judgement" if own_voice else "speculation"
            claim.save(update_fields=["status"])

    Actor = apps.get_model("briefing", "Actor")
    for actor in Actor.objects.exclude(aliases="").iterator():
        aliases = [alias.strip() for alias in actor.aliases.splitlines() if alias.strip()]
        outside = [alias for alias in aliases if not _is_latin(alias)]
        if outside:
            actor.aliases = "\n".join(alias for alias in aliases if _is_latin(alias))
            actor.editors_aliases = "\n".join(
                [*filter(None, actor.editors_aliases.splitlines()), *outside]
            )
            actor.save(update_fields=["aliases", "editors_aliases"])


def backwards(apps, schema_editor):
    for name in ("Event", "HistoricalEvent"):
        model = apps.get_model("briefing", name)
        for event in model.objects.all().iterator():
            first = event.date_edtf.split("/")[0].strip("[]?~%.")
            precision = {4: "year", 7: "month"}.get(len(first), "day")
            event.start_date = event.date_earliest or datetime.date(2000, 1, 1)
            event.date_precision = precision
            event.is_ongoing = event.date_edtf.endswith("/..")
            last = _last_day(event.start_date, precision)
            latest = event.date_latest
            event.end_date = latest if latest and latest > last else None
            event.save(update_fields=["start_date", "date_precision", "is_ongoing", "end_date"])
    for name in ("Claim", "HistoricalClaim"):
        apps.get_model("briefing", name).objects.filter(
            status__in=["judgement", "speculation"]
        ).update(status="assessment")


class Migration(migrations.Migration):
    dependencies = [("briefing", "0004_uncertainty")]

    operations = [migrations.RunPython(forwards, backwards)]
