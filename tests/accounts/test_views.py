import re

from django.core import mail
from django.urls import reverse

from centre.models import Role
from centre.services import add_member
from tests.factories import DEFAULT_PASSWORD, UserFactory

NEW_PASSWORD = "a long and unusual passphrase 42"


def invite(centre, capture):
    with capture(execute=True):
        add_member(centre=centre, email="ann@example.org", role=Role.ASSESSOR, first_name="Ann")
    return re.search(r"http://[^/]+(/accounts/password/set/\S+/)", mail.outbox[-1].body).group(1)


def choose_password(client, link):
    page = client.get(link, follow=True)
    assert "Choose your password" in page.content.decode()
    return client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )


def test_invited_person_sets_a_password_once_and_signs_in(
    client, centre_a, django_capture_on_commit_callbacks
):
    link = invite(centre_a, django_capture_on_commit_callbacks)

    done = choose_password(client, link)
    assert "Your password is saved, and you are signed in." in done.content.decode()
    assert done.context["user"].email == "ann@example.org"
    assert done.redirect_chain[-1][0] == reverse("centre:home")
    client.logout()

    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()

    signed_in = client.post(
        reverse("login"), {"username": "ann@example.org", "password": NEW_PASSWORD}, follow=True
    )
    assert signed_in.context["user"].email == "ann@example.org"
    assert "ann@example.org" in signed_in.content.decode()


def test_tampered_invitation_link_does_not_work(client, centre_a, django_capture_on_commit_callbacks):
    link = invite(centre_a, django_capture_on_commit_callbacks)
    page = client.get(link[:-3] + "zz/", follow=True)
    assert "This link no longer works" in page.content.decode()


def test_wrong_password_is_refused_with_a_message(client, db):
    UserFactory(email="kim@example.org")
    response = client.post(reverse("login"), {"username": "kim@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct email address and password." in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_password_reset_sends_a_link_that_sets_a_new_password(client, db):
    UserFactory(email="kim@example.org")
    client.post(reverse("password_reset"), {"email": "kim@example.org"})
    link = re.search(r"http://[^/]+(/accounts/password/set/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert client.login(username="kim@example.org", password=NEW_PASSWORD)
    assert not client.login(username="kim@example.org", password=DEFAULT_PASSWORD)


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "If that address belongs to a Waymark account" in response.content.decode()
    assert mail.outbox == []


def test_signing_out_is_a_post(client, db):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session
