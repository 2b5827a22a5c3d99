from django.core import mail
from playwright.sync_api import expect

from centre.models import Role
from e2e.people import add_staff, create_centre, import_seed_unit
from learners.validators import uln_with_check_digit as uln

HEADER = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email"


def sign_in(page, live_server, person):
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.keyboard.press("Enter")
    page.get_by_role("textbox", name="Code").fill(person.code())
    page.keyboard.press("Enter")


def sign_out(page):
    page.get_by_role("button", name="Sign out").press("Enter")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_centre_admin_fixes_a_register_and_the_assessor_sees_their_learners(page, live_server, tmp_path):
    import_seed_unit()
    create_centre()
    admin = add_staff(page, Role.CENTRE_ADMIN, "asha@northgate.example", "Asha", "Khan")
    sign_out(page)
    tom = add_staff(page, Role.ASSESSOR, "tom@northgate.example", "Tom", "Hughes")
    sign_out(page)
    add_staff(page, Role.ASSESSOR, "ria@northgate.example", "Ria", "Shah")
    sign_out(page)
    rows = [
        f"Liam,Evans,liam@example.org,{uln(600000000)},0001,R/600/9587,tom@northgate.example",
        f"Mia,Jones,mia@example.org,{uln(600000100)},0002,R/600/9587,ria@northgate.example",
        f"Noor,Ali,noor@example.org,{uln(600000200)},0003,R/600/9587,tom@northgate.example",
    ]
    broken = tmp_path / "register.csv"
    broken.write_text(
        "\n".join([HEADER, rows[0].replace("0001", "01"), rows[1], rows[2].replace("@", " at ", 1)])
    )
    fixed = tmp_path / "register-fixed.csv"
    fixed.write_text("\n".join([HEADER, *rows]))

    sign_in(page, live_server, admin)
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")
    page.get_by_role("link", name="Import learners").click()

    page.get_by_label("Register file").set_input_files(broken)
    page.get_by_role("button", name="Check the file").press("Enter")
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Nothing was imported: 2 problems to fix")
    expect(problems.get_by_role("row")).to_have_count(3)
    expect(problems).to_contain_text("'01': a candidate number is 4 digits")
    expect(problems).to_contain_text("'noor at example.org' is not an email address")

    page.get_by_label("Register file").set_input_files(fixed)
    page.get_by_role("button", name="Check the file").press("Enter")
    expect(page.get_by_role("heading", name="Check the changes")).to_be_visible()
    expect(page.get_by_text("3 new learners")).to_be_visible()
    page.get_by_role("button", name="Confirm import").press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Imported: 3 new learners; 3 new enrolments.")
    table = page.get_by_role("table", name="3 learners")
    expect(table.get_by_role("row", name="Liam Evans")).to_contain_text("Tom Hughes")
    expect(table.get_by_role("row", name="Noor Ali")).to_contain_text("Tom Hughes")
    expect(table.get_by_role("row", name="Mia Jones")).to_contain_text("Ria Shah")
    invited = {to for message in mail.outbox for to in message.to if "Choose your password" in message.body}
    assert {"liam@example.org", "mia@example.org", "noor@example.org"} <= invited
    sign_out(page)

    sign_in(page, live_server, tom)
    page.get_by_role("link", name="Your learners").press("Enter")
    allocated = page.get_by_role("table", name="Learners allocated to you at Northgate College")
    expect(allocated.locator("tbody tr")).to_have_count(2)
    expect(allocated).to_contain_text("Liam Evans")
    expect(allocated).to_contain_text("Noor Ali")
    expect(allocated).not_to_contain_text("Mia Jones")
