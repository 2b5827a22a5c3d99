import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from centre.models import NetworkingPrompt, Role, UnitGuidance
from centre.scoping import centre_scope
from centre.services import add_member, save_centre, set_offered_units
from learners.evidence_services import create_evidence_item, set_evidence_mappings, submit_evidence_item
from learners.models import Enrolment, EvidenceItem, Learner, NetworkContact
from learners.network_services import ReviewLine, log_interaction, record_review, save_contact
from learners.services import allocate_assessor
from moderation.models import ModerationSample
from moderation.sample_services import create_moderation_sample, grant_moderator_access
from moderation.services import (
    Judgement,
    assess_submission,
    countersign_unit,
    record_sample_verdict,
    save_sampling_plan,
    sign_off_unit,
    start_samples,
)
from units.models import AssessmentCriterion, UnitPage
from units.parsing import parse_unit_file
from units.services import import_unit

DEMO_CENTRE_NUMBER = "99999"
DEMO_CENTRE_NAME = "Waymark Demo Centre"
DEMO_PASSWORD = "waymark-demo-2026"  # noqa: S105 (printed for the demo; refused in production)
SEED_UNIT = Path(settings.BASE_DIR) / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
SEED_URN = "R/600/9587"
DEMO_PEOPLE = [
    # (email, first name, last name, role in the demo centre)
    ("admin@demo.waymark.test", "Asha", "Patel", Role.CENTRE_ADMIN),
    ("assessor@demo.waymark.test", "Tom", "Hughes", Role.ASSESSOR),
    ("iqa@demo.waymark.test", "Grace", "Okafor", Role.IQA),
    ("learner@demo.waymark.test", "Liam", "Evans", Role.LEARNER),
    ("moderator@demo.waymark.test", "Morag", "Campbell", Role.MODERATOR),
]
CATALOGUE_EDITOR = ("editor@demo.waymark.test", "Cat", "Alogue")
DEMO_LEARNER_ULN = "9276308686"
# A second learner, further on: every criterion met, the unit signed off and countersigned,
# and the IQA's summative sample agreed.
SIGNED_OFF_LEARNER = ("learner2@demo.waymark.test", "Mia", "Jones", "9276308708", "0002")
DEMO_GUIDANCE = (
    "<p>Keep a networking diary from your first week: every event, call and introduction, "
    "with what each side gained. Your assessor will ask to see it at your first review.</p>"
)
DEMO_NETWORKING_PROMPT = (
    "<p>Write guidelines a colleague could follow when they network for Northgate: how to "
    "approach contacts, what must never be shared, and how contacts’ details are kept under our "
    "data protection policy (DP-04).</p>"
)
DEMO_NETWORKING_OUTLINE = (
    "## Finding and approaching contacts\n\n"
    "## What we share and what we never share\n\n"
    "## Keeping contacts’ details\n"
)
DEMO_CONTACTS = [
    {
        "kind": "individual",
        "name": "Priya Shah",
        "organisation": "Harbour Bank",
        "sector": "finance",
        "email": "priya.shah@harbour-bank.example",
        "phone": "020 7946 0958",
        "how_met": "Regional finance forum, March.",
        "they_offer": "Advice on funding bids.",
        "you_offer": "Introductions to local training providers.",
        "organisation_benefit": "A route to apprenticeship funding.",
        "strength": 3,
        "next_action": "Send the draft bid.",
        "consented": True,
    },
    {
        "kind": "organisation",
        "name": "Northgate Chamber of Commerce",
        "sector": "business",
        "how_met": "Joined as a member.",
        "they_offer": "Monthly networking breakfasts.",
        "you_offer": "A talk on training for small firms.",
        "strength": 2,
        "consented": True,
    },
    {
        "kind": "individual",
        "name": "Dan Whitfield",
        "organisation": "Northgate Council",
        "sector": "public",
        "email": "dan.whitfield@council.example",
        "how_met": "Council jobs fair.",
        "they_offer": "News of council training contracts.",
        "you_offer": "Placements for council apprentices.",
        "strength": 1,
        "next_action": "Ask for a meeting in the new year.",
        "consented": False,
    },
]
DEMO_EVIDENCE = [
    # (kind, title, text, {criterion code: how it meets it}, submitted?)
    (
        "reflective_statement",
        "What networking has done for me",
        "Since joining the local chamber of commerce I have met two suppliers who now quote for "
        "our catering work.\n\nI keep their details in our CRM only with their agreement, and I "
        "never pass them on without asking first.",
        {
            "1.1": "It weighs what networking has brought me and my organisation.",
            "1.3": "It explains how I keep my contacts' details private.",
        },
        True,
    ),
    (
        "written_account",
        "My networks and why I chose them",
        "The networks I belong to, and what each one is for.",
        {"2.1": "It lists the networks I use and why."},
        False,
    ),
]


class Command(BaseCommand):
    help = "Load the demo centre, a person in every role, and the seed unit. Safe to run again."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo creates accounts with a published password; not in production.")
        with transaction.atomic():
            # The seed unit is imported once; a catalogue editor's later changes to it stay.
            if not UnitPage.objects.filter(urn=SEED_URN).exists():
                import_unit(spec=parse_unit_file(SEED_UNIT.read_bytes()))
                # The seed unit is about personal networks: the demo turns its records on, as
                # a catalogue editor would in the unit's settings.
                unit = UnitPage.objects.get(urn=SEED_URN)
                unit.networking_records = True
                unit.save_revision().publish()
            centre, _ = save_centre(number=DEMO_CENTRE_NUMBER, name=DEMO_CENTRE_NAME)
            set_offered_units(centre=centre, urns=[SEED_URN])
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

        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {centre}, unit {SEED_URN}."))
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
