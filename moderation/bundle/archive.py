"""The ZIP beside the bundle: the original files, as stored, and the manifest of every
file with its SHA-256, in CSV and JSON (the bundle prints it too)."""

import csv
import io
import json
import zipfile

from common.downloads import safe_download_name
from common.spreadsheets import neutralise
from moderation.selectors import Candidate
from portfolio.models import EvidenceFile

MANIFEST_FIELDS = ["path", "candidate", "name", "content_type", "size", "sha256"]
# Uploads whose format is compressed already (images, sound, video, PDF, and the Office and
# OpenDocument formats, which are ZIPs themselves): stored as they are, since deflating them
# again costs time and saves next to nothing. Anything else (text, CSV, the manifests) is deflated.
ALREADY_COMPRESSED = frozenset(
    {
        "image/jpeg", "image/png", "image/gif", "image/webp",
        "audio/mpeg", "video/mp4", "video/quicktime",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)  # fmt: skip


def zip_path(candidate: Candidate, evidence_file: EvidenceFile) -> str:
    name = safe_download_name(evidence_file.original_name, evidence_file.content_type)
    return f"candidate-{candidate.learner.candidate_number}/{evidence_file.pk}-{name}"


def manifest(candidates: list[Candidate]) -> list[dict]:
    return [
        {
            "path": zip_path(candidate, f),
            "candidate": candidate.learner.candidate_number,
            "name": f.original_name,
            "content_type": f.content_type,
            "size": f.size,
            "sha256": f.sha256,
        }
        for candidate in candidates
        for f in candidate.files
    ]


def bundle_archive(candidates: list[Candidate]) -> bytes:
    """The original files, as stored, and the manifest in CSV and JSON."""
    rows = manifest(candidates)
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for candidate in candidates:
            for evidence_file in candidate.files:
                compression = (
                    zipfile.ZIP_STORED
                    if evidence_file.content_type in ALREADY_COMPRESSED
                    else zipfile.ZIP_DEFLATED
                )
                with evidence_file.file.open("rb") as stored:
                    archive.writestr(
                        zip_path(candidate, evidence_file), stored.read(), compress_type=compression
                    )
        archive.writestr("manifest.json", json.dumps(rows, indent=2))
        table = io.StringIO()
        writer = csv.DictWriter(table, fieldnames=MANIFEST_FIELDS)
        writer.writeheader()
        # File names are the learners' own: kept from running as spreadsheet formulas.
        writer.writerows({key: neutralise(value) for key, value in row.items()} for row in rows)
        archive.writestr("manifest.csv", table.getvalue())
    return content.getvalue()
