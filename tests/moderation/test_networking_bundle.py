import io
import re

from pypdf import PdfReader

from centre.models import Role
from centre.scoping import centre_scope
from centre.services import set_offered_units
from learners.services import allocate_assessor
from moderation.bundle import render_bundle
from moderation.sample_selectors import candidates_of
from moderation.sample_services import create_moderation_sample
from moderation.services import Judgement, assess_submission, countersign_unit, sign_off_unit
from tests.factories import EnrolmentFactory, LearnerFactory
from tests.factories.networking import contact, enable_networking, submitted_record
from tests.moderation.conftest import all_codes, member


def test_the_bundle_draws_the_map_and_shows_unconsented_contacts_only_by_pseudonym(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    enable_networking(seed_unit)
    with centre_scope(centre_a):
        assessor, admin = member(centre_a, Role.ASSESSOR), member(centre_a, Role.CENTRE_ADMIN)
        user = member(centre_a, Role.LEARNER)
        learner = LearnerFactory(centre=centre_a, user=user, candidate_number="0007")
        enrolment = EnrolmentFactory(learner=learner, unit=seed_unit)
        allocate_assessor(enrolment=enrolment, assessor=assessor)
        contact(learner, "Priya Shah")
        contact(
            learner,
            "Dan Whitfield",
            consented=False,
            sector="public",
            email="dan.whitfield@council.example",
            phone="07912 345678",
            how_met="Dan Whitfield ran the council jobs fair.",
        )
        version = submitted_record(enrolment, {"record": "register"}, codes=all_codes(seed_unit))
        judgements = {m["criterion"]: Judgement("met", "Good.", 0) for m in version.snapshot["mappings"]}
        assess_submission(item=version.item, assessor=assessor, judgements=judgements)
        sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
        countersign_unit(sign_off=sign_off, learner_user=user, declared=True)
        sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[enrolment.pk]
        )
        bundle = render_bundle(sample=sample, candidates=candidates_of(sample=sample))

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bundle.pdf)).pages)
    # WeasyPrint draws the map's text glyph by glyph, so compare without spaces.
    compact = re.sub(r"\s+", "", text)
    assert "ContactC2,publicsector" in compact
    assert "ContactC2ranthecounciljobsfair." in compact
    assert "PriyaShah" in compact and "Publicsector" in compact and "Strong" in compact
    for identifying in ("Whitfield", "dan.whitfield", "7912345678"):
        assert identifying not in compact, identifying
