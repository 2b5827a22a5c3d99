import re

from playwright.sync_api import expect
from pypdf import PdfReader

from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
from centre.models import Role
from common.scoping import centre_scope, scopes_disabled
from e2e.journeys import assert_no_sideways_scroll, heading, sign_in, sign_out
from e2e.people import (
    add_staff,
    create_centre,
    import_learners,
    import_seed_unit,
    learner_accepts,
    learner_row,
    write_register,
)
from learners.models import Enrolment
from moderation.services import create_moderation_sample, grant_moderator_access
from networking.models import NetworkingPrompt
from portfolio.models import EvidenceItem
from units.selectors import unit_by_urn

CONTACTS = [
    # name, organisation, sector, email, consented, strength
    ("Priya Shah", "Harbour Bank", "Finance", "priya@harbour-bank.example", True, "Strong"),
    ("Tom Okafor", "Northgate Council", "Public sector", "tom.okafor@council.example", True, "Developing"),
    ("Grace Mbeki", "Riverside Academy", "Education and training", "", True, "Weak or new"),
    ("Dan Whitfield", "Whitfield Logistics", "Finance", "dan@whitfield.example", False, "Developing"),
    ("Sofia Marsh", "Marsh Care", "Health and social care", "sofia@marsh.example", False, "Weak or new"),
]


def add_contact(page, name, organisation, sector, email, consented, strength):
    page.get_by_role("link", name=re.compile("^Add (a|another) contact$")).first.click()
    heading(page, "Add a contact")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Organisation", exact=True).fill(organisation)
    page.get_by_label("Sector").select_option(label=sector)
    page.get_by_label("Email").fill(email)
    page.get_by_label("How you met").fill(f"Met {name} at the county skills fair.")
    page.get_by_label("What they offer you").fill("Advice and introductions.")
    page.get_by_label("What you offer them").fill("Training places for their staff.")
    page.get_by_label("Strength of the relationship").select_option(label=strength)
    if consented:
        page.get_by_label("Consented to sharing").check()
    page.get_by_role("button", name="Save the contact").click()
    expect(page.get_by_role("status")).to_contain_text(f"{name} is in your register")


def log_interaction(page, name, purpose):
    page.get_by_role("link", name="Back to your networking records").click()
    page.get_by_role("link", name=name).click()
    page.get_by_label("Date").fill("02/11/2026")
    page.get_by_label("Purpose").fill(purpose)
    page.get_by_label("Outcome").fill("Agreed to meet again in the new year.")
    page.get_by_role("button", name="Log the interaction").click()
    expect(page.get_by_role("status")).to_contain_text(f"Logged your interaction with {name}")


def map_and_submit(page, title, notes):
    page.get_by_role("link", name="Choose the criteria").click()
    heading(page, f"Criteria for “{title}”")
    for code, note in notes.items():
        page.get_by_role("checkbox", name=f"{code} ").check()
        page.get_by_label(f"How this evidence meets {code}").fill(note)
    page.get_by_role("button", name="Save the criteria").click()
    expect(page.get_by_role("status")).to_contain_text(f"is mapped to {len(notes)} criteri")
    page.get_by_role("link", name="Declare and submit").click()
    heading(page, f"Submit “{title}”")
    page.get_by_role("checkbox", name="I declare that this evidence is my own work").check()
    page.get_by_role("button", name="Declare and submit").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{title}” is submitted for assessment.")


def test_learner_turns_networking_records_into_evidence_and_the_bundle_keeps_contacts_confidential(
    page, live_server, tmp_path, db_worker
):
    import_seed_unit()
    seed_unit = unit_by_urn(urn="R/600/9587")
    seed_unit.networking_records = True  # as a catalogue editor sets it in the unit's settings
    seed_unit.save_revision().publish()
    centre_a = create_centre()
    assessor = add_staff(page, Role.ASSESSOR, "sam@northgate.example", "Sam", "Patel")
    sign_out(page)
    add_staff(page, Role.CENTRE_ADMIN, "asha@northgate.example", "Asha", "Khan")
    sign_out(page)
    moderator = add_staff(page, Role.MODERATOR, "morag@ocr.example", "Morag", "Reid")
    sign_out(page)
    register = [learner_row("Ada", "Lovelace", "ada@example.org", 42, "sam@northgate.example")]
    import_learners(write_register(tmp_path / "register.csv", register))
    with scopes_disabled():
        NetworkingPrompt.objects.create(
            centre=centre_a,
            prompt="<p>Follow Northgate’s data protection policy DP-04.</p>",
            outline="## Approaching contacts\n\n## Keeping details safe\n",
        )
        enrolment = Enrolment.objects.select_related("learner__user").get()
        learner, learner_user = enrolment.learner, enrolment.learner.user
        admin = centre_a.memberships.get(role=Role.CENTRE_ADMIN).user
    ada = learner_accepts(page, "ada@example.org")
    sign_out(page)
    # The learner builds their register: five contacts, two of whom have not consented.
    sign_in(page, live_server, ada)
    page.get_by_role("link", name="Your portfolio").click()
    page.get_by_role("link", name="Networking records").click()
    heading(page, "Your networking records")
    for contact in CONTACTS:
        add_contact(page, *contact)
    log_interaction(page, "Priya Shah", "Asked about funding for apprenticeships")
    log_interaction(page, "Dan Whitfield", "Discussed a placement scheme")
    page.get_by_role("link", name="Back to your networking records").click()
    register = page.get_by_role("table", name="Your contacts")
    expect(register.get_by_role("row")).to_have_count(6)
    expect(register.get_by_role("row", name="Dan Whitfield")).to_contain_text("Contact C4, finance sector")
    expect(page.locator("figure.network-map svg")).to_be_visible()

    # A review of the network, with a group.
    page.get_by_role("link", name="Network reviews").click()
    page.get_by_role("link", name="Review your network now").click()
    heading(page, "Review your network")
    page.get_by_label("Date of the review").fill("10/11/2026")
    for name, value, effort, decision in [
        ("Priya Shah", "High", "Low", "Keep"),
        ("Dan Whitfield", "Medium", "High", "Develop"),
    ]:
        line = page.get_by_role("group", name=re.compile(name))
        line.get_by_label("Value").select_option(label=value)
        line.get_by_label("Effort").select_option(label=effort)
        line.get_by_label("Keep, develop or reduce").select_option(label=decision)
    group = page.get_by_role("group", name="Group 1")
    group.get_by_label("Group").fill("County skills fair exhibitors")
    group.get_by_label("Value").select_option(label="Low")
    group.get_by_label("Effort").select_option(label="High")
    group.get_by_label("Keep, develop or reduce").select_option(label="Reduce")
    page.get_by_label("Your experience with existing contacts").fill(
        "Priya answers quickly; Dan Whitfield needs more time but opens doors."
    )
    page.get_by_label("Future actions").fill("Meet Dan Whitfield each quarter.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("status")).to_contain_text("Your review of 10 November 2026 is saved.")
    page.get_by_role("button", name="Use this review as evidence").click()
    expect(page.get_by_role("status")).to_contain_text("Next, map it to criteria")
    map_and_submit(
        page,
        "Network review of 10 November 2026",
        {"3.1": "I rate each contact’s value.", "3.2": "I say what I will do next."},
    )

    # Guidelines, starting from the centre's prompt.
    heading(page, "Your portfolio")
    page.get_by_role("link", name="Networking records").click()
    page.get_by_role("link", name="Your guidelines for working with networks").click()
    heading(page, "Your guidelines for working with networks")
    expect(page.get_by_text("Follow Northgate’s data protection policy DP-04.")).to_be_visible()
    guidelines = page.get_by_label("Your guidelines")
    expect(guidelines).to_have_value(re.compile("## Approaching contacts"))
    guidelines.fill(
        "## Approaching contacts\n\nIntroduce yourself.\n\n## Keeping details safe\n\nAsk consent first."
    )
    page.get_by_role("button", name="Save your guidelines").click()
    expect(page.get_by_role("status")).to_contain_text("Your guidelines are saved.")
    page.get_by_role("button", name="Use your guidelines as evidence").click()
    map_and_submit(page, "Guidelines for working with networks", {"2.2": "My guidelines follow DP-04."})

    # The register and map, as evidence of 1.2 and 2.1.
    page.get_by_role("link", name="Networking records").click()
    page.get_by_role("button", name="Use the register and map as evidence").click()
    heading(page, "Contact register and network map")
    map_and_submit(
        page,
        "Contact register and network map",
        {"1.2": "Who benefits my organisation.", "2.1": "The network I built."},
    )
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_role("link", name="Reflective statement").click()
    page.get_by_label("Title").fill("Why networks matter")
    page.get_by_label("Your reflection").fill("Networks open doors; I keep my contacts’ details safe.")
    page.get_by_role("button", name="Save as draft").click()
    map_and_submit(
        page, "Why networks matter", {"1.1": "What networks gave me.", "1.3": "The law on contacts."}
    )
    assert_no_sideways_scroll(page)
    sign_out(page)

    # The assessor sees the contacts: by name where they consented, by reference where not.
    sign_in(page, live_server, assessor)
    page.get_by_role("link", name="Your caseload").click()
    page.get_by_role("link", name="Ada Lovelace").first.click()
    page.get_by_role("link", name="Contact register and network map").click()
    heading(page, "Assess “Contact register and network map”")
    evidence = page.get_by_role("region", name="The evidence")
    for name, *_ in CONTACTS[:3]:
        expect(evidence).to_contain_text(name)
    expect(evidence).to_contain_text("Contact C4, finance sector")
    expect(evidence).to_contain_text("Contact C5, health and care sector")
    expect(evidence).not_to_contain_text("Whitfield")
    expect(evidence).not_to_contain_text("Sofia")
    sign_out(page)

    # The unit is met, signed off and sampled; the moderator makes the bundle.
    with centre_scope(centre_a):
        staff = enrolment.assessor
        items = list(EvidenceItem.objects.filter(learner=learner))
        for item in items:
            version = item.versions.get()
            judgements = {m["criterion"]: Judgement("met", "Good.", 0) for m in version.snapshot["mappings"]}
            assess_submission(item=item, assessor=staff, judgements=judgements)
        sign_off = sign_off_unit(enrolment=enrolment, assessor=staff, declared=True)
        countersign_unit(sign_off=sign_off, learner_user=learner_user, declared=True)
        sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[enrolment.pk]
        )
        grant_moderator_access(sample=sample, actor=admin, email=moderator.email)

    sign_in(page, live_server, moderator)
    page.get_by_role("link", name="Moderation samples open to you").click()
    page.get_by_role("link", name="Develop, maintain and review personal networks").click()
    page.get_by_role("link", name="Lovelace").click()
    expect(page.get_by_role("heading", name="Evidence", exact=True)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Whitfield")
    assert_no_sideways_scroll(page)
    page.go_back()
    page.get_by_role("button", name="Make the bundle").click()
    expect(page.get_by_role("status")).to_contain_text("Ready", timeout=60_000)
    assert_no_sideways_scroll(page)
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the bundle (PDF").click()

    text = "\n".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages)
    compact = re.sub(r"\s+", "", text)
    assert "ContactC4,financesector" in compact and "ContactC5,healthandcaresector" in compact
    for shown in ("PriyaShah", "TomOkafor", "GraceMbeki", "Weakornew", "Publicsector"):
        assert shown in compact, shown  # the register, and the map's labels, sectors and rings
    for hidden in ("Whitfield", "Sofia", "Marsh", "dan@whitfield.example", "sofia@marsh.example"):
        assert hidden not in compact, hidden
