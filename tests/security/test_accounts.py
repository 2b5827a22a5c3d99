"""Accounts and sessions: one test per rule of the security issue."""

import io
import json
import re
from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import end_sessions
from centre.models import Membership, Role
from centre.services import end_membership
from common.scoping import scopes_disabled
from config import settings as waymark_settings
from tests.factories import DEFAULT_PASSWORD, LearnerFactory, MembershipFactory, UserFactory

SIGN_IN = reverse("login")


def member(centre, role, **user):
    return MembershipFactory(centre=centre, role=role, **{f"user__{k}": v for k, v in user.items()}).user


def sign_in(client, email, password=DEFAULT_PASSWORD):
    return client.post(SIGN_IN, {"username": email, "password": password})


@pytest.fixture
def two_factor(settings):
    settings.WAYMARK_REQUIRE_TWO_FACTOR = True


def authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def forgive(device: TOTPDevice) -> None:
    """Clear the device's own throttling after a deliberate wrong code (it makes the next
    attempt wait a second or more)."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


# Passwords ----------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = waymark_settings.PASSWORD_HASHERS
    assert make_password("a long and unusual passphrase").startswith("argon2$")


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "12345678901"])
def test_common_and_short_passwords_are_refused(password, settings):
    settings.AUTH_PASSWORD_VALIDATORS = waymark_settings.AUTH_PASSWORD_VALIDATORS
    with pytest.raises(ValidationError):
        validate_password(password)


# Throttling ---------------------------------------------------------------------------------


def test_repeated_failures_for_an_account_are_refused_for_a_while(client, centre_a):
    user = member(centre_a, Role.LEARNER)
    responses = [sign_in(client, user.email, "wrong") for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    refused = sign_in(client, user.email)  # even the right password, for now
    assert refused.status_code == 429
    assert "Too many unsuccessful attempts to sign in" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_account_is_refused_exactly_like_a_known_one(client, centre_a):
    known = member(centre_a, Role.LEARNER, email="known@example.org")

    def refusal(email):
        for _ in range(5):
            sign_in(client, email, "wrong")
        with mock.patch("django.contrib.auth.forms.authenticate") as authenticate:
            response = sign_in(client, email, "wrong")
        assert not authenticate.called  # no password is checked, so no timing difference
        return response.status_code, response.content.decode().replace(email, "EMAIL")

    known_refusal = refusal(known.email)
    unknown_refusal = refusal("nobody@example.org")
    assert known_refusal[0] == unknown_refusal[0] == 429
    assert without_tokens(known_refusal[1]) == without_tokens(unknown_refusal[1])


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_many_failures_from_one_address_are_refused_whatever_the_account(db, client, settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 6
    for n in range(6):
        sign_in(client, f"guess{n}@example.org", "wrong")
    assert sign_in(client, "another@example.org", "wrong").status_code == 429


def test_a_successful_sign_in_clears_the_accounts_failures(client, centre_a):
    user = member(centre_a, Role.LEARNER)
    for _ in range(4):
        sign_in(client, user.email, "wrong")
    assert sign_in(client, user.email).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert sign_in(client, user.email, "wrong").status_code == 200


# Two-factor sign-in -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.IQA, Role.CENTRE_ADMIN, Role.MODERATOR])
def test_staff_must_set_up_an_authenticator_before_anything_else(client, centre_a, two_factor, role):
    user = member(centre_a, role)
    sign_in(client, user.email)
    response = client.get(reverse("centre:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_set_up"))
    page = client.get(response.url).content.decode()
    assert "Set up your authenticator app" in page and "<svg" in page


def test_a_catalogue_editor_must_use_an_authenticator_too(client, catalogue_editor, two_factor):
    client.force_login(catalogue_editor)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.url.startswith(reverse("two_factor_set_up"))


def test_setting_up_the_authenticator_gives_recovery_codes_that_work_once(client, centre_a, two_factor):
    user = member(centre_a, Role.ASSESSOR)
    sign_in(client, user.email)
    client.get(reverse("two_factor_set_up"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(reverse("two_factor_set_up"), {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    forgive(device)
    page = client.post(reverse("two_factor_set_up"), {"code": current_code(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", page.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("centre:home")).status_code == 200

    client.post(reverse("logout"))
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).url.startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert client.get(reverse("centre:home")).status_code == 200
    client.post(reverse("logout"))
    sign_in(client, user.email)
    reused = client.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert reused.status_code == 400


def test_staff_sign_in_with_password_and_code(client, centre_a, two_factor):
    user = member(centre_a, Role.ASSESSOR)
    device = authenticator(user)
    assert sign_in(client, user.email).status_code == 302
    assert client.get(reverse("assessment:caseload")).url.startswith(reverse("two_factor_verify"))
    assert client.post(reverse("two_factor_verify"), {"code": "12345x"}).status_code == 400
    forgive(device)
    response = client.post(
        reverse("two_factor_verify"), {"code": current_code(device), "next": reverse("assessment:caseload")}
    )
    assert response.url == reverse("assessment:caseload")
    assert client.get(reverse("assessment:caseload")).status_code == 200


def test_the_device_that_verified_a_session_is_kept_in_it_and_stops_counting_once_deleted(
    client, centre_a, two_factor
):
    user = member(centre_a, Role.ASSESSOR)
    device = authenticator(user)
    sign_in(client, user.email)
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    client.get(reverse("assessment:caseload"))
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        assert client.get(reverse("assessment:caseload")).status_code == 200
    assert not [sql for sql in seen if TOTPDevice._meta.db_table in sql]
    # What is kept says whose device and whether confirmed: never its secret.
    assert device.key not in json.dumps(dict(client.session))

    device.delete()
    assert client.get(reverse("assessment:caseload")).url.startswith(reverse("two_factor_set_up"))


def test_a_device_given_to_someone_else_stops_verifying_its_old_owners_session(client, centre_a, two_factor):
    user, other = member(centre_a, Role.ASSESSOR), member(centre_a, Role.ASSESSOR)
    device = authenticator(user)
    authenticator(other)
    sign_in(client, user.email)
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    assert client.get(reverse("assessment:caseload")).status_code == 200
    device.user = other
    device.save(update_fields=["user"])
    assert client.get(reverse("assessment:caseload")).url.startswith(reverse("two_factor_set_up"))


def test_a_learner_may_choose_two_factor_and_is_then_held_to_it(client, centre_a, two_factor):
    user = member(centre_a, Role.LEARNER)
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).status_code == 200  # optional for learners
    authenticator(user)
    client.post(reverse("logout"))
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).url.startswith(reverse("two_factor_verify"))


def test_a_learner_given_a_staff_role_while_signed_in_must_set_up_an_authenticator_at_once(
    client, centre_a, two_factor
):
    """The session keeps the answer to "must they use a second factor?" only until their
    roles change."""
    user = member(centre_a, Role.LEARNER)
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).status_code == 200
    assert client.get(reverse("centre:home")).status_code == 200  # the kept answer
    with scopes_disabled():
        MembershipFactory(centre=centre_a, role=Role.ASSESSOR, user=user)
    assert client.get(reverse("centre:home")).url.startswith(reverse("two_factor_set_up"))


def test_a_learner_who_sets_up_an_authenticator_elsewhere_is_asked_for_a_code_here(
    client, centre_a, two_factor
):
    user = member(centre_a, Role.LEARNER)
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).status_code == 200
    unconfirmed = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    assert client.get(reverse("centre:home")).status_code == 200  # not theirs until confirmed
    unconfirmed.confirmed = True
    unconfirmed.save(update_fields=["confirmed"])
    assert client.get(reverse("centre:home")).url.startswith(reverse("two_factor_verify"))


@pytest.mark.parametrize("given", ["to the person", "to the group"])
def test_a_learner_made_a_catalogue_editor_while_signed_in_must_set_up_an_authenticator(
    client, centre_a, two_factor, given
):
    from django.contrib.auth.models import Group

    user = member(centre_a, Role.LEARNER)
    editors, _ = Group.objects.get_or_create(name="Catalogue editors")
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).status_code == 200
    if given == "to the person":
        user.groups.add(editors)
    else:
        editors.user_set.add(user)
    assert client.get(reverse("centre:home")).url.startswith(reverse("two_factor_set_up"))
    editors.user_set.clear()
    assert client.get(reverse("centre:home")).status_code == 200


def test_saving_an_earlier_copy_of_a_person_keeps_their_raised_counters(client, centre_a, two_factor):
    """An administrator saving a learner's name from a copy read before the learner was
    made an assessor must not write the old access_epoch back: the learner is still sent to
    set up an authenticator."""
    user = member(centre_a, Role.LEARNER)
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).status_code == 200
    earlier_copy = type(user).objects.get(pk=user.pk)
    with scopes_disabled():
        MembershipFactory(centre=centre_a, role=Role.ASSESSOR, user=user)
    earlier_copy.first_name = "Ada"
    earlier_copy.save()
    user.refresh_from_db()
    assert user.first_name == "Ada" and user.access_epoch > earlier_copy.access_epoch
    assert client.get(reverse("centre:home")).url.startswith(reverse("two_factor_set_up"))


def test_a_group_deleted_no_longer_holds_its_people_to_a_second_factor(client, centre_a, two_factor):
    from django.contrib.auth.models import Group

    user = member(centre_a, Role.LEARNER)
    reviewers = Group.objects.create(name="Reviewers of the catalogue")
    reviewers.user_set.add(user)
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).url.startswith(reverse("two_factor_set_up"))
    reviewers.delete()
    assert client.get(reverse("centre:home")).status_code == 200


def test_a_session_kept_before_a_release_changed_the_rules_or_the_centres_is_read_again(
    client, centre_a, two_factor
):
    """What a session keeps names the second factor's rules and the centres' columns it
    was kept under; kept under others, it is asked again rather than misread."""
    from accounts.selectors import SECOND_FACTOR_SESSION_KEY
    from centre.selectors import ROLES_SESSION_KEY

    user = member(centre_a, Role.ASSESSOR)
    sign_in(client, user.email)
    client.get(reverse("centre:home"))
    session = client.session
    standing = session[SECOND_FACTOR_SESSION_KEY]
    standing["for"][2], standing["value"][1] = "an older release", False
    roles = session[ROLES_SESSION_KEY]
    roles["for"][2] = roles["for"][2][:2]  # fewer columns than Centre has now
    roles["value"]["centres"] = [row[:2] for row in roles["value"]["centres"]]
    session.save()
    assert client.get(reverse("centre:home")).url.startswith(reverse("two_factor_set_up"))
    session = client.session
    assert session[SECOND_FACTOR_SESSION_KEY]["for"][2] != "an older release"
    assert len(session[ROLES_SESSION_KEY]["value"]["centres"][0]) > 2


def test_the_rules_fingerprint_is_the_same_for_the_same_rules_and_changes_with_them(monkeypatch):
    from accounts import parts

    before = parts.second_factor_rules_fingerprint()
    assert parts.second_factor_rules_fingerprint() == before
    monkeypatch.setattr(parts, "_second_factor_rules", [*parts._second_factor_rules, lambda user: None])
    assert parts.second_factor_rules_fingerprint() != before


def test_wagtails_own_sign_in_page_leads_to_waymarks(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url == f"{SIGN_IN}?next=/admin/"


# Sessions -----------------------------------------------------------------------------------


def test_the_session_key_changes_at_sign_in(client, centre_a):
    user = member(centre_a, Role.LEARNER)
    client.get(SIGN_IN)
    session = client.session
    session["visited"] = True
    session.save()
    before = client.cookies["sessionid"].value
    sign_in(client, user.email)
    assert client.cookies["sessionid"].value != before


def test_signing_out_ends_the_session(client, centre_a):
    user = member(centre_a, Role.LEARNER)
    sign_in(client, user.email)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    client.cookies["sessionid"] = cookie
    assert client.get(reverse("centre:home")).status_code == 302


def test_deactivating_an_account_ends_its_sessions(client, centre_a):
    user = member(centre_a, Role.ASSESSOR)
    client.force_login(user)
    assert client.get(reverse("centre:home")).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("centre:home")).status_code == 302


def test_ending_a_membership_ends_the_persons_sessions(client, centre_a):
    admin = member(centre_a, Role.CENTRE_ADMIN)
    user = member(centre_a, Role.ASSESSOR)
    client.force_login(user)
    assert client.get(reverse("centre:home")).status_code == 200
    with scopes_disabled():
        end_membership(membership=Membership.objects.get(user=user), actor=admin)
    response = client.get(reverse("centre:home"))
    assert response.status_code == 302 and response.url.startswith(SIGN_IN)


def test_a_role_in_another_centre_given_while_signed_in_counts_at_the_next_request(
    client, centre_a, centre_b
):
    """The session keeps the person's roles only until one changes (User.access_epoch)."""
    user = member(centre_a, Role.LEARNER)
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).status_code == 200  # their only centre
    with scopes_disabled():
        MembershipFactory(centre=centre_b, role=Role.LEARNER, user=user)
    assert client.get(reverse("centre:home")).url == reverse("centre:choose")  # now one of two
    page = client.get(reverse("centre:choose")).content.decode()
    assert centre_a.name in page and centre_b.name in page


def test_a_centre_renamed_shows_its_new_name_to_people_signed_in(client, centre_a):
    user = member(centre_a, Role.LEARNER)
    sign_in(client, user.email)
    assert centre_a.name in client.get(reverse("centre:home")).content.decode()
    with scopes_disabled():
        centre_a.name = "Northfield College of Building"
        centre_a.save()
    assert "Northfield College of Building" in client.get(reverse("centre:home")).content.decode()


def test_learners_invited_from_the_register_see_their_new_centre_at_once(client, centre_a, centre_b):
    """Invitations give learner roles in bulk, past the signals: they say so themselves."""
    from learners.invitations import give_learners_accounts

    user = member(centre_a, Role.LEARNER)
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).status_code == 200
    with scopes_disabled():
        learner = LearnerFactory(centre=centre_b, email=user.email, user=None)
        give_learners_accounts(centre=centre_b, learners=[learner])
    assert client.get(reverse("centre:home")).url == reverse("centre:choose")


def test_other_people_keep_their_sessions(client, centre_a):
    user, other = member(centre_a, Role.ASSESSOR), UserFactory()
    client.force_login(user)
    end_sessions(user=other)
    assert client.get(reverse("centre:home")).status_code == 200


def test_signing_out_ends_the_persons_sessions_on_other_devices_too(centre_a):
    user = member(centre_a, Role.LEARNER)
    laptop, library_computer = Client(), Client()
    for device in (laptop, library_computer):
        sign_in(device, user.email)
        assert device.get(reverse("centre:home")).status_code == 200
    laptop.post(reverse("logout"))
    assert library_computer.get(reverse("centre:home")).status_code == 302


def test_an_administrator_resets_a_lost_authenticator(client, centre_a, two_factor):
    user = member(centre_a, Role.ASSESSOR)
    device = authenticator(user)
    sign_in(client, user.email)
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    call_command("reset_two_factor", "--email", user.email.upper(), stdout=io.StringIO())
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get(reverse("centre:home")).status_code == 302  # their sessions ended
    sign_in(client, user.email)
    assert client.get(reverse("centre:home")).url.startswith(reverse("two_factor_set_up"))
