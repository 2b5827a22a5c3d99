"""factory_boy factories for Waymark's rows. Each handles the centre scope itself: the row,
its sub-factories' rows and the attributes read from them are made with scopes disabled,
and the caller's scope is back afterwards, so tests call them bare, in or out of a
centre's scope."""

import factory
from django.contrib.auth import get_user_model

from centre.models import Centre, Membership, Role
from common.scoping import scopes_disabled
from learners.validators import uln_with_check_digit as valid_uln

DEFAULT_PASSWORD = "correct horse battery staple"


class ScopedFactory(factory.django.DjangoModelFactory):
    """A model factory that makes its row whatever centre scope is active: none, the
    row's own centre's or another centre's."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        with scopes_disabled():
            return super()._generate(strategy, params)


class UserFactory(ScopedFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.django.Password(DEFAULT_PASSWORD)


class CentreFactory(ScopedFactory):
    class Meta:
        model = Centre

    number = factory.Sequence(lambda n: f"{10000 + n:05d}")
    name = factory.Sequence(lambda n: f"Training Centre {n}")


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    centre = factory.SubFactory(CentreFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ASSESSOR


class LearnerFactory(ScopedFactory):
    class Meta:
        model = "learners.Learner"

    centre = factory.SubFactory(CentreFactory)
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.Sequence(lambda n: f"learner{n}@example.org")
    uln = factory.Sequence(lambda n: valid_uln(100000000 + 3 * n))
    candidate_number = factory.Sequence(lambda n: f"{n % 10000:04d}")


class EnrolmentFactory(ScopedFactory):
    class Meta:
        model = "learners.Enrolment"

    learner = factory.SubFactory(LearnerFactory)
    centre = factory.SelfAttribute("learner.centre")
    start_date = factory.Faker("date_this_year")


# A small, valid PDF: what libmagic recognises as application/pdf.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class EvidenceItemFactory(ScopedFactory):
    class Meta:
        model = "portfolio.EvidenceItem"

    learner = factory.SubFactory(LearnerFactory)
    centre = factory.SelfAttribute("learner.centre")
    kind = "written_account"
    title = factory.Sequence(lambda n: f"Account {n}")
    body = "What I did, and how."
    creation_token = factory.Faker("uuid4", cast_to=None)


def pdf_upload(name: str = "evidence.pdf", content: bytes = PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def submitted_evidence(enrolment, *, title: str = "Account", file_name: str = "evidence.pdf", codes=("1.1",)):
    """An item of ``enrolment``'s learner with one PDF, mapped to ``codes`` of the
    enrolment's unit and submitted (call inside the centre's scope)."""
    from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
    from units.models import AssessmentCriterion

    item = EvidenceItemFactory(learner=enrolment.learner, title=title)
    add_evidence_files(item=item, actor=None, uploads=[pdf_upload(file_name)])
    criteria = AssessmentCriterion.objects.filter(outcome__page=enrolment.unit, code__in=codes)
    set_evidence_mappings(item=item, actor=None, claims={c.pk: f"It shows {c.code}." for c in criteria})
    submit_evidence_item(item=item, actor=None, declared=True)
    item.refresh_from_db()
    return item
