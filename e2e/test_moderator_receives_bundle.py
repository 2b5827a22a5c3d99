import hashlib
import json
import re
import zipfile

from playwright.sync_api import expect
from pypdf import PdfReader

from centre.models import Role
from centre.scoping import centre_scope, scopes_disabled
from centre.services import set_offered_units
from e2e.accessibility import assert_no_accessibility_violations
from e2e.journeys import sign_in
from tests.factories import MembershipFactory
from tests.factories.moderation import png, signed_off_learner, two_page_pdf, upload


def test_admin_samples_moderator_downloads_a_checkable_bundle(
    page, live_server, centre_a, seed_unit, tmp_path
):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN, user__email="asha@northgate.example")
        tom = MembershipFactory(centre=centre_a, role=Role.ASSESSOR, user__first_name="Tom").user
        ria = MembershipFactory(centre=centre_a, role=Role.ASSESSOR, user__first_name="Ria").user
        moderator = MembershipFactory(
            centre=centre_a, role=Role.MODERATOR, user__email="morag@ocr.example", user__first_name="Morag"
        ).user
    with centre_scope(centre_a):
        for n in range(1, 8):
            files = [
                upload("event.png", png(), "image/png"),
                upload("plan.pdf", two_page_pdf(), "application/pdf"),
            ]
            signed_off_learner(
                centre=centre_a,
                unit=seed_unit,
                assessor=[tom, ria][n % 2],
                candidate_number=f"{n:04d}",
                files=files if n == 1 else (),
            )

    # The centre admin takes the suggested sample and opens it to the moderator.
    sign_in(page, live_server, "asha@northgate.example")
    page.get_by_role("link", name="Moderation samples").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation samples")
    assert_no_accessibility_violations(page)
    page.get_by_role("link", name="Sample Develop, maintain and review personal networks").click()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(5)
    assert_no_accessibility_violations(page)
    page.get_by_role("button", name="Make the sample").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The sample of Develop, maintain and review personal networks"
    )
    page.get_by_label("Moderator’s email address").fill(moderator.email)
    page.get_by_role("button", name="Give access and email them").click()
    expect(page.get_by_role("row", name=moderator.email)).to_contain_text("Open")
    assert_no_accessibility_violations(page)
    page.get_by_role("button", name="Sign out").click()

    # The moderator sees only the sampled learners, asks for the bundle and downloads it.
    sign_in(page, live_server, moderator.email)
    page.get_by_role("link", name="Moderation samples open to you").click()
    assert_no_accessibility_violations(page)
    page.get_by_role("link", name="Develop, maintain and review personal networks").click()
    sampled = page.get_by_role("table", name="Sampled learners").get_by_role("row")
    expect(sampled).to_have_count(6)
    expect(page.get_by_text("Learner0007")).to_have_count(0)
    assert_no_accessibility_violations(page)
    page.get_by_role("link", name="Learner0001").click()
    expect(page.get_by_role("heading", name="Evidence", exact=True)).to_be_visible()
    assert_no_accessibility_violations(page)
    page.go_back()
    page.get_by_role("button", name="Make the bundle").click()
    expect(page.get_by_role("status")).to_contain_text("Ready")
    assert_no_accessibility_violations(page)
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
