"""A whole cohort in bulk, for the tests that bound queries on long pages and for the
benchmarks: a unit with many criteria, learners enrolled on it and allocated among
assessors, evidence mapped to every criterion and a decision on each."""

import itertools

from django.utils import timezone

from assessment.models import CriterionDecision
from centre.models import Membership, Role
from learners.models import Enrolment, Learner
from portfolio.models import EvidenceItem, EvidenceMapping
from tests.factories import valid_uln
from units.selectors import unit_by_urn
from units.services import import_unit
from units.spec import CriterionSpec, OutcomeSpec, UnitSpec


def wide_unit(*, urn: str = "Y/600/0020", outcomes: int = 4, criteria_each: int = 5):
    spec = UnitSpec(
        urn=urn,
        title=f"A unit with {outcomes * criteria_each} criteria",
        level=3,
        credit_value=5,
        guided_learning_hours=30,
        learning_outcomes=tuple(
            OutcomeSpec(
                number=o,
                text=f"Outcome {o}",
                criteria=tuple(
                    CriterionSpec(f"{o}.{c}", f"Criterion {o}.{c}") for c in range(1, criteria_each + 1)
                ),
            )
            for o in range(1, outcomes + 1)
        ),
    )
    import_unit(spec=spec)
    return unit_by_urn(urn=urn)


def build_cohort(*, centre, unit, learners: int, assessors: list, decided: bool = True, start: int = 0):
    """``learners`` (numbered from ``start``) enrolled on ``unit`` at ``centre``, allocated
    in turn to ``assessors``, each with one submitted item mapped to
    every criterion and, if ``decided``, a decision on each. Runs inside the centre's scope."""
    for assessor in assessors:
        Membership.objects.get_or_create(centre=centre, user=assessor, role=Role.ASSESSOR)
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    people = Learner.objects.bulk_create(
        Learner(
            centre=centre,
            first_name=f"Learner{n}",
            last_name=f"Surname{n:04d}",
            email=f"cohort{n}@example.org",
            uln=valid_uln(300000000 + 3 * n),
            candidate_number=f"{n:04d}",
        ).fill_keys()
        for n in range(start, start + learners)
    )
    turn = itertools.cycle(assessors)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            centre=centre, learner=learner, unit=unit, assessor=next(turn), start_date=timezone.localdate()
        )
        for learner in people
    )
    now = timezone.now()
    items = EvidenceItem.objects.bulk_create(
        EvidenceItem(
            centre=centre,
            learner=e.learner,
            kind="written_account",
            title=f"Account of {e.learner.first_name}",
            body="What I did.",
            status=EvidenceItem.Status.SUBMITTED,
            submitted_at=now,
            creation_token=f"00000000-0000-4000-8000-{start + n:012d}",
        )
        for n, e in enumerate(enrolments)
    )
    EvidenceMapping.objects.bulk_create(
        EvidenceMapping(centre=centre, item=item, enrolment=e, criterion=c, note="Meets it.")
        for item, e in zip(items, enrolments, strict=True)
        for c in criteria
    )
    if decided:
        CriterionDecision.objects.bulk_create(
            CriterionDecision(
                centre=centre,
                enrolment=e,
                criterion=c,
                sequence=1,
                outcome="met" if (e.pk + c.pk) % 3 else "not_yet_met",
                feedback="",
                assessor=e.assessor,
                decided_at=now,
            )
            for e in enrolments
            for c in criteria
        )
    return enrolments
