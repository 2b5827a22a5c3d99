"""What the learners app holds about a learner: their record and enrolments. Their
evidence and networking records are the portfolio's and networking's to declare, export
and erase (``portfolio.privacy``, ``networking.privacy``)."""

from common.personal_data import Export, PersonalData, Provider, register
from learners.models import Learner


@register
class LearnersProvider(Provider):
    models = (
        PersonalData(
            "learners.Learner",
            (
                "first_name",
                "last_name",
                "email",
                "uln",
                "candidate_number",
                "user",
                "sort_key",
                "search_text",
            ),
            "Who the learner is, as their centre's MIS knows them, and the account they sign in with "
            "(with their name and email folded, to sort and search by).",
        ),
        PersonalData(
            "learners.Enrolment",
            ("learner", "assessor", "status", "start_date"),
            "The units the learner is on, and the assessor allocated to each.",
        ),
        PersonalData(
            "learners.Registration",
            ("learner", "qualification", "chosen_units", "registered_at"),
            "The qualifications the learner is registered on, and the optional units they chose.",
        ),
    )
    # After moderation's rows, which protect enrolments, and the learner's evidence and
    # networking records, which point at the learner; before the learner's role and
    # account, which the learner's record points at.
    erase_order = 20

    def export(self, learner: Learner) -> Export:
        return Export(
            data={
                "learner.json": {"learner": _record(learner)},
                "enrolments.json": {"enrolments": _enrolments(learner)},
                "registrations.json": {"registrations": _registrations(learner)},
            }
        )

    def erase(self, learner: Learner) -> dict[str, int]:
        """The learner's record and, with it, their enrolments and registrations."""
        _, deleted = Learner.objects.filter(pk=learner.pk).delete()
        return deleted


def _record(learner: Learner) -> dict:
    return {
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "email": learner.email,
        "uln": learner.uln,
        "candidate_number": learner.candidate_number,
        "centre": {"number": learner.centre.number, "name": learner.centre.name},
        "registered_at": learner.created_at,
    }


def _enrolments(learner: Learner) -> list[dict]:
    """The learner's units; whether an assessor is allocated, not who."""
    return [
        {
            "unit": {"urn": enrolment.unit.urn, "title": enrolment.unit.title},
            "status": enrolment.get_status_display(),
            "start_date": enrolment.start_date,
            "assessor_allocated": enrolment.assessor_id is not None,
        }
        for enrolment in learner.enrolments.select_related("unit").order_by("start_date", "pk")
    ]


def _registrations(learner: Learner) -> list[dict]:
    return [
        {
            "qualification": {
                "number": registration.qualification.number,
                "title": registration.qualification.title,
            },
            "optional_units_chosen": sorted(unit.urn for unit in registration.chosen_units.all()),
            "registered_at": registration.registered_at,
        }
        for registration in learner.registrations.select_related("qualification")
        .prefetch_related("chosen_units")
        .order_by("registered_at", "pk")
    ]
