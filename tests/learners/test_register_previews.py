"""A register waiting between its preview and confirmation is private, expires, and is
swept away when abandoned."""

import io
import re
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from centre.models import Role
from centre.services import set_offered_units
from common.previews import PREVIEW_FOLDER, sweep_expired_previews
from common.scoping import scopes_disabled
from learners.models import Learner
from tests.factories import MembershipFactory, valid_uln

REGISTER = (
    "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email\n"
    f"Liam,Evans,liam@example.org,{valid_uln(620000000)},0001,,\n"
).encode()


@pytest.fixture(autouse=True)
def no_previews_waiting():
    import shutil

    shutil.rmtree(Path(settings.EVIDENCE_ROOT) / PREVIEW_FOLDER, ignore_errors=True)


@pytest.fixture
def admin_client(client, centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        client.force_login(MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN).user)
    return client


def preview(admin_client):
    page = admin_client.post(
        reverse("learners:import"), {"file": SimpleUploadedFile("register.csv", REGISTER, "text/csv")}
    ).content.decode()
    return dict(re.findall(r'name="(upload|plan_fingerprint)" value="([^"]+)"', page))


def kept_previews() -> list[str]:
    storage = storages["evidence"]
    folder = f"{PREVIEW_FOLDER}/register"
    return storage.listdir(folder)[1] if storage.exists(folder) else []


def public_media_files() -> set[str]:
    return {str(path) for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def test_a_previewed_register_waits_in_private_storage_not_public_media(admin_client):
    before = public_media_files()
    preview(admin_client)
    assert len(kept_previews()) == 1
    assert public_media_files() == before


def test_confirming_removes_the_kept_register(admin_client):
    fields = preview(admin_client)
    admin_client.post(reverse("learners:import"), {**fields, "confirm": "1"})
    assert kept_previews() == []
    with scopes_disabled():
        assert Learner.objects.filter(email="liam@example.org").exists()


def test_a_preview_older_than_an_hour_is_refused_and_nothing_is_imported(admin_client):
    fields = preview(admin_client)
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        page = admin_client.post(reverse("learners:import"), {**fields, "confirm": "1"}, follow=True)
    assert "That preview has expired or was altered. Upload the file again." in page.content.decode()
    with scopes_disabled():
        assert not Learner.objects.exists()


def test_abandoned_previews_are_swept_by_purge_expired(admin_client):
    preview(admin_client)
    assert sweep_expired_previews() == 0  # still within the hour
    out = io.StringIO()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        call_command("purge_expired", stdout=out)
    assert "1 abandoned import preview(s) older than 1 hour(s) deleted." in out.getvalue()
    assert kept_previews() == []


def test_backups_leave_waiting_previews_out(admin_client, tmp_path):
    import tarfile

    preview(admin_client)
    call_command("backup", str(tmp_path), stdout=io.StringIO())
    (archive,) = tmp_path.glob("waymark-*/files.tar.gz")
    with tarfile.open(archive) as files:
        assert not [name for name in files.getnames() if f"/{PREVIEW_FOLDER}/" in name + "/"]


def test_verify_storage_does_not_call_a_waiting_preview_an_orphan(admin_client):
    preview(admin_client)
    out = io.StringIO()
    with time_machine.travel(timezone.now() + timedelta(hours=2)), suppress(CommandError):
        # Files other tests left in the shared test storage may count as orphans; only
        # what is said of the preview matters here.
        call_command("verify_storage", stdout=out)
    assert out.getvalue() and PREVIEW_FOLDER not in out.getvalue()
