import datetime
import io
import random
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
from centre.models import Role, UnitGuidance
from centre.services import add_member, save_centre, set_offered_units
from common.scoping import centre_scope
from iqa.models import IqaSample, SamplingPlan
from iqa.services import record_sample_verdict, save_sampling_plan, start_samples
from learners.models import Enrolment, Learner
from learners.services import allocate_assessor
from learners.validators import uln_with_check_digit
from moderation.models import ModerationSample
from moderation.services import create_moderation_sample, grant_moderator_access
from networking.models import NetworkContact, NetworkingPrompt
from networking.services import ReviewLine, log_interaction, record_review, save_contact
from portfolio.models import EvidenceItem
from portfolio.services import (
    add_evidence_files,
    create_evidence_item,
    set_evidence_mappings,
    submit_evidence_item,
    update_evidence_item,
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

# The candidates ``--moderation-candidates`` adds, so that a bundle, its parts and the
# moderator's pages can be tried at a realistic size: their numbers and names.
CANDIDATE_NUMBERS_FROM = 101
CANDIDATE_FIRST_NAMES = ["Aisha", "Ben", "Chloe", "Dev", "Elin", "Femi", "Gwen", "Hamza", "Isla", "Jack"]
CANDIDATE_LAST_NAMES = ["Ahmed", "Brennan", "Cooper", "Davies", "Ellis", "Fraser", "Gill", "Hart", "Iqbal"]
WITNESSES = [
    ("Sarah Lloyd", "Operations manager", "line manager"),
    ("Kwame Mensah", "Partnerships lead", "colleague"),
    ("Ruth Evans", "Events coordinator", "client"),
]


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
            if moderation_candidates:
                self._moderation_at_size(centre, people, enrolment, moderation_candidates)

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
                    self._candidate_portfolio(enrolment, assessor, seed=n)
                    if n % 3 == 0:
                        self._iqa_agrees(enrolment, iqa)
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

    def _candidate_portfolio(self, enrolment, assessor, *, seed):
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
                [_photograph(seed, 0, "JPEG"), _photograph(seed, 1, "PNG")],
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
                [_photograph(seed, 2, "JPEG")],
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
                        _plan_pdf(f"{learner.first_name} {learner.last_name}"),
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
                        SimpleUploadedFile(name, content, content_type)
                        for name, content, content_type in files
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

    def _iqa_agrees(self, enrolment, iqa):
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
        record_sample_verdict(
            sample=sample, iqa=iqa, verdict="agree", comments="Sound decisions.", actions=[]
        )


def _photograph(seed: int, index: int, format: str) -> tuple[str, bytes, str]:
    """A 1200×900 picture with a photograph's gradients and grain, different for every
    ``seed`` and ``index`` (never the same bytes twice, as real photographs are not)."""
    rng = random.Random(seed * 10 + index)  # noqa: S311 (pictures, not secrets)
    image = Image.effect_noise((1200, 900), 30 + rng.randint(0, 30)).convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(14):
        x, y, r = rng.randint(0, 1200), rng.randint(0, 900), rng.randint(80, 260)
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255), 110)
        draw.ellipse((x - r, y - r * 3 // 4, x + r, y + r * 3 // 4), fill=colour)
    draw.text((40, 40), f"Demo photograph {seed + 1}.{index + 1}", fill=(255, 255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(1.1))
    content = io.BytesIO()
    image.save(content, format, **({"quality": 85} if format == "JPEG" else {}))
    extension = "jpg" if format == "JPEG" else "png"
    return f"photo-{seed + 1}-{index + 1}.{extension}", content.getvalue(), f"image/{format.lower()}"


def _plan_pdf(name: str) -> bytes:
    """A small two-page PDF, written directly (no renderer needed): the learner's plan."""
    pages = [
        [f"Networking plan: {name}", "Aims for the year: three new partners, one funding lead."],
        ["Review dates", "Each quarter, with my manager; contacts' details kept under policy DP-04."],
    ]
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for lines in pages:
        text = " ".join(
            f"BT /F1 {16 if n == 0 else 11} Tf 72 {760 - 30 * n} Td ({_pdf_text(line)}) Tj ET"
            for n, line in enumerate(lines)
        )
        objects.append(f"<< /Length {len(text)} >>\nstream\n{text}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {len(objects)} 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    content, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(content))
        content += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    table = len(content)
    content += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    content += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    content += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{table}\n%%EOF\n".encode()
    return content


def _pdf_text(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("’", "'")
