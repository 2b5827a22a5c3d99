from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField

from centre.models import Centre
from common.dates import long_date
from common.scoping import centre_scoped_manager
from learners.models import Learner
from learners.validators import (
    not_in_the_future,
    validate_phone_number,
    validate_plain_text,
)


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


class RelationshipStrength(models.IntegerChoices):
    WEAK = 1, "Weak or new"
    DEVELOPING = 2, "Developing"
    STRONG = 3, "Strong"


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


class NetworkingPromptForm(WagtailAdminModelForm):
    """One prompt per centre, which the form names so an admin of several knows whose."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        centre = Centre.objects.filter(pk=self.instance.centre_id).first()
        if centre is not None:
            self.fields["prompt"].help_text = (
                f"Shown to {centre.name}’s learners above their guidelines: the procedures to follow, "
                "and the questions their guidelines should answer."
            )

    def clean(self):
        cleaned = super().clean()
        others = NetworkingPrompt.objects.filter(centre_id=self.instance.centre_id)
        if others.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                "Your centre already has a networking guidelines prompt: change that instead."
            )
        return cleaned


class NetworkingPrompt(models.Model):
    """What a centre asks its learners to cover when they write their guidelines for working
    with networks (for units with networking records), and the headings they start from."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    prompt = RichTextField(
        "what to cover",
        features=["h3", "h4", "bold", "italic", "ol", "ul", "link"],
        help_text="Shown to learners above their guidelines: your organisations’ procedures to "
        "follow, and the questions their guidelines should answer.",
    )
    outline = models.TextField(
        "starting headings",
        blank=True,
        help_text="Plain text copied into a learner’s guidelines when they begin, such as one "
        "heading per line starting with “## ”.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = centre_scoped_manager()

    panels = [FieldPanel("prompt"), FieldPanel("outline")]
    base_form_class = NetworkingPromptForm

    class Meta:
        verbose_name = "networking guidelines prompt"
        constraints = [models.UniqueConstraint(fields=["centre"], name="one_networking_prompt_per_centre")]

    def __str__(self) -> str:
        return "Networking guidelines prompt"


def pseudonym(number: int, sector: str) -> str:
    return f"Contact C{number}, {SECTOR_NOUNS.get(sector, 'other')} sector"


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
