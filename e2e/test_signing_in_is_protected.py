import base64

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from centre.models import Role
from centre.scoping import scopes_disabled
from e2e.accessibility import assert_no_accessibility_violations
from tests.factories import DEFAULT_PASSWORD, MembershipFactory


def code_for(key: bytes) -> str:
    return f"{TOTP(key).token():06d}"


def enter_password(page, live_server, email, password=DEFAULT_PASSWORD):
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_staff_sign_in_with_an_authenticator_and_guessing_is_stopped(page, live_server, centre_a, settings):
    settings.WAYMARK_REQUIRE_TWO_FACTOR = True
    with scopes_disabled():
        assessor = MembershipFactory(
            centre=centre_a, role=Role.ASSESSOR, user__email="sam@northgate.example"
        ).user
        iqa = MembershipFactory(centre=centre_a, role=Role.IQA, user__email="ivy@northgate.example").user
        learner = MembershipFactory(centre=centre_a, role=Role.LEARNER, user__email="ada@example.org").user
    device = TOTPDevice.objects.create(user=assessor, name="Authenticator app", confirmed=True)

    # The assessor: password, then the code from their app.
    enter_password(page, live_server, assessor.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_no_accessibility_violations(page)
    page.get_by_role("textbox", name="Code").fill(code_for(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")
    page.get_by_role("button", name="Sign out").click()

    # The IQA has no app yet: they set one up with the key, and get recovery codes.
    enter_password(page, live_server, iqa.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    assert_no_accessibility_violations(page)
    secret = page.locator("figure.qr-code code").inner_text()
    page.get_by_role("textbox", name="Code").fill(code_for(base64.b32decode(secret)))
    page.get_by_role("button", name="Turn on sign-in with my app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_no_accessibility_violations(page)
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")
    page.get_by_role("button", name="Sign out").click()

    # A learner who gets their password wrong five times is told to try later.
    for _ in range(5):
        enter_password(page, live_server, learner.email, "not my password")
    expect(page.get_by_role("alert")).to_contain_text("Too many unsuccessful attempts to sign in")
    assert_no_accessibility_violations(page)
    enter_password(page, live_server, learner.email)
    expect(page.get_by_role("alert")).to_contain_text("try again in 15 minutes")
