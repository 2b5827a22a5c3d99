from playwright.sync_api import expect

from centre.models import Role
from centre.scoping import centre_scope, scopes_disabled
from centre.services import set_offered_units
from e2e.accessibility import assert_no_accessibility_violations
from e2e.keyboard import activate, tab_to, tick, type_into
from learners.services import allocate_assessor
from tests.factories import DEFAULT_PASSWORD, PDF_BYTES, EnrolmentFactory, LearnerFactory, MembershipFactory


def grid_row(page, code):
    return page.locator(f'tr[data-criterion="{code}"]')


def test_learner_builds_and_submits_a_portfolio_with_the_keyboard(
    page, live_server, centre_a, seed_unit, tmp_path
):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        user = MembershipFactory(centre=centre_a, role=Role.LEARNER, user__email="ada@example.org").user
        assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        learner = LearnerFactory(centre=centre_a, user=user, first_name="Ada", last_name="Lovelace")
        enrolment = EnrolmentFactory(learner=learner, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
    plan = tmp_path / "networking-plan.pdf"
    plan.write_bytes(PDF_BYTES)

    page.goto(live_server.url + "/accounts/sign-in/")
    type_into(page, page.get_by_label("Email address"), "ada@example.org")
    type_into(page, page.get_by_label("Password"), DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")
    assert_no_accessibility_violations(page)

    activate(page, page.get_by_role("link", name="Your portfolio"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your portfolio")
    for code in ["1.1", "1.2", "1.3"]:
        expect(grid_row(page, code)).to_contain_text("No evidence yet")
    assert_no_accessibility_violations(page)

    # A reflective account, mapped to 1.1 and 1.3.
    activate(page, page.get_by_role("link", name="Add evidence"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    assert_no_accessibility_violations(page)
    activate(page, page.get_by_role("link", name="Reflective statement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New reflective statement")
    assert_no_accessibility_violations(page)
    type_into(page, page.get_by_label("Title"), "Reflecting on my network")
    type_into(page, page.get_by_label("Your reflection"), "Networking brought me two new suppliers.")
    activate(page, page.get_by_role("button", name="Save as draft"))
    expect(page.get_by_role("status")).to_contain_text("“Reflecting on my network” is saved as a draft.")
    assert_no_accessibility_violations(page)

    activate(page, page.get_by_role("link", name="Choose the criteria"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Criteria for “Reflecting on my network”")
    assert_no_accessibility_violations(page)
    tick(page, page.get_by_role("checkbox", name="1.1 "))
    type_into(page, page.get_by_label("How this evidence meets 1.1"), "It weighs what networking gave me.")
    tick(page, page.get_by_role("checkbox", name="1.3 "))
    type_into(
        page, page.get_by_label("How this evidence meets 1.3"), "It explains how I kept contacts private."
    )
    activate(page, page.get_by_role("button", name="Save the criteria"))
    expect(page.get_by_role("status")).to_contain_text("is mapped to 2 criteria")
    assert_no_accessibility_violations(page)

    activate(page, page.get_by_role("link", name="Declare and submit"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit “Reflecting on my network”")
    assert_no_accessibility_violations(page)
    tick(page, page.get_by_role("checkbox", name="I declare that this evidence is my own work"))
    activate(page, page.get_by_role("button", name="Declare and submit"))
    expect(page.get_by_role("status")).to_contain_text(
        "“Reflecting on my network” is submitted for assessment."
    )
    expect(grid_row(page, "1.1")).to_contain_text("Submitted")
    expect(grid_row(page, "1.3")).to_contain_text("Submitted")
    expect(grid_row(page, "1.2")).to_contain_text("No evidence yet")
    assert_no_accessibility_violations(page)

    # A PDF, mapped to 1.2.
    activate(page, page.get_by_role("link", name="Add evidence"))
    activate(page, page.get_by_role("link", name="Uploaded files"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New uploaded files")
    assert_no_accessibility_violations(page)
    type_into(page, page.get_by_label("Title"), "My networking plan")
    activate(page, page.get_by_role("button", name="Save as draft"))
    file_input = page.get_by_label("Upload files")
    tab_to(page, file_input)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(plan)
    activate(page, page.get_by_role("button", name="Upload", exact=True))
    expect(page.get_by_role("status")).to_contain_text("Uploaded “networking-plan.pdf”.")
    expect(page.get_by_role("link", name="networking-plan.pdf")).to_be_visible()
    assert_no_accessibility_violations(page)

    activate(page, page.get_by_role("link", name="Choose the criteria"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Criteria for “My networking plan”")
    tick(page, page.get_by_role("checkbox", name="1.2 "))
    type_into(page, page.get_by_label("How this evidence meets 1.2"), "The plan sets out my networks.")
    activate(page, page.get_by_role("button", name="Save the criteria"))
    expect(page.get_by_role("status")).to_contain_text("is mapped to 1 criterion")
    activate(page, page.get_by_role("link", name="Declare and submit"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit “My networking plan”")
    tick(page, page.get_by_role("checkbox", name="I declare that this evidence is my own work"))
    activate(page, page.get_by_role("button", name="Declare and submit"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Your portfolio")
    expect(grid_row(page, "1.2")).to_contain_text("Submitted")
    expect(grid_row(page, "1.2")).to_contain_text("My networking plan")
    expect(grid_row(page, "1.1")).to_contain_text("Reflecting on my network")
    expect(grid_row(page, "2.1")).to_contain_text("No evidence yet")
    assert_no_accessibility_violations(page)
