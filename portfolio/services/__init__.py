"""Changes to learners' evidence: items and their criteria (``items``), their files
(``files``), and submitting them for assessment and returning them (``submissions``)."""

from portfolio.services.files import (
    FilesNotStored,
    add_evidence_files,
    delete_from_storage,
    remove_evidence_file,
    stored_files,
)
from portfolio.services.items import (
    NOTE_MAX_LENGTH,
    create_evidence_item,
    delete_evidence_item,
    set_evidence_mappings,
    update_evidence_item,
)
from portfolio.services.locks import EvidenceIsFrozen
from portfolio.services.submissions import DECLARATION, return_evidence_item, submit_evidence_item

__all__ = [
    "DECLARATION",
    "NOTE_MAX_LENGTH",
    "EvidenceIsFrozen",
    "FilesNotStored",
    "add_evidence_files",
    "create_evidence_item",
    "delete_evidence_item",
    "delete_from_storage",
    "remove_evidence_file",
    "return_evidence_item",
    "set_evidence_mappings",
    "stored_files",
    "submit_evidence_item",
    "update_evidence_item",
]
