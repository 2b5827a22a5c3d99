"""Two learners of centre A with everything Waymark can hold about a learner: evidence with
files, decisions, a countersigned sign-off, an IQA verdict, moderation samples and a
bundle, networking records with a contact who consented and one who did not."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from iqa.services import record_sample_verdict
from moderation.bundle import bundle_storage
from moderation.models import BundleRender
from moderation.services import create_moderation_sample, grant_moderator_access
from networking.services import save_guidelines
from tests.factories import PDF_BYTES, MembershipFactory, pdf_upload
from tests.factories.networking import contact, enable_networking, review
from tests.helpers import sampled_by_iqa, signed_off_learner


@pytest.fixture
def world(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    enable_networking(seed_unit)
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
        ada = signed_off_learner(
            centre=centre_a,
            unit=seed_unit,
            assessor=assessor,
            first_name="Ada",
            last_name="Lovelace",
            email="ada@lovelace.example",
            candidate_number="0042",
            title="Ada’s account of the forum",
            body="I met Marcus Webb at the forum.",
            files=[pdf_upload("Ada’s plan.pdf", PDF_BYTES + b"%Ada\n")],
        )
        bart = signed_off_learner(
            centre=centre_a,
            unit=seed_unit,
            assessor=assessor,
            first_name="Bartholomew",
            last_name="Quince",
            email="bart@quince.example",
            candidate_number="0043",
            title="Quince’s secret account",
            body="Bartholomew’s own words.",
            files=[pdf_upload("quince-ledger.pdf", PDF_BYTES + b"%Quince\n")],
        )
        iqa_sample = sampled_by_iqa(ada, iqa=iqa)
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
