import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from common.scoping import centre_scoped_manager
from common.stored_files import StorageInUse
from learners.models import Enrolment, Learner


class EvidenceStorage(StorageInUse):
    alias = "evidence"


EVIDENCE_STORAGE = EvidenceStorage()


def evidence_storage():
    """The evidence storage in use (``STORAGES["evidence"]``), for the evidence fields."""
    return EVIDENCE_STORAGE


def evidence_file_name(instance: "EvidenceFile", filename: str) -> str:
    """A generated name: nothing of what the learner called the file reaches storage."""
    extension = Path(filename).suffix.lower()
    return f"centre-{instance.centre_id}/{uuid.uuid4().hex}{extension}"


class EvidenceKind(models.TextChoices):
    WRITTEN_ACCOUNT = "written_account", "Written account"
    REFLECTIVE_STATEMENT = "reflective_statement", "Reflective statement"
    FILES = "files", "Uploaded files"
    WITNESS_TESTIMONY = "witness_testimony", "Witness testimony"
    OBSERVATION = "observation", "Observation record"
    PROFESSIONAL_DISCUSSION = "professional_discussion", "Professional discussion record"
    NETWORKING_RECORD = "networking_record", "Networking record"


class EvidenceItem(models.Model):
    """One piece of a learner's evidence, as they are working on it.

    The learner edits it while it is a draft or has been returned to them; submitting
    it (with their declaration) freezes a numbered ``EvidenceVersion``, which is what an
    assessor judges. What the kind records beyond the title and main text lives in
    ``details``, described by ``portfolio.kinds``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ASSESSED = "assessed", "Assessed"
        RETURNED = "returned", "Returned for revision"

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="evidence_items")
    kind = models.CharField(max_length=40, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown, sanitised when shown.")
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The token of the form that created the item: the same form sent twice makes one item.
    creation_token = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "creation_token"], name="one_item_per_creation_form"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class EvidenceFile(models.Model):
    """A file attached to an evidence item, stored privately under a generated name.

    Its type was decided from its content and its SHA-256 taken of the bytes stored, so
    a moderator can check the file is the one submitted. A file that a submitted version
    holds is never deleted when the learner takes it off their draft, only marked
    ``removed_at``.
    """

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=evidence_storage, upload_to=evidence_file_name, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # An image made ready for print once, at upload (upright, at most print size, JPEG), so
    # that a moderation bundle embeds it as it is instead of re-encoding the original.
    print_rendition = models.FileField(
        storage=evidence_storage, upload_to=evidence_file_name, max_length=200, blank=True
    )

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class EvidenceMapping(models.Model):
    """An evidence item claimed against one criterion of one of the learner's enrolments,
    with the learner's note on how it meets it. The criterion is protected: the catalogue
    cannot drop a criterion that evidence is mapped to."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="mappings")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="evidence_mappings")
    criterion = models.ForeignKey("units.AssessmentCriterion", on_delete=models.PROTECT, related_name="+")
    note = models.TextField()

    objects = centre_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "criterion"], name="one_mapping_per_item_and_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.criterion_id}"


class EvidenceVersion(models.Model):
    """What the learner submitted, frozen: a snapshot of the item with its mappings and
    files, and their declaration that the work is their own, by name and time; and, if
    the assessor returned it, when, by whom and why."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_name = models.CharField(max_length=301)
    declaration = models.TextField()
    snapshot = models.JSONField()
    files = models.ManyToManyField(EvidenceFile, related_name="versions", blank=True)
    # Set when the assessor hands this version back to be revised: a version is returned
    # at most once (the learner's revision is the next version), so every return, with
    # its reason, stays in the assessment history after the next one.
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(blank=True)

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="version_numbers_unique_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} (version {self.number})"
