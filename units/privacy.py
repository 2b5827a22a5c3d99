"""The shared catalogue holds no personal data: it is the awarding body's published text,
the same for every centre and learner."""

from common.personal_data import NoPersonalData, Provider, register

# Wagtail's page fields (owner, locked_by, revisions) point at catalogue editors, platform
# staff, and are Wagtail's own to manage.
CATALOGUE = "Published catalogue text, the same for every learner; Wagtail's page owner is platform staff."


@register
class UnitsProvider(Provider):
    no_personal_data = (
        NoPersonalData("units.CatalogueIndexPage", CATALOGUE),
        NoPersonalData("units.UnitPage", CATALOGUE),
        NoPersonalData("units.LearningOutcome", CATALOGUE),
        NoPersonalData("units.AssessmentCriterion", CATALOGUE),
        NoPersonalData("units.QualificationPage", CATALOGUE),
    )
