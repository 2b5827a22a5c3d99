"""Learners from the register become people who can sign in: linked to an account, given
the learner role, invited by email, and able to set a password and reach their portfolio."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from centre.models import Membership, Role
from centre.services import CentreServiceError, add_member, set_offered_units
from common.scoping import centre_scope, scopes_disabled
from learners.models import Learner
from tests.factories import LearnerFactory, MembershipFactory, UserFactory, valid_uln

HEADER = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email"
ULN_1, ULN_2 = valid_uln(610000000), valid_uln(610000100)
LINK = re.compile(r"https?://\S+/accounts/password/set/\S+/")


@pytest.fixture(autouse=True)
def emails_sent_on_commit(monkeypatch):
    """Each test runs inside one transaction that never commits; run what waits for the
    commit at once, as it would after each real request or command."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda callback, using=None, robust=False: callback())


@pytest.fixture
def centre(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    return centre_a


def register(tmp_path, *rows):
    path = tmp_path / "register.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def import_register(tmp_path, *extra, rows=None):
    rows = rows or [
        f"Liam,Evans,liam@example.org,{ULN_1},0001,R/600/9587,",
        f"Mia,Jones,mia@example.org,{ULN_2},0002,,",
    ]
    out = io.StringIO()
    call_command("import_learners", "--centre", "10001", str(register(tmp_path, *rows)), *extra, stdout=out)
    return out.getvalue()


def learner(email):
    with scopes_disabled():
        return Learner.objects.select_related("user").get(email=email)


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def test_imported_learners_get_an_account_the_learner_role_and_an_invitation(centre, tmp_path):
    output = import_register(tmp_path)

    assert "2 sent an invitation by email" in output
    liam = learner("liam@example.org")
    assert liam.user.email == "liam@example.org" and not liam.user.has_usable_password()
    assert liam.user.invited_at is not None
    with scopes_disabled():
        assert Membership.objects.filter(centre=centre, user=liam.user, role=Role.LEARNER).exists()
        assert AuditRecord.objects.filter(verb="account.invited", learner_ref=liam.pk).count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["liam@example.org", "mia@example.org"]
    assert "Northgate College" in mail.outbox[0].subject
    assert link_in(mail.outbox[0]).startswith("http://127.0.0.1:8000/accounts/password/set/")


def test_an_invited_learner_sets_a_password_and_lands_on_their_portfolio(centre, tmp_path, client):
    import_register(tmp_path)
    message = next(m for m in mail.outbox if m.to == ["liam@example.org"])
    set_password = client.get(link_in(message), follow=True)
    assert "Choose your password" in set_password.content.decode()

    landed = client.post(
        set_password.redirect_chain[-1][0],
        {"new_password1": "a long walk by the river", "new_password2": "a long walk by the river"},
        follow=True,
    )

    assert landed.redirect_chain[-1][0] == reverse("assessment:learner_home")
    page = landed.content.decode()
    assert landed.status_code == 200
    assert "Develop, maintain and review personal networks" in page
    assert "you are signed in" in page


def test_an_existing_account_with_the_same_email_is_linked_not_duplicated(centre, tmp_path):
    staff = UserFactory(email="Liam@Example.org")  # has a password already
    import_register(tmp_path)

    assert learner("liam@example.org").user == staff
    assert get_user_model().objects.filter(email__iexact="liam@example.org").count() == 1
    assert [m.to for m in mail.outbox] == [["mia@example.org"]]  # Liam signs in as he does now


def test_without_invitations_nobody_is_emailed_until_invite_learners(centre, tmp_path):
    output = import_register(tmp_path, "--no-invitations")

    assert mail.outbox == []
    assert "send the invitations with manage.py invite_learners" in output
    assert learner("mia@example.org").user.invited_at is None

    out = io.StringIO()
    call_command("invite_learners", "--centre", "10001", stdout=out)
    assert "Sent an invitation to 2 learner(s)" in out.getvalue()
    assert len(mail.outbox) == 2

    call_command("invite_learners", "--centre", "10001", stdout=out)
    assert "nobody was sent an invitation" in out.getvalue()
    assert len(mail.outbox) == 2


def test_a_new_invitation_makes_the_old_link_stop_working(centre, tmp_path, client):
    import_register(tmp_path, rows=[f"Liam,Evans,liam@example.org,{ULN_1},0001,,"])
    first = link_in(mail.outbox[0])

    call_command("invite_learners", "--centre", "10001", "--email", "LIAM@example.org", stdout=io.StringIO())

    second = link_in(mail.outbox[1])
    assert first != second
    assert "This link no longer works" in client.get(first, follow=True).content.decode()
    assert "Choose your password" in client.get(second, follow=True).content.decode()


def test_invite_learners_refuses_unknown_emails_and_learners_who_have_a_password(centre, tmp_path):
    import_register(tmp_path, "--no-invitations")
    with pytest.raises(CommandError, match=r"No learner at .* has the email address nobody@example\.org"):
        call_command("invite_learners", "--centre", "10001", "--email", "nobody@example.org")
    user = learner("liam@example.org").user
    user.set_password("chosen already")
    user.save()
    with pytest.raises(CommandError, match=r"Liam Evans \(0001\) has already chosen a password"):
        call_command("invite_learners", "--centre", "10001", "--email", "liam@example.org")
    assert mail.outbox == []


def test_an_expired_invitation_can_ask_for_a_new_link_by_email(centre, tmp_path, client):
    import_register(tmp_path, rows=[f"Liam,Evans,liam@example.org,{ULN_1},0001,,"])
    client.post(reverse("password_reset"), {"email": "liam@example.org"})
    assert mail.outbox[-1].to == ["liam@example.org"] and LINK.search(mail.outbox[-1].body)


def test_giving_the_learner_role_by_hand_links_the_learner_record(centre):
    record = LearnerFactory(centre=centre, email="ada@example.org")
    membership, _ = add_member(centre=centre, email="ADA@example.org", role=Role.LEARNER)
    record.refresh_from_db()
    assert record.user == membership.user


def test_giving_the_learner_role_without_a_learner_record_is_refused(centre):
    with pytest.raises(CentreServiceError, match="No learner at Northgate College has the email address"):
        add_member(centre=centre, email="stranger@example.org", role=Role.LEARNER)
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="stranger@example.org").exists()
    assert mail.outbox == []


def test_the_staff_page_says_why_a_learner_role_is_refused(client, centre):
    with scopes_disabled():
        client.force_login(MembershipFactory(centre=centre, role=Role.CENTRE_ADMIN).user)
    page = client.post(
        reverse("centre:staff"), {"email": "stranger@example.org", "role": Role.LEARNER}
    ).content.decode()
    assert "No learner at Northgate College has the email address stranger@example.org" in page


def test_two_learners_cannot_share_an_email_address(centre, tmp_path):
    rows = [f"Liam,Evans,home@example.org,{ULN_1},0001,,", f"Mia,Evans,home@example.org,{ULN_2},0002,,"]
    with pytest.raises(CommandError, match=r"row 3, email: home@example\.org is also the email of row 2"):
        import_register(tmp_path, rows=rows)


@pytest.fixture
def admin_client(client, centre):
    with scopes_disabled():
        client.force_login(MembershipFactory(centre=centre, role=Role.CENTRE_ADMIN).user)
    return client


def test_learners_list_shows_where_each_learner_stands_and_invites(
    admin_client, centre, tmp_path, django_assert_max_num_queries
):
    import_register(tmp_path, "--no-invitations")
    for n in range(20):
        LearnerFactory(centre=centre, candidate_number=f"{n + 100:04d}", email=f"other{n}@example.org")
    with django_assert_max_num_queries(20):
        page = admin_client.get(reverse("learners:list")).content.decode()
    assert page.count("Not invited") == 22
    assert "22 learners have not been invited to sign in yet" in page

    liam = learner("liam@example.org")
    admin_client.post(reverse("learners:invite"), {"learner": liam.pk})
    assert [m.to for m in mail.outbox] == [["liam@example.org"]]
    assert "Invited on" in admin_client.get(reverse("learners:list"), {"q": "Liam"}).content.decode()

    get_user_model().objects.filter(pk=liam.user_id).update(invited_at=timezone.now() - timedelta(days=30))
    listed = admin_client.get(reverse("learners:list"), {"q": "Liam"}).content.decode()
    assert "the link has expired" in listed

    done = admin_client.post(reverse("learners:invite"), {"everyone": "1"}, follow=True).content.decode()
    assert "21 learners have been sent an invitation" in done
    get_user_model().objects.filter(pk=liam.user_id).update(last_login=timezone.now())
    assert "Signed in" in admin_client.get(reverse("learners:list"), {"q": "Liam"}).content.decode()


def test_another_centres_learner_cannot_be_invited(admin_client, centre, centre_b):
    other = LearnerFactory(centre=centre_b)
    assert admin_client.post(reverse("learners:invite"), {"learner": other.pk}).status_code == 404
    assert mail.outbox == []


def test_the_web_import_invites_when_the_box_is_ticked(admin_client, centre):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = f"{HEADER}\nLiam,Evans,liam@example.org,{ULN_1},0001,,\n".encode()
    preview = admin_client.post(
        reverse("learners:import"), {"file": SimpleUploadedFile("r.csv", data, "text/csv")}
    ).content.decode()
    assert "Email each new learner an invitation" in preview
    fields = dict(re.findall(r'name="(upload|plan_fingerprint)" value="([^"]+)"', preview))
    done = admin_client.post(
        reverse("learners:import"), {**fields, "invite": "on", "confirm": "1"}, follow=True
    ).content.decode()
    assert "1 learner was sent an invitation" in done
    assert [m.to for m in mail.outbox] == [["liam@example.org"]]
    with centre_scope(centre):
        assert Learner.objects.get().user.invited_at is not None


class QueuedInvitations:
    """Stands in for the task worker: keeps each ``email_invitations`` task queued, until
    ``run`` runs them as the worker would."""

    def __init__(self):
        self.batches = []

    def enqueue(self, user_ids, role, invited_at, *, centre_id):
        self.batches.append((user_ids, role, invited_at, centre_id))

    def run(self) -> int:
        from centre.tasks import email_invitations

        queued, self.batches = self.batches, []
        return sum(
            email_invitations.call(user_ids, role, invited_at, centre_id=centre_id)
            for user_ids, role, invited_at, centre_id in queued
        )


@pytest.fixture
def queued(monkeypatch):
    import centre.services

    invitations = QueuedInvitations()
    monkeypatch.setattr(centre.services, "email_invitations", invitations)
    return invitations


def test_the_worker_emails_a_registers_invitations_in_batches_after_the_import(
    centre, tmp_path, queued, monkeypatch
):
    import centre.services

    monkeypatch.setattr(centre.services, "INVITATIONS_PER_TASK", 2)
    rows = [f"L{n},Learner,l{n}@example.org,{valid_uln(620000000 + n * 7)},{n:04d},," for n in range(5)]
    import_register(tmp_path, rows=rows)

    assert mail.outbox == []  # the import did not wait for the mail server
    assert [len(user_ids) for user_ids, *_ in queued.batches] == [2, 2, 1]
    assert queued.run() == 5
    assert sorted(message.to[0] for message in mail.outbox) == [f"l{n}@example.org" for n in range(5)]


def test_an_invitation_made_again_before_its_email_went_still_sends_working_links(
    centre, tmp_path, queued, client
):
    import_register(tmp_path, rows=[f"Liam,Evans,liam@example.org,{ULN_1},0001,,"])
    call_command("invite_learners", "--centre", "10001", "--email", "liam@example.org", stdout=io.StringIO())
    assert len(queued.batches) == 2

    assert queued.run() == 2
    for message in mail.outbox:  # each link is made as it is sent, over the password as it is then
        assert "Choose your password" in client.get(link_in(message), follow=True).content.decode()


def test_nobody_whose_role_ended_before_the_email_went_is_sent_one(centre, tmp_path, queued):
    import_register(tmp_path)
    with scopes_disabled():
        Membership.objects.filter(user=learner("mia@example.org").user).update(is_active=False)

    assert queued.run() == 1
    assert [message.to for message in mail.outbox] == [["liam@example.org"]]


def test_a_batch_the_mail_server_refuses_is_marked_not_invited_for_a_new_invitation(
    centre, tmp_path, queued, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    import_register(tmp_path)

    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patched, pytest.raises(ConnectionRefusedError):
        patched.setattr(EmailBackend, "send_messages", refuse)
        queued.run()
    assert learner("liam@example.org").user.invited_at is None

    out = io.StringIO()
    call_command("invite_learners", "--centre", "10001", stdout=out)
    assert "Sent an invitation to 2 learner(s)" in out.getvalue()
    assert queued.run() == 2


def test_nobody_who_chose_a_password_before_the_email_went_is_sent_one(centre, tmp_path, queued):
    import_register(tmp_path)
    mia = learner("mia@example.org").user
    mia.set_password("a password chosen meanwhile")
    mia.save()

    assert queued.run() == 1
    assert [message.to for message in mail.outbox] == [["liam@example.org"]]
