from django.conf import settings
from django.db import models
from guardian.models import UserObjectPermissionBase

from centre.scoping import centre_scoped_manager
from config.dates import long_date


class Outcome(models.TextChoices):
    MET = "met", "Met"
    NOT_YET_MET = "not_yet_met", "Not yet met"


class CriterionDecision(models.Model):
    """An assessor's judgement of one criterion for one enrolment, with feedback.

    Decisions are never changed: a new judgement is a new row with the next
    ``sequence``, and the latest stands. The sequence is also the form's version: a
    decision made from a page that showed an older one is refused, not written over it.
    """

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey("learners.Enrolment", on_delete=models.CASCADE, related_name="decisions")
    criterion = models.ForeignKey("units.AssessmentCriterion", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    feedback = models.TextField(blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    # The submitted versions of evidence the assessor had before them.
    evidence = models.ManyToManyField("learners.EvidenceVersion", blank=True, related_name="decisions")

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["enrolment", "criterion", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "criterion", "sequence"], name="one_decision_per_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.get_outcome_display()} (#{self.sequence})"


class UnitSignOff(models.Model):
    """An assessor's sign-off of a unit for one learner, with the unit recording sheet
    frozen at that moment (every criterion, its evidence, the decision, assessor and
    date) and, once they countersign, the learner's declaration. Reopening keeps the row
    and records who reopened it and why; a later sign-off is a new row."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey("learners.Enrolment", on_delete=models.CASCADE, related_name="sign_offs")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessor_name = models.CharField(max_length=301)
    assessor_declaration = models.TextField()
    signed_at = models.DateTimeField()
    recording_sheet = models.JSONField()
    learner_name = models.CharField(max_length=301, blank=True)
    learner_declaration = models.TextField(blank=True)
    countersigned_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["enrolment", "-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(reopened_at__isnull=True),
                name="one_standing_sign_off_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"Sign-off of enrolment {self.enrolment_id} on {long_date(self.signed_at)}"

    @property
    def is_standing(self) -> bool:
        return self.reopened_at is None


class SamplingPlan(models.Model):
    """The internal quality assurer's plan for sampling one unit's assessment: whose
    decisions, which learners and which evidence methods, at what rates."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.UnitPage", on_delete=models.PROTECT, related_name="+")
    standard_rate = models.PositiveSmallIntegerField(
        default=25, help_text="Per cent of each assessor's learners sampled at each stage."
    )
    higher_rate = models.PositiveSmallIntegerField(
        default=50, help_text="Per cent for assessors who are new or flagged."
    )
    methods = models.JSONField(
        default=list, blank=True, help_text="Evidence kinds to look for in the sample."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = centre_scoped_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "unit"], name="one_plan_per_unit")]

    def __str__(self) -> str:
        return f"Sampling plan for {self.unit_id}"


class AssessorRisk(models.Model):
    """How closely an assessor's decisions on a plan's unit are sampled."""

    class Level(models.TextChoices):
        STANDARD = "standard", "Standard"
        NEW = "new", "New assessor"
        FLAGGED = "flagged", "Flagged for closer sampling"

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="risks")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.STANDARD)

    objects = centre_scoped_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "assessor"], name="one_risk_per_assessor")]

    def __str__(self) -> str:
        return f"{self.assessor_id}: {self.level}"


class Stage(models.TextChoices):
    INTERIM = "interim", "Interim (assessment in progress)"
    SUMMATIVE = "summative", "Summative (unit signed off)"


class SampleIsPermanent(Exception):
    """Raised on any attempt to delete an IQA sample."""


class IqaSampleQuerySet(models.QuerySet):
    def delete(self):
        raise SampleIsPermanent("IQA samples cannot be deleted once started.")


class IqaSample(models.Model):
    """One enrolment's assessment sampled by an IQA, at an interim or summative stage,
    and their verdict. A sample is part of the quality record: once started it is never
    deleted (its foreign keys protect it, and no service removes one) until its learner is
    erased (``moderation.privacy``)."""

    class Verdict(models.TextChoices):
        AGREE = "agree", "Agree with the assessment"
        DISAGREE = "disagree", "Disagree: actions required"

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="samples")
    enrolment = models.ForeignKey("learners.Enrolment", on_delete=models.PROTECT, related_name="iqa_samples")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    sign_off = models.ForeignKey(
        UnitSignOff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    iqa = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    comments = models.TextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = centre_scoped_manager(manager_class=models.Manager.from_queryset(IqaSampleQuerySet))

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} sample of enrolment {self.enrolment_id}"

    def delete(self, *args, **kwargs):
        raise SampleIsPermanent("IQA samples cannot be deleted once started.")


class IqaAction(models.Model):
    """An action an IQA requires of the assessor; open until the IQA closes it."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    sample = models.ForeignKey(IqaSample, on_delete=models.PROTECT, related_name="actions")
    required = models.TextField()
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.required[:60]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ModerationSample(models.Model):
    """What a centre submits to the awarding body's moderator for one unit: signed-off
    learners, each with the sign-off standing when they were sampled."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.UnitPage", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("moderate_sample", "Can moderate this sample")]

    def __str__(self) -> str:
        return f"Moderation sample of {self.unit_id}, {long_date(self.created_at)}"


class SampledLearner(models.Model):
    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE, related_name="learners")
    enrolment = models.ForeignKey("learners.Enrolment", on_delete=models.PROTECT, related_name="+")
    sign_off = models.ForeignKey(UnitSignOff, on_delete=models.PROTECT, related_name="+")

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["enrolment__learner__candidate_number"]
        constraints = [models.UniqueConstraint(fields=["sample", "enrolment"], name="sample_a_learner_once")]

    def __str__(self) -> str:
        return f"Enrolment {self.enrolment_id} in sample {self.sample_id}"


class ModerationSampleUserObjectPermission(UserObjectPermissionBase):
    """A moderator's grant on one sample (direct foreign key: gone with the sample)."""

    content_object = models.ForeignKey(ModerationSample, on_delete=models.CASCADE)


class ModeratorAccess(models.Model):
    """An external moderator's read-only access to one sample, until ``expires_at`` or
    until revoked; checked on every request, so it ends at that moment even for a
    session already open."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE, related_name="accesses")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Access of {self.moderator_id} to sample {self.sample_id}"


class BundleRender(models.Model):
    """One rendering of a sample's moderation bundle (the PDF, its parts and the ZIP
    beside it). Keyed on a fingerprint of what goes into it, so asking twice for the same
    bundle gives one render; the files are published only once complete."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE, related_name="renders")
    fingerprint = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    pdf = models.CharField(max_length=200, blank=True)
    archive = models.CharField(max_length=200, blank=True)
    parts = models.JSONField(default=list, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "fingerprint"], name="one_render_per_bundle_content")
        ]

    def __str__(self) -> str:
        return f"Bundle of sample {self.sample_id} ({self.status})"
