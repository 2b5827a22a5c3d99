"""One preview-then-confirm helper for every import: a kept upload is opened only by its
owner, only while it is alive and unaltered, and both imports refuse anything else alike."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from centre.models import Role
from centre.services import set_offered_units
from common.previews import ConfirmPreviewForm, PreviewedUpload, PreviewExpired
from common.scoping import scopes_disabled
from learners.models import Learner
from tests.factories import MembershipFactory, UserFactory, valid_uln
from units.models import UnitPage

EXPIRED = "That preview has expired or was altered. Upload the file again."
UNIT_IMPORT = reverse("units_import")
REGISTER = (
    "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email\n"
    f"Liam,Evans,liam@example.org,{valid_uln(620000001)},0001,,\n"
).encode()

KIND = PreviewedUpload(kind="test")


class KindForm(ConfirmPreviewForm):
    previewed = KIND


def confirm_fields(page: str) -> dict:
    return {**dict(re.findall(r'name="(upload|plan_fingerprint)" value="([^"]+)"', page)), "confirm": "1"}


def test_a_kept_upload_opens_for_its_owner_with_its_bytes_and_suffix():
    token = KIND.keep(data=b"some bytes", owner=7, filename="Register.CSV")
    kept = KIND.open(token=token, owner=7)
    assert kept.data == b"some bytes" and kept.name.endswith(".csv")
    KIND.discard(kept)
    with pytest.raises(PreviewExpired):
        KIND.open(token=token, owner=7)


@pytest.mark.parametrize(
    "change",
    [
        {"owner": 8},
        {"kind": PreviewedUpload(kind="other")},
        {"token": lambda token: token[:-3] + "abc"},
    ],
    ids=["another owner", "another kind of import", "altered token"],
)
def test_a_kept_upload_is_refused_to_anyone_else_or_altered(change):
    token = KIND.keep(data=b"x", owner=7, filename="f.csv")
    owner = change.get("owner", 7)
    kind = change.get("kind", KIND)
    token = change.get("token", lambda token: token)(token)
    with pytest.raises(PreviewExpired):
        kind.open(token=token, owner=owner)


def test_a_kept_upload_expires_after_an_hour():
    token = KIND.keep(data=b"x", owner=7, filename="f.csv")
    with time_machine.travel(timezone.now() + timedelta(minutes=61)), pytest.raises(PreviewExpired):
        KIND.open(token=token, owner=7)


def test_the_confirmation_form_is_invalid_with_the_expired_message_for_another_owner():
    token = KIND.keep(data=b"x", owner=7, filename="f.csv")
    form = KindForm({"upload": token, "plan_fingerprint": "abc"}, owner=8)
    assert not form.is_valid()
    assert form.non_field_errors() == [EXPIRED] and form.kept is None
    form = KindForm({"upload": token, "plan_fingerprint": "abc"}, owner=7)
    assert form.is_valid() and form.kept.data == b"x"


def test_a_confirmation_with_no_token_is_invalid():
    assert not KindForm({"plan_fingerprint": "abc"}, owner=7).is_valid()


def test_another_editors_unit_preview_cannot_be_confirmed(db, client, seed_unit_bytes):
    editors = Group.objects.get(name="Catalogue editors")
    first, second = UserFactory(), UserFactory()
    first.groups.add(editors)
    second.groups.add(editors)
    client.force_login(first)
    fields = confirm_fields(
        client.post(UNIT_IMPORT, {"file": SimpleUploadedFile("unit.txt", seed_unit_bytes)}).content.decode()
    )
    client.force_login(second)
    page = client.post(UNIT_IMPORT, fields, follow=True).content.decode()
    assert EXPIRED in page
    assert not UnitPage.objects.exists()


def test_an_expired_unit_preview_is_refused_and_nothing_imported(client, catalogue_editor, seed_unit_bytes):
    client.force_login(catalogue_editor)
    fields = confirm_fields(
        client.post(UNIT_IMPORT, {"file": SimpleUploadedFile("unit.txt", seed_unit_bytes)}).content.decode()
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        page = client.post(UNIT_IMPORT, fields, follow=True).content.decode()
    assert EXPIRED in page
    assert not UnitPage.objects.exists()


def test_another_centres_register_preview_cannot_be_confirmed(client, centre_a, centre_b, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        admin_a = MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN).user
        admin_b = MembershipFactory(centre=centre_b, role=Role.CENTRE_ADMIN).user
    client.force_login(admin_a)
    fields = confirm_fields(
        client.post(
            reverse("learners:import"), {"file": SimpleUploadedFile("register.csv", REGISTER, "text/csv")}
        ).content.decode()
    )
    client.force_login(admin_b)
    page = client.post(reverse("learners:import"), fields, follow=True).content.decode()
    assert EXPIRED in page
    with scopes_disabled():
        assert not Learner.objects.exists()
