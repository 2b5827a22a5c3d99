from django.core.management import call_command
from django_otp.oath import TOTP
from playwright.sync_api import expect

from centre.models import Role
from e2e.people import (
    Person,
    add_staff,
    choose_password,
    create_centre,
    enter_password,
    import_learners,
    import_seed_unit,
    learner_accepts,
    learner_row,
    set_up_authenticator,
    sign_out,
    write_register,
)


def test_staff_sign_in_with_an_authenticator_and_guessing_is_stopped(page, live_server, tmp_path):
    import_seed_unit()
    create_centre()
    assessor = add_staff(page, Role.ASSESSOR, "sam@northgate.example", "Sam", "Patel")
    sign_out(page)

    # The IQA, invited, has no app yet: after choosing a password they set one up with the
    # key, and get recovery codes.
    call_command("add_member", centre="10001", email="ivy@northgate.example", role=Role.IQA)
    iqa = Person("ivy@northgate.example")
    choose_password(page, iqa.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    set_up_authenticator(page, iqa)
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")
    assert len(set(iqa.recovery_codes)) == 10
    sign_out(page)

    # The assessor: password, then the code from their app; a wrong code is refused.
    enter_password(page, live_server, assessor)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    wrong = f"{(TOTP(assessor.key).token() + 1) % 1_000_000:06d}"
    page.get_by_role("textbox", name="Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    page.get_by_role("textbox", name="Code").fill(assessor.code())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")
    sign_out(page)

    # A learner who gets their password wrong five times is told to try later.
    import_learners(
        write_register(tmp_path / "register.csv", [learner_row("Ada", "Lovelace", "ada@example.org", 1)])
    )
    learner = learner_accepts(page, "ada@example.org")
    sign_out(page)
    for _ in range(5):
        enter_password(page, live_server, Person(learner.email, password="not my password"))
        expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Too many unsuccessful attempts to sign in")
    enter_password(page, live_server, learner)
    expect(page.get_by_role("alert")).to_contain_text("try again in 15 minutes")
