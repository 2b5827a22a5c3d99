from django.contrib.auth import get_user_model
from django.core.management import call_command
from pypdf import PdfReader

from assessment.models import UnitSignOff
from centre.models import Centre, Membership, UnitGuidance
from common.scoping import scopes_disabled
from iqa.models import IqaSample
from learners.models import Enrolment, Registration
from learners.policies import ASSESS, enrolment_policy
from moderation.models import ModerationSample
from networking.models import NetworkingPrompt
from portfolio.models import EvidenceItem
from units.models import UnitPage


def test_seed_demo_loads_a_person_in_every_role_and_is_safe_to_run_twice(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    output = capsys.readouterr().out
    assert "Demo data ready: Waymark Demo Centre (99999), unit R/600/9587, qualification 600/0000/0" in output
    assert "assessor@demo.waymark.test" in output
    assert UnitPage.objects.filter(urn="R/600/9587").count() == 1
    with scopes_disabled():
        # Both learners on the demo qualification, which the centre offers.
        registered = Registration.objects.filter(qualification__number="600/0000/0", centre__number="99999")
        assert sorted(registered.values_list("learner__candidate_number", flat=True)) == ["0001", "0002"]
    with scopes_disabled():
        centre = Centre.objects.get(number="99999")
        roles = sorted(Membership.objects.filter(centre=centre).values_list("role", flat=True))
        enrolment = Enrolment.objects.get(centre=centre, learner__candidate_number="0001")
    assert roles == ["assessor", "centre_admin", "iqa", "learner", "learner", "moderator"]
    assessor = get_user_model().objects.get(email="assessor@demo.waymark.test")
    assert enrolment.assessor == assessor
    assert enrolment_policy.user_has_permission_for_instance(assessor, ASSESS, enrolment)
    assert assessor.check_password("waymark-demo-2026")
    with scopes_disabled():
        items = {item.title: item for item in EvidenceItem.objects.filter(learner=enrolment.learner)}
        assert sorted(items) == ["My networks and why I chose them", "What networking has done for me"]
        submitted = items["What networking has done for me"]
        assert submitted.status == "submitted" and submitted.versions.count() == 1
        assert sorted(m.criterion.code for m in submitted.mappings.all()) == ["1.1", "1.3"]
        assert UnitGuidance.objects.filter(centre=centre).count() == 1
        signed_off = Enrolment.objects.get(centre=centre, learner__candidate_number="0002")
        assert signed_off.status == "completed"
        sign_off = UnitSignOff.objects.get(enrolment=signed_off)
        assert sign_off.countersigned_at is not None and sign_off.learner_name == "Mia Jones"
        assert IqaSample.objects.get(enrolment=signed_off).verdict == "agree"
        sample = ModerationSample.objects.get(centre=centre)
        assert [s.enrolment for s in sample.learners.all()] == [signed_off]
        assert sample.accesses.get().moderator.email == "moderator@demo.waymark.test"


def test_export_bundle_works_straight_after_seed_demo(db, tmp_path):
    call_command("seed_demo")
    call_command(
        "export_bundle", "--centre", "99999", "--unit", "R/600/9587", "--output", str(tmp_path / "bundle.pdf")
    )
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "bundle.pdf").pages)
    assert "Waymark Demo Centre" in text and "Mia Jones" in text and "Liam Evans" not in text


def test_seed_demo_keeps_an_editors_changes_to_the_seed_unit(db):
    call_command("seed_demo")
    unit = UnitPage.objects.get(urn="R/600/9587")
    unit.title = "Edited by the catalogue editor"
    unit.save_revision().publish()

    call_command("seed_demo")

    assert UnitPage.objects.get(urn="R/600/9587").title == "Edited by the catalogue editor"


def test_seed_demo_gives_the_demo_learner_networking_records(db):
    call_command("seed_demo")
    call_command("seed_demo")
    assert UnitPage.objects.get(urn="R/600/9587").networking_records
    with scopes_disabled():
        learner = Enrolment.objects.get(learner__candidate_number="0001").learner
        contacts = list(learner.network_contacts.order_by("number"))
        assert [(c.reference, c.consented) for c in contacts] == [("C1", True), ("C2", True), ("C3", False)]
        assert contacts[0].last_contact is not None
        assert learner.network_reviews.get().entries.count() == 2
        assert NetworkingPrompt.objects.filter(centre=learner.centre).count() == 1


def test_seed_demo_fills_the_moderation_sample_with_candidates_at_size(db, tmp_path):
    from audit.models import AuditRecord
    from portfolio.models import EvidenceFile

    call_command("seed_demo", "--moderation-candidates", "3")
    call_command("seed_demo", "--moderation-candidates", "3")  # safe to run twice

    with scopes_disabled():
        centre = Centre.objects.get(number="99999")
        sample = ModerationSample.objects.filter(centre=centre).first()  # the latest
        sampled = [s.enrolment for s in sample.learners.select_related("enrolment__learner")]
        assert len(sampled) == 4  # Mia, and the three candidates
        assert sample.accesses.get().moderator.email == "moderator@demo.waymark.test"
        candidates = [e for e in sampled if e.learner.candidate_number != "0002"]
        assert len({e.learner.uln for e in candidates}) == 3
        for enrolment in candidates:
            sign_off = UnitSignOff.objects.get(enrolment=enrolment)
            assert sign_off.countersigned_at is not None
            items = EvidenceItem.objects.filter(learner=enrolment.learner)
            assert items.count() >= 4 and {i.status for i in items} == {"assessed"}
            files = EvidenceFile.objects.filter(item__learner=enrolment.learner)
            kinds = sorted(f.content_type for f in files)
            assert kinds.count("application/pdf") == 1
            assert sum(k.startswith("image/") for k in kinds) >= 2
            assert all(f.print_rendition for f in files if f.content_type.startswith("image/"))
        photos = EvidenceFile.objects.filter(centre=centre, content_type__startswith="image/")
        assert len({f.sha256 for f in photos}) == photos.count() >= 6  # no two photos alike
        # Made through the services: every file and sign-off is in the audit trail.
        assert AuditRecord.objects.filter(verb="evidence.file_added").count() == EvidenceFile.objects.count()
        assert AuditRecord.objects.filter(verb="unit.signed_off").count() == UnitSignOff.objects.count()
    call_command(
        "export_bundle", "--centre", "99999", "--unit", "R/600/9587", "--output", str(tmp_path / "bundle.pdf")
    )
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "bundle.pdf").pages)
    for enrolment in candidates:
        assert f"Candidate {enrolment.learner.candidate_number}" in text
