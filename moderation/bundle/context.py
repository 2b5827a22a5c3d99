"""What the bundle's template is given: the cover's facts, and for each candidate their
recording sheet (each piece of evidence it names linked to where the bundle prints it),
their evidence as the bundle prints it, and the anchors that name each part."""

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.names import folded
from common.text import learner_text_html
from moderation.bundle.anchors import FILE_EXTENSIONS, MANIFEST
from moderation.bundle.anchors import Candidate as CandidateAnchor
from moderation.bundle.anchors import EvidenceItem as EvidenceItemAnchor
from moderation.bundle.appendices import AppendedPdf
from moderation.bundle.archive import manifest
from moderation.models import ModerationSample
from moderation.selectors import Candidate
from portfolio.kinds import describe_details
from portfolio.models import EvidenceFile

PRINTABLE_IMAGES = set(FILE_EXTENSIONS)


def printed_content_type(image: EvidenceFile) -> str:
    """What the bundle prints of an image: the JPEG rendition made for print when its
    upload was processed, or else the file as uploaded."""
    return "image/jpeg" if image.print_rendition else image.content_type


def bundle_context(
    *, sample: ModerationSample, candidates: list[Candidate], pdfs: dict[int, AppendedPdf]
) -> dict:
    return {
        "sample": sample,
        "centre": sample.centre,
        "unit": sample.unit,
        "candidates": [candidate_context(c, pdfs) for c in candidates],
        "assessors": sorted({c.sampled.sign_off.assessor_name for c in candidates}, key=folded),
        "iqas": sorted(
            {s.iqa.get_full_name() for c in candidates for s in c.iqa_samples if s.iqa is not None},
            key=folded,
        ),
        "produced_at": timezone.now(),
        "manifest": manifest(candidates),
        "manifest_anchor": MANIFEST,
    }


def candidate_context(candidate: Candidate, pdfs: dict[int, AppendedPdf]) -> dict:
    number = candidate.learner.candidate_number
    anchor_of_item = {}
    evidence = []
    for version in candidate.versions:
        anchor = EvidenceItemAnchor(number, version.item_id, version.number)
        anchor_of_item[(version.item_id, version.number)] = anchor
        files = version.files.all()
        evidence.append(
            {
                "anchor": anchor,
                "version": version,
                "details": describe_details(version.snapshot["kind"], version.snapshot["details"]),
                "body": learner_text_html(version.snapshot["body"]),
                "images": [f for f in files if f.content_type in PRINTABLE_IMAGES],
                "pdfs": [pdfs[f.pk] for f in files if f.pk in pdfs],
                "others": [
                    f
                    for f in files
                    if f.content_type not in PRINTABLE_IMAGES and f.content_type != "application/pdf"
                ],
            }
        )
    rows = [
        {
            **row,
            # Frozen in the sheet as ISO text; printed as a date, in the same form as the rest.
            "decided_on": parse_datetime(row["decided_at"]) if row.get("decided_at") else None,
            # Evidence the sheet names that is not in the bundle has no anchor, and no link.
            "links": [
                {**e, "anchor": anchor_of_item.get((e["item"], e["version"]))} for e in row["evidence"]
            ],
        }
        for row in candidate.sheet["criteria"]
    ]
    return {
        "anchor": CandidateAnchor(number),
        "candidate": candidate,
        "sign_off": candidate.sampled.sign_off,
        "rows": rows,
        "evidence": evidence,
    }
