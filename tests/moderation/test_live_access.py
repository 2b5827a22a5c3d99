"""Live access is one rule, ``ModeratorAccess.objects.live()``: an access that expired a
second ago, or was revoked, is not live anywhere: not to the middleware, not in the
moderator's samples, not for a bundle download."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import ScopeError
from guardian.shortcuts import remove_perm

from centre.models import Role
from common.scoping import centre_scope
from moderation.access import OPEN_SAMPLES_SESSION_KEY
from moderation.bundle import bundle_storage
from moderation.models import (
    MODERATE,
    BundleRender,
    ModerationSample,
    ModerationSampleUserObjectPermission,
    ModeratorAccess,
)
from moderation.selectors import accesses_to, samples_for_moderator
from moderation.services import grant_moderator_access, revoke_moderator_access
from tests.moderation.conftest import member

NOON = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
MORAG = "morag@ocr.example"


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin(centre_a):
    return member(centre_a, Role.CENTRE_ADMIN)


def _sample(centre, unit):
    return ModerationSample.objects.create(centre=centre, unit=unit, created_at=timezone.now())


@pytest.fixture
def two_samples(clock, centre_a, seed_unit, admin):
    """Morag's access to ``kept`` lasts a day; to ``ending`` a second."""
    with centre_scope(centre_a):
        kept, ending = _sample(centre_a, seed_unit), _sample(centre_a, seed_unit)
        kept_access = grant_moderator_access(
            sample=kept, actor=admin, email=MORAG, expires_at=NOON + datetime.timedelta(days=1)
        )
        ending_access = grant_moderator_access(
            sample=ending, actor=admin, email=MORAG, expires_at=NOON + datetime.timedelta(seconds=1)
        )
    return {"kept": kept, "ending": ending, "kept_access": kept_access, "ending_access": ending_access}


def _done_render(sample, moderator) -> BundleRender:
    name = bundle_storage().save(f"bundles/test-{sample.pk}.pdf", ContentFile(b"%PDF-1.4 a bundle"))
    return BundleRender.objects.create(
        centre=sample.centre,
        sample=sample,
        fingerprint=f"test-{sample.pk}",
        requested_by=moderator,
        requested_at=timezone.now(),
        status=BundleRender.Status.DONE,
        pdf=name,
    )


def _download(sample, render):
    return reverse(
        "moderation:bundle_download", kwargs={"sample_id": sample.pk, "render_id": render.pk, "kind": "pdf"}
    )


def test_live_is_neither_revoked_nor_expired_to_the_second(two_samples, centre_a, admin, clock):
    with centre_scope(centre_a):
        assert set(ModeratorAccess.objects.live()) == {
            two_samples["kept_access"],
            two_samples["ending_access"],
        }
        clock.shift(datetime.timedelta(seconds=1))  # expires_at is now: no longer live
        assert set(ModeratorAccess.objects.live()) == {two_samples["kept_access"]}
        revoke_moderator_access(access=two_samples["kept_access"], actor=admin)
        assert not ModeratorAccess.objects.live().exists()
        assert ModeratorAccess.objects.filter(sample=two_samples["kept"]).live().count() == 0


def test_live_access_fails_closed_outside_a_centres_scope(two_samples):
    with pytest.raises(ScopeError):
        list(ModeratorAccess.objects.live())


def test_an_access_expired_a_second_ago_shows_its_sample_nowhere(two_samples, client, centre_a, clock):
    kept, ending = two_samples["kept"], two_samples["ending"]
    moderator = two_samples["kept_access"].moderator
    with centre_scope(centre_a):
        kept_render, ending_render = _done_render(kept, moderator), _done_render(ending, moderator)
    client.force_login(moderator)
    assert client.get(_download(ending, ending_render)).status_code == 200
    clock.shift(datetime.timedelta(seconds=2))

    with centre_scope(centre_a):
        assert list(samples_for_moderator(centre=centre_a, moderator=moderator)) == [kept]
    home = client.get(reverse("moderation:home"))
    assert home.status_code == 200  # still a moderator here, through the other sample
    assert reverse("moderation:sample", kwargs={"sample_id": kept.pk}) in home.content.decode()
    assert reverse("moderation:sample", kwargs={"sample_id": ending.pk}) not in home.content.decode()
    assert client.get(reverse("moderation:sample", kwargs={"sample_id": ending.pk})).status_code == 404
    assert client.get(_download(ending, ending_render)).status_code == 404
    assert client.get(_download(kept, kept_render)).status_code == 200


def test_a_revoked_access_shows_its_sample_nowhere(two_samples, client, centre_a, admin):
    kept, ending = two_samples["kept"], two_samples["ending"]
    moderator = two_samples["kept_access"].moderator
    with centre_scope(centre_a):
        render = _done_render(kept, moderator)
        revoke_moderator_access(access=two_samples["kept_access"], actor=admin)
        assert list(samples_for_moderator(centre=centre_a, moderator=moderator)) == [ending]
    moderator.refresh_from_db()  # revoking ended their sessions: sign in again
    client.force_login(moderator)
    assert client.get(reverse("moderation:sample", kwargs={"sample_id": kept.pk})).status_code == 404
    assert client.get(_download(kept, render)).status_code == 404


def _sample_page(sample):
    return reverse("moderation:sample", kwargs={"sample_id": sample.pk})


def test_an_access_revoked_behind_the_services_back_closes_its_sample_at_the_next_request(
    two_samples, client, centre_a
):
    """The samples open to a moderator are kept in their session, but only for the live
    accesses asked on every request: a revocation written straight to the table, which
    moves nobody's epoch, closes the sample to a warm session all the same."""
    kept, ending = two_samples["kept"], two_samples["ending"]
    client.force_login(two_samples["kept_access"].moderator)
    assert client.get(_sample_page(ending)).status_code == 200
    assert client.get(_sample_page(kept)).status_code == 200
    with centre_scope(centre_a):
        ModeratorAccess.objects.filter(pk=two_samples["ending_access"].pk).update(revoked_at=timezone.now())

    assert client.get(_sample_page(ending)).status_code == 404
    assert client.get(_sample_page(kept)).status_code == 200


def test_a_grant_taken_away_closes_its_sample_to_a_warm_session(two_samples, client, centre_a):
    """The policy reads the grant as well as the access: taking the grant away alone, with
    the access still live, closes the sample at the next request (moderation.receivers)."""
    kept, ending = two_samples["kept"], two_samples["ending"]
    moderator = two_samples["kept_access"].moderator
    client.force_login(moderator)
    assert client.get(_sample_page(ending)).status_code == 200
    with centre_scope(centre_a):
        remove_perm(MODERATE, moderator, ending)

    assert client.get(_sample_page(ending)).status_code == 404
    assert client.get(_sample_page(kept)).status_code == 200


def test_a_warm_session_does_not_ask_the_policy_again(two_samples, client):
    """What the session keeps is used: a second view of a sample reads the moderator's live
    accesses, not their grants."""
    client.force_login(two_samples["kept_access"].moderator)
    assert client.get(_sample_page(two_samples["kept"])).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_sample_page(two_samples["kept"])).status_code == 200
    asked = " ".join(query["sql"] for query in queries.captured_queries)
    assert "moderation_moderatoraccess" in asked
    assert "moderation_moderationsampleuserobjectpermission" not in asked


def test_a_kept_answer_never_opens_a_sample_without_a_live_access(two_samples, client, clock):
    """The answer kept in the session may name a sample whose access was granted while it
    was asked and has expired since: it stays closed."""
    kept, ending = two_samples["kept"], two_samples["ending"]
    moderator = two_samples["kept_access"].moderator
    client.force_login(moderator)
    assert client.get(_sample_page(kept)).status_code == 200
    clock.shift(datetime.timedelta(seconds=2))  # the access to ``ending`` has expired
    assert client.get(_sample_page(kept)).status_code == 200
    session = client.session
    session[OPEN_SAMPLES_SESSION_KEY]["value"].append(ending.pk)  # as that race would leave it
    session.save()

    assert client.get(_sample_page(ending)).status_code == 404
    assert client.get(_sample_page(kept)).status_code == 200


def test_a_grant_given_to_someone_else_closes_its_sample_to_its_old_holder(two_samples, client, centre_a):
    ending = two_samples["ending"]
    moderator = two_samples["kept_access"].moderator
    client.force_login(moderator)
    assert client.get(_sample_page(ending)).status_code == 200
    with centre_scope(centre_a):
        grant = ModerationSampleUserObjectPermission.objects.get(user=moderator, content_object=ending)
        grant.user = member(centre_a, Role.MODERATOR)
        grant.save()

    assert client.get(_sample_page(ending)).status_code == 404


@pytest.mark.parametrize("ended_by", ["expiry", "revocation"])
def test_the_middleware_signs_out_a_moderator_whose_last_access_has_ended(
    ended_by, client, clock, centre_a, seed_unit, admin
):
    with centre_scope(centre_a):
        sample = _sample(centre_a, seed_unit)
        access = grant_moderator_access(
            sample=sample, actor=admin, email=MORAG, expires_at=NOON + datetime.timedelta(seconds=1)
        )
    client.force_login(access.moderator)
    assert client.get(reverse("moderation:home")).status_code == 200
    if ended_by == "expiry":
        clock.shift(datetime.timedelta(seconds=1))
    else:
        with centre_scope(centre_a):
            # Revoked without ending the session, so that the middleware alone must notice.
            ModeratorAccess.objects.filter(pk=access.pk).update(revoked_at=timezone.now())
    response = client.get(reverse("moderation:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_centre_admin_sees_an_access_expired_a_second_ago_as_expired(
    two_samples, client, centre_a, admin, clock
):
    clock.shift(datetime.timedelta(seconds=2))
    with centre_scope(centre_a):
        (access,) = accesses_to(sample=two_samples["ending"])
        assert not access.is_live
        (access,) = accesses_to(sample=two_samples["kept"])
        assert access.is_live
    client.force_login(admin)
    page = client.get(
        reverse("moderation:manage_sample", kwargs={"sample_id": two_samples["ending"].pk})
    ).content.decode()
    assert "Expired" in page and "Open" not in page
    assert (
        reverse("moderation:revoke_access", kwargs={"access_id": two_samples["ending_access"].pk}) not in page
    )
