from playwright.sync_api import expect

from centre.models import Role
from e2e.files import PDF_BYTES
from e2e.journeys import assert_no_sideways_scroll
from e2e.keyboard import activate, tab_to, tick, type_into
from e2e.people import (
    add_staff,
    create_centre,
    import_learners,
    import_seed_unit,
    learner_accepts,
    learner_row,
    sign_out,
    write_register,
)


def grid_row(page, code):
    return page.locator(f'tr[data-criterion="{code}"]')


def test_learner_builds_and_submits_a_portfolio_with_the_keyboard(page, live_server, tmp_path):
    import_seed_unit()
    create_centre()
    add_staff(page, Role.ASSESSOR, "sam@northgate.example", "Sam", "Patel")
    sign_out(page)
    register = [learner_row("Ada", "Lovelace", "ada@example.org", 1, "sam@northgate.example")]
    import_learners(write_register(tmp_path / "register.csv", register))
    ada = learner_accepts(page, "ada@example.org")
    sign_out(page)
    plan = tmp_path / "networking-plan.pdf"
    plan.write_bytes(PDF_BYTES)

    page.goto(live_server.url + "/accounts/sign-in/")
    type_into(page, page.get_by_label("Email address"), "ada@example.org")
    type_into(page, page.get_by_label("Password"), ada.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")

    activate(page, page.get_by_role("link", name="Your portfolio"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your portfolio")
    for code in ["1.1", "1.2", "1.3"]:
        expect(grid_row(page, code)).to_contain_text("No evidence yet")
    assert_no_sideways_scroll(page)

    # A reflective account, mapped to 1.1 and 1.3.
    activate(page, page.get_by_role("link", name="Add evidence"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    activate(page, page.get_by_role("link", name="Reflective statement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New reflective statement")
    type_into(page, page.get_by_label("Title"), "Reflecting on my network")
    type_into(page, page.get_by_label("Your reflection"), "Networking brought me two new suppliers.")
    activate(page, page.get_by_role("button", name="Save as draft"))
    expect(page.get_by_role("status")).to_contain_text("“Reflecting on my network” is saved as a draft.")

    activate(page, page.get_by_role("link", name="Choose the criteria"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Criteria for “Reflecting on my network”")
    tick(page, page.get_by_role("checkbox", name="1.1 "))
    type_into(page, page.get_by_label("How this evidence meets 1.1"), "It weighs what networking gave me.")
    tick(page, page.get_by_role("checkbox", name="1.3 "))
    type_into(
        page, page.get_by_label("How this evidence meets 1.3"), "It explains how I kept contacts private."
    )
    activate(page, page.get_by_role("button", name="Save the criteria"))
    expect(page.get_by_role("status")).to_contain_text("is mapped to 2 criteria")

    activate(page, page.get_by_role("link", name="Declare and submit"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit “Reflecting on my network”")
    tick(page, page.get_by_role("checkbox", name="I declare that this evidence is my own work"))
    activate(page, page.get_by_role("button", name="Declare and submit"))
    expect(page.get_by_role("status")).to_contain_text(
        "“Reflecting on my network” is submitted for assessment."
    )
    expect(grid_row(page, "1.1")).to_contain_text("Submitted")
    expect(grid_row(page, "1.3")).to_contain_text("Submitted")
    expect(grid_row(page, "1.2")).to_contain_text("No evidence yet")

    # A PDF, mapped to 1.2.
    activate(page, page.get_by_role("link", name="Add evidence"))
    activate(page, page.get_by_role("link", name="Uploaded files"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New uploaded files")
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
    assert_no_sideways_scroll(page)
