from playwright.sync_api import expect

from centre.models import Role
from e2e.people import add_staff, create_centre, sign_out


def test_assessor_signs_in_with_the_keyboard_and_sees_their_centre(page, live_server):
    create_centre(offer=())
    assessor = add_staff(page, Role.ASSESSOR, "sam@northgate.example", "Sam", "Patel")
    sign_out(page)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Email address").fill(assessor.email)
    page.get_by_label("Password").fill("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct email address and password.")

    page.get_by_label("Password").fill(assessor.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_role("textbox", name="Code").fill(assessor.code())
    page.keyboard.press("Enter")
    expect(page.get_by_text("Centre: Northgate College (10001)")).to_be_visible()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(assessor.email)

    page.get_by_role("button", name="Sign out").press("Enter")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
