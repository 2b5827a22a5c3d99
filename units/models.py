from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index

from units.forms import QualificationPageForm, UnitPageForm
from units.panels import CriteriaInlinePanel
from units.qualification_spec import QUALIFICATION_NUMBER_RE
from units.spec import CRITERION_CODE_RE, URN_RE
from units.visitor_pages import keep_for_visitors


class PublishedText(models.Model):
    """Keeps line breaks as the awarding body's documents have them (LF). Browsers send a
    text area's lines as CR LF; stored as such, an edited criterion would differ from the
    same text re-imported from its specification."""

    published_text_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        for name in self.published_text_fields:
            setattr(self, name, getattr(self, name).replace("\r\n", "\n"))
        super().save(*args, **kwargs)


class KeptWholeForVisitors:
    """A public catalogue page, the same for every visitor: its answer to one may be
    given to the next (units.visitor_pages). Never an editor's preview."""

    def serve(self, request, *args, **kwargs):
        if not getattr(request, "is_preview", False):
            keep_for_visitors(request)
        return super().serve(request, *args, **kwargs)


class CatalogueIndexPage(KeptWholeForVisitors, Page):
    """The root of the public catalogue: lists every published unit."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["units.UnitPage", "units.QualificationPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["qualifications"] = QualificationPage.objects.child_of(self).live().public().order_by("title")
        context["units"] = UnitPage.objects.child_of(self).live().public().order_by("title")
        return context

    def route(self, request, path_components):
        """A child of the catalogue is a unit: read with its own fields in one query, not
        Wagtail's two (the page, then the unit's fields). Anything else, or nothing, is
        left to Wagtail."""
        if path_components:
            unit = UnitPage.objects.child_of(self).filter(slug=path_components[0]).first()
            if unit is not None:
                unit._cached_parent_obj = self  # as Wagtail's route leaves it
                return unit.route(request, path_components[1:])
        return super().route(request, path_components)


class UnitPage(PublishedText, KeptWholeForVisitors, Page):  # noqa: DJ008 (Page.__str__ gives the title)
    """A qualification unit as the awarding body publishes it.

    Outcomes and criteria are inline children with identities of their own, because
    evidence and assessment decisions point at criteria and must survive a revision of
    the unit. Each revision keeps an outcome's and a criterion's identity by matching
    its number or code (see ``keep_identities_by_code``), whether it came from the
    Wagtail editor or from a re-imported specification.
    """

    urn = models.CharField(
        "unit reference number",
        max_length=10,
        unique=True,
        validators=[RegexValidator(URN_RE, "A unit reference number looks like R/600/9587.")],
        help_text="The Ofqual unit reference number, for example R/600/9587.",
    )
    ocr_unit_number = models.CharField("OCR unit number", max_length=20, blank=True)
    sector_unit_number = models.CharField(max_length=20, blank=True)
    credit_value = models.PositiveSmallIntegerField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    guided_learning_hours = models.PositiveSmallIntegerField("guided learning hours", null=True, blank=True)
    aim = models.TextField("unit aim and purpose", blank=True)
    assessment = models.TextField(blank=True)
    evidence_requirements = models.TextField(blank=True)
    additional_information = models.TextField(blank=True)
    # Waymark's own setting, not part of the awarding body's specification: it is neither
    # imported nor exported with the unit, and re-importing the unit leaves it as it is.
    networking_records = models.BooleanField(
        default=False,
        help_text="Learners on this unit keep a contact register with an interaction log, dated "
        "network reviews, a network map and networking guidelines, and can submit them as evidence.",
    )

    published_text_fields = ("aim", "assessment", "evidence_requirements", "additional_information")
    base_form_class = UnitPageForm
    parent_page_types = ["units.CatalogueIndexPage"]
    subpage_types = []

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("urn"), FieldPanel("ocr_unit_number"), FieldPanel("sector_unit_number")]
                ),
                FieldRowPanel(
                    [FieldPanel("level"), FieldPanel("credit_value"), FieldPanel("guided_learning_hours")]
                ),
            ],
            heading="Unit details",
        ),
        FieldPanel("aim"),
        InlinePanel("learning_outcomes", heading="Learning outcomes", label="Learning outcome", min_num=1),
        FieldPanel("assessment"),
        FieldPanel("evidence_requirements"),
        FieldPanel("additional_information"),
    ]
    settings_panels = [
        MultiFieldPanel([FieldPanel("networking_records")], heading="Evidence tools"),
        *Page.settings_panels,
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("urn"),
        index.FilterField("urn"),
        index.SearchField("aim"),
    ]

    class Meta:
        permissions = [("import_unitpage", "Can import units from specification documents")]

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:
            self.keep_identities_by_code()
        super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from units.rendering import unit_page_body

        context = super().get_context(request, *args, **kwargs)
        # Wagtail marks a preview (the editor's draft) before asking for its context.
        context["body"] = unit_page_body(self, preview=getattr(request, "is_preview", False))
        return context

    def keep_identities_by_code(self) -> None:
        """Make each outcome the saved one with its number, and each criterion the saved
        one with its code, whatever identity the editor's form or a revision carried.

        A criterion is its code: one removed and typed in again, or an import that
        rebuilds the children, is still the same criterion, and two criteria whose codes
        are swapped swap texts, not identities, so evidence mapped to 1.1 stays on 1.1.
        A criterion whose code disappears is deleted, which is refused while evidence or
        decisions point at it (checked here too, for publishing a draft or a schedule).
        """
        if self.pk is None:
            return
        saved_outcomes = dict(LearningOutcome.objects.filter(page_id=self.pk).values_list("number", "pk"))
        saved_criteria = dict(
            AssessmentCriterion.objects.filter(outcome__page_id=self.pk).values_list("code", "pk")
        )
        kept_codes = set()
        for outcome in self.learning_outcomes.all():
            criteria = list(outcome.criteria.all())
            outcome.pk = saved_outcomes.get(outcome.number)
            for criterion in criteria:
                criterion.pk = saved_criteria.get(criterion.code)
                kept_codes.add(criterion.code)

        from units.selectors import criteria_in_use

        if in_use := criteria_in_use(unit=self, except_codes=kept_codes):
            raise ValidationError([criterion_in_use_message(criterion.code) for criterion in in_use])


def criterion_in_use_message(code: str) -> str:
    return f"Criterion {code} cannot be removed: evidence or assessment decisions refer to it."


class LearningOutcome(PublishedText, Orderable, ClusterableModel):
    """An outcome, "The learner will: …", numbered 1, 2, 3 within its unit."""

    published_text_fields = ("text",)

    page = ParentalKey(UnitPage, on_delete=models.CASCADE, related_name="learning_outcomes")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    text = models.TextField()

    panels = [
        FieldPanel("number"),
        FieldPanel("text"),
        CriteriaInlinePanel(
            "criteria", heading="Assessment criteria", label="Assessment criterion", min_num=1
        ),
    ]

    # Said outright: PublishedText, first among the bases, would otherwise give its own
    # (empty) Meta and lose Orderable's ordering by sort_order.
    class Meta(Orderable.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.number} {self.text}"


class AssessmentCriterion(PublishedText, Orderable):
    """A criterion, "The learner can: …", coded 1.1, 1.2 within its outcome. Every
    criterion needs evidence and an assessor's decision, which point here by key."""

    published_text_fields = ("text",)

    outcome = ParentalKey(LearningOutcome, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(
        max_length=10,
        validators=[RegexValidator(CRITERION_CODE_RE, "A criterion code looks like 1.1.")],
    )
    text = models.TextField()

    panels = [FieldPanel("code"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name_plural = "assessment criteria"

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class QualificationPage(KeptWholeForVisitors, Page):
    """A qualification as the awarding body publishes it: its details, as the Ofqual
    register has them, and its rules of combination over the catalogue's units
    (``units.qualification_spec``), kept as Waymark's qualification JSON has them.

    Units are named by URN in the rules, as in the specification; an import or the editor
    refuses rules naming a unit the catalogue does not have.
    """

    number = models.CharField(
        "qualification number",
        max_length=10,
        unique=True,
        validators=[RegexValidator(QUALIFICATION_NUMBER_RE, "A qualification number looks like 601/1234/5.")],
        help_text="The Ofqual qualification number, for example 601/1234/5.",
    )
    awarding_body = models.CharField(max_length=150, blank=True)
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    total_qualification_time = models.PositiveIntegerField(
        "total qualification time (TQT)", null=True, blank=True
    )
    guided_learning_hours = models.PositiveIntegerField("guided learning hours (GLH)", null=True, blank=True)
    total_credits = models.PositiveIntegerField(null=True, blank=True)
    rules_of_combination = models.JSONField(
        default=dict,
        help_text="The groups of units, barred combinations and any minimum of credits at or above a level, "
        'as JSON: {"groups": [{"name": "Mandatory", "mandatory": true, "units": ["R/600/9587"]}, {"name": '
        '"Optional", "mandatory": false, "min_credits": 6, "max_units": 2, "units": ["…"]}], '
        '"barred_combinations": [["…", "…"]], "credits_at_or_above_level": {"level": 2, "credits": 10}}.',
    )

    base_form_class = QualificationPageForm
    parent_page_types = ["units.CatalogueIndexPage"]
    subpage_types = []

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                # Even in a draft: the rules are checked against the qualification they belong to.
                FieldRowPanel(
                    [
                        FieldPanel("number", required_on_save=True),
                        FieldPanel("awarding_body"),
                        FieldPanel("level"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("total_qualification_time"),
                        FieldPanel("guided_learning_hours"),
                        FieldPanel("total_credits"),
                    ]
                ),
            ],
            heading="Qualification details",
        ),
        FieldPanel("rules_of_combination", required_on_save=True),
    ]

    search_fields = [*Page.search_fields, index.SearchField("number"), index.FilterField("number")]

    def get_context(self, request, *args, **kwargs):
        from units.selectors import qualification_groups

        context = super().get_context(request, *args, **kwargs)
        context["groups"] = qualification_groups(self)
        return context
