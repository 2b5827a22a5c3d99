"""A centre's first term, as its people run it, from the unit's import to the moderator's
bundle: every person comes from the product's own commands, uploads and invitation emails,
staff sign in with their authenticator app, and the bundle is made by a real worker.

Along the way the learner records a contact who has not agreed to their details being
shared and writes about her, in many spellings, in ordinary evidence, a file's name and
the networking records: no fragment of her name, email or telephone number may reach
anything Waymark gives to anyone but the learner."""

import io
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from django.core.handlers.base import BaseHandler
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from centre.models import Role
from e2e.files import two_page_pdf
from e2e.journeys import assert_no_sideways_scroll, heading, judge, sign_in, sign_out
from e2e.people import (
    PASSWORD,
    Person,
    add_staff,
    catalogue_editor,
    choose_password,
    create_centre,
    learner_accepts,
    learner_row,
    set_up_authenticator,
    write_register,
)
from units.models import UnitPage

SEED = Path(__file__).resolve().parent.parent / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
UNIT = "Develop, maintain and review personal networks"
PLAN = "Ada's networking plan"
CODES = ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2"]
PART_LIMIT = 400_000  # above any one page (a photograph's), below the whole bundle

# The contact who has not consented, and the ways a learner might write her.
CONTACT = "Zéphyrine Oyelaran-Whitcombe"
CONTACT_EMAIL = "zephyrine.ow@example.org"
CONTACT_PHONE = "07912 900987"
SPELLINGS = [
    "Zéphyrine Oyelaran-Whitcombe",
    "Zephyrine Oyelaran Whitcombe",
    "zéphyrine oyelaran–whitcombe",
    "Ms Oyelaran-Whitcombe",
    "ZEPHYRINE",
    "Whitcombe’s",
    "zephyrine.ow@example.org",
    "07912900987",
    "+44 7912 900 987",
]
# What must never be found, compared without accents or case.
FRAGMENTS = ["zephyrine", "oyelaran", "whitcombe", "zephyrine.ow", "900987", "900 987"]


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def leaks(text: str) -> list[str]:
    plain = folded(text)
    return [fragment for fragment in FRAGMENTS if fragment in plain]


@pytest.fixture
def responses(monkeypatch):
    """Everything the live server answers, with who asked: what it gives staff is searched
    for the contact, whatever page, message, export or error it is."""
    answered = []
    original = BaseHandler.get_response

    def recording(self, request):
        response = original(self, request)
        user = getattr(request, "user", None)
        asker = user.email if user is not None and user.is_authenticated else ""
        if not response.streaming:
            answered.append(
                (asker, request.get_full_path(), response.get("Content-Type", ""), response.content)
            )
        return response

    monkeypatch.setattr(BaseHandler, "get_response", recording)
    return answered


@pytest.fixture
def small_parts(settings):
    """Parts small enough that the bundle is split, for the moderator who emails it."""
    settings.BUNDLE_PART_MAX_BYTES = PART_LIMIT


def photograph(path: Path, seed: int) -> Path:
    image = Image.effect_noise((900, 600), 30 + seed).convert("RGB")
    image.save(path, "JPEG", quality=85)
    return path


def plan(path: Path) -> Path:
    path.write_bytes(two_page_pdf(PLAN))
    return path


def add_evidence(page, kind, title, body, details=(), files=()):
    """From the portfolio's home page (where submitting leaves the learner)."""
    heading(page, "Your portfolio")
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_role("link", name=kind).click()
    page.get_by_label("Title", exact=True).fill(title)
    for label, value in details:
        page.get_by_label(label, exact=True).fill(value)
    if body is not None:
        page.get_by_label(BODY_LABELS[kind]).fill(body)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("status")).to_contain_text("is saved as a draft")
    for path in files:
        page.get_by_label("Upload files").set_input_files(path)
        page.get_by_role("button", name="Upload", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Uploaded")


BODY_LABELS = {
    "Written account": "Your account",
    "Uploaded files": "What the files show",
    "Witness testimony": "The witness’s statement",
    "Observation record": "What was observed",
    "Professional discussion record": "Record of the discussion",
}


def map_and_submit(page, title, notes: dict[str, str]):
    page.get_by_role("link", name="Choose the criteria").click()
    heading(page, f"Criteria for “{title}”")
    for code, note in notes.items():
        page.get_by_role("checkbox", name=f"{code} ").check()
        page.get_by_label(f"How this evidence meets {code}").fill(note)
    page.get_by_role("button", name="Save the criteria").click()
    page.get_by_role("link", name="Declare and submit").click()
    heading(page, f"Submit “{title}”")
    page.get_by_role("checkbox", name="I declare that this evidence is my own work").check()
    page.get_by_role("button", name="Declare and submit").click()
    expect(page.get_by_role("status")).to_contain_text("submitted for assessment")


def judge_all_met(page, title, codes):
    page.get_by_role("link", name=title).first.click()
    heading(page, "Assess")
    for code in codes:
        judge(page, code, "Met", f"{code} is well evidenced.")
    page.get_by_role("button", name="Record the decisions", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("is assessed")


def test_a_centres_first_term(page, live_server, monkeypatch, tmp_path, responses, small_parts, db_worker):
    # The catalogue editor, added by Waymark's administrator, imports the unit in the admin.
    editor = catalogue_editor(page, live_server, monkeypatch)
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Email address").fill(editor.email)
    page.get_by_label("Password").fill(editor.password)
    page.get_by_label("Password").press("Enter")
    set_up_authenticator(page, editor)
    page.get_by_role("link", name="Import a unit").click()
    page.get_by_label("Unit file").set_input_files(SEED)
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_text("This is a new unit.")).to_be_visible()
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_text(f"Imported R/600/9587 “{UNIT}”.")).to_be_visible()
    # The unit is about personal networks: the editor turns its networking records on.
    unit = UnitPage.objects.get(urn="R/600/9587")
    page.goto(f"{live_server.url}/admin/pages/{unit.pk}/edit/")
    page.get_by_role("tab", name="Settings").click()
    page.get_by_label("Networking records").check()
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("has been published")).to_be_visible()
    page.goto(live_server.url + "/")
    sign_out(page)

    # The centre is made on the command line, offering the unit, and invites its staff.
    create_centre()
    admin = add_staff(page, Role.CENTRE_ADMIN, "asha@northgate.example", "Asha", "Khan")
    sign_out(page)
    assessor = add_staff(page, Role.ASSESSOR, "sam@northgate.example", "Sam", "Patel")
    sign_out(page)
    iqa = add_staff(page, Role.IQA, "grace@northgate.example", "Grace", "Hopper")
    sign_out(page)

    # The centre admin uploads the register on the web; new learners are invited.
    register = write_register(
        tmp_path / "register.csv",
        [
            learner_row("Ada", "Lovelace", "ada@example.org", 1, "sam@northgate.example"),
            learner_row("Seán", "O'Neill", "sean@example.org", 2, "sam@northgate.example"),
        ],
    )
    sign_in(page, live_server, admin)
    page.get_by_role("link", name="Learners and enrolments").click()
    page.get_by_role("link", name="Import learners").click()
    page.get_by_label("Register file").set_input_files(register)
    page.get_by_role("button", name=re.compile("Check")).click()
    heading(page, "Check the changes")
    expect(page.get_by_label("Email each new learner an invitation")).to_be_checked()
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("status")).to_contain_text("2 learners were sent an invitation")
    expect(page.get_by_role("row", name=re.compile("Ada Lovelace"))).to_contain_text("Invited on")
    page.get_by_label(re.compile("Search")).fill("sean")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row", name=re.compile("Seán O'Neill"))).to_be_visible()
    sign_out(page)

    # Each learner follows their invitation; Ada lands on her portfolio, showing the unit.
    learner_accepts(page, "sean@example.org")
    sign_out(page)
    ada = learner_accepts(page, "ada@example.org")
    expect(page.get_by_role("heading", name=re.compile(UNIT))).to_be_visible()
    assert_no_sideways_scroll(page)

    # Networking records: a contact who has not consented, written about in many spellings.
    page.get_by_role("link", name="Networking records").click()
    page.get_by_role("link", name=re.compile("^Add (a|another) contact$")).first.click()
    page.get_by_label("Name", exact=True).fill(CONTACT)
    page.get_by_label("Organisation", exact=True).fill("Whitcombe Lettings")
    page.get_by_label("Sector").select_option(label="Finance")
    page.get_by_label("Email").fill(CONTACT_EMAIL)
    page.get_by_label("Telephone").fill(CONTACT_PHONE)
    page.get_by_label("How you met").fill("Met " + " and ".join(SPELLINGS[:3]) + " at the skills fair.")
    page.get_by_label("What they offer you").fill("Introductions to landlords.")
    page.get_by_label("What you offer them").fill("Work placements.")
    page.get_by_label("Strength of the relationship").select_option(label="Developing")
    page.get_by_role("button", name="Save the contact").click()
    expect(page.get_by_role("status")).to_contain_text("is in your register")
    page.get_by_role("link", name="Back to your networking records").click()
    page.get_by_role("button", name="Use the register and map as evidence").click()
    map_and_submit(page, "Contact register and network map", {"1.2": "Who benefits my organisation."})

    # Evidence of five kinds, together meeting every criterion.
    mentions = "; ".join(SPELLINGS)
    add_evidence(
        page,
        "Written account",
        "Confidentiality with my contacts",
        f"I met {mentions}. I keep contacts’ details private under the Data Protection Act.",
    )
    map_and_submit(
        page,
        "Confidentiality with my contacts",
        {"1.1": "Benefits of knowing Zephyrine Oyelaran Whitcombe.", "1.3": "Confidentiality."},
    )
    add_evidence(
        page,
        "Uploaded files",
        "Photos and plan from the skills fair",
        "My stand, and my networking plan.",
        files=[
            photograph(tmp_path / "stand.jpg", 1),
            photograph(tmp_path / "with-Zephyrine-Whitcombe.jpg", 2),
            plan(tmp_path / "networking-plan.pdf"),
        ],
    )
    map_and_submit(page, "Photos and plan from the skills fair", {"1.2": "Who I met.", "2.1": "My network."})
    add_evidence(
        page,
        "Witness testimony",
        "Statement from my line manager",
        "Ada built a network that now brings us work.",
        details=[
            ("Witness’s name", "Rhys Morgan"),
            ("Witness’s job title", "Operations manager"),
            ("Their relationship to you", "Line manager"),
            ("Date witnessed", "02/11/2026"),
        ],
    )
    map_and_submit(page, "Statement from my line manager", {"2.1": "My manager saw it."})
    add_evidence(
        page,
        "Observation record",
        "Observed at the networking breakfast",
        "Ada introduced herself and followed up.",
        details=[
            ("Observer’s name", "Sam Patel"),
            ("Observer’s role", "Assessor"),
            ("Date of the observation", "05/11/2026"),
            ("Where and in what setting", "Chamber of commerce breakfast, Cardiff"),
        ],
    )
    map_and_submit(page, "Observed at the networking breakfast", {"2.2": "Guidelines in use."})
    add_evidence(
        page,
        "Professional discussion record",
        "Discussion of my network review",
        "We discussed the value of each contact and what I will change.",
        details=[
            ("Date of the discussion", "10/11/2026"),
            ("Who took part", "Ada Lovelace and Sam Patel"),
            ("How long it lasted, in minutes", "40"),
        ],
    )
    map_and_submit(
        page, "Discussion of my network review", {"3.1": "My network's value.", "3.2": "Future actions."}
    )
    sign_out(page)

    # The assessor returns one item with feedback.
    sign_in(page, live_server, assessor)
    page.get_by_role("link", name="Your caseload").click()
    page.get_by_role("link", name="Ada Lovelace").first.click()
    page.get_by_role("link", name=re.compile("Confidentiality with my contacts")).first.click()
    judge(page, "1.1", "Met", "A clear evaluation.")
    judge(page, "1.3", "Not yet met", "Say how the Data Protection Act applies to your contacts.")
    page.get_by_label("What the learner should change").fill("Add the legal side of keeping contacts.")
    page.get_by_role("button", name="Record the decisions and return it to the learner").click()
    expect(page.get_by_role("status")).to_contain_text("is returned to the learner")
    heading(page, "Your caseload")
    page.get_by_role("link", name="Ada Lovelace").first.click()
    for title, codes in [
        ("Contact register and network map", ["1.2"]),
        ("Photos and plan from the skills fair", ["1.2", "2.1"]),
        ("Statement from my line manager", ["2.1"]),
        ("Observed at the networking breakfast", ["2.2"]),
        ("Discussion of my network review", ["3.1", "3.2"]),
    ]:
        judge_all_met(page, title, codes)
        page.get_by_role("link", name="Ada Lovelace").first.click()
    sign_out(page)

    # The learner revises and resubmits.
    sign_in(page, live_server, ada)
    page.get_by_role("link", name="Your portfolio").click()
    page.locator('tr[data-criterion="1.3"]').get_by_role(
        "link", name="Confidentiality with my contacts"
    ).click()
    expect(page.get_by_text("Say how the Data Protection Act applies to your contacts.")).to_be_visible()
    page.get_by_role("link", name="Change the title and text").click()
    page.get_by_label("Your account").fill(
        f"I met {mentions}. The Data Protection Act 2018 means I ask consent before sharing details."
    )
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("link", name="Declare and submit").click()
    page.get_by_label("I declare that this evidence is my own work").check()
    page.get_by_role("button", name="Declare and submit").click()
    expect(page.get_by_role("status")).to_contain_text("resubmitted (version 2)")
    sign_out(page)

    # The assessor marks it met and signs the unit off; the learner countersigns.
    sign_in(page, live_server, assessor)
    page.get_by_role("link", name="Your caseload").click()
    page.get_by_role("link", name="Ada Lovelace").first.click()
    judge_all_met(page, "Confidentiality with my contacts", ["1.1", "1.3"])
    page.get_by_role("link", name="Ada Lovelace").first.click()
    page.get_by_role("link", name="Sign the unit off").click()
    page.get_by_label("I confirm that I assessed this learner").check()
    page.get_by_role("button", name="Sign the unit off").click()
    heading(page, "Unit recording sheet")
    sign_out(page)
    sign_in(page, live_server, ada)
    page.get_by_role("link", name="Your portfolio").click()
    page.get_by_role("link", name="Check the recording sheet and countersign").click()
    page.get_by_label("I confirm that the evidence recorded here is my own work").check()
    page.get_by_role("button", name="Countersign").click()
    expect(page.get_by_role("status")).to_contain_text("You have countersigned")
    sign_out(page)

    # The IQA samples the sign-off and agrees.
    sign_in(page, live_server, iqa)
    page.get_by_role("link", name="Internal quality assurance").click()
    page.get_by_role("link", name=UNIT, exact=True).click()
    page.get_by_role("button", name="Save the plan").click()
    page.get_by_role("button", name="Start sampling these").click()
    expect(page.get_by_role("status")).to_contain_text("Started 1 sample.")
    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_label("Agree with the assessment").check()
    page.get_by_label("Comments").fill("Sound decisions, well evidenced.")
    page.get_by_role("button", name="Record the verdict").click()
    expect(page.get_by_role("status")).to_contain_text("Your verdict is recorded.")
    sign_out(page)

    # The centre admin makes the moderation sample and opens it to the moderator.
    sign_in(page, live_server, admin)
    page.get_by_role("link", name="Moderation samples").click()
    page.get_by_role("link", name=f"Sample {UNIT}").click()
    page.get_by_role("button", name="Make the sample").click()
    page.get_by_label("Moderator’s email address").fill("morag@ocr.example")
    page.get_by_role("button", name="Give access and email them").click()
    expect(page.get_by_role("row", name=re.compile("morag@ocr.example"))).to_contain_text("Open")
    sign_out(page)

    # The moderator follows the email, sets up their app, and reads the evidence.
    moderator = Person("morag@ocr.example")
    choose_password(page, moderator.email, PASSWORD)
    set_up_authenticator(page, moderator)
    page.get_by_role("link", name="Moderation samples open to you").click()
    page.get_by_role("link", name=UNIT).click()
    page.get_by_role("link", name="Ada Lovelace").click()
    candidate = page.locator("main")
    for detail in [
        "Rhys Morgan",
        "Operations manager",
        "Line manager",
        "Chamber of commerce breakfast",
        "40",
    ]:
        expect(candidate).to_contain_text(detail)
    history = page.locator("ol.assessment-history")
    expect(history).to_contain_text("Not yet met")
    expect(history).to_contain_text("Say how the Data Protection Act applies to your contacts.")
    expect(history).to_contain_text("Add the legal side of keeping contacts.")
    expect(page.locator("img.evidence-image").first).to_be_visible()
    assert_no_sideways_scroll(page)

    # The bundle, made by the worker.
    page.get_by_role("link", name=re.compile("Back to|sample", re.I)).first.click()
    page.get_by_role("button", name="Make the bundle").click()
    expect(page.get_by_role("status")).to_contain_text("Ready", timeout=120_000)
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the bundle (PDF").click()
    with page.expect_download() as zip_download:
        page.get_by_role("link", name="Download the original files and manifest (ZIP)").click()
    parts = []
    for link in page.get_by_role("link", name=re.compile(r"^Part \d+ of \d+$")).all():
        with page.expect_download() as part:
            link.click()
        parts.append(Path(part.value.path()))
    sign_out(page)

    # The PDF: every criterion, the assessment history, nothing over an appended page.
    reader = PdfReader(pdf_download.value.path())
    text = "\n".join(page_.extract_text() for page_ in reader.pages)
    flat = " ".join(text.split())
    for code in CODES:
        assert code in flat
    assert "Say how the Data Protection Act applies to your contacts." in flat
    assert "Add the legal side of keeping contacts." in flat
    assert "Rhys Morgan" in flat
    assert not leaks(text), leaks(text)
    pages = [" ".join(page_.extract_text().split()) for page_ in reader.pages]
    reserved = [index for index, words in enumerate(pages) if PLAN in words]
    learner_pdf = PdfReader(io.BytesIO(two_page_pdf(PLAN)))
    assert len(reserved) == len(learner_pdf.pages) == 2
    header = "Northgate College (10001) · R/600/9587 Candidate 0001: Ada Lovelace"
    for index, source in zip(reserved, learner_pdf.pages, strict=True):
        allowed = set(header.split()) | set(source.extract_text().split())
        allowed |= {"Page", str(index + 1), "of", str(len(pages))}
        assert set(pages[index].split()) - allowed == set(), f"page {index + 1} has more drawn on it"

    # The parts, each within the limit.
    assert Path(pdf_download.value.path()).stat().st_size > PART_LIMIT
    assert len(parts) >= 2
    for part in parts:
        assert part.stat().st_size <= PART_LIMIT, (part, part.stat().st_size)
        assert not leaks(" ".join(p.extract_text() for p in PdfReader(part).pages))

    # The ZIP: names and manifests.
    with zipfile.ZipFile(zip_download.value.path()) as archive:
        assert not leaks(" ".join(archive.namelist()))
        for name in ("manifest.json", "manifest.csv"):
            assert not leaks(archive.read(name).decode())

    # And nothing the live server gave anyone but the learner names her.
    staff_answers = [
        (asker, path)
        for asker, path, kind, body in responses
        if asker not in {"", "ada@example.org"} and leaks(body.decode("utf-8", "replace"))
    ]
    assert not staff_answers, staff_answers
    # The search can find her: the learner's own pages name her, as they should.
    assert any(
        asker == "ada@example.org" and leaks(body.decode("utf-8", "replace"))
        for asker, _, _, body in responses
    )
    assert {"sam@northgate.example", "grace@northgate.example", "morag@ocr.example"} <= {
        a for a, *_ in responses
    }
