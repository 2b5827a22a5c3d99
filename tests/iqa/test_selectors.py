"""The IQA's suggested sample: every assessor at their rate, and a sign-off made again
after reopening offered again."""

from assessment.models import UnitSignOff
from assessment.services import sign_off_unit
from centre.models import Role
from common.scoping import centre_scope
from iqa.services import start_samples
from tests.factories import UserFactory
from tests.factories.cohort import build_cohort, wide_unit
from tests.helpers import member, sampling_plan, signed_off_learner


def test_suggested_sample_covers_every_assessor_at_their_rate(centre_a):
    with centre_scope(centre_a):
        from centre.services import set_offered_units
        from iqa.models import AssessorRisk
        from iqa.selectors import suggested_sample

        unit = wide_unit(outcomes=1, criteria_each=2)
        set_offered_units(centre=centre_a, urns=[unit.urn])
        steady, new = UserFactory(), UserFactory()
        build_cohort(centre=centre_a, unit=unit, learners=40, assessors=[steady, new])
        iqa = member(centre_a, Role.IQA)
        plan = sampling_plan(
            unit, centre=centre_a, iqa=iqa, standard_rate=10, risks={new.pk: AssessorRisk.Level.NEW}
        )
        picks = suggested_sample(plan=plan)
        per_assessor = {a.pk: sum(1 for p in picks if p.enrolment.assessor_id == a.pk) for a in [steady, new]}
        assert per_assessor == {steady.pk: 2, new.pk: 10}
        assert {p.stage for p in picks} == {"interim"}
        start_samples(plan=plan, iqa=iqa, picks=[(p.enrolment.pk, p.stage) for p in picks[:3]])
        assert len(suggested_sample(plan=plan)) == len(picks) - 3


def test_a_sign_off_made_again_after_reopening_is_suggested_for_sampling(centre_a, seed_unit):
    from assessment.services import reopen_sign_off
    from centre.services import set_offered_units
    from iqa.selectors import suggested_sample

    set_offered_units(centre=centre_a, urns=[seed_unit.urn])
    with centre_scope(centre_a):
        assessor = member(centre_a, Role.ASSESSOR)
        enrolment = signed_off_learner(
            centre=centre_a, unit=seed_unit, assessor=assessor, candidate_number="0001"
        )
        iqa = member(centre_a, Role.IQA)
        plan = sampling_plan(seed_unit, centre=centre_a, iqa=iqa)
        start_samples(plan=plan, iqa=iqa, picks=[(enrolment.pk, "summative")])
        assert suggested_sample(plan=plan) == []
        reopen_sign_off(
            sign_off=UnitSignOff.objects.get(enrolment=enrolment),
            actor=member(centre_a, Role.CENTRE_ADMIN),
            reason="Evidence to check again.",
        )
        sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
        picks = [(p.enrolment.pk, p.stage) for p in suggested_sample(plan=plan)]
        assert picks == [(enrolment.pk, "summative")]
