import json
import zipfile

from playwright.sync_api import expect

from centre.models import Role
from centre.scoping import centre_scope, scopes_disabled
from centre.services import set_offered_units
from e2e.accessibility import assert_no_accessibility_violations
from e2e.journeys import sign_in
from tests.factories import (
    EnrolmentFactory,
    LearnerFactory,
    MembershipFactory,
    submitted_evidence,
)


def test_admin_downloads_a_learners_records_places_a_hold_and_sets_retention(
    page, live_server, centre_a, seed_unit
):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        admin = MembershipFactory(
            centre=centre_a, role=Role.CENTRE_ADMIN, user__email="asha@northgate.example"
        ).user
        ada = LearnerFactory(centre=centre_a, first_name="Ada", last_name="Lovelace", email="ada@example.org")
        other = LearnerFactory(
            centre=centre_a, first_name="Grace", last_name="Hopper", email="grace@example.org"
        )
        enrolment = EnrolmentFactory(learner=ada, unit=seed_unit)
        other_enrolment = EnrolmentFactory(learner=other, unit=seed_unit)
    with centre_scope(centre_a):
        submitted_evidence(enrolment, title="Ada’s account", file_name="ada-plan.pdf")
        submitted_evidence(other_enrolment, title="Grace’s account", file_name="grace-plan.pdf")

    sign_in(page, live_server, admin.email)
    page.get_by_role("link", name="Learners and enrolments").click()
    page.get_by_role("link", name="Records and privacy of Ada Lovelace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Records of Ada Lovelace")
    assert_no_accessibility_violations(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download everything held about Ada Lovelace").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        names = archive.namelist()
        documents = {name: archive.read(name).decode() for name in names if not name.endswith(".pdf")}
    assert "README.txt" in names and any(name.endswith("ada-plan.pdf") for name in names)
    assert all(json.loads(text) for name, text in documents.items() if name.endswith(".json"))
    everything = " ".join(documents.values())
    assert "Ada’s account" in everything and "Lovelace" in everything
    assert (
        "Grace" not in everything
        and "Hopper" not in everything
        and "asha@northgate.example" not in everything
    )

    page.get_by_label("Why the records must be kept").fill(
        "Appeal against the unit decision, lodged 20 November 2026."
    )
    page.get_by_role("button", name="Place a hold").click()
    expect(page.get_by_role("status")).to_contain_text("The hold is placed")
    expect(page.get_by_role("table", name="Holds on these records, newest first")).to_contain_text("Appeal")
    assert_no_accessibility_violations(page)

    page.get_by_role("link", name="How long Northgate College keeps learners’ records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How long learners’ records are kept")
    assert_no_accessibility_violations(page)
    page.get_by_label("Years to keep learners’ records").fill("6")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert_no_accessibility_violations(page)
