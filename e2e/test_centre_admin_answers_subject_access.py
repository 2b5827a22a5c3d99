import json
import zipfile

from playwright.sync_api import expect

from centre.models import Role
from e2e.files import PDF_BYTES
from e2e.journeys import sign_in, sign_out, upload_and_submit
from e2e.people import (
    add_staff,
    create_centre,
    import_learners,
    import_seed_unit,
    learner_accepts,
    learner_row,
    write_register,
)


def test_admin_downloads_a_learners_records_places_a_hold_and_sets_retention(page, live_server, tmp_path):
    import_seed_unit()
    create_centre()
    admin = add_staff(page, Role.CENTRE_ADMIN, "asha@northgate.example", "Asha", "Khan")
    sign_out(page)
    register = [
        learner_row("Ada", "Lovelace", "ada@example.org", 1),
        learner_row("Grace", "Hopper", "grace@example.org", 2),
    ]
    import_learners(write_register(tmp_path / "register.csv", register))
    for email, title, name in [
        ("ada@example.org", "Ada’s account", "ada-plan.pdf"),
        ("grace@example.org", "Grace’s account", "grace-plan.pdf"),
    ]:
        (tmp_path / name).write_bytes(PDF_BYTES)
        learner_accepts(page, email)
        upload_and_submit(page, title, [tmp_path / name])
        sign_out(page)

    sign_in(page, live_server, admin)
    page.get_by_role("link", name="Learners and enrolments").click()
    page.get_by_role("link", name="Records and privacy of Ada Lovelace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Records of Ada Lovelace")
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

    page.get_by_role("link", name="How long Northgate College keeps learners’ records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How long learners’ records are kept")
    page.get_by_label("Years to keep learners’ records").fill("6")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_be_visible()
