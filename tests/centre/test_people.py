import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from centre.models import Membership, OfferedUnit, Role
from centre.services import CentreServiceError, add_member, end_membership, set_offered_units
from common.scoping import centre_scope, scopes_disabled
from tests.factories import EnrolmentFactory


def invitation_link(message) -> str:
    return re.search(r"http://\S+/accounts/password/set/\S+/", message.body).group(0)


def test_adding_a_new_person_creates_their_account_and_invites_them(
    centre_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, granted = add_member(
            centre=centre_a, email="ann@example.org", role=Role.ASSESSOR, first_name="Ann", last_name="Smith"
        )

    assert granted
    user = get_user_model().objects.get(email="ann@example.org")
    assert not user.has_usable_password()
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]
    assert mail.outbox[0].subject == "You have been invited to Waymark by Northgate College"
    assert "the role of assessor" in mail.outbox[0].body
    assert invitation_link(mail.outbox[0])


def test_a_person_can_hold_roles_in_several_centres(centre_a, centre_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        add_member(centre=centre_a, email="sam@example.org", role=Role.ASSESSOR)
        add_member(centre=centre_b, email="SAM@example.org", role=Role.MODERATOR)
    assert get_user_model().objects.filter(email__iexact="sam@example.org").count() == 1
    with scopes_disabled():
        assert sorted(Membership.objects.values_list("centre__number", "role")) == [
            ("10001", "assessor"),
            ("20002", "moderator"),
        ]


def test_adding_the_same_role_twice_changes_nothing_and_invites_once(
    centre_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_member(centre=centre_a, email="ann@example.org", role=Role.IQA)
        _, granted_again = add_member(centre=centre_a, email="ann@example.org", role=Role.IQA)
    assert not granted_again
    assert len(mail.outbox) == 1


def test_an_ended_membership_can_be_granted_again(centre_a, django_capture_on_commit_callbacks):
    membership, _ = add_member(centre=centre_a, email="ann@example.org", role=Role.IQA)
    end_membership(membership=membership)
    again, granted = add_member(centre=centre_a, email="ann@example.org", role=Role.IQA)
    assert granted and again.pk == membership.pk and again.is_active


def test_an_unknown_role_is_refused(centre_a):
    with pytest.raises(CentreServiceError, match="'examiner' is not a role"):
        add_member(centre=centre_a, email="ann@example.org", role="examiner")
    assert not get_user_model().objects.exists()


def test_a_centre_offers_exactly_the_units_it_is_given(centre_a, seed_unit):
    assert set_offered_units(centre=centre_a, urns=["R/600/9587"]) == ["offers R/600/9587"]
    assert set_offered_units(centre=centre_a, urns=["R/600/9587"]) == []
    assert set_offered_units(centre=centre_a, urns=[]) == ["no longer offers R/600/9587"]


def test_an_unknown_unit_cannot_be_offered(centre_a, seed_unit):
    with pytest.raises(
        CentreServiceError, match="No unit in the catalogue has the reference number Y/999/9999"
    ):
        set_offered_units(centre=centre_a, urns=["R/600/9587", "Y/999/9999"])
    with centre_scope(centre_a):
        assert not OfferedUnit.objects.exists()


def test_a_unit_with_enrolled_learners_stays_offered(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    EnrolmentFactory(learner__centre=centre_a, unit=seed_unit)
    with pytest.raises(CentreServiceError, match="Learners are enrolled on R/600/9587"):
        set_offered_units(centre=centre_a, urns=[])


def test_create_centre_command_creates_renames_and_sets_offered_units(db, seed_unit, capsys):
    call_command("create_centre", "--number", "54321", "--name", "Hillside", "--offer", "R/600/9587")
    call_command("create_centre", "--number", "54321", "--name", "Hillside College")
    output = capsys.readouterr().out
    assert "Created Hillside (54321)." in output
    assert "Now offers R/600/9587." in output
    assert "Saved Hillside College (54321)." in output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--number", "5432", "--name", "Hillside"], "A centre number is five digits."),
        (["--number", "54321", "--name", "Hillside", "--offer", "X/000/0000"], "No unit in the catalogue"),
    ],
)
def test_create_centre_command_refuses_bad_input_and_writes_nothing(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_centre", *arguments)
    with scopes_disabled():
        from centre.models import Centre

        assert not Centre.objects.exists()


def test_add_member_command_reports_what_it_did(centre_a, capsys):
    call_command("add_member", "--centre", "10001", "--email", "kim@example.org", "--role", "assessor")
    call_command("add_member", "--centre", "10001", "--email", "kim@example.org", "--role", "assessor")
    output = capsys.readouterr().out
    assert "kim@example.org is now assessor at Northgate College (10001)." in output
    assert "kim@example.org is already assessor at Northgate College (10001); nothing changed." in output


def test_add_member_command_refuses_the_learner_role_without_a_learner_record(centre_a):
    with pytest.raises(CommandError, match="No learner at Northgate College has the email address kim@"):
        call_command("add_member", "--centre", "10001", "--email", "kim@example.org", "--role", "learner")
    assert not get_user_model().objects.filter(email="kim@example.org").exists()


def test_add_member_command_refuses_an_unknown_centre(db):
    with pytest.raises(CommandError, match="There is no centre with the number '99998'"):
        call_command("add_member", "--centre", "99998", "--email", "kim@example.org", "--role", "learner")


def test_add_member_command_refuses_a_malformed_email(centre_a):
    with pytest.raises(CommandError, match=r"Enter a valid email address\."):
        call_command("add_member", "--centre", "10001", "--email", "not-an-email", "--role", "learner")
    assert not get_user_model().objects.exists()
