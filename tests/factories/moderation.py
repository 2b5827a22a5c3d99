"""Signed-off learners with real evidence files, for the moderation sample and bundle."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from weasyprint import HTML

from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
from learners.services import allocate_assessor
from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
from tests.factories import EnrolmentFactory, EvidenceItemFactory, LearnerFactory, MembershipFactory


def two_page_pdf(text: str = "Networking plan") -> bytes:
    return HTML(string=f"<h1>{text}</h1><p style='break-before: page'>Page two of {text}</p>").write_pdf()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    content = io.BytesIO()
    writer.write(content)
    return content.getvalue()


def png(colour: str = "teal", size=(80, 60)) -> bytes:
    content = io.BytesIO()
    Image.new("RGB", size, colour).save(content, "PNG")
    return content.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def signed_off_learner(*, centre, unit, assessor, candidate_number: str, files=(), body: str = "My account."):
    """A learner of ``centre`` on ``unit`` whose one evidence item (with ``files``) meets
    every criterion, assessed by ``assessor``, signed off and countersigned. Call inside
    the centre's scope."""
    from centre.models import Role

    user = MembershipFactory(centre=centre, role=Role.LEARNER).user
    learner = LearnerFactory(
        centre=centre, user=user, candidate_number=candidate_number, last_name=f"Learner{candidate_number}"
    )
    enrolment = EnrolmentFactory(learner=learner, unit=unit)
    allocate_assessor(enrolment=enrolment, assessor=assessor)
    enrolment.refresh_from_db()
    item = EvidenceItemFactory(learner=learner, title=f"Evidence of {candidate_number}", body=body)
    if files:
        add_evidence_files(item=item, actor=user, uploads=list(files))
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    set_evidence_mappings(item=item, actor=user, claims={c.pk: f"Meets {c.code}." for c in criteria})
    submit_evidence_item(item=item, actor=user, declared=True)
    assess_submission(
        item=item, assessor=assessor, judgements={c.pk: Judgement("met", "Good.", 0) for c in criteria}
    )
    sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
    countersign_unit(sign_off=sign_off, learner_user=user, declared=True)
    return enrolment
