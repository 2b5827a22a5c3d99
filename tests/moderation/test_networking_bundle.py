import io
import re

from pypdf import PdfReader

from assessment.services import Judgement, assess_submission
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from learners.services import allocate_assessor
from moderation.bundle import bundle_storage, render_bundle, request_bundle
from moderation.models import BundleRender
from moderation.selectors import candidates_of
from moderation.services import create_moderation_sample, grant_moderator_access
from networking.models import NetworkContact
from networking.services import delete_contact
from tests.factories import EnrolmentFactory, LearnerFactory
from tests.factories.networking import contact, enable_networking, submitted_record
from tests.helpers import all_codes, countersigned, member


def test_the_bundle_draws_the_map_and_shows_unconsented_contacts_only_by_pseudonym(
    centre_a, seed_unit, django_capture_on_commit_callbacks
):
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
        countersigned(enrolment, assessor=assessor)
        sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[enrolment.pk]
        )
        bundle = render_bundle(sample=sample, candidates=candidates_of(sample=sample))
        access = grant_moderator_access(sample=sample, actor=admin, email="morag@ocr.example")
        with django_capture_on_commit_callbacks(execute=True):
            render = request_bundle(sample=sample, actor=access.moderator)
        render.refresh_from_db()
        assert render.status == "done" and bundle_storage().exists(render.pdf)

        # Deleting Priya (who consented) takes her out of the evidence: the bundle made with
        # her name is discarded, files and all, and the next one is made without it.
        with django_capture_on_commit_callbacks(execute=True):
            delete_contact(contact=NetworkContact.objects.get(name="Priya Shah"), actor=user)
        assert not BundleRender.objects.filter(pk=render.pk).exists()
        assert not bundle_storage().exists(render.pdf)
        with django_capture_on_commit_callbacks(execute=True):
            again = request_bundle(sample=sample, actor=access.moderator)
        again.refresh_from_db()
        with bundle_storage().open(again.pdf) as stored:
            remade = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(stored).pages))
        assert "Priya" not in remade and "ContactC1,financesector" in remade

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bundle.pdf)).pages)
    # WeasyPrint draws the map's text glyph by glyph, so compare without spaces.
    compact = re.sub(r"\s+", "", text)
    assert "ContactC2,publicsector" in compact
    assert "ContactC2ranthecounciljobsfair." in compact
    assert "PriyaShah" in compact and "Publicsector" in compact and "Strong" in compact
    for identifying in ("Whitfield", "dan.whitfield", "7912345678"):
        assert identifying not in compact, identifying
