import pytest
from django.contrib.auth import get_user_model

from assessment.models import CriterionDecision, UnitSignOff
from audit.models import AuditRecord
from centre.models import Membership, Role
from centre.selectors import audit_trail
from common.scoping import scopes_disabled
from iqa.models import IqaSample
from learners.models import Enrolment, Learner
from moderation.bundle import bundle_storage
from moderation.models import BundleRender, ModerationSample, SampledLearner
from networking.models import NetworkContact, NetworkingGuidelines, NetworkReview
from portfolio.models import EvidenceFile, EvidenceItem
from privacy.models import RetentionHold
from privacy.services import ErasureRefused, erase_learner, place_hold, release_hold
from tests.factories import MembershipFactory

pytestmark = pytest.mark.usefixtures("in_centre_a")


def trail() -> list[tuple]:
    return list(AuditRecord.objects.values_list("pk", "at", "actor_key", "verb", "object_id", "details"))


def stored_files_of(learner) -> list[str]:
    return [
        name
        for evidence_file in EvidenceFile.objects.filter(item__learner=learner)
        for name in (evidence_file.file.name, evidence_file.print_rendition.name)
        if name
    ]


def erase(learner, capture, actor=None):
    with capture(execute=True):
        return erase_learner(learner, actor=actor)


def test_erasure_deletes_the_learners_rows_and_stored_files(world, django_capture_on_commit_callbacks):
    ada = world["ada"]
    files = stored_files_of(ada)
    storage = EvidenceFile._meta.get_field("file").storage
    assert files and all(storage.exists(name) for name in files)

    erased = erase(ada, django_capture_on_commit_callbacks, actor=world["admin"])

    assert not Learner.objects.filter(pk=ada.pk).exists()
    for model in (Enrolment, EvidenceItem, NetworkContact, NetworkReview, NetworkingGuidelines):
        assert not model.objects.filter(learner_id=ada.pk).exists(), model
    for model in (CriterionDecision, UnitSignOff, IqaSample, SampledLearner):
        assert not model.objects.filter(enrolment__learner_id=ada.pk).exists(), model
    assert not any(storage.exists(name) for name in files)
    assert erased["portfolio.EvidenceFile"] == 1 and erased["iqa.IqaSample"] == 1
    # Her account had no other part in Waymark: it is gone.
    assert not get_user_model().objects.filter(email="ada@lovelace.example").exists()


def test_moderation_keeps_others_but_drops_samples_and_bundles_of_her(
    world, django_capture_on_commit_callbacks
):
    ada, bart = world["ada"], world["bart"]

    erase(ada, django_capture_on_commit_callbacks)

    # The sample she shared with Bart stays, with Bart alone; the one of her alone goes.
    shared = ModerationSample.objects.get(pk=world["shared_sample"].pk)
    assert [s.enrolment.learner_id for s in shared.learners.all()] == [bart.pk]
    assert not ModerationSample.objects.filter(pk=world["own_sample"].pk).exists()
    # The bundle copied her evidence: gone, with its file; the moderator can ask again.
    assert not BundleRender.objects.exists()
    assert not bundle_storage().exists(world["bundle"])
    # Bart's work is untouched.
    assert stored_files_of(bart)
    assert all(bundle_storage().exists(name) for name in stored_files_of(bart))
    assert UnitSignOff.objects.filter(enrolment__learner=bart).count() == 1
    assert NetworkContact.objects.filter(learner=bart).count() == 1


def test_the_audit_trail_is_left_whole_and_no_longer_leads_to_her(world, django_capture_on_commit_callbacks):
    ada = world["ada"]
    old_key = ada.user.audit_key
    before = trail()
    assert any(record[2] == old_key for record in before)

    erase(ada, django_capture_on_commit_callbacks, actor=world["admin"])

    after = trail()
    assert after[: len(before)] == before
    (erasure,) = after[len(before) :]
    assert erasure[3] == "privacy.learner_erased"
    assert erasure[2] == world["admin"].audit_key
    assert "Ada" not in str(erasure) and "lovelace" not in str(erasure).lower()
    assert not get_user_model().objects.filter(audit_key=old_key).exists()
    lines = audit_trail(centre=ada.centre, learner_id=ada.pk).object_list
    assert lines and {line.learner for line in lines} == {""}
    assert "Someone since erased" in {line.actor for line in lines}


def test_an_account_with_another_part_in_waymark_stays_with_its_audit_key(
    world, centre_b, django_capture_on_commit_callbacks
):
    ada = world["ada"]
    user, old_key = ada.user, ada.user.audit_key
    MembershipFactory(centre=centre_b, role=Role.ASSESSOR, user=user)

    erase(ada, django_capture_on_commit_callbacks)

    user.refresh_from_db()
    # The person is not erased, only their learner record: what they did as staff stays theirs.
    assert user.audit_key == old_key
    with scopes_disabled():
        assert list(Membership.objects.filter(user=user).values_list("centre", "role")) == [
            (centre_b.pk, Role.ASSESSOR)
        ]


def test_erasing_again_changes_nothing(world, django_capture_on_commit_callbacks):
    ada = world["ada"]
    erase(ada, django_capture_on_commit_callbacks)
    before = trail()

    assert erase(ada, django_capture_on_commit_callbacks) == {}

    assert trail() == before


def test_an_open_hold_refuses_erasure_until_released(world, django_capture_on_commit_callbacks):
    ada, admin = world["ada"], world["admin"]
    hold = place_hold(learner=ada, actor=admin, reason="Appeal against the unit decision.")

    with pytest.raises(ErasureRefused):
        erase(ada, django_capture_on_commit_callbacks)
    assert Learner.objects.filter(pk=ada.pk).exists()

    release_hold(hold=hold, actor=admin)
    erase(ada, django_capture_on_commit_callbacks)
    assert not Learner.objects.filter(pk=ada.pk).exists()
    assert not RetentionHold.objects.exists()
