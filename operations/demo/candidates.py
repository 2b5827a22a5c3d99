"""Signed-off candidates for a moderation sample of any size, each with a portfolio of
five kinds of evidence judged by the assessor."""

import datetime
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
from iqa.models import IqaSample, SamplingPlan
from iqa.services import record_sample_verdict, save_sampling_plan, start_samples
from operations.demo.content import WITNESSES
from operations.demo.files import photograph, plan_pdf
from portfolio.services import (
    add_evidence_files,
    create_evidence_item,
    set_evidence_mappings,
    submit_evidence_item,
    update_evidence_item,
)
from units.models import AssessmentCriterion


def candidate_portfolio(enrolment, assessor, *, seed):
    learner = enrolment.learner
    criteria = list(
        AssessmentCriterion.objects.filter(outcome__page=enrolment.unit).order_by(
            "outcome__number", "sort_order"
        )
    )
    when = (timezone.localdate() - datetime.timedelta(days=20 + seed % 30)).isoformat()
    witness_name, witness_role, relationship = WITNESSES[seed % len(WITNESSES)]
    items = [
        (
            "files",
            "Photographs from the regional networking breakfast",
            "I organised our stand at the breakfast. The photographs show the stand, the "
            "contacts I spoke to (with their agreement) and the board of follow-ups.",
            {},
            [photograph(seed, 0, "JPEG"), photograph(seed, 1, "PNG")],
        ),
        (
            "witness_testimony",
            "Witness statement from my manager",
            f"{learner.first_name} introduced our service to three new partners at the "
            "chamber's meeting and followed each up within the week.",
            {
                "witness_name": witness_name,
                "witness_role": witness_role,
                "relationship": relationship,
                "witnessed_on": when,
            },
            [],
        ),
        (
            "observation",
            "Observed: leading the partners' meeting",
            "The learner chaired the quarterly partners' meeting, kept to the agenda and "
            "agreed actions with each partner.",
            {
                "observer_name": assessor.get_full_name(),
                "observer_role": "assessor",
                "observed_on": when,
                "setting": "Quarterly partners' meeting, Northgate Business Centre",
            },
            [photograph(seed, 2, "JPEG")],
        ),
        (
            "professional_discussion",
            "Discussion: reviewing my networks",
            "We discussed which networks have helped the organisation most, what I would "
            "change, and how contacts' details are kept.",
            {
                "discussed_on": when,
                "participants": f"{learner.user.get_full_name()} and {assessor.get_full_name()}",
                "duration_minutes": 30 + seed % 4 * 5,
            },
            [],
        ),
        (
            "files",
            "My networking plan",
            "The plan I wrote for the year, attached as a PDF.",
            {},
            [
                (
                    "networking-plan.pdf",
                    plan_pdf(f"{learner.first_name} {learner.last_name}"),
                    "application/pdf",
                )
            ],
        ),
    ]
    for index, (kind, title, body, details, files) in enumerate(items):
        item, _ = create_evidence_item(
            learner=learner,
            actor=learner.user,
            kind=kind,
            title=title,
            body=body,
            details=details,
            creation_token=uuid.uuid5(uuid.NAMESPACE_URL, f"waymark-demo:{learner.uln}:{index}"),
        )
        if files:
            add_evidence_files(
                item=item,
                actor=learner.user,
                uploads=[
                    SimpleUploadedFile(name, content, content_type) for name, content, content_type in files
                ],
            )
        mapped = criteria[index :: len(items)]
        set_evidence_mappings(
            item=item,
            actor=learner.user,
            claims={
                c.pk: f"{title} shows how I {c.text[:1].lower()}{c.text[1:].rstrip('.')}." for c in mapped
            },
        )
        submit_evidence_item(item=item, actor=learner.user, declared=True)
        if index == 1 and seed % 2 == 0:
            # Returned once, as real assessment goes: the history shows the first decision.
            first, *rest = mapped
            assess_submission(
                item=item,
                assessor=assessor,
                judgements={
                    first.pk: Judgement(
                        "not_yet_met", "Ask your witness to say what the partners gained.", 0
                    ),
                    **{c.pk: Judgement("met", "Clear.", 0) for c in rest},
                },
                return_reason="The statement needs to say what the new partners gained.",
            )
            update_evidence_item(
                item=item,
                actor=learner.user,
                title=title,
                body=body + " Two of them now refer clients to us.",
                details=details,
            )
            submit_evidence_item(item=item, actor=learner.user, declared=True)
            seen = 1
        else:
            seen = 0
        assess_submission(
            item=item,
            assessor=assessor,
            judgements={c.pk: Judgement("met", "Well evidenced.", seen) for c in mapped},
        )
    sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
    countersign_unit(sign_off=sign_off, learner_user=learner.user, declared=True)


def iqa_agrees(enrolment, iqa):
    plan = SamplingPlan.objects.filter(centre=enrolment.centre, unit=enrolment.unit).first()
    if plan is None:
        plan = save_sampling_plan(
            centre=enrolment.centre,
            unit=enrolment.unit,
            actor=iqa,
            standard_rate=25,
            higher_rate=50,
            methods=[],
            risks={},
        )
    if IqaSample.objects.filter(enrolment=enrolment).exists():
        return
    (sample,) = start_samples(plan=plan, iqa=iqa, picks=[(enrolment.pk, "summative")])
    record_sample_verdict(sample=sample, iqa=iqa, verdict="agree", comments="Sound decisions.", actions=[])
