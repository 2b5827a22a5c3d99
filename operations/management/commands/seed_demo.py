import datetime
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
from centre.models import Role, UnitGuidance
from centre.services import add_member, save_centre, set_offered_qualifications, set_offered_units
from common.scoping import centre_scope
from iqa.services import record_sample_verdict, save_sampling_plan, start_samples
from learners.models import Enrolment, Learner, Registration
from learners.services import allocate_assessor
from learners.validators import uln_with_check_digit
from moderation.models import ModerationSample
from moderation.services import create_moderation_sample, grant_moderator_access
from networking.models import NetworkContact, NetworkingPrompt
from networking.services import ReviewLine, log_interaction, record_review, save_contact
from operations.demo.candidates import candidate_portfolio, iqa_agrees
from operations.demo.content import (
    CANDIDATE_FIRST_NAMES,
    CANDIDATE_LAST_NAMES,
    CANDIDATE_NUMBERS_FROM,
    CATALOGUE_EDITOR,
    DEMO_CENTRE_NAME,
    DEMO_CENTRE_NUMBER,
    DEMO_CONTACTS,
    DEMO_EVIDENCE,
    DEMO_GUIDANCE,
    DEMO_LEARNER_ULN,
    DEMO_NETWORKING_OUTLINE,
    DEMO_NETWORKING_PROMPT,
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    DEMO_QUALIFICATION,
    SEED_UNIT,
    SEED_URN,
    SIGNED_OFF_LEARNER,
)
from portfolio.models import EvidenceItem
from portfolio.services import (
    create_evidence_item,
    set_evidence_mappings,
    submit_evidence_item,
)
from units.models import AssessmentCriterion, QualificationPage, UnitPage
from units.parsing import parse_unit_file
from units.qualification_spec import qualification_from_data
from units.services import import_qualification, import_unit


class Command(BaseCommand):
    help = "Load the demo centre, a person in every role, and the seed unit. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--moderation-candidates",
            type=int,
            default=0,
            metavar="N",
            help="Also fill the demo's moderation sample with N signed-off candidates, each with "
            "several evidence items, photographs and a PDF (to try a bundle and its parts at size).",
        )

    def handle(self, *args, moderation_candidates=0, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo creates accounts with a published password; not in production.")
        if not 0 <= moderation_candidates <= 899:
            raise CommandError("--moderation-candidates must be between 0 and 899.")
        with transaction.atomic():
            # The seed unit is imported once; a catalogue editor's later changes to it stay.
            if not UnitPage.objects.filter(urn=SEED_URN).exists():
                import_unit(spec=parse_unit_file(SEED_UNIT.read_bytes()))
                # The seed unit is about personal networks: the demo turns its records on, as
                # a catalogue editor would in the unit's settings.
                unit = UnitPage.objects.get(urn=SEED_URN)
                unit.networking_records = True
                unit.save_revision().publish()
            # A qualification built on the seed unit, imported once, as the unit is.
            if not QualificationPage.objects.filter(number=DEMO_QUALIFICATION["number"]).exists():
                import_qualification(spec=qualification_from_data(DEMO_QUALIFICATION))
            centre, _ = save_centre(number=DEMO_CENTRE_NUMBER, name=DEMO_CENTRE_NAME)
            set_offered_units(centre=centre, urns=[SEED_URN])
            set_offered_qualifications(centre=centre, numbers=[DEMO_QUALIFICATION["number"]])
            editor = self._person(*CATALOGUE_EDITOR)
            editor.groups.add(Group.objects.get(name="Catalogue editors"))
            people = {}
            for email, first_name, last_name, role in DEMO_PEOPLE:
                people[role] = self._person(email, first_name, last_name)
                if role != Role.LEARNER:  # a learner's role comes with their learner record
                    add_member(centre=centre, email=email, role=role)
            assessor = people[Role.ASSESSOR]
            learner, enrolment = self._learner_on_the_seed_unit(
                centre, people[Role.LEARNER], assessor, DEMO_LEARNER_ULN, "0001"
            )
            add_member(centre=centre, email=learner.email, role=Role.LEARNER)
            with centre_scope(centre):
                UnitGuidance.objects.get_or_create(
                    centre=centre, unit=enrolment.unit, defaults={"body": DEMO_GUIDANCE}
                )
                if not EvidenceItem.objects.filter(learner=learner).exists():
                    self._portfolio(learner, enrolment)
                NetworkingPrompt.objects.get_or_create(
                    centre=centre,
                    defaults={"prompt": DEMO_NETWORKING_PROMPT, "outline": DEMO_NETWORKING_OUTLINE},
                )
                if not NetworkContact.objects.filter(learner=learner).exists():
                    self._network(learner)
            email, first_name, last_name, uln, candidate = SIGNED_OFF_LEARNER
            mia = self._person(email, first_name, last_name)
            learner, enrolment = self._learner_on_the_seed_unit(centre, mia, assessor, uln, candidate)
            add_member(centre=centre, email=email, role=Role.LEARNER)
            with centre_scope(centre):
                if not enrolment.sign_offs.exists():
                    self._signed_off_and_sampled(enrolment, assessor, people[Role.IQA])
                if not ModerationSample.objects.filter(centre=centre, unit=enrolment.unit).exists():
                    sample = create_moderation_sample(
                        centre=centre,
                        unit=enrolment.unit,
                        actor=people[Role.CENTRE_ADMIN],
                        enrolment_ids=[enrolment.pk],
                    )
                    grant_moderator_access(
                        sample=sample, actor=people[Role.CENTRE_ADMIN], email=people[Role.MODERATOR].email
                    )
            if moderation_candidates:
                self._moderation_at_size(centre, people, enrolment, moderation_candidates)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {centre}, unit {SEED_URN}, qualification {DEMO_QUALIFICATION['number']}."
            )
        )
        self.stdout.write(f"Every demo account's password is {DEMO_PASSWORD}")
        if settings.WAYMARK_REQUIRE_TWO_FACTOR:
            self.stdout.write(
                "Staff accounts ask you to set up an authenticator app at their first sign-in; "
                "to try Waymark without one, run with WAYMARK_REQUIRE_TWO_FACTOR=false."
            )
        self.stdout.write(f"  {'catalogue editor':<24} {CATALOGUE_EDITOR[0]:<32} sign in at /admin/")
        for email, _, _, role in DEMO_PEOPLE:
            self.stdout.write(f"  {Role(role).label.lower():<24} {email:<32} sign in at /accounts/sign-in/")
        self.stdout.write(
            f"  {'learner, signed off':<24} {SIGNED_OFF_LEARNER[0]:<32} sign in at /accounts/sign-in/"
        )

    def _person(self, email, first_name, last_name):
        user, created = get_user_model().objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _learner_on_the_seed_unit(self, centre, user, assessor, uln, candidate_number):
        """The learner, registered on the demo qualification and enrolled on its one unit."""
        with centre_scope(centre):
            learner, _ = Learner.objects.get_or_create(
                centre=centre,
                uln=uln,
                defaults={
                    "user": user,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "email": user.email,
                    "candidate_number": candidate_number,
                },
            )
            enrolment, _ = Enrolment.objects.get_or_create(
                centre=centre,
                learner=learner,
                unit=UnitPage.objects.get(urn=SEED_URN),
                defaults={"start_date": datetime.date(2026, 9, 7)},
            )
            allocate_assessor(enrolment=enrolment, assessor=assessor)
            enrolment.refresh_from_db()
            Registration.objects.get_or_create(
                centre=centre,
                learner=learner,
                qualification=QualificationPage.objects.get(number=DEMO_QUALIFICATION["number"]),
            )
        return learner, enrolment

    def _signed_off_and_sampled(self, enrolment, assessor, iqa):
        learner = enrolment.learner
        criteria = list(AssessmentCriterion.objects.filter(outcome__page=enrolment.unit))
        item, _ = create_evidence_item(
            learner=learner,
            actor=learner.user,
            kind="written_account",
            title="My personal networks, used and reviewed",
            body="How I built my networks, what each gives my organisation, and my review of them.",
            details={},
            creation_token=uuid.uuid5(uuid.NAMESPACE_URL, "waymark-demo:signed-off"),
        )
        set_evidence_mappings(
            item=item, actor=learner.user, claims={c.pk: f"It covers {c.code}." for c in criteria}
        )
        submit_evidence_item(item=item, actor=learner.user, declared=True)
        assess_submission(
            item=item,
            assessor=assessor,
            judgements={c.pk: Judgement("met", "Well evidenced.", 0) for c in criteria},
        )
        sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
        countersign_unit(sign_off=sign_off, learner_user=learner.user, declared=True)
        plan = save_sampling_plan(
            centre=enrolment.centre,
            unit=enrolment.unit,
            actor=iqa,
            standard_rate=25,
            higher_rate=50,
            methods=[],
            risks={},
        )
        (sample,) = start_samples(plan=plan, iqa=iqa, picks=[(enrolment.pk, "summative")])
        record_sample_verdict(
            sample=sample, iqa=iqa, verdict="agree", comments="Sound decisions.", actions=[]
        )

    def _network(self, learner):
        """Three contacts (one who has not consented to sharing), an interaction and a review."""
        contacts = [save_contact(learner=learner, actor=learner.user, data=data) for data in DEMO_CONTACTS]
        log_interaction(
            contact=contacts[0],
            data={
                "occurred_on": timezone.localdate() - datetime.timedelta(days=12),
                "purpose": "Asked about apprenticeship funding",
                "outcome": "She sent the guidance and offered to review our bid.",
                "follow_up": "Send the draft bid by the end of the month.",
            },
        )
        record_review(
            learner=learner,
            reviewed_on=timezone.localdate() - datetime.timedelta(days=5),
            reflection="The finance forum has been the most useful: one conversation led to a funding lead.",
            future_actions="Develop the council contact; attend the forum quarterly.",
            lines=[
                ReviewLine(contact=contacts[0], value="high", effort="low", decision="keep"),
                ReviewLine(contact=contacts[2], value="medium", effort="medium", decision="develop"),
            ],
        )

    def _portfolio(self, learner, enrolment):
        """One reflective statement submitted against 1.1 and 1.3, and a draft for 2.1."""
        criteria = {
            criterion.code: criterion
            for criterion in AssessmentCriterion.objects.filter(outcome__page=enrolment.unit)
        }
        for kind, title, body, notes, submit in DEMO_EVIDENCE:
            item, _ = create_evidence_item(
                learner=learner,
                actor=learner.user,
                kind=kind,
                title=title,
                body=body,
                details={},
                creation_token=uuid.uuid5(uuid.NAMESPACE_URL, f"waymark-demo:{title}"),
            )
            claims = {criteria[code].pk: note for code, note in notes.items() if code in criteria}
            set_evidence_mappings(item=item, actor=learner.user, claims=claims)
            if submit:
                submit_evidence_item(item=item, actor=learner.user, declared=True)

    def _moderation_at_size(self, centre, people, signed_off_enrolment, count):
        """``count`` more signed-off candidates in the demo's moderation sample, each with
        five evidence items (photographs and a PDF among them), made through the same
        services a learner, assessor and IQA use, so the audit trail and the recording
        sheets are as real use leaves them. Candidates already there are left alone."""
        assessor, iqa, admin = people[Role.ASSESSOR], people[Role.IQA], people[Role.CENTRE_ADMIN]
        enrolments = [signed_off_enrolment]
        for n in range(count):
            number = f"{CANDIDATE_NUMBERS_FROM + n:04d}"
            first_name = CANDIDATE_FIRST_NAMES[n % len(CANDIDATE_FIRST_NAMES)]
            last_name = CANDIDATE_LAST_NAMES[n % len(CANDIDATE_LAST_NAMES)]
            email = f"candidate{number}@demo.waymark.test"
            user = self._person(email, first_name, last_name)
            # The learner record first, so that the role given next finds it by email.
            _, enrolment = self._learner_on_the_seed_unit(
                centre, user, assessor, uln_with_check_digit(700_000_000 + 3 * n), number
            )
            add_member(centre=centre, email=email, role=Role.LEARNER)
            with centre_scope(centre):
                if not enrolment.sign_offs.exists():
                    candidate_portfolio(enrolment, assessor, seed=n)
                    if n % 3 == 0:
                        iqa_agrees(enrolment, iqa)
            enrolments.append(enrolment)
        with centre_scope(centre):
            wanted = {e.pk for e in enrolments}
            latest = ModerationSample.objects.filter(centre=centre, unit=signed_off_enrolment.unit).first()
            if latest is None or set(latest.learners.values_list("enrolment_id", flat=True)) != wanted:
                sample = create_moderation_sample(
                    centre=centre, unit=signed_off_enrolment.unit, actor=admin, enrolment_ids=sorted(wanted)
                )
                grant_moderator_access(sample=sample, actor=admin, email=people[Role.MODERATOR].email)
        self.stdout.write(f"The moderation sample holds {len(enrolments)} signed-off candidates.")
