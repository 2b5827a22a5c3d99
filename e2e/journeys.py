"""Steps every journey takes: signing in and out as a person of Northgate College, and
arriving on a page (checked with axe)."""

from playwright.sync_api import expect

from e2e.accessibility import assert_no_accessibility_violations
from tests.factories import DEFAULT_PASSWORD


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_contain_text(text)
    assert_no_accessibility_violations(page)
