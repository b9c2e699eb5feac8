"""Publishing: a Publisher turns the working copy into the next edition, or withdraws a briefing.

One named operation each, as Wagtail's publish action: it checks the permission, refuses with
every reason at once, does its work in one transaction and clears the page cache. Nothing else
changes what readers see.
"""

import json
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.utils import timezone

from briefing import documents
from briefing.middleware import content_changed
from briefing.models import Briefing, Edition

logger = logging.getLogger(__name__)

PUBLISH_PERMISSION = "briefing.publish_briefing"


class PublishingRefused(Exception):
    """The working copy cannot be published yet; `problems` says every reason in words."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def publishing_problems(briefing, note=""):
    """Everything that stops the working copy from becoming the next edition, in words."""
    problems = []
    unchecked = briefing.unchecked_items()
    if unchecked:
        problems.append(
            "Still to be checked: "
            + "; ".join(f"{item._meta.verbose_name} “{item}”" for item in unchecked)
            + "."
        )
    if not briefing.claims.exists():
        problems.append("A briefing needs at least one claim.")
    if not briefing.summary.strip():
        problems.append("Write the summary.")
    if not briefing.bottom_line.strip():
        problems.append("Write the bottom line.")
    if not briefing.takeaways.exists():
        problems.append("Write at least one key takeaway.")
    if briefing.editions.exists() and not note.strip():
        problems.append("Say in the “What changed” note what this edition changes, for readers.")
    return problems


@transaction.atomic
def publish(briefing, user, note=""):
    """Make the working copy the briefing's next edition; readers see it from now on."""
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Only Publishers may publish.")
    # One publisher at a time per briefing: the next number is read under the row lock.
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    problems = publishing_problems(briefing, note)
    if problems:
        raise PublishingRefused(problems)
    edition = make_edition(briefing, published_by=user if user.pk else None, note=note)
    transaction.on_commit(content_changed)
    logger.info("Published %s as edition %s by %s", briefing.slug, edition.number, user)
    return edition


def make_edition(briefing, published_at=None, published_by=None, note="", checked_only=False):
    """The working copy as the briefing's next edition, live from now on: no rule is checked.

    publish() checks the permission and the rules first; the loader and the first-edition
    migration make an edition of what was already published. `checked_only` leaves out what
    readers were not shown.
    """
    number = (briefing.editions.aggregate(last=Max("number"))["last"] or 0) + 1
    published_at = published_at or timezone.now()
    note = note.strip()
    document = documents.working_document(
        briefing, {"number": number, "published_at": published_at, "note": note}
    )
    edition = Edition.objects.create(
        briefing=briefing,
        number=number,
        slug=briefing.slug,
        title=briefing.title,
        summary=briefing.summary,
        published_at=published_at,
        published_by=published_by,
        note=note,
        document=documents.only_checked(document) if checked_only else document,
    )
    briefing.record_publication(edition)
    return edition


def complete_first_editions(using="default", **kwargs):
    """Write the documents of the first editions that migration 0008 recorded without one.

    Connected to post_migrate: the document builder reads today's models, so it runs only when
    every migration has been applied. The document is what readers saw: the checked items.
    """
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    pending = Edition.objects.using(using).filter(number=1, document={}).select_related("briefing")
    for edition in pending:
        document = documents.working_document(
            edition.briefing,
            {"number": 1, "published_at": edition.published_at, "note": edition.note},
        )
        edition.document = documents.only_checked(document)
        edition.save(update_fields=["document"])


@transaction.atomic
def withdraw(briefing, user):
    """Take the briefing away from readers: its address answers 410 Gone, no edition is shown."""
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Only Publishers may withdraw.")
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    briefing.record_withdrawal()
    transaction.on_commit(content_changed)
    logger.info("Withdrew %s by %s", briefing.slug, user)
    return briefing


# What the next edition changes ------------------------------------------------------------


@dataclass
class Change:
    kind: str  # "added", "removed" or "changed"
    label: str
    details: list = field(default_factory=list)


@dataclass
class Section:
    title: str
    changes: list

    @property
    def counts(self):
        return {
            kind: sum(c.kind == kind for c in self.changes)
            for kind in ("added", "removed", "changed")
        }


# Parts of the document that say nothing to readers, or that every edition changes anyway.
IGNORED_KEYS = {"review_status", "url", "edition", "format", "format_version"}

SECTIONS = [
    ("Takeaways", "takeaways", "order", lambda item: f"Takeaway {item['order']}"),
    ("Claims", "claims", "order", lambda item: f"Claim {item['order']}: {item['text'][:80]}"),
    ("Events", "events", "slug", lambda item: item["title"]),
    ("Actors", "actors", "slug", lambda item: item["name"]),
    ("Sources", "sources", "slug", lambda item: item["name"]),
    ("Article text", "paragraphs", "number", lambda item: f"Paragraph {item['number']}"),
]
TOP_LEVEL = [
    ("title", "Title"),
    ("slug", "Address (slug)"),
    ("summary", "Summary"),
    ("bottom_line", "Bottom line"),
    ("article", "The article's details"),
]


def _shown(value, limit=160):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_changes(old, new):
    details = []
    for key in sorted(set(old) | set(new)):
        if key in IGNORED_KEYS or old.get(key) == new.get(key):
            continue
        details.append(
            f"{key.replace('_', ' ')}: “{_shown(old.get(key))}” → “{_shown(new.get(key))}”"
        )
    return details


def differences(old_document, new_document):
    """What publishing `new_document` changes for readers of `old_document`, section by section.

    With no earlier edition, everything is added.
    """
    old_document = old_document or {}
    sections = []
    top = [
        Change(
            "changed",
            label,
            [f"“{_shown(old_document.get(key))}” → “{_shown(new_document.get(key))}”"],
        )
        for key, label in TOP_LEVEL
        if old_document and old_document.get(key) != new_document.get(key)
    ]
    if top:
        sections.append(Section("The briefing", top))
    for title, key, identity, describe in SECTIONS:
        old_items = {item[identity]: item for item in old_document.get(key, [])}
        new_items = {item[identity]: item for item in new_document.get(key, [])}
        changes = []
        for ident, item in new_items.items():
            if ident not in old_items:
                changes.append(Change("added", describe(item)))
            elif details := _field_changes(old_items[ident], item):
                changes.append(Change("changed", describe(item), details))
        changes += [
            Change("removed", describe(item))
            for ident, item in old_items.items()
            if ident not in new_items
        ]
        if changes:
            sections.append(Section(title, changes))
    return sections
