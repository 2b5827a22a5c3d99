from django.conf import settings
from django.db import models

from common.dates import long_date
from common.scoping import centre_scoped_manager


class RetentionHold(models.Model):
    """A reason to keep a learner's records past their retention period: an appeal, a
    complaint, an awarding body's investigation. While a hold is open, neither
    ``purge_expired`` nor an erasure touches the learner; releasing it lets retention run
    its course again."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="+")
    learner = models.ForeignKey("learners.Learner", on_delete=models.CASCADE, related_name="retention_holds")
    reason = models.TextField(max_length=2000)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    objects = centre_scoped_manager()

    class Meta:
        ordering = ["-placed_at", "-pk"]

    def __str__(self) -> str:
        return f"Hold on learner {self.learner_id} from {long_date(self.placed_at)}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None
