"""What the portfolio holds about a learner: their evidence, its files and every version
they submitted. Exported with their own files; every contact who has not consented to
sharing appears by reference only, in every text and file name, as everywhere but the
learner's own pages."""

from django.db import transaction

from common.downloads import safe_download_name
from common.personal_data import Export, PersonalData, Provider, register
from common.redaction import redactor_for
from learners.models import Learner
from portfolio.models import EvidenceFile, EvidenceItem
from portfolio.services import delete_from_storage, stored_files


@register
class PortfolioProvider(Provider):
    models = (
        PersonalData(
            "portfolio.EvidenceItem",
            ("learner", "title", "body", "details", "return_reason"),
            "The learner's evidence as they work on it, and why an assessor returned it.",
        ),
        PersonalData(
            "portfolio.EvidenceFile",
            ("file", "original_name", "print_rendition"),
            "Files the learner uploaded as evidence, and print-ready copies of their images.",
        ),
        PersonalData(
            "portfolio.EvidenceMapping",
            ("note",),
            "The learner's note on how their evidence meets a criterion.",
        ),
        PersonalData(
            "portfolio.EvidenceVersion",
            ("submitted_by", "declared_name", "declaration", "snapshot", "return_reason"),
            "What the learner submitted, frozen, with their declaration that it is their own work, "
            "and why an assessor returned it.",
        ),
    )
    # After moderation's rows (decisions name the versions they judged); before the
    # learner's record, which the evidence points at and whose deletion would otherwise
    # take the evidence without its stored files.
    erase_order = 18

    def export(self, learner: Learner) -> Export:
        export = Export()
        items = EvidenceItem.objects.filter(learner=learner).prefetch_related(
            "files", "mappings__criterion__outcome__page", "versions"
        )
        # Even in the learner's own archive a contact who did not consent appears by
        # stand-in, in the files' names too: it holds nothing about anyone else.
        redactor = redactor_for(learner=learner)
        for item in items.order_by("created_at", "pk"):
            folder = f"evidence/item-{item.pk}"
            taken = set()
            files = [
                (f"{folder}/files/{_unique_name(_file_name(evidence_file, redactor), taken)}", evidence_file)
                for evidence_file in item.files.all()
            ]
            export.files += [(path, evidence_file.file) for path, evidence_file in files]
            export.data[f"{folder}/item.json"] = redactor.snapshot({"evidence": _evidence(item, files)})
        return export

    def erase(self, learner: Learner) -> dict[str, int]:
        """The learner's evidence, with its files, mappings and versions. The stored files
        are deleted once the erasure is committed, so a rollback loses none."""
        stored = [
            stored
            for evidence_file in EvidenceFile.objects.filter(item__learner=learner)
            for stored in stored_files(evidence_file)
        ]
        _, deleted = EvidenceItem.objects.filter(learner=learner).delete()
        transaction.on_commit(lambda: delete_from_storage(stored))
        return deleted


def _evidence(item: EvidenceItem, files: list[tuple[str, EvidenceFile]]) -> dict:
    """One item as the learner wrote it, its criteria, its files (with where each is in the
    archive) and every version they submitted."""
    return {
        "kind": item.get_kind_display(),
        "title": item.title,
        "body": item.body,
        "details": item.details,
        "status": item.get_status_display(),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "submitted_at": item.submitted_at,
        "returned_at": item.returned_at,
        "return_reason": item.return_reason,
        "criteria": [
            {
                "unit": mapping.criterion.outcome.page.urn,
                "criterion": mapping.criterion.code,
                "note": mapping.note,
            }
            for mapping in item.mappings.all()
        ],
        "files": [
            {
                "name": evidence_file.original_name,
                "in_this_archive": path,
                "content_type": evidence_file.content_type,
                "size": evidence_file.size,
                "sha256": evidence_file.sha256,
                "uploaded_at": evidence_file.uploaded_at,
                "removed_from_draft_at": evidence_file.removed_at,
            }
            for path, evidence_file in files
        ],
        "submitted_versions": [
            {
                "number": version.number,
                "submitted_at": version.submitted_at,
                "declared_name": version.declared_name,
                "declaration": version.declaration,
                "as_submitted": version.snapshot,
                "returned_at": version.returned_at,
                "return_reason": version.return_reason,
            }
            for version in item.versions.all()
        ],
    }


def _file_name(evidence_file: EvidenceFile, redactor) -> str:
    # Under its checked type's extension, as every download is: never a name that runs; and
    # with contacts who have not consented by stand-in, as everywhere outside the portfolio.
    return safe_download_name(redactor.file_name(evidence_file.original_name), evidence_file.content_type)


def _unique_name(original: str, taken: set[str]) -> str:
    """The file's own name, safe as a path in the archive (no folders, nothing hidden) and
    not one already taken in the same folder."""
    name = original.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    name = "".join(c for c in name if c.isprintable()) or "file"
    stem, dot, extension = name.rpartition(".")
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}).{extension}" if dot and stem else f"{name} ({n})"
    taken.add(candidate.casefold())
    return candidate
