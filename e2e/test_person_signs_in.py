from playwright.sync_api import expect

from centre.models import Role
from centre.scoping import scopes_disabled
from e2e.accessibility import assert_no_accessibility_violations
from tests.factories import DEFAULT_PASSWORD, MembershipFactory


def test_assessor_signs_in_with_the_keyboard_and_sees_their_centre(page, live_server, centre_a):
    with scopes_disabled():
        assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_no_accessibility_violations(page)

    page.get_by_label("Email address").fill(assessor.email)
    page.get_by_label("Password").fill("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct email address and password.")
    assert_no_accessibility_violations(page)

    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Centre: Northgate College (10001)")).to_be_visible()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(assessor.email)
    assert_no_accessibility_violations(page)

    page.get_by_role("button", name="Sign out").press("Enter")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
