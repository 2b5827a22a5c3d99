from django.db import models

from common.scoping import centre_scoped_manager


class CriterionReference(models.Model):
    """Points at a criterion the way evidence mappings and decisions will."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.CASCADE)
    criterion = models.ForeignKey("units.AssessmentCriterion", on_delete=models.PROTECT)

    objects = centre_scoped_manager()
