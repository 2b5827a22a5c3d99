"""What the learners app holds about a learner: their record, enrolments, evidence and
networking records. Exported with their own files; every contact who has not consented to
sharing appears by reference only, in every text, as everywhere but the learner's own
pages."""

from django.db import transaction

from common.downloads import safe_download_name
from common.personal_data import Export, PersonalData, Provider, register
from common.redaction import redactor_for
from learners.models import Learner
from networking.models import NetworkReview
from networking.selectors import Record, guidelines_of, network_record, pseudonymised
from portfolio.models import EvidenceFile, EvidenceItem
from portfolio.services import _delete_from_storage, _stored_files


@register
class LearnersProvider(Provider):
    models = (
        PersonalData(
            "learners.Learner",
            (
                "first_name",
                "last_name",
                "email",
                "uln",
                "candidate_number",
                "user",
                "sort_key",
                "search_text",
            ),
            "Who the learner is, as their centre's MIS knows them, and the account they sign in with "
            "(with their name and email folded, to sort and search by).",
        ),
        PersonalData(
            "learners.Enrolment",
            ("learner", "assessor", "status", "start_date"),
            "The units the learner is on, and the assessor allocated to each.",
        ),
        PersonalData(
            "learners.EnrolmentUserObjectPermission",
            ("user", "content_object"),
            "The allocated assessor's permission to assess one enrolment.",
        ),
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
        PersonalData(
            "networking.NetworkContact",
            ("learner", "name", "organisation", "email", "phone", "how_met", "they_offer", "you_offer"),
            "The people in the learner's network, as the learner records them (with their consent to share).",
        ),
        PersonalData(
            "networking.ContactInteraction",
            ("contact", "purpose", "outcome", "follow_up"),
            "The learner's log of their contacts with a person in their network.",
        ),
        PersonalData(
            "networking.NetworkReview",
            ("learner", "reflection", "future_actions"),
            "The learner's dated reviews of their network.",
        ),
        PersonalData(
            "networking.NetworkReviewEntry",
            ("contact", "group", "comment"),
            "One line of a review: what the learner thinks of a contact or group.",
        ),
        PersonalData(
            "networking.NetworkingGuidelines",
            ("learner", "body"),
            "The learner's own guidelines for working with networks.",
        ),
    )
    # After moderation's rows, which protect enrolments; before the learner's role and
    # account, which the learner's record points at.
    erase_order = 20

    def export(self, learner: Learner) -> Export:
        export = Export(
            data={
                "learner.json": {"learner": _record(learner)},
                "enrolments.json": {"enrolments": _enrolments(learner)},
                "networking.json": _networking(learner),
            }
        )
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
            export.data[f"{folder}/item.json"] = pseudonymised(
                {"evidence": _evidence(item, files)}, learner=learner
            )
        return export

    def erase(self, learner: Learner) -> dict[str, int]:
        """The learner's record and, with it, everything of theirs here: enrolments (and
        the assessor's grants on them), evidence, networking records. Their stored files
        are deleted once the erasure is committed, so a rollback loses none."""
        stored = [
            stored
            for evidence_file in EvidenceFile.objects.filter(item__learner=learner)
            for stored in _stored_files(evidence_file)
        ]
        _, deleted = Learner.objects.filter(pk=learner.pk).delete()
        transaction.on_commit(lambda: _delete_from_storage(stored))
        return deleted


def _record(learner: Learner) -> dict:
    return {
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "email": learner.email,
        "uln": learner.uln,
        "candidate_number": learner.candidate_number,
        "centre": {"number": learner.centre.number, "name": learner.centre.name},
        "registered_at": learner.created_at,
    }


def _enrolments(learner: Learner) -> list[dict]:
    """The learner's units; whether an assessor is allocated, not who."""
    return [
        {
            "unit": {"urn": enrolment.unit.urn, "title": enrolment.unit.title},
            "status": enrolment.get_status_display(),
            "start_date": enrolment.start_date,
            "assessor_allocated": enrolment.assessor_id is not None,
        }
        for enrolment in learner.enrolments.select_related("unit").order_by("start_date", "pk")
    ]


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


def _networking(learner: Learner) -> dict:
    """The learner's register, reviews and guidelines, as an assessor would see them
    presented: contacts who have not consented by reference only."""
    register = network_record(learner=learner, details={"record": Record.REGISTER}, pseudonymise=True)
    reviews = [
        network_record(learner=learner, details={"record": Record.REVIEW, "review": pk}, pseudonymise=True)[
            "review"
        ]
        for pk in NetworkReview.objects.filter(learner=learner).values_list("pk", flat=True)
    ]
    guidelines = guidelines_of(learner=learner)
    return pseudonymised(
        {
            "contacts": register["contacts"],
            "reviews": reviews,
            "guidelines": {"body": guidelines.body, "updated_at": guidelines.updated_at}
            if guidelines
            else None,
        },
        learner=learner,
    )


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
