from django.conf import settings
from django.db import models

from accounts.names import person_search_text, person_sort_key
from common.scoping import centre_scoped_manager
from learners.validators import (
    validate_candidate_number,
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

    ``assessor`` is the allocation, and the only record of it: the allocated assessor may
    assess exactly this enrolment (``learners.policies``).
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

    def __str__(self) -> str:
        return f"{self.learner} on {self.unit}"


class Registration(models.Model):
    """A learner registered on a qualification their centre offers, with the optional units
    they chose; the qualification's mandatory units are theirs without choosing. Each unit
    they take is also an enrolment, where its evidence and decisions are kept."""

    centre = models.ForeignKey("centre.Centre", on_delete=models.PROTECT, related_name="registrations")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="registrations")
    qualification = models.ForeignKey("units.QualificationPage", on_delete=models.PROTECT, related_name="+")
    chosen_units = models.ManyToManyField("units.UnitPage", related_name="+", blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    objects = centre_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "qualification"], name="register_on_a_qualification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.qualification}"
