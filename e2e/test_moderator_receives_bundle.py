import hashlib
import json
import re
import zipfile

from playwright.sync_api import expect
from pypdf import PdfReader

from centre.models import Role
from common.scoping import centre_scope
from e2e.files import png, two_page_pdf, upload
from e2e.journeys import assert_no_sideways_scroll
from e2e.people import (
    add_staff,
    create_centre,
    import_learners,
    import_seed_unit,
    learner_row,
    sign_in,
    sign_out,
    signed_off,
    write_register,
)
from learners.models import Enrolment
from units.selectors import unit_by_urn


def test_admin_samples_moderator_downloads_a_checkable_bundle(page, live_server, tmp_path, db_worker):
    import_seed_unit()
    centre = create_centre()
    seed_unit = unit_by_urn(urn="R/600/9587")
    admin = add_staff(page, Role.CENTRE_ADMIN, "asha@northgate.example", "Asha", "Khan")
    sign_out(page)
    add_staff(page, Role.ASSESSOR, "tom@northgate.example", "Tom", "Hughes")
    sign_out(page)
    add_staff(page, Role.ASSESSOR, "ria@northgate.example", "Ria", "Shah")
    sign_out(page)
    moderator = add_staff(page, Role.MODERATOR, "morag@ocr.example", "Morag", "Reid")
    sign_out(page)
    assessors = ["ria@northgate.example", "tom@northgate.example"]
    register = [
        learner_row(f"Candidate{n}", f"Learner{n:04d}", f"learner{n}@example.org", n, assessors[n % 2])
        for n in range(1, 8)
    ]
    import_learners(write_register(tmp_path / "register.csv", register))
    with centre_scope(centre):
        for enrolment in Enrolment.objects.select_related("learner__user", "assessor", "unit"):
            files = [
                upload("event.png", png(), "image/png"),
                upload("plan.pdf", two_page_pdf(), "application/pdf"),
            ]
            first = enrolment.learner.candidate_number == "0001"
            signed_off(enrolment, enrolment.assessor, files if first else ())

    # The centre admin takes the suggested sample and opens it to the moderator.
    sign_in(page, live_server, admin)
    page.get_by_role("link", name="Moderation samples").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation samples")
    page.get_by_role("link", name="Sample Develop, maintain and review personal networks").click()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(5)
    page.get_by_role("button", name="Make the sample").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The sample of Develop, maintain and review personal networks"
    )
    page.get_by_label("Moderator’s email address").fill(moderator.email)
    page.get_by_role("button", name="Give access and email them").click()
    expect(page.get_by_role("row", name=moderator.email)).to_contain_text("Open")
    sign_out(page)

    # The moderator sees only the sampled learners, asks for the bundle and downloads it.
    sign_in(page, live_server, moderator)
    page.get_by_role("link", name="Moderation samples open to you").click()
    assert_no_sideways_scroll(page)
    page.get_by_role("link", name="Develop, maintain and review personal networks").click()
    sampled = page.get_by_role("table", name="Sampled learners").get_by_role("row")
    expect(sampled).to_have_count(6)
    expect(page.get_by_text("Learner0007")).to_have_count(0)
    page.get_by_role("link", name="Learner0001").click()
    expect(page.get_by_role("heading", name="Evidence", exact=True)).to_be_visible()
    assert_no_sideways_scroll(page)
    page.go_back()
    page.get_by_role("button", name="Make the bundle").click()
    expect(page.get_by_role("status")).to_contain_text("Ready", timeout=60_000)
    assert_no_sideways_scroll(page)
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the bundle (PDF").click()
    with page.expect_download() as zip_download:
        page.get_by_role("link", name="Download the original files and manifest (ZIP)").click()

    reader = PdfReader(pdf_download.value.path())
    text = [" ".join(p.extract_text().split()) for p in reader.pages]
    candidates = re.findall(r"\b(0\d{3})\b", text[0])
    assert "Northgate College" in text[0] and "R/600/9587" in text[0] and len(set(candidates)) == 5
    outline = [entry.title for entry in reader.outline if not isinstance(entry, list)]
    assert outline[0] == "Cover" and outline[-1] == "Manifest" and len(outline) == 7
    codes = [c.code for o in seed_unit.learning_outcomes.all() for c in o.criteria.all()]
    for number in set(candidates):
        start = next(
            i for i, t in enumerate(text) if f"Candidate {number}:" in t and "Unit recording sheet" in t
        )
        sheet = " ".join(text[start : start + 3])
        assert all(code in sheet for code in codes) and sheet.count("Met") >= len(codes)
    with zipfile.ZipFile(zip_download.value.path()) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest
        for entry in manifest:
            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
            assert entry["sha256"] in " ".join(text).replace(" ", "") or entry["sha256"][:20] in " ".join(
                text
            )
