"""What the external moderator sees of a sampled learner: every kind of evidence with
its details, photos in the page, and the assessment history that the bundle prints too."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessment.selectors import assessment_history
from assessment.services import Judgement, assess_submission, reopen_sign_off
from audit.models import AuditRecord
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from moderation.bundle import render_bundle
from moderation.models import ModeratorAccess
from moderation.selectors import candidates_of
from moderation.services import create_moderation_sample, grant_moderator_access
from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
from tests.factories import EvidenceItemFactory
from tests.factories.moderation import png, upload
from tests.helpers import allocated_learner, countersigned, judged_met, member

KINDS = {
    "witness_testimony": (
        "Witness statement",
        {
            "witness_name": "Priya Okonkwo",
            "witness_role": "Partnerships Manager",
            "relationship": "Line manager",
            "witnessed_on": "2026-09-14",
        },
        ["Priya Okonkwo", "Partnerships Manager", "Line manager", "14 September 2026"],
    ),
    "observation": (
        "Observed meeting",
        {
            "observer_name": "Sam Achebe",
            "observer_role": "Expert witness",
            "observed_on": "2026-09-21",
            "setting": "Quarterly partners’ meeting at the Leeds office",
        },
        [
            "Sam Achebe",
            "Expert witness",
            "21 September 2026",
            "Quarterly partners’ meeting at the Leeds office",
        ],
    ),
    "professional_discussion": (
        "Discussion record",
        {"discussed_on": "2026-10-02", "participants": "the learner and Sam Achebe", "duration_minutes": 47},
        ["2 October 2026", "the learner and Sam Achebe", "47"],
    ),
}


def _criteria(unit):
    return [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]


def _item(learner, user, kind, title, details, criteria, files=()):
    item = EvidenceItemFactory(
        learner=learner, kind=kind, title=title, details=details, body=f"{title} body."
    )
    if files:
        add_evidence_files(item=item, actor=user, uploads=list(files))
    set_evidence_mappings(item=item, actor=user, claims={c.pk: f"{title} meets {c.code}." for c in criteria})
    submit_evidence_item(item=item, actor=user, declared=True)
    return item


def assessed_learner(*, centre, unit, assessor, candidate_number):
    """A learner whose assessment has a history: their written account is first judged
    "not yet met" on one criterion and returned with a reason, then resubmitted and met;
    witness testimony, an observation, a discussion record and a photograph cover the
    rest. Signed off and countersigned. Call inside the centre's scope."""
    enrolment = allocated_learner(
        centre=centre, unit=unit, assessor=assessor, candidate_number=candidate_number
    )
    learner, user = enrolment.learner, enrolment.learner.user
    criteria = _criteria(unit)
    first, rest = criteria[:1], criteria[1:]
    account = _item(learner, user, "written_account", "Benefits account", {}, first)
    assess_submission(
        item=account,
        assessor=assessor,
        judgements={first[0].pk: Judgement("not_yet_met", f"Say who benefits, {candidate_number}.", 0)},
        return_reason=f"Add the benefits to the organisation, {candidate_number}.",
    )
    account.refresh_from_db()
    submit_evidence_item(item=account, actor=user, declared=True)
    assess_submission(
        item=account,
        assessor=assessor,
        judgements={first[0].pk: Judgement("met", f"Now clear, {candidate_number}.", 1)},
    )
    chunks = [rest[0:1], rest[1:2], rest[2:3], rest[3:]]
    for (kind, (title, details, _)), chunk in zip(KINDS.items(), chunks, strict=False):
        item = _item(learner, user, kind, title, details, chunk)
        assess_submission(
            item=item,
            assessor=assessor,
            judgements={c.pk: Judgement("met", f"{title} fine.", 0) for c in chunk},
        )
    photo_criteria = chunks[3]
    photo = _item(
        learner,
        user,
        "files",
        "Team board photo",
        {},
        photo_criteria,
        files=[upload("board.png", png(), "image/png")],
    )
    judged_met(photo, assessor=assessor, criteria=photo_criteria, feedback="Photo fine.")
    countersigned(enrolment, assessor=assessor)
    return enrolment


@pytest.fixture
def world(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with centre_scope(centre_a):
        assessor = member(centre_a, Role.ASSESSOR, user__first_name="Tom", user__last_name="Hughes")
        admin = member(centre_a, Role.CENTRE_ADMIN, user__first_name="Cara", user__last_name="Admin")
        enrolments = [
            assessed_learner(centre=centre_a, unit=seed_unit, assessor=assessor, candidate_number=n)
            for n in ["0001", "0002", "0003"]
        ]
        sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[e.pk for e in enrolments]
        )
        access = grant_moderator_access(sample=sample, actor=admin, email="morag@ocr.example")
    return {"enrolments": enrolments, "sample": sample, "access": access, "admin": admin}


def candidate_url(world, n=0):
    return reverse(
        "moderation:candidate",
        kwargs={"sample_id": world["sample"].pk, "enrolment_id": world["enrolments"][n].pk},
    )


def test_moderator_sees_every_kinds_details_and_the_photo_in_the_page(client, world, centre_a):
    client.force_login(world["access"].moderator)
    page = client.get(candidate_url(world)).content.decode()
    for _, (_, _, shown) in KINDS.items():
        for value in shown:
            assert value.replace("’", "&#x27;") in page or value in page, value
    images = re.findall(r'<img class="evidence-image" src="([^"]+)"', page)
    assert len(images) == 1
    photo = client.get(images[0].replace("&amp;", "&"))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["Content-Disposition"].startswith("inline")
    with centre_scope(centre_a):
        verbs = list(
            AuditRecord.objects.filter(actor_key=world["access"].moderator.audit_key).values_list(
                "verb", flat=True
            )
        )
    assert verbs == ["moderation.learner_viewed", "moderation.file_shown"]


def test_moderator_sees_the_assessment_history_in_order(client, world):
    client.force_login(world["access"].moderator)
    page = client.get(candidate_url(world)).content.decode()
    section = page[page.index("Assessment history") :]
    expected = [
        "1.1: Not yet met</strong>, Tom Hughes",
        "Say who benefits, 0001.",
        "Returned to the learner",
        "Add the benefits to the organisation, 0001.",
        "1.1: Met</strong>, Tom Hughes",
        "Now clear, 0001.",
        "Signed off</strong> by Tom Hughes",
        "Countersigned</strong>",
    ]
    positions = [section.index(text) for text in expected]
    assert positions == sorted(positions)
    assert "0002." not in section.split("</ol>")[0]


def test_the_history_is_read_in_a_fixed_number_of_queries(world, centre_a, django_assert_max_num_queries):
    with centre_scope(centre_a):
        keys = [e.pk for e in world["enrolments"]]
        with django_assert_max_num_queries(5):
            history = assessment_history(enrolments=keys)
            kinds = [[(e.kind, e.criterion.code if e.criterion else "") for e in history[k]] for k in keys]
            titles = [v.snapshot["title"] for k in keys for e in history[k] for v in e.versions]
    assert all(k[:3] == [("decision", "1.1"), ("returned", ""), ("decision", "1.1")] for k in kinds)
    assert "Benefits account" in titles


def test_the_moderator_page_runs_a_bounded_number_of_queries(
    client, world, centre_a, seed_unit, django_assert_max_num_queries
):
    client.force_login(world["access"].moderator)
    client.get(candidate_url(world))  # warm the session and the catalogue's caches
    with django_assert_max_num_queries(40) as few:
        client.get(candidate_url(world))
    with centre_scope(centre_a):
        more = assessed_learner(
            centre=centre_a, unit=seed_unit, assessor=world["enrolments"][0].assessor, candidate_number="0009"
        )
        world["sample"].learners.create(centre=centre_a, enrolment=more, sign_off=more.sign_offs.get())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(candidate_url(world))


def test_the_bundle_prints_the_feedback_and_the_return_reasons(world, centre_a):
    with centre_scope(centre_a):
        candidates = candidates_of(sample=world["sample"])
        bundle = render_bundle(sample=world["sample"], candidates=candidates)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bundle.pdf)).pages)
    text = " ".join(text.split())
    for n in ["0001", "0002", "0003"]:
        assert f"Say who benefits, {n}." in text
        assert f"Add the benefits to the organisation, {n}." in text
        assert f"Now clear, {n}." in text
    assert text.index("Say who benefits, 0001.") < text.index("Add the benefits to the organisation, 0001.")
    assert text.index("Add the benefits to the organisation, 0001.") < text.index("Now clear, 0001.")


def test_a_moderator_of_another_centre_or_whose_access_expired_gets_404(
    client, world, centre_a, centre_b, seed_unit
):
    with centre_scope(centre_a):
        photo = world["enrolments"][0].learner.evidence_items.get(kind="files").files.get()
    photo_url = reverse("moderation:file", kwargs={"sample_id": world["sample"].pk, "file_id": photo.pk})
    client.force_login(member(centre_b, Role.MODERATOR))
    assert client.get(candidate_url(world)).status_code == 404
    assert client.get(photo_url + "?inline=1").status_code == 404
    # Still a moderator of the centre through another, live sample: this one is as absent.
    with centre_scope(centre_a):
        other = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=world["admin"], enrolment_ids=[world["enrolments"][2].pk]
        )
        grant_moderator_access(sample=other, actor=world["admin"], email="morag@ocr.example")
        ModeratorAccess.objects.filter(pk=world["access"].pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    client.force_login(world["access"].moderator)
    assert client.get(candidate_url(world)).status_code == 404
    assert client.get(photo_url + "?inline=1").status_code == 404


@pytest.mark.usefixtures("frozen_clock")
def test_the_moderator_sees_that_a_sampled_unit_was_reopened(client, world, centre_a):
    with centre_scope(centre_a):
        sign_off = world["enrolments"][0].sign_offs.get()
        reopen_sign_off(sign_off=sign_off, actor=world["admin"], reason="IQA found 2.1 thin.")
    client.force_login(world["access"].moderator)
    today = timezone.localdate().strftime("%-d %B %Y")
    sample_page = client.get(
        reverse("moderation:sample", kwargs={"sample_id": world["sample"].pk})
    ).content.decode()
    assert f"reopened on {today} by Cara Admin: IQA found 2.1 thin." in sample_page
    page = client.get(candidate_url(world)).content.decode()
    assert f"Reopened on {today} by Cara Admin: IQA found 2.1 thin." in page
    assert "Reopened</strong> by Cara Admin. Reason: IQA found 2.1 thin." in page


@pytest.mark.usefixtures("frozen_clock")
def test_the_sample_names_whoever_reopened_a_unit_by_email_without_a_name_and_nobody_once_erased(
    client, world, centre_a
):
    with centre_scope(centre_a):
        nameless = member(centre_a, Role.CENTRE_ADMIN, user__first_name="", user__last_name="")
        first, second = (e.sign_offs.get() for e in world["enrolments"][:2])
        reopen_sign_off(sign_off=first, actor=nameless, reason="No name.")
        reopen_sign_off(sign_off=second, actor=world["admin"], reason="Since erased.")
        type(second).objects.filter(pk=second.pk).update(reopened_by=None)
    client.force_login(world["access"].moderator)
    today = timezone.localdate().strftime("%-d %B %Y")
    page = client.get(reverse("moderation:sample", kwargs={"sample_id": world["sample"].pk})).content.decode()
    assert f"reopened on {today} by {nameless.email}: No name." in page
    assert f"reopened on {today}: Since erased." in page


def test_the_sample_page_asks_a_fixed_handful_of_queries(client, world, django_assert_max_num_queries):
    """Whatever the sample's size: the sample as the moderator may see it, its audit
    record (the chain's lock, its tail and the record), their last bundle and its
    learners in one query, besides what every page asks."""
    client.force_login(world["access"].moderator)
    path = reverse("moderation:sample", kwargs={"sample_id": world["sample"].pk})
    client.get(path)  # the session and the content types' caches filled
    with django_assert_max_num_queries(12):
        assert client.get(path).status_code == 200
