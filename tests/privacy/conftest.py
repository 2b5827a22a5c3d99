"""Two learners of centre A with everything Waymark can hold about a learner: evidence with
files, decisions, a countersigned sign-off, an IQA verdict, moderation samples and a
bundle, networking records with a contact who consented and one who did not."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from iqa.services import record_sample_verdict, save_sampling_plan, start_samples
from learners.services import allocate_assessor
from moderation.bundle import bundle_storage
from moderation.models import BundleRender
from moderation.services import create_moderation_sample, grant_moderator_access
from networking.services import save_guidelines
from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
from tests.factories import (
    PDF_BYTES,
    EnrolmentFactory,
    EvidenceItemFactory,
    LearnerFactory,
    MembershipFactory,
    pdf_upload,
)
from tests.factories.networking import contact, enable_networking, review


def signed_off(*, centre, unit, assessor, first, last, email, candidate, title, body, file_name, content):
    """A learner with an account, whose one item (with one file) meets every criterion of
    ``unit``, assessed, signed off and countersigned. Call inside the centre's scope."""
    with scopes_disabled():
        user = MembershipFactory(
            centre=centre, role=Role.LEARNER, user__first_name=first, user__last_name=last, user__email=email
        ).user
        learner = LearnerFactory(
            centre=centre,
            user=user,
            first_name=first,
            last_name=last,
            email=email,
            candidate_number=candidate,
        )
        enrolment = EnrolmentFactory(learner=learner, unit=unit)
    allocate_assessor(enrolment=enrolment, assessor=assessor)
    enrolment.refresh_from_db()
    item = EvidenceItemFactory(learner=learner, title=title, body=body)
    add_evidence_files(item=item, actor=user, uploads=[pdf_upload(file_name, content)])
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    set_evidence_mappings(item=item, actor=user, claims={c.pk: f"Shows {c.code}." for c in criteria})
    submit_evidence_item(item=item, actor=user, declared=True)
    assess_submission(
        item=item,
        assessor=assessor,
        judgements={c.pk: Judgement("met", "Clear and well evidenced.", 0) for c in criteria},
    )
    sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
    countersign_unit(sign_off=sign_off, learner_user=user, declared=True)
    return enrolment


@pytest.fixture
def world(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    enable_networking(seed_unit)
    with scopes_disabled():
        assessor = MembershipFactory(
            centre=centre_a,
            role=Role.ASSESSOR,
            user__first_name="Ophelia",
            user__last_name="Thistlewood",
            user__email="ophelia@northgate-staff.example",
        ).user
        iqa = MembershipFactory(centre=centre_a, role=Role.IQA).user
        admin = MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN).user
    with centre_scope(centre_a):
        ada = signed_off(
            centre=centre_a,
            unit=seed_unit,
            assessor=assessor,
            first="Ada",
            last="Lovelace",
            email="ada@lovelace.example",
            candidate="0042",
            title="Ada’s account of the forum",
            body="I met Marcus Webb at the forum.",
            file_name="Ada’s plan.pdf",
            content=PDF_BYTES + b"%Ada\n",
        )
        bart = signed_off(
            centre=centre_a,
            unit=seed_unit,
            assessor=assessor,
            first="Bartholomew",
            last="Quince",
            email="bart@quince.example",
            candidate="0043",
            title="Quince’s secret account",
            body="Bartholomew’s own words.",
            file_name="quince-ledger.pdf",
            content=PDF_BYTES + b"%Quince\n",
        )
        plan = save_sampling_plan(
            centre=centre_a, unit=seed_unit, actor=iqa, standard_rate=25, higher_rate=50, methods=[], risks={}
        )
        (iqa_sample,) = start_samples(plan=plan, iqa=iqa, picks=[(ada.pk, "summative")])
        record_sample_verdict(
            sample=iqa_sample,
            iqa=iqa,
            verdict="agree",
            comments="Sound judgement by Ophelia  Thistlewood; Ms Thistlewood and Ophelia agree.",
            actions=[],
        )
        shared_sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[ada.pk, bart.pk]
        )
        own_sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[ada.pk]
        )
        grant_moderator_access(sample=shared_sample, actor=admin, email="moderator@ocr.example")
        bundle = bundle_storage().save(
            f"bundles/centre-{centre_a.pk}/test/bundle.pdf", ContentFile(b"Ada and Bart, bound")
        )
        BundleRender.objects.create(
            centre=centre_a,
            sample=shared_sample,
            fingerprint="f" * 64,
            requested_at=timezone.now(),
            status=BundleRender.Status.DONE,
            pdf=bundle,
        )
        priya = contact(ada.learner, "Priya Shah", consented=True)
        marcus = contact(
            ada.learner,
            "Marcus Webb",
            consented=False,
            organisation="Webb Logistics",
            email="marcus@webb-logistics.example",
            phone="07912 345678",
        )
        review(
            ada.learner,
            [
                {"contact": priya, "value": "high", "effort": "low", "decision": "keep"},
                {"contact": marcus, "value": "medium", "effort": "high", "decision": "develop"},
            ],
        )
        save_guidelines(learner=ada.learner, body="Ask before sharing, as Marcus Webb taught me.")
        contact(bart.learner, "Gideon Fairweather", consented=True, email="gideon@fairweather.example")
    return {
        "ada": ada.learner,
        "bart": bart.learner,
        "assessor": assessor,
        "iqa": iqa,
        "admin": admin,
        "shared_sample": shared_sample,
        "own_sample": own_sample,
        "bundle": bundle,
    }


@pytest.fixture
def in_centre_a(centre_a):
    with centre_scope(centre_a):
        yield
