"""The people of benchmarks/load.py and the work waiting for them, made with Waymark's own
services as a centre makes them (a register imported, staff added and set up with their
authenticator apps, evidence submitted, units signed off, an IQA plan and moderation
samples), in a Django set up with scripts/serve's settings."""

import io
import math
import os
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
URN = "R/600/9587"
PASSWORD = "A load test passphrase, 2026"  # noqa: S105 (the simulated people's, on a throwaway database)


def set_up_django(env: dict[str, str]) -> None:
    """Django with scripts/serve's settings, and nothing of the caller's environment (a
    test run's settings module or evidence folder), to make the people and read them back."""
    os.environ.clear()
    os.environ.update(env)
    # The people are made with the services, whose invitations go nowhere.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def uln(n: int) -> str:
    from learners.validators import uln_with_check_digit

    return uln_with_check_digit(600000000 + 7 * n)


def make_people(mix: dict[str, int], seconds: int) -> tuple[dict, dict]:
    """The centre, its staff and learners, and the work waiting for them, made with
    Waymark's own services as a centre makes them; the people file's contents, and what
    the database holds before the load (to tell what the load added)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from accounts.services import confirm_authenticator, unconfirmed_authenticator
    from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
    from centre.models import Role
    from centre.selectors import centre_by_number
    from centre.services import add_member
    from common.scoping import centre_scope, scopes_disabled
    from iqa.services import save_sampling_plan
    from learners.models import Enrolment
    from learners.registration.imports import import_register
    from learners.registration.register import read_register
    from moderation.services import create_moderation_sample, grant_moderator_access
    from portfolio.services import create_evidence_item, set_evidence_mappings, submit_evidence_item
    from units.models import UnitPage

    quiet = io.StringIO()
    call_command("import_unit", str(SEED), stdout=quiet)
    call_command("create_centre", number="10001", name="Loadbridge College", offer=[URN], stdout=quiet)
    with scopes_disabled():
        centre = centre_by_number(number="10001")
    unit = UnitPage.objects.get(urn=URN)
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    users = get_user_model().objects

    def staff(role: str, email: str, first: str, last: str) -> dict:
        membership, _ = add_member(centre=centre, email=email, role=role, first_name=first, last_name=last)
        user = membership.user
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        device = unconfirmed_authenticator(user=user)
        confirm_authenticator(device=device, actor=user)
        return {"email": email, "password": PASSWORD, "key": device.key, "user": user.pk}

    with centre_scope(centre):
        admin, _ = add_member(centre=centre, email="admin@load.example.org", role=Role.CENTRE_ADMIN)
        assessors = [
            staff(Role.ASSESSOR, f"assessor{n}@load.example.org", "Asha", f"Assessor{n}")
            for n in range(mix["assessors"])
        ]
        iqas = [staff(Role.IQA, f"iqa{n}@load.example.org", "Ivor", f"Iqa{n}") for n in range(mix["iqas"])]

        # Each assessor judges about one submission every few seconds; three submissions
        # (two criteria each) per waiting learner, and some to spare.
        waiting_per_assessor = math.ceil((seconds / 4 + 6) / 3)
        # Each IQA samples about one learner every ten seconds; each moderator's sample is five.
        signed_off_count = max(5 * mix["moderators"], mix["iqas"] * math.ceil(seconds / 10 + 3))
        rows, number = [], 0

        def row(kind: str, assessor: dict) -> None:
            nonlocal number
            email = f"{kind}{number}@load.example.org"
            rows.append(
                f"Lee,{kind.title()}{number},{email},{uln(number)},{number:04d},{URN},{assessor['email']}"
            )
            number += 1

        for n in range(mix["learners"]):
            row("learner", assessors[n % len(assessors)])
        for assessor in assessors:
            for _ in range(waiting_per_assessor):
                row("waiting", assessor)
        for n in range(signed_off_count):
            row("signedoff", assessors[n % len(assessors)])
        register = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email\n" + "\n".join(
            rows
        )
        import_register(
            centre=centre, register=read_register(register.encode(), filename="register.csv"), invite=False
        )
        enrolments = {
            e.learner.email: e
            for e in Enrolment.objects.filter(centre=centre).select_related("learner__user", "assessor")
        }

        learners = []
        for email, enrolment in enrolments.items():
            if email.startswith("learner"):
                user = enrolment.learner.user
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
                learners.append({"email": email, "password": PASSWORD, "user": user.pk})

        def evidence(enrolment, title: str, claimed):
            learner_user = enrolment.learner.user
            item, _ = create_evidence_item(
                learner=enrolment.learner,
                actor=learner_user,
                kind="written_account",
                title=title,
                body="What I did at work, and how it meets the criteria.",
                details={},
                creation_token=uuid.uuid4(),
            )
            set_evidence_mappings(
                item=item, actor=learner_user, claims={c.pk: f"Meets {c.code}." for c in claimed}
            )
            submit_evidence_item(item=item, actor=learner_user, declared=True)
            return item

        to_judge = {assessor["user"]: [] for assessor in assessors}
        signed_off = []
        for email, enrolment in enrolments.items():
            if email.startswith("waiting"):
                for n in range(3):
                    item = evidence(enrolment, f"Account {n + 1}", criteria[2 * n : 2 * n + 2])
                    to_judge[enrolment.assessor_id].append(item.pk)
            elif email.startswith("signedoff"):
                item = evidence(enrolment, "Account of my networking", criteria)
                assessor = enrolment.assessor
                assess_submission(
                    item=item,
                    assessor=assessor,
                    judgements={c.pk: Judgement("met", "Good.", 0) for c in criteria},
                )
                sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
                countersign_unit(sign_off=sign_off, learner_user=enrolment.learner.user, declared=True)
                signed_off.append(enrolment.pk)
        for assessor in assessors:
            assessor["to_judge"] = to_judge[assessor["user"]]

        save_sampling_plan(
            centre=centre,
            unit=unit,
            actor=users.get(pk=iqas[0]["user"]),
            standard_rate=25,
            higher_rate=50,
            methods=[],
            risks={},
        )
        for n, iqa in enumerate(iqas):
            iqa["unit"], iqa["share"] = unit.pk, signed_off[n :: len(iqas)]
        moderators = []
        for n in range(mix["moderators"]):
            sample = create_moderation_sample(
                centre=centre, unit=unit, actor=admin.user, enrolment_ids=signed_off[5 * n : 5 * n + 5]
            )
            email = f"moderator{n}@load.example.org"
            grant_moderator_access(
                sample=sample, actor=admin.user, email=email, first_name="Mo", last_name=f"Moderator{n}"
            )
            moderator = staff(Role.MODERATOR, email, "Mo", f"Moderator{n}")
            moderators.append({**moderator, "sample": sample.pk})
    people = {"learners": learners, "assessors": assessors, "iqas": iqas, "moderators": moderators}
    return people, baseline()


def baseline() -> dict:
    """The newest row of each table the load writes to, before it starts."""
    from django.db.models import Max

    from assessment.models import CriterionDecision
    from audit.models import AuditRecord
    from common.scoping import scopes_disabled
    from iqa.models import IqaSample
    from moderation.models import BundleRender
    from portfolio.models import EvidenceFile, EvidenceItem

    with scopes_disabled():
        newest = {
            model.__name__: model.objects.aggregate(newest=Max("pk"))["newest"] or 0
            for model in (EvidenceItem, EvidenceFile, CriterionDecision, IqaSample, BundleRender)
        }
        newest["audit"] = AuditRecord.objects.aggregate(newest=Max("sequence"))["newest"] or 0
    return newest
