import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditRecord
from common.scoping import centre_scope, scopes_disabled
from learners.models import Learner
from moderation.services import create_moderation_sample, grant_moderator_access
from privacy.selectors import retention_of, years_after
from privacy.services import place_hold, purge_expired, set_retention_years
from tests.factories import EnrolmentFactory, LearnerFactory, pdf_upload
from tests.helpers import signed_off_learner

# Three years and a day on: past the default retention of everyone finished today.
LATER = timezone.now() + datetime.timedelta(days=3 * 366 + 1)


@pytest.fixture
def cohort(world, centre_a, seed_unit):
    """Beside Ada and Bart (signed off today): Hal, signed off but under a hold; Wren,
    whose sample's moderator has access for five years more; Stu, still studying."""
    admin = world["admin"]
    with centre_scope(centre_a):
        hal = signed_off_learner(
            centre=centre_a,
            unit=seed_unit,
            assessor=world["assessor"],
            first_name="Hal",
            last_name="Held",
            email="hal@example.org",
            candidate_number="0050",
            title="Hal’s account",
            body="Mine.",
            files=[pdf_upload("hal.pdf", b"%PDF-1.4\n%Hal\n")],
        ).learner
        place_hold(learner=hal, actor=admin, reason="Appeal to the awarding body.")
        wren = signed_off_learner(
            centre=centre_a,
            unit=seed_unit,
            assessor=world["assessor"],
            first_name="Wren",
            last_name="Moderated",
            email="wren@example.org",
            candidate_number="0051",
            title="Wren’s account",
            body="Mine.",
            files=[pdf_upload("wren.pdf", b"%PDF-1.4\n%Wren\n")],
        )
        sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[wren.pk]
        )
        grant_moderator_access(
            sample=sample,
            actor=admin,
            email="moderator@ocr.example",
            expires_at=timezone.now() + datetime.timedelta(days=5 * 365),
        )
        stu = EnrolmentFactory(
            learner__centre=centre_a, learner__candidate_number="0052", unit=seed_unit
        ).learner
    return {**world, "hal": hal, "wren": wren.learner, "stu": stu}


def learners_left(centre) -> set[str]:
    with centre_scope(centre):
        return set(Learner.objects.values_list("first_name", flat=True))


def test_retention_runs_from_the_end_of_moderation_plus_the_centres_years(cohort, centre_a):
    with centre_scope(centre_a):
        ada = retention_of(learner=cohort["ada"])
        wren = retention_of(learner=cohort["wren"])
        stu = retention_of(learner=cohort["stu"])
        hal = retention_of(learner=cohort["hal"], now=LATER)

    assert ada.finished and not ada.expired
    # Ada's sample has a moderator's six months of access: moderation ends with it.
    assert ada.clock > timezone.now() + datetime.timedelta(days=180)
    assert ada.keep_until == years_after(ada.clock, 3)
    assert wren.clock > timezone.now() + datetime.timedelta(days=4 * 365)
    assert not stu.finished
    assert hal.finished and hal.open_holds and not hal.expired


def test_years_after_keeps_the_day_or_takes_the_last_of_february():
    leap_day = datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC)
    assert years_after(leap_day, 3) == datetime.datetime(2031, 2, 28, 12, tzinfo=datetime.UTC)
    assert years_after(leap_day, 4) == leap_day.replace(year=2032)


def test_a_dry_run_says_what_would_go_and_changes_nothing(cohort, centre_a):
    with scopes_disabled():
        before = AuditRecord.objects.count()

    (report,) = purge_expired(dry_run=True, now=LATER + datetime.timedelta(days=200))

    assert (report.erased, report.held, report.retained, report.studying) == (2, 1, 1, 1)
    assert learners_left(centre_a) == {"Ada", "Bartholomew", "Hal", "Wren", cohort["stu"].first_name}
    with scopes_disabled():
        assert AuditRecord.objects.count() == before


def test_purge_erases_past_retention_and_skips_held_retained_and_studying(
    cohort, centre_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (report,) = purge_expired(now=LATER + datetime.timedelta(days=200))

    # Ada and Bart: past three years from the end of their moderator's access.
    assert learners_left(centre_a) == {"Hal", "Wren", cohort["stu"].first_name}
    assert (report.erased, report.held, report.retained, report.studying) == (2, 1, 1, 1)
    assert report.rows["learners.Learner"] == 2
    with centre_scope(centre_a):
        assert AuditRecord.objects.filter(verb="privacy.learner_erased").count() == 2


def test_a_longer_retention_period_keeps_them(cohort, centre_a):
    set_retention_years(centre=centre_a, years=10, actor=cohort["admin"])

    (report,) = purge_expired(now=LATER + datetime.timedelta(days=200))

    assert report.erased == 0
    assert len(learners_left(centre_a)) == 5
    with centre_scope(centre_a):
        change = AuditRecord.objects.get(verb="privacy.retention_changed")
    assert change.details == {"years": 10, "previous": 3}


def test_the_command_prints_counts_never_names(centre_a, centre_b, django_capture_on_commit_callbacks):
    gone = LearnerFactory(centre=centre_a, first_name="Longgone", last_name="Departed")
    LearnerFactory(centre=centre_b, first_name="Recent", last_name="Arrival")
    with centre_scope(centre_a):
        # Registered six years ago and never enrolled: nothing has happened since.
        Learner.objects.filter(pk=gone.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=6 * 365)
        )
    out = io.StringIO()

    call_command("purge_expired", "--dry-run", stdout=out)
    assert "Centre 10001: 1 learner(s) would be erased" in out.getvalue()
    assert learners_left(centre_a) == {"Longgone"}

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_expired", stdout=out)

    printed = out.getvalue()
    assert "Centre 10001: 1 learner(s) erased" in printed
    assert "Centre 20002: 0 learner(s) erased" in printed
    assert "Longgone" not in printed and "Recent" not in printed
    assert learners_left(centre_a) == set()
    assert learners_left(centre_b) == {"Recent"}


def test_one_learner_that_cannot_be_erased_does_not_stop_the_others(
    cohort, centre_a, monkeypatch, django_capture_on_commit_callbacks
):
    from privacy import services

    erase = services.erase_learner

    def erase_but_not_ada(learner, **kwargs):
        if learner.first_name == "Ada":
            raise services.ErasureRefused("A hold was placed a moment ago.")
        return erase(learner, **kwargs)

    monkeypatch.setattr(services, "erase_learner", erase_but_not_ada)
    with django_capture_on_commit_callbacks(execute=True):
        (report,) = purge_expired(now=LATER + datetime.timedelta(days=200))
    assert (report.erased, report.failed) == (1, 1)
    assert learners_left(centre_a) == {"Ada", "Hal", "Wren", cohort["stu"].first_name}
