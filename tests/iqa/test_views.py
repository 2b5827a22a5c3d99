"""The internal quality assurer's view of a recording sheet, and the evidence it names."""

import re

import pytest
from django.urls import reverse

from assessment.services import sign_off_unit
from centre.models import Role
from common.scoping import centre_scope
from iqa.models import IqaSample, SampleIsPermanent
from iqa.services import start_samples
from moderation.services import sampleable_sign_offs
from tests.factories import submitted_evidence
from tests.helpers import (
    decide,
    meet_everything,
    member,
    sampled_by_iqa,
    sampling_plan,
    scoped,
    signed_off_learner,
)


def test_each_evidence_reference_on_the_iqas_recording_sheet_opens_that_version(
    client, enrolment, centre_a, centre_b
):
    with centre_scope(centre_a):
        item = submitted_evidence(enrolment, title="Networking benefits", codes=("1.1", "1.2"))
        version = item.versions.get()
        file_id = version.files.get().pk
        for code in ("1.1", "1.2"):
            decision = decide(enrolment, code, feedback=f"Clear on {code}.")
            decision.evidence.set([version])
        iqa = member(centre_a, Role.IQA)
        sample = sampled_by_iqa(enrolment, iqa=iqa, stage="interim")
    client.force_login(iqa)
    page = client.get(reverse("iqa:sample", kwargs={"iqa_sample_id": sample.pk})).content.decode()
    target = reverse("iqa:evidence_version", kwargs={"item_id": item.pk, "number": 1})
    links = re.findall(rf'<a href="{re.escape(target)}">Networking benefits \(version 1\)</a>', page)
    assert len(links) == 2  # one per criterion it is the evidence of
    opened = client.get(target).content.decode()
    assert "Networking benefits" in opened and "It shows 1.1." in opened and "Clear on 1.2." in opened
    assert reverse("portfolio:file", kwargs={"file_id": file_id}) in opened
    # Not for an assessor's eyes through this page, nor another centre's IQA.
    client.force_login(enrolment.assessor)
    assert client.get(target).status_code == 403
    client.force_login(member(centre_b, Role.IQA))
    assert client.get(target).status_code == 404


def test_iqa_plans_samples_disagrees_and_closes_the_answered_action(client, enrolment, centre_a):
    scoped(centre_a, meet_everything, enrolment)
    scoped(centre_a, sign_off_unit, enrolment=enrolment, assessor=enrolment.assessor, declared=True)
    iqa = member(centre_a, Role.IQA)
    client.force_login(iqa)
    plan_path = reverse("iqa:plan", kwargs={"unit_id": enrolment.unit_id})
    response = client.post(
        plan_path,
        {"standard_rate": "25", "higher_rate": "100", f"risk-{enrolment.assessor.pk}": "new"},
        follow=True,
    )
    page = response.content.decode()
    assert "Ada Lovelace — assessed by Tom Hughes, summative (new assessor)" in page
    client.post(
        reverse("iqa:start_sampling", kwargs={"unit_id": enrolment.unit_id}),
        {"pick": f"{enrolment.pk}:summative"},
    )
    sample = scoped(centre_a, lambda: IqaSample.objects.get())

    refused = client.post(reverse("iqa:sample", kwargs={"iqa_sample_id": sample.pk}), {"verdict": "disagree"})
    assert "Say what the assessor must do: at least one action." in refused.content.decode()
    client.post(
        reverse("iqa:sample", kwargs={"iqa_sample_id": sample.pk}),
        {"verdict": "disagree", "comments": "Thin on 2.1", "action": ["Add a witness statement for 2.1", ""]},
    )
    action = scoped(centre_a, lambda: sample.actions.get())
    assert enrolment.pk not in scoped(
        centre_a, lambda: sampleable_sign_offs(centre=centre_a, unit=enrolment.unit)
    )
    closed_early = client.post(reverse("iqa:close_action", kwargs={"action_id": action.pk}), follow=True)
    assert "The assessor has not answered this action yet." in closed_early.content.decode()

    client.force_login(enrolment.assessor)
    client.post(reverse("iqa:answer_action", kwargs={"action_id": action.pk}), {"response": "Witness added."})
    client.force_login(iqa)
    client.post(reverse("iqa:close_action", kwargs={"action_id": action.pk}))
    assert enrolment.pk in scoped(
        centre_a, lambda: sampleable_sign_offs(centre=centre_a, unit=enrolment.unit)
    )
    with centre_scope(centre_a), pytest.raises(SampleIsPermanent):
        IqaSample.objects.filter(pk=sample.pk).delete()


def test_sampling_plan_offers_a_signed_off_learner_the_rate_did_not_pick(client, centre_a, seed_unit):
    """Two learners of one assessor signed off, 25 %: the suggestion is one of them; once
    that one is sampled, the other's sign-off is still unsampled and the page must say so
    and let the IQA sample it, not claim there is none."""
    from centre.services import set_offered_units
    from iqa.selectors import suggested_sample

    set_offered_units(centre=centre_a, urns=[seed_unit.urn])
    with centre_scope(centre_a):
        assessor = member(centre_a, Role.ASSESSOR)
        enrolments = [
            signed_off_learner(centre=centre_a, unit=seed_unit, assessor=assessor, candidate_number=n)
            for n in ("0001", "0002")
        ]
        iqa = member(centre_a, Role.IQA)
        plan = sampling_plan(seed_unit, centre=centre_a, iqa=iqa)
        (pick,) = suggested_sample(plan=plan)
        start_samples(plan=plan, iqa=iqa, picks=[(pick.enrolment.pk, pick.stage)])
    (other,) = [e for e in enrolments if e.pk != pick.enrolment.pk]
    client.force_login(iqa)
    page = client.get(reverse("iqa:plan", kwargs={"unit_id": seed_unit.pk})).content.decode()
    assert "not already sampled" not in page
    assert f'value="{other.pk}:summative"' in page
