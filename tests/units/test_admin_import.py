"""The unit import in the Wagtail admin: upload, preview what will change, confirm."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditRecord
from common.scoping import scopes_disabled
from tests.factories import UserFactory
from units.models import AssessmentCriterion, UnitPage

IMPORT_URL = reverse("units_import")


@pytest.fixture
def editor_client(client, catalogue_editor):
    client.force_login(catalogue_editor)
    return client


def upload(client, content: bytes, name="unit.txt"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})


def confirm_fields(response) -> dict:
    html = response.content.decode()
    return {
        "upload": re.search(r'name="upload" value="([^"]+)"', html).group(1),
        "plan_fingerprint": re.search(r'name="plan_fingerprint" value="([^"]+)"', html).group(1),
        "confirm": "1",
    }


def test_editor_previews_a_new_unit_then_confirms_it(editor_client, catalogue_editor, seed_unit_bytes):
    preview = upload(editor_client, seed_unit_bytes)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "This is a new unit. Importing it will publish it with 3 learning outcomes" in page
    assert "3.1 Assess the value own current personal network." in page
    assert not UnitPage.objects.exists()

    done = editor_client.post(IMPORT_URL, confirm_fields(preview))

    unit = UnitPage.objects.get(urn="R/600/9587")
    assert done.status_code == 302
    assert done.url == reverse("wagtailadmin_pages:edit", args=[unit.pk])
    assert unit.live
    assert AssessmentCriterion.objects.filter(outcome__page=unit).count() == 7
    with scopes_disabled():
        record = AuditRecord.objects.get(verb="unit.created")
    assert record.actor_key == catalogue_editor.audit_key
    assert record.object_id == str(unit.pk)


def test_preview_of_a_revised_unit_lists_each_change(editor_client, seed_unit, seed_unit_bytes):
    revised = seed_unit_bytes.replace(b"3.1 Assess the value own", b"3.1 Assess the value of own")

    preview = upload(editor_client, revised)

    page = preview.content.decode()
    assert "Importing this file will publish these changes" in page
    assert "Criterion 3.1 text changed to “Assess the value of own current personal network.”" in page
    editor_client.post(IMPORT_URL, confirm_fields(preview))
    assert AssessmentCriterion.objects.get(outcome__page=seed_unit, code="3.1").text.startswith(
        "Assess the value of own"
    )


def test_preview_of_an_unchanged_unit_says_nothing_will_change(editor_client, seed_unit, seed_unit_bytes):
    preview = upload(editor_client, seed_unit_bytes)

    page = preview.content.decode()
    assert "already matches this file. Nothing will change." in page
    assert "Confirm import" not in page
    assert UnitPage.objects.count() == 1


def test_bad_file_is_refused_on_the_form_naming_the_problem(editor_client, seed_unit_bytes):
    broken = seed_unit_bytes.replace(b"<p>2.1 Develop", b"<p>1.4 Develop")

    response = upload(editor_client, broken)

    assert response.status_code == 200
    assert "criterion 1.4 is under outcome 2" in response.content.decode()
    assert not UnitPage.objects.exists()


def test_file_over_five_megabytes_is_refused_on_the_form(editor_client):
    response = upload(editor_client, b"x" * (5 * 1024 * 1024 + 1))

    assert "a unit file may be at most 5,242,880 bytes" in response.content.decode()
    assert not UnitPage.objects.exists()


def test_confirming_after_the_unit_changed_shows_the_new_changes_instead(
    editor_client, seed_unit, seed_unit_bytes
):
    preview = upload(editor_client, seed_unit_bytes.replace(b"Level 4", b"Level 5"))
    seed_unit.title = "Develop and review personal networks"
    seed_unit.save_revision().publish()

    response = editor_client.post(IMPORT_URL, confirm_fields(preview))

    page = response.content.decode()
    assert response.status_code == 200
    assert "The unit changed after you previewed it" in page
    assert "Title changed from" in page
    assert UnitPage.objects.get(pk=seed_unit.pk).level == 4


def test_altered_preview_is_refused(editor_client, seed_unit_bytes):
    fields = confirm_fields(upload(editor_client, seed_unit_bytes))
    fields["upload"] = fields["upload"][:-3] + "abc"

    response = editor_client.post(IMPORT_URL, fields, follow=True)

    assert "That preview has expired or was altered" in response.content.decode()
    assert not UnitPage.objects.exists()


def test_person_without_the_import_permission_cannot_import(db, client, seed_unit_bytes):
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)

    # The Wagtail admin sends a person to its dashboard with a message, not to a bare 403.
    for response in (client.get(IMPORT_URL), upload(client, seed_unit_bytes)):
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Sorry, you do not have permission to access this area." in dashboard
    assert "Import a unit" not in dashboard
    assert not UnitPage.objects.exists()


def test_visitor_is_sent_to_sign_in(db, client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


def test_person_who_may_import_but_not_publish_sees_the_preview_without_confirm(db, client, seed_unit_bytes):
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="import_unitpage")
    )
    client.force_login(user)
    preview = upload(client, seed_unit_bytes)
    page = preview.content.decode()
    assert "This is a new unit." in page
    assert "publishing units in the catalogue needs a catalogue editor" in page
    assert "Confirm import" not in page

    # Posting a confirmation anyway (the page offers none) is refused too. The upload is
    # kept for the person who previewed it, so the confirmation is of their own upload
    # (another person's is refused as expired: tests/common/test_previews.py).
    from units.forms import UNIT_PREVIEWS
    from units.parsing import parse_unit_file
    from units.selectors import plan_unit_import

    fields = {
        "upload": UNIT_PREVIEWS.keep(data=seed_unit_bytes, owner=user.pk, filename="unit.txt"),
        "plan_fingerprint": plan_unit_import(spec=parse_unit_file(seed_unit_bytes)).fingerprint,
        "confirm": "1",
    }
    response = client.post(IMPORT_URL, fields)
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert not UnitPage.objects.exists()


def test_preview_shows_the_metadata_the_import_will_publish(editor_client, seed_unit_bytes):
    page = upload(editor_client, seed_unit_bytes).content.decode()
    details = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd>([^<]+)</dd>", page))
    assert details["OCR unit number"] == "35"
    assert details["Level"] == "4"
    assert details["Credit value"] == "4"
    assert details["Guided learning hours (GLH)"] == "25"
    assert details["Aim"].startswith("By completing this unit the learner will develop")


def test_preview_of_a_revised_unit_names_metadata_as_the_catalogue_does(
    editor_client, seed_unit, seed_unit_bytes
):
    revised = seed_unit_bytes.replace(b"Guided learning hours:\t25", b"Guided learning hours:\t30")
    assert revised != seed_unit_bytes
    page = upload(editor_client, revised).content.decode()
    assert "Guided learning hours (GLH) changed from “25” to “30”" in page
