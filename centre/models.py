from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField

from common.scoping import centre_scoped_manager
from units.models import UnitPage


class Centre(models.Model):
    """A training centre: the tenant that owns learners, evidence and decisions.

    Its ``number`` is the awarding body's five-digit centre number, which is how
    centres are named on the command line and in every document sent to OCR.
    """

    number = models.CharField(
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", "A centre number is five digits.")],
    )
    name = models.CharField(max_length=255)
    retention_years = models.PositiveSmallIntegerField(
        "years to keep learners’ records",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(40)],
        help_text="How long a learner’s records are kept once their assessment is over: counted from "
        "the last sign-off, IQA verdict or piece of work, and from the end of the moderator’s access "
        "to any sample they were in. Then they are erased, unless a hold keeps them.",
    )

    # A centre sees only itself: the scope of a request in centre A filters to A.
    objects = centre_scoped_manager(field="pk")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class OfferedUnit(models.Model):
    """A unit of the shared catalogue that a centre offers; learners can be enrolled on it."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="offered_units")
    unit = models.ForeignKey("units.UnitPage", on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(auto_now_add=True)

    objects = centre_scoped_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "unit"], name="offer_a_unit_once")]

    def __str__(self) -> str:
        return f"{self.unit} at {self.centre}"


class OfferedQualification(models.Model):
    """A qualification of the shared catalogue that a centre offers; learners can be
    registered on it. Offering it offers its units too."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="offered_qualifications")
    qualification = models.ForeignKey("units.QualificationPage", on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(auto_now_add=True)

    objects = centre_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "qualification"], name="offer_a_qualification_once")
        ]

    def __str__(self) -> str:
        return f"{self.qualification} at {self.centre}"


class Role(models.TextChoices):
    CENTRE_ADMIN = "centre_admin", "Centre admin"
    ASSESSOR = "assessor", "Assessor"
    IQA = "iqa", "Internal quality assurer"
    LEARNER = "learner", "Learner"
    MODERATOR = "moderator", "External moderator"


class Membership(models.Model):
    """A person's role in one centre. Roles are per centre: the same person may assess
    in one centre and moderate in another, and sees each centre only through these."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = centre_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "user", "role"], name="one_membership_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.centre}"


class UnitGuidanceForm(WagtailAdminModelForm):
    """Guidance is for a unit the centre offers, and one piece per unit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        centre = Centre.objects.filter(pk=self.instance.centre_id).first()
        self.fields["unit"].help_text = f"One of the units {centre.name} offers." if centre else ""
        self.fields["unit"].queryset = UnitPage.objects.filter(
            pk__in=OfferedUnit.objects.filter(centre_id=self.instance.centre_id).values("unit")
        ).order_by("title")

    def clean_unit(self):
        unit = self.cleaned_data["unit"]
        others = UnitGuidance.objects.filter(centre_id=self.instance.centre_id, unit=unit)
        if others.exclude(pk=self.instance.pk).exists():
            raise ValidationError("Your centre already has guidance on this unit: change that instead.")
        return unit


class UnitGuidance(models.Model):
    """A centre's own guidance to its learners on a unit it offers: how the centre
    expects evidence to be gathered, local procedures, whom to ask. Centre admins write
    it in the Wagtail admin; learners read it beside the unit's criteria."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.UnitPage", on_delete=models.CASCADE, related_name="+")
    body = RichTextField("Guidance", features=["h3", "h4", "bold", "italic", "ol", "ul", "link"])
    updated_at = models.DateTimeField(auto_now=True)

    objects = centre_scoped_manager()

    panels = [FieldPanel("unit"), FieldPanel("body")]
    base_form_class = UnitGuidanceForm

    class Meta:
        verbose_name = "unit guidance"
        verbose_name_plural = "unit guidance"
        constraints = [models.UniqueConstraint(fields=["centre", "unit"], name="one_guidance_per_unit")]

    def __str__(self) -> str:
        return f"Guidance on {self.unit.title}"
