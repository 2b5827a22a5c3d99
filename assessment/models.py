from django.conf import settings
from django.db import models

from common.dates import long_date
from common.scoping import centre_scoped_manager


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
    evidence = models.ManyToManyField("portfolio.EvidenceVersion", blank=True, related_name="decisions")

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
