from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from assessment.models import UnitSignOff
from common.dates import long_date
from common.scoping import centre_scoped_manager

# The grant a moderator holds on each sample they may see (``ModerationSample.Meta.permissions``).
MODERATE = "moderation.moderate_sample"


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


class ModeratorAccessQuerySet(models.QuerySet):
    def live(self) -> "ModeratorAccessQuerySet":
        """The accesses open at this moment: neither revoked nor expired. The one
        definition of live access: the middleware, the moderator's samples, the centre
        admin's list of accesses and the revocation of a grant all ask it."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ModeratorAccessManager(models.Manager.from_queryset(ModeratorAccessQuerySet)):
    def live(self) -> ModeratorAccessQuerySet:
        # Through the queryset's own method, so that outside a centre's scope the
        # fail-closed queryset refuses the query as it refuses every other.
        return ModeratorAccessQuerySet.live(self.get_queryset())


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

    objects = centre_scoped_manager(manager_class=ModeratorAccessManager)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Access of {self.moderator_id} to sample {self.sample_id}"

    @property
    def ends_at(self):
        """When this access ends, or ended: when it was revoked, if that came before it
        expired. It is live (``ModeratorAccess.objects.live()``) until then."""
        return min(filter(None, [self.expires_at, self.revoked_at]))


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
    # The task running the current attempt (its django.tasks result id): the same task,
    # given to another worker after its own died, takes the render over; another task for
    # the render (queued twice) leaves it to this one.
    task_id = models.CharField(max_length=64, blank=True)
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
