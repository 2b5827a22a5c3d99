from django.conf import settings
from django.db import models

from assessment.models import UnitSignOff
from common.errors import Frozen
from common.scoping import centre_scoped_manager


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


class SampleIsPermanent(Frozen):
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
