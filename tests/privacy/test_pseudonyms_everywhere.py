"""A contact who has not consented reaches nobody but the learner, however the learner
wrote them and wherever: no fragment of their name, email address or telephone number is
on any page the staff see, in the moderation bundle, its ZIP or the subject access
archive."""

import html
import io
import json
import re
import unicodedata
import uuid
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessment.models import UnitSignOff
from assessment.services import Judgement, assess_submission
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from iqa.services import record_sample_verdict
from learners.services import allocate_assessor
from moderation.bundle import render_bundle
from moderation.selectors import candidates_of
from moderation.services import create_moderation_sample, grant_moderator_access
from networking.models import NetworkReview
from networking.services import save_guidelines
from portfolio.models import EvidenceItem
from portfolio.services import (
    add_evidence_files,
    create_evidence_item,
    set_evidence_mappings,
    submit_evidence_item,
)
from privacy.services import export_learner
from tests.factories import PDF_BYTES, EnrolmentFactory, LearnerFactory, MembershipFactory
from tests.factories.moderation import png, upload
from tests.factories.networking import contact, enable_networking, review, submitted_record
from tests.helpers import countersigned, sampled_by_iqa

NAME = "Zéphyrine Oyelaran-Whitcombe"
EMAIL = "zephyrine.ow@example.org"
# Every way the learner writes her: accents or none, the surname's parts joined by a
# space, a hyphen, a non-breaking hyphen or an en dash, any case, decomposed accents,
# first name or a surname part alone, the email and the number however spaced.
SPELLINGS = [
    "Zéphyrine Oyelaran-Whitcombe",
    "Zephyrine Oyelaran Whitcombe",
    "zephyrine oyelaran\u2011whitcombe",
    "ZÉPHYRINE OYELARAN–WHITCOMBE",
    "Ze\u0301phyrine\u00a0Oyelaran-Whitcombe",
    "Zephyrine",
    "zéphyrine’s",
    "Oyelaran",
    "WHITCOMBE",
    "Ms Whitcombe",
    EMAIL,
    "Zephyrine.OW@example.org",
    "07912 900987",
    "07912900987",
    "+44 7912 900 987",
    "(0)7912-900-987",
]
ALL_OF_THEM = "; ".join(SPELLINGS)
# What must not appear, compared without accents or case.
FRAGMENTS = ["zephyrine", "oyelaran", "whitcombe", "zephyrine.ow"]
PHONE = re.compile(r"7\D{0,3}9\D{0,3}1\D{0,3}2\D{0,3}9\D{0,3}0\D{0,3}0\D{0,3}9\D{0,3}8\D{0,3}7")


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", html.unescape(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def leaks(text: str) -> list[str]:
    text = folded(text)
    found = [fragment for fragment in FRAGMENTS if fragment in text]
    if PHONE.search(text):
        found.append("phone")
    return found


def item(learner, kind, *, title, body, details=None, files=()):
    made, _ = create_evidence_item(
        learner=learner,
        actor=learner.user,
        kind=kind,
        title=title,
        body=body,
        details=details or {},
        creation_token=uuid.uuid4(),
    )
    if files:
        add_evidence_files(item=made, actor=learner.user, uploads=list(files))
    return made


@pytest.fixture
def world(centre_a, seed_unit, django_capture_on_commit_callbacks):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    enable_networking(seed_unit)
    assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
    iqa = MembershipFactory(centre=centre_a, role=Role.IQA).user
    admin = MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN).user
    user = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
    learner = LearnerFactory(
        centre=centre_a, user=user, first_name="Ada", last_name="Lovelace", candidate_number="0042"
    )
    enrolment = EnrolmentFactory(learner=learner, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
        enrolment.refresh_from_db()
        contact(learner, "Priya Shah", how_met=f"Introduced me to {ALL_OF_THEM}.")
        zephyrine = contact(
            learner,
            NAME,
            consented=False,
            organisation="Whitcombe & Daughters",
            email=EMAIL,
            phone="07912 900987",
            how_met=ALL_OF_THEM,
            they_offer=f"Mentoring from zephyrine oyelaran whitcombe ({EMAIL}).",
            next_action="Ring Zephyrine on 07912 900 987.",
        )
        review(
            learner,
            [
                {
                    "contact": zephyrine,
                    "value": "high",
                    "effort": "low",
                    "decision": "keep",
                    "comment": ALL_OF_THEM,
                }
            ],
            reviewed_on=date(2026, 3, 1),
        )
        save_guidelines(learner=learner, body=f"Ask before sharing, as {ALL_OF_THEM} taught me.")
        items = [
            item(
                learner,
                "written_account",
                title="Meeting Zéphyrine Oyelaran–Whitcombe",
                body=f"I met {ALL_OF_THEM} at the forum.",
                files=[
                    upload("Zephyrine_Oyelaran-Whitcombe reference.pdf", PDF_BYTES, "application/pdf"),
                    upload("oyelaran whitcombe board.png", png(), "image/png"),
                ],
            ),
            item(
                learner,
                "witness_testimony",
                title="Statement by Ms Oyelaran Whitcombe",
                body=f"Witnessed by {ALL_OF_THEM}.",
                details={
                    "witness_name": "Zéphyrine Oyelaran-Whitcombe",
                    "witness_role": "Mentor, reachable on 07912 900987",
                    "relationship": f"Mentor ({EMAIL})",
                    "witnessed_on": "2026-02-01",
                },
            ),
            item(
                learner,
                "observation",
                title="Observed at Whitcombe’s office",
                body=f"Observed with {ALL_OF_THEM}.",
                details={
                    "observer_name": "Zephyrine Oyelaran Whitcombe",
                    "observer_role": "Expert witness",
                    "observed_on": "2026-02-02",
                    "setting": "Zéphyrine’s office at the bank",
                },
            ),
            item(
                learner,
                "professional_discussion",
                title="Discussion about Zephyrine",
                body=f"We discussed {ALL_OF_THEM}.",
                details={
                    "discussed_on": "2026-02-03",
                    "participants": "My assessor and zephyrine oyelaran-whitcombe",
                    "duration_minutes": 30,
                },
            ),
        ]
        criteria = [c for o in seed_unit.learning_outcomes.all() for c in o.criteria.all()]
        for made, criterion in zip(items, criteria, strict=False):
            set_evidence_mappings(
                item=made, actor=user, claims={criterion.pk: f"{criterion.code}: as {ALL_OF_THEM} saw."}
            )
            submit_evidence_item(item=made, actor=user, declared=True)
        reviewed = NetworkReview.objects.get(learner=learner)
        records = [
            submitted_record(enrolment, details, codes=[criterion.code], body=f"About {ALL_OF_THEM}.")
            for details, criterion in zip(
                [
                    {"record": "register"},
                    {"record": "review", "review": reviewed.pk},
                    {"record": "guidelines"},
                ],
                criteria[len(items) :],
                strict=True,
            )
        ]
        every_item = [*items, *(version.item for version in records)]
        # One item per criterion, so every one of them is on the recording sheet and in the
        # bundle. All but the first are judged here; the assessor judges the first on the page.
        for made, criterion in zip(every_item[1:], criteria[1:], strict=True):
            assess_submission(
                item=made, assessor=assessor, judgements={criterion.pk: Judgement("met", "Good.", 0)}
            )
    return {
        "centre": centre_a,
        "learner": learner,
        "enrolment": enrolment,
        "assessor": assessor,
        "iqa": iqa,
        "admin": admin,
        "items": every_item,
        "criteria": criteria,
        "unit": seed_unit,
    }


def _page(client, url, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _downloaded_as(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response["Content-Disposition"]


def test_a_contact_who_has_not_consented_reaches_no_staff_page_bundle_or_archive(
    client, world, django_capture_on_commit_callbacks
):
    centre, learner, enrolment = world["centre"], world["learner"], world["enrolment"]
    items, criteria = world["items"], world["criteria"]
    seen: dict[str, str] = {}

    # The assessor: caseload, the learner's page, each item's judging page and files, the
    # grid; the first item judged on its page (the message afterwards names it).
    client.force_login(world["assessor"])
    seen["caseload"] = _page(client, reverse("assessment:caseload"))
    for made in items:
        url = reverse("assessment:judge", kwargs={"item_id": made.pk})
        seen[f"judge {made.kind} {made.pk}"] = _page(client, url)
    with centre_scope(centre):
        files = [f for made in items for f in made.files.all()]
    assert len(files) == 2
    for evidence_file in files:
        url = reverse("portfolio:file", kwargs={"file_id": evidence_file.pk})
        seen[f"assessor download {evidence_file.pk}"] = _downloaded_as(client, url)
        seen[f"assessor inline {evidence_file.pk}"] = _downloaded_as(client, url + "?inline=1")
    first = criteria[0]
    data = {
        "action": "accept",
        f"outcome-{first.pk}": "met",
        f"feedback-{first.pk}": "",
        f"seen-{first.pk}": 0,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment:judge", kwargs={"item_id": items[0].pk}), data, follow=True
        )
    assert response.status_code == 200
    seen["after judging"] = response.content.decode()
    seen["enrolment (assessor)"] = _page(
        client, reverse("assessment:enrolment", kwargs={"enrolment_id": enrolment.pk})
    )
    seen["grid (assessor)"] = _page(
        client, reverse("assessment:unit_grid", kwargs={"unit_id": world["unit"].pk})
    )
    seen["sign-off form"] = _page(
        client, reverse("assessment:sign_off_unit", kwargs={"enrolment_id": enrolment.pk})
    )

    with centre_scope(centre):
        for made in items:
            made.refresh_from_db()
        assert {made.status for made in items} == {EvidenceItem.Status.ASSESSED}
        sign_off = countersigned(enrolment, assessor=world["assessor"])
        iqa_sample = sampled_by_iqa(enrolment, iqa=world["iqa"])
        sample = create_moderation_sample(
            centre=centre, unit=world["unit"], actor=world["admin"], enrolment_ids=[enrolment.pk]
        )
        access = grant_moderator_access(sample=sample, actor=world["admin"], email="morag@ocr.example")
    seen["recording sheet (assessor)"] = _page(
        client, reverse("assessment:sign_off", kwargs={"sign_off_id": sign_off.pk})
    )

    # The IQA: their home, the plan, the sample, the grid, the learner's page, the trail.
    client.force_login(world["iqa"])
    seen["iqa home"] = _page(client, reverse("iqa:home"))
    seen["iqa plan"] = _page(client, reverse("iqa:plan", kwargs={"unit_id": world["unit"].pk}))
    seen["iqa sample"] = _page(client, reverse("iqa:sample", kwargs={"iqa_sample_id": iqa_sample.pk}))
    seen["grid (iqa)"] = _page(client, reverse("assessment:unit_grid", kwargs={"unit_id": world["unit"].pk}))
    seen["enrolment (iqa)"] = _page(
        client, reverse("assessment:enrolment", kwargs={"enrolment_id": enrolment.pk})
    )
    seen["recording sheet (iqa)"] = _page(
        client, reverse("assessment:sign_off", kwargs={"sign_off_id": sign_off.pk})
    )
    for evidence_file in files:
        url = reverse("portfolio:file", kwargs={"file_id": evidence_file.pk})
        seen[f"iqa download {evidence_file.pk}"] = _downloaded_as(client, url)
    with centre_scope(centre):
        record_sample_verdict(sample=iqa_sample, iqa=world["iqa"], verdict="agree", comments="", actions=[])
    seen["audit trail (iqa)"] = _page(client, reverse("centre:audit_trail"))

    # The centre admin: the sample and the learner's records.
    client.force_login(world["admin"])
    seen["manage sample"] = _page(
        client, reverse("moderation:manage_sample", kwargs={"sample_id": sample.pk})
    )
    seen["audit trail (admin)"] = _page(client, reverse("centre:audit_trail"))
    seen["learner records"] = _page(client, reverse("privacy:records", kwargs={"learner_id": learner.pk}))

    # The moderator: the sample, the learner, each file, the bundle and its ZIP.
    client.force_login(access.moderator)
    seen["moderator home"] = _page(client, reverse("moderation:home"))
    seen["moderator sample"] = _page(client, reverse("moderation:sample", kwargs={"sample_id": sample.pk}))
    seen["moderator candidate"] = _page(
        client, reverse("moderation:candidate", kwargs={"sample_id": sample.pk, "enrolment_id": enrolment.pk})
    )
    for evidence_file in files:
        url = reverse("moderation:file", kwargs={"sample_id": sample.pk, "file_id": evidence_file.pk})
        seen[f"moderator download {evidence_file.pk}"] = _downloaded_as(client, url)
    with centre_scope(centre):
        bundle = render_bundle(sample=sample, candidates=candidates_of(sample=sample))
        sheet = UnitSignOff.objects.get(pk=sign_off.pk).recording_sheet
    seen["bundle pdf"] = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bundle.pdf)).pages)
    with zipfile.ZipFile(io.BytesIO(bundle.archive)) as archive:
        names = archive.namelist()
        seen["zip names"] = "\n".join(names)
        seen["manifest.json"] = archive.read("manifest.json").decode()
        seen["manifest.csv"] = archive.read("manifest.csv").decode()
    assert len(json.loads(seen["manifest.json"])) == 2

    # The subject access archive, every file in it.
    with centre_scope(centre):
        exported = export_learner(learner)
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        seen["subject access names"] = "\n".join(archive.namelist())
        for name in archive.namelist():
            seen[f"subject access {name}"] = archive.read(name).decode("utf-8", errors="ignore")

    leaked = {where: found for where, text in seen.items() if (found := leaks(text))}
    assert leaked == {}
    # The pages still show the evidence, only with her pseudonym.
    assert "Contact C2" in html.unescape(seen["moderator candidate"])
    assert "Contact C2" in html.unescape(seen[f"judge written_account {items[0].pk}"])
    assert "Contact C2" in seen["bundle pdf"].replace("\n", " ")
    # Every item is on the recording sheet, so in the moderator's page and the bundle.
    assert sorted(e["item"] for row in sheet["criteria"] for e in row["evidence"]) == sorted(
        i.pk for i in items
    )


def test_the_learner_still_sees_what_they_wrote(client, world):
    client.force_login(world["learner"].user)
    written = world["items"][0]
    page = html.unescape(_page(client, reverse("portfolio:evidence", kwargs={"item_id": written.pk})))
    assert "Meeting Zéphyrine Oyelaran–Whitcombe" in page
    assert "Zephyrine_Oyelaran-Whitcombe reference.pdf" in page


def test_a_deleted_contact_leaves_every_kind_of_evidence_and_its_file_names(
    client, centre_a, seed_unit, django_capture_on_commit_callbacks
):
    """Once deleted, a contact can no longer be looked up when a page is shown: their
    name is taken out of what was stored, in every kind of item, not only networking."""
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    enable_networking(seed_unit)
    assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
    user = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
    learner = LearnerFactory(centre=centre_a, user=user, first_name="Ada", last_name="Lovelace")
    enrolment = EnrolmentFactory(learner=learner, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
        zephyrine = contact(learner, NAME, consented=True, email=EMAIL, phone="07912 900987")
        witnessed = item(
            learner,
            "witness_testimony",
            title="Statement by Zephyrine Oyelaran Whitcombe",
            body=f"Witnessed by {ALL_OF_THEM}.",
            details={
                "witness_name": NAME,
                "witness_role": "Mentor",
                "relationship": f"Mentor ({EMAIL})",
                "witnessed_on": "2026-02-01",
            },
            files=[upload("Zephyrine_Oyelaran-Whitcombe statement.pdf", PDF_BYTES, "application/pdf")],
        )
        (criterion, *_) = [c for o in seed_unit.learning_outcomes.all() for c in o.criteria.all()]
        set_evidence_mappings(item=witnessed, actor=user, claims={criterion.pk: f"As {NAME} saw."})
        version = submit_evidence_item(item=witnessed, actor=user, declared=True)
        with django_capture_on_commit_callbacks(execute=True):
            from networking.services import delete_contact

            delete_contact(contact=zephyrine, actor=user)
        version.refresh_from_db()
        witnessed.refresh_from_db()
        stored = json.dumps(
            {
                "snapshot": version.snapshot,
                "item": [witnessed.title, witnessed.body, witnessed.details],
                "notes": list(witnessed.mappings.values_list("note", flat=True)),
                "files": list(witnessed.files.values_list("original_name", flat=True)),
            },
            ensure_ascii=False,
        )
    assert leaks(stored) == [], stored
    assert "Contact C1" in stored
    client.force_login(assessor)
    page = _page(client, reverse("assessment:judge", kwargs={"item_id": witnessed.pk}))
    assert leaks(page) == []


def test_the_grid_of_a_cohort_pseudonymises_each_learners_contacts_in_a_bounded_number_of_queries(
    client, centre_a, django_assert_max_num_queries
):
    from networking.models import NetworkContact
    from tests.factories import UserFactory
    from tests.factories.cohort import build_cohort, wide_unit
    from tests.helpers import member

    with centre_scope(centre_a):
        unit = wide_unit()
        set_offered_units(centre=centre_a, urns=[unit.urn])
        enrolments = build_cohort(centre=centre_a, unit=unit, learners=350, assessors=[UserFactory()])
        # Each learner has a contact of their own who did not consent, named in their title.
        NetworkContact.objects.bulk_create(
            NetworkContact(
                centre=centre_a,
                learner=e.learner,
                number=1,
                name=f"Zéphyrine Oyelaran-Whitcombe{n}",
                sector="finance",
                how_met="",
                they_offer="",
                you_offer="",
                strength=1,
            )
            for n, e in enumerate(enrolments)
        )
        for n, e in enumerate(enrolments):
            EvidenceItem.objects.filter(learner=e.learner).update(
                title=f"With zephyrine oyelaran–whitcombe{n}"
            )
    client.force_login(member(centre_a, Role.IQA))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("assessment:unit_grid", kwargs={"unit_id": unit.pk})).content.decode()
    assert "Learners 1 to 100 of 350 by criterion" in page
    assert page.count("With Contact C1") == 100 * 20
    assert leaks(page) == []
