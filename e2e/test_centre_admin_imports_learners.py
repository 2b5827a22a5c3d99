from playwright.sync_api import expect

from centre.models import Role
from centre.scoping import scopes_disabled
from centre.services import set_offered_units
from e2e.accessibility import assert_no_accessibility_violations
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, valid_uln

HEADER = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email"


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")


def test_centre_admin_fixes_a_register_and_the_assessor_sees_their_learners(
    page, live_server, centre_a, seed_unit, tmp_path
):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        admin = MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN).user
        tom = MembershipFactory(
            centre=centre_a,
            role=Role.ASSESSOR,
            user__email="tom@northgate.example",
            user__first_name="Tom",
            user__last_name="Hughes",
        ).user
        MembershipFactory(
            centre=centre_a,
            role=Role.ASSESSOR,
            user__email="ria@northgate.example",
            user__first_name="Ria",
            user__last_name="Shah",
        )
    rows = [
        f"Liam,Evans,liam@example.org,{valid_uln(600000000)},0001,R/600/9587,tom@northgate.example",
        f"Mia,Jones,mia@example.org,{valid_uln(600000100)},0002,R/600/9587,ria@northgate.example",
        f"Noor,Ali,noor@example.org,{valid_uln(600000200)},0003,R/600/9587,tom@northgate.example",
    ]
    broken = tmp_path / "register.csv"
    broken.write_text(
        "\n".join([HEADER, rows[0].replace("0001", "01"), rows[1], rows[2].replace("@", " at ", 1)])
    )
    fixed = tmp_path / "register-fixed.csv"
    fixed.write_text("\n".join([HEADER, *rows]))

    sign_in(page, live_server, admin.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")
    assert_no_accessibility_violations(page)
    page.get_by_role("link", name="Import learners").click()
    assert_no_accessibility_violations(page)

    page.get_by_label("Register file").set_input_files(broken)
    page.get_by_role("button", name="Check the file").press("Enter")
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Nothing was imported: 2 problems to fix")
    expect(problems.get_by_role("row")).to_have_count(3)
    expect(problems).to_contain_text("'01': a candidate number is 4 digits")
    expect(problems).to_contain_text("'noor at example.org' is not an email address")
    assert_no_accessibility_violations(page)

    page.get_by_label("Register file").set_input_files(fixed)
    page.get_by_role("button", name="Check the file").press("Enter")
    expect(page.get_by_role("heading", name="Check the changes")).to_be_visible()
    expect(page.get_by_text("3 new learners")).to_be_visible()
    assert_no_accessibility_violations(page)
    page.get_by_role("button", name="Confirm import").press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Imported: 3 new learners; 3 new enrolments.")
    table = page.get_by_role("table", name="3 learners")
    expect(table.get_by_role("row", name="Liam Evans")).to_contain_text("Tom Hughes")
    expect(table.get_by_role("row", name="Noor Ali")).to_contain_text("Tom Hughes")
    expect(table.get_by_role("row", name="Mia Jones")).to_contain_text("Ria Shah")
    assert_no_accessibility_violations(page)
    page.get_by_role("button", name="Sign out").press("Enter")

    sign_in(page, live_server, tom.email)
    page.get_by_role("link", name="Your learners").press("Enter")
    allocated = page.get_by_role("table", name="Learners allocated to you at Northgate College")
    expect(allocated.locator("tbody tr")).to_have_count(2)
    expect(allocated).to_contain_text("Liam Evans")
    expect(allocated).to_contain_text("Noor Ali")
    expect(allocated).not_to_contain_text("Mia Jones")
    assert_no_accessibility_violations(page)
