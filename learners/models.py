import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from guardian.models import UserObjectPermissionBase

from accounts.names import person_search_text, person_sort_key
from centre.scoping import centre_scoped_manager
from config.dates import long_date

from .validators import (
    not_in_the_future,
    validate_candidate_number,
    validate_phone_number,
    validate_plain_text,
    validate_uln,
)


class Learner(models.Model):
    """A learner registered at a centre, as the centre's MIS knows them.

    The ULN identifies the learner nationally and so, within a centre, identifies the
    record a re-import updates; the candidate number is the centre's own, unique within
    it. ``user`` is the account they sign in with, once invited.
    """

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="learners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learner_records",
    )
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    email = models.EmailField()
    uln = models.CharField("ULN", max_length=10, validators=[validate_uln])
    candidate_number = models.CharField(max_length=4, validators=[validate_candidate_number])
    created_at = models.DateTimeField(auto_now_add=True)
    # The last contact reference (C1, C2, …) given out: a deleted contact's reference is never
    # reused, so "Contact C7" in submitted evidence always means the same person.
    contacts_numbered = models.PositiveIntegerField(default=0, editable=False)
    # Kept in step by save() and fill_keys() (accounts.names): the name as a person files
    # it, to order by in SQL, and the folded name and email a search looks in, so that
    # "Sean" finds "Seán" and part of an address finds its learner, in one query on
    # SQLite and PostgreSQL alike.
    sort_key = models.CharField(max_length=310, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    objects = centre_scoped_manager()

    KEY_FIELDS = ("sort_key", "search_text")

    class Meta:
        ordering = ["sort_key", "candidate_number"]
        indexes = [models.Index(fields=["centre", "sort_key"], name="learner_centre_sort_key")]
        constraints = [
            models.UniqueConstraint(fields=["centre", "uln"], name="one_learner_per_uln_per_centre"),
            models.UniqueConstraint(
                fields=["centre", "candidate_number"], name="candidate_number_unique_in_centre"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.candidate_number})"

    def save(self, *args, **kwargs):
        self.fill_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name", "email"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *self.KEY_FIELDS}
        super().save(*args, **kwargs)

    def fill_keys(self) -> "Learner":
        """Set the sort and search keys from the name and email; bulk_create and
        bulk_update do not call save(), so their callers call this."""
        self.sort_key = person_sort_key(last_name=self.last_name, first_name=self.first_name)
        self.search_text = person_search_text(
            first_name=self.first_name, last_name=self.last_name, email=self.email
        )
        return self


class Enrolment(models.Model):
    """A learner on one unit their centre offers, with the assessor allocated to them.

    The allocated assessor holds the ``assess_enrolment`` object permission on exactly
    this enrolment; allocation services keep the two in step.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="enrolments")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrolments")
    unit = models.ForeignKey("units.UnitPage", on_delete=models.PROTECT, related_name="+")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocated_enrolments",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField()

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["learner__sort_key", "unit__title"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "unit"], name="one_enrolment_per_learner_and_unit")
        ]
        permissions = [("assess_enrolment", "Can assess this enrolment")]

    def __str__(self) -> str:
        return f"{self.learner} on {self.unit}"


class EnrolmentUserObjectPermission(UserObjectPermissionBase):
    """Direct per-object grants on enrolments: they vanish with the enrolment and are
    joined without a content-type lookup."""

    content_object = models.ForeignKey(Enrolment, on_delete=models.CASCADE)


def evidence_storage():
    return storages["evidence"]


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
    ``details``, described by ``learners.evidence_kinds``.
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


class Sector(models.TextChoices):
    """Broad sectors for a learner's contacts: enough to see where a network is thin, and
    to describe a contact who has not consented without identifying them."""

    BUSINESS = "business", "Business and professional services"
    CHARITY = "charity", "Charity and voluntary"
    CONSTRUCTION = "construction", "Construction and property"
    CREATIVE = "creative", "Creative and media"
    EDUCATION = "education", "Education and training"
    FINANCE = "finance", "Finance"
    HEALTH = "health", "Health and social care"
    MANUFACTURING = "manufacturing", "Manufacturing and engineering"
    PUBLIC = "public", "Public sector"
    RETAIL = "retail", "Retail and hospitality"
    TECHNOLOGY = "technology", "Digital and technology"
    TRANSPORT = "transport", "Transport and logistics"
    OTHER = "other", "Other"


# How a pseudonym names the sector: "Contact C7, finance sector".
SECTOR_NOUNS = {
    Sector.BUSINESS: "business services",
    Sector.CHARITY: "voluntary",
    Sector.CONSTRUCTION: "construction",
    Sector.CREATIVE: "creative",
    Sector.EDUCATION: "education",
    Sector.FINANCE: "finance",
    Sector.HEALTH: "health and care",
    Sector.MANUFACTURING: "manufacturing",
    Sector.PUBLIC: "public",
    Sector.RETAIL: "retail",
    Sector.TECHNOLOGY: "technology",
    Sector.TRANSPORT: "transport",
    Sector.OTHER: "other",
}


class RelationshipStrength(models.IntegerChoices):
    WEAK = 1, "Weak or new"
    DEVELOPING = 2, "Developing"
    STRONG = 3, "Strong"


def pseudonym(number: int, sector: str) -> str:
    return f"Contact C{number}, {SECTOR_NOUNS.get(sector, 'other')} sector"


class NetworkContact(models.Model):
    """A person or organisation in a learner's personal network, as the learner records
    them.

    The contact's identifying details (name, organisation, email, telephone) go to the
    learner's assessor and moderator only if the contact consented; otherwise everyone but
    the learner sees the pseudonym (``Contact C7, finance sector``).
    """

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "An individual"
        ORGANISATION = "organisation", "An organisation"

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="network_contacts")
    number = models.PositiveIntegerField(editable=False)
    kind = models.CharField(
        "individual or organisation", max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL
    )
    name = models.CharField(max_length=200, validators=[validate_plain_text])
    organisation = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_plain_text],
        help_text="Where they work, for an individual; leave blank for an organisation.",
    )
    sector = models.CharField(max_length=20, choices=Sector.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField("telephone", max_length=40, blank=True, validators=[validate_phone_number])
    how_met = models.TextField("how you met", max_length=2000, validators=[validate_plain_text])
    they_offer = models.TextField("what they offer you", max_length=2000, validators=[validate_plain_text])
    you_offer = models.TextField("what you offer them", max_length=2000, validators=[validate_plain_text])
    organisation_benefit = models.TextField(
        "benefit to your organisation", max_length=2000, blank=True, validators=[validate_plain_text]
    )
    strength = models.PositiveSmallIntegerField(
        "strength of the relationship", choices=RelationshipStrength.choices
    )
    last_contact = models.DateField(null=True, blank=True, validators=[not_in_the_future])
    next_action = models.CharField(max_length=300, blank=True, validators=[validate_plain_text])
    consented = models.BooleanField(
        "consented to sharing",
        default=False,
        help_text="They agreed that their name and contact details may be shown to your assessor "
        "and the awarding body’s moderator.",
    )
    consent_recorded_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "number"], name="contact_numbers_unique_per_learner"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def reference(self) -> str:
        return f"C{self.number}"

    @property
    def pseudonym(self) -> str:
        return pseudonym(self.number, self.sector)


class ContactInteraction(models.Model):
    """One contact with one person in the network: when, why, what came of it, and what
    the learner will do next."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(NetworkContact, on_delete=models.CASCADE, related_name="interactions")
    occurred_on = models.DateField("date", validators=[not_in_the_future])
    purpose = models.CharField(max_length=300, validators=[validate_plain_text])
    outcome = models.TextField(max_length=2000, validators=[validate_plain_text])
    follow_up = models.TextField("follow-up", max_length=2000, blank=True, validators=[validate_plain_text])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.purpose} ({long_date(self.occurred_on)})"


class Rating(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ReviewDecision(models.TextChoices):
    KEEP = "keep", "Keep"
    DEVELOP = "develop", "Develop"
    REDUCE = "reduce", "Reduce"


class NetworkReview(models.Model):
    """A learner's dated review of their network: the value of each contact (or group) for
    the effort it takes and what to do about it, what experience with existing contacts
    taught them, and what they will do next. Reviews are kept as written, so successive
    ones can be compared."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="network_reviews")
    reviewed_on = models.DateField("date of the review", validators=[not_in_the_future])
    reflection = models.TextField(
        "your experience with existing contacts", max_length=20_000, validators=[validate_plain_text]
    )
    future_actions = models.TextField(max_length=20_000, validators=[validate_plain_text])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Network review of {long_date(self.reviewed_on)}"


class NetworkReviewEntry(models.Model):
    """One line of a review: a contact, or a group of contacts the learner names."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(NetworkReview, on_delete=models.CASCADE, related_name="entries")
    contact = models.ForeignKey(
        NetworkContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="review_entries"
    )
    # Kept when the contact is deleted, so the review still says "Contact C7".
    contact_number = models.PositiveIntegerField(null=True, blank=True)
    contact_sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    group = models.CharField(max_length=200, blank=True, validators=[validate_plain_text])
    value = models.CharField(max_length=10, choices=Rating.choices)
    effort = models.CharField(max_length=10, choices=Rating.choices)
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(max_length=2000, blank=True, validators=[validate_plain_text])

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["review", "contact_number", "group", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact_number__isnull=False, group="")
                | models.Q(contact_number__isnull=True, contact__isnull=True) & ~models.Q(group=""),
                name="review_entry_is_a_contact_or_a_group",
            ),
        ]

    def __str__(self) -> str:
        return self.group or f"C{self.contact_number}"


class NetworkingGuidelines(models.Model):
    """The learner's own guidelines for working with networks in line with their
    organisation's procedures, begun from their centre's prompt."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    learner = models.OneToOneField(Learner, on_delete=models.CASCADE, related_name="networking_guidelines")
    body = models.TextField(
        "your guidelines", max_length=50_000, validators=[validate_plain_text], help_text="Markdown."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = centre_scoped_manager()

    class Meta:
        verbose_name_plural = "networking guidelines"

    def __str__(self) -> str:
        return f"Networking guidelines of {self.learner}"
