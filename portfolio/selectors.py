"""Reads of learners' evidence: the list of items, what the learner has stored, and what
changed between two submitted versions. Each runs a fixed number of queries however many
items, criteria and files there are. Where each unit stands against its criteria, with the
assessor's decisions, is assessment's to read (``assessment.progress``)."""

import difflib
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, Sum

from common.text import learner_text_lines
from learners.models import Enrolment, Learner
from portfolio.kinds import KINDS, describe_details
from portfolio.models import EvidenceFile, EvidenceItem, EvidenceMapping
from portfolio.sources import record_sources


def learner_storage_used(*, learner: Learner) -> int:
    """Bytes of evidence the learner has stored, kept versions included."""
    used = EvidenceFile.objects.filter(centre=learner.centre, item__learner=learner).aggregate(
        total=Sum("size")
    )["total"]
    return used or 0


def enrolments_of_learner(*, learner: Learner) -> QuerySet[Enrolment]:
    """The enrolments the learner can still map evidence to."""
    return Enrolment.objects.filter(
        centre=learner.centre, learner=learner, status=Enrolment.Status.ACTIVE
    ).select_related("unit")


def enrolments_to_map(*, learner: Learner) -> QuerySet[Enrolment]:
    """The enrolments the learner can map evidence to, each with its outcomes and criteria."""
    return enrolments_of_learner(learner=learner).prefetch_related("unit__learning_outcomes__criteria")


def evidence_items_for_learner(*, learner: Learner, kind: str | None = None) -> QuerySet[EvidenceItem]:
    """The learner's items (of one ``kind``, if given), newest first, each with its
    criteria and current files."""
    items = EvidenceItem.objects.filter(centre=learner.centre, learner=learner)
    if kind is not None:
        items = items.filter(kind=kind)
    return items.prefetch_related(
        Prefetch(
            "mappings",
            queryset=EvidenceMapping.objects.select_related("criterion__outcome__page").order_by(
                "criterion__outcome__page__title", "criterion__outcome__sort_order", "criterion__sort_order"
            ),
        ),
        Prefetch(
            "files",
            queryset=EvidenceFile.objects.filter(removed_at__isnull=True),
            to_attr="current_files",
        ),
    )


def evidence_item_for_display(*, item: EvidenceItem) -> EvidenceItem:
    """One item with everything its page shows: criteria, current files and versions."""
    return (
        evidence_items_for_learner(learner=item.learner)
        .prefetch_related("versions")
        .select_related("learner")
        .get(pk=item.pk)
    )


@dataclass
class Change:
    label: str
    before: str
    after: str

    @property
    def lines(self) -> list[tuple[str, str]]:
        """The change line by line: ("removed" | "added" | "same", text). Blank lines are
        layout, not words, and are left out."""
        marks = {"- ": "removed", "+ ": "added", "  ": "same"}
        return [
            (marks[line[:2]], line[2:])
            for line in difflib.ndiff(_words(self.before), _words(self.after))
            if line[:2] in marks
        ]


def _words(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def version_changes(before: dict, after: dict) -> list[Change]:
    """What a learner changed between two submitted snapshots, field by field."""

    def as_text(snapshot: dict) -> dict[str, str]:
        return {
            "Title": snapshot["title"],
            **dict(describe_details(snapshot["kind"], snapshot["details"])),
            # As the reader sees it, not the Markdown the learner typed.
            "Text": "\n".join(learner_text_lines(snapshot["body"])),
            "Criteria": "\n".join(f"{m['code']} ({m['unit']}): {m['note']}" for m in snapshot["mappings"]),
            "Files": "\n".join(f"{f['name']} (SHA-256 {f['sha256']})" for f in snapshot["files"]),
            # The record a kind presents ("Networking record"), as its source reads it.
            **{
                KINDS[kind].label: source.as_text(snapshot[source.key]) if source.key in snapshot else ""
                for kind, source in record_sources().items()
            },
        }

    old, new = as_text(before), as_text(after)
    return [
        Change(label, old.get(label, ""), new.get(label, ""))
        for label in dict.fromkeys([*old, *new])
        if _words(old.get(label, "")) != _words(new.get(label, ""))
    ]


def version_and_previous(*, item: EvidenceItem, number: int) -> tuple:
    """The item's submitted version ``number`` (None if it has none) and the one before it
    (None for the first), in one query."""
    versions = {version.number: version for version in item.versions.filter(number__in=[number - 1, number])}
    return versions.get(number), versions.get(number - 1)
