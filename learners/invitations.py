"""Accounts and invitations for learners: every learner is a person who signs in, invited
by the same single-use link as staff."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower

from accounts.names import person_sort_key
from accounts.services import raise_access_epoch, unusable_password
from centre.models import Centre, Membership, Role
from centre.services import invite_people
from common.errors import Refused
from learners.models import Learner


def link_accounts(*, learners: list[Learner], invited_at=None) -> list:
    """Point each learner who has no account at one, without saving the learner: the
    person's existing account with the learner's email, if there is one (a learner who is
    also staff, or studies at another centre, keeps one sign-in); otherwise a new one with
    no password, saved here, which they choose from their invitation (marked invited at
    ``invited_at``, if given). Returns the accounts it made.
    """
    unlinked = [learner for learner in learners if learner.user_id is None]
    if not unlinked:
        return []
    user_model = get_user_model()
    emails = {learner.email.lower() for learner in unlinked}
    accounts = {
        user.email_lower: user
        for user in user_model.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    new_accounts = []
    for learner in unlinked:
        if learner.email.lower() not in accounts:
            user = user_model(email=learner.email, first_name=learner.first_name, last_name=learner.last_name)
            user.sort_key = person_sort_key(last_name=user.last_name, first_name=user.first_name)  # no save()
            user.password = unusable_password()
            user.invited_at = invited_at
            accounts[learner.email.lower()] = user
            new_accounts.append(user)
    user_model.objects.bulk_create(new_accounts, batch_size=1000)
    for learner in unlinked:
        learner.user = accounts[learner.email.lower()]
    return new_accounts


def give_learner_role(*, centre: Centre, users: list, new_accounts: list) -> None:
    """Give each of ``users`` the learner role at ``centre``. ``new_accounts``, those of
    them made just now, hold no role anywhere yet and have never signed in: only the
    others are looked up."""
    made = {user.pk for user in new_accounts}
    others = {user.pk for user in users} - made
    memberships = Membership.objects.filter(centre=centre, role=Role.LEARNER, user_id__in=others)
    existing = set(memberships.values_list("user_id", flat=True))  # no query when there are none
    memberships.filter(is_active=False).update(is_active=True)
    Membership.objects.bulk_create(
        [
            Membership(centre=centre, user_id=user_id, role=Role.LEARNER)
            for user_id in sorted((made | others) - existing)
        ],
        batch_size=1000,
    )
    # Made in bulk, without the signals that tell their sessions to read their roles again
    # (an account made just now has no session to tell).
    raise_access_epoch(user_ids=sorted(others))


def give_learners_accounts(*, centre: Centre, learners: list[Learner]) -> list[Learner]:
    """Link each saved learner who has no account to one (``link_accounts``), and give it
    the learner role here. Returns the learners that were linked."""
    unlinked = [learner for learner in learners if learner.user_id is None]
    new_accounts = link_accounts(learners=unlinked)
    Learner.objects.bulk_update(unlinked, ["user"], batch_size=1000)
    give_learner_role(centre=centre, users=[learner.user for learner in unlinked], new_accounts=new_accounts)
    return unlinked


class InvitationRefused(Refused):
    """Some of the learners asked for cannot be invited; nothing was sent to any."""

    def __init__(self, problems: list[str]):
        super().__init__(*problems)


@transaction.atomic
def invite_learners(
    *, centre: Centre, learners: list[Learner], actor=None, again: bool = True
) -> list[Learner]:
    """Invite learners to choose a password and sign in; returns those invited.

    A learner without an account is given one first. One who was invited before is sent
    a new link, and the old one stops working, unless ``again`` is false (a bulk "invite
    everyone not yet invited" leaves them be). Asking for a learner who has chosen a
    password already is refused, naming them: they sign in, or reset their password.
    """
    problems = [
        f"{learner.first_name} {learner.last_name} ({learner.candidate_number}) has already chosen a "
        "password; they can sign in, or reset it from the sign-in page."
        for learner in learners
        if learner.user_id is not None and learner.user.has_usable_password()
    ]
    if problems:
        raise InvitationRefused(problems)
    give_learners_accounts(centre=centre, learners=learners)
    wanted = [learner for learner in learners if again or learner.user.invited_at is None]
    invited_users = invite_people(
        users=[learner.user for learner in wanted],
        centre=centre,
        role=Role.LEARNER,
        actor=actor,
        learner_refs={learner.user_id: learner.pk for learner in wanted},
    )
    invited = {user.pk for user in invited_users}
    return [learner for learner in wanted if learner.user_id in invited]


def link_learner_role(*, centre: Centre, user, actor=None) -> list[Learner]:
    """Before ``user`` is given the learner role by hand: link them to the centre's learner
    record with their email. Refused, with what to do, when there is none, or when it
    belongs to another account."""
    from centre.services import CentreServiceError

    records = list(Learner.objects.filter(centre=centre, email__iexact=user.email).select_related("user"))
    if not records:
        raise CentreServiceError(
            f"No learner at {centre.name} has the email address {user.email}. Learners come from the "
            "centre's register: import them (Learners → Import learners), or correct the email there."
        )
    taken = [learner for learner in records if learner.user_id not in (None, user.pk)]
    if taken:
        raise CentreServiceError(
            f"The learner record with the email address {user.email} (candidate number "
            f"{taken[0].candidate_number}) belongs to another account."
        )
    unlinked = [learner for learner in records if learner.user_id is None]
    for learner in unlinked:
        learner.user = user
    Learner.objects.bulk_update(unlinked, ["user"])
    return records
