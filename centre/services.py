import functools
import itertools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.services import end_sessions, password_link, unusable_password
from audit.services import audit_record, record_audit, record_audits
from centre.models import Centre, Membership, OfferedQualification, OfferedUnit, Role
from centre.signals import membership_ended, qualification_offer_ending, role_granting, unit_offer_ending
from centre.tasks import INVITATIONS_PER_TASK, email_invitations
from common.errors import Refused, check_model
from common.scoping import centre_scope, scopes_disabled
from units.models import QualificationPage, UnitPage


class CentreServiceError(Refused):
    """A centre change that cannot be made, with the reason a person can act on."""


# An invitation gives a role at a centre, so sending it is the centre's; the accounts app
# makes the password link it carries.
def invitation_message(*, user, centre, role: str) -> EmailMessage:
    """The invitation email: a link, valid once and for PASSWORD_RESET_TIMEOUT, to choose
    a password, built from WAYMARK_BASE_URL (never from a request's Host header)."""
    context = {
        "user": user,
        "centre": centre,
        "role": Role(role).label,
        "link": password_link(user=user),
        "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
        "sign_in": f"{settings.WAYMARK_BASE_URL}{reverse('login')}",
    }
    return EmailMessage(
        subject=f"You have been invited to Waymark by {centre.name}",
        body=render_to_string("centre/email/invitation.txt", context),
        to=[user.email],
    )


@transaction.atomic
def invite_people(*, users: list, centre, role: str, actor=None, learner_refs: dict | None = None) -> list:
    """Have each person who has not chosen a password yet emailed a new link to choose
    one, and return those invited. Someone who has chosen a password already signs in
    instead.

    Inviting again makes every earlier link stop working: links are signed over the
    password field, which is given a fresh unusable value here (someone never invited
    before has no link to revoke). The emails are sent by the task worker once this
    transaction commits (``centre.tasks.email_invitations``), a batch at a time, so a
    register of thousands is not held up by the mail server. ``learner_refs`` maps a
    person's key to the learner record the invitation is for, for the audit trail.
    """
    invited = [user for user in users if not user.has_usable_password()]
    now = timezone.now()
    again = [user for user in invited if user.invited_at is not None]
    first_time = [user.pk for user in invited if user.invited_at is None]
    for user in again:
        user.password = unusable_password()
    for user in invited:
        user.invited_at = now
    user_model = get_user_model()
    user_model.objects.bulk_update(again, ["password", "invited_at"], batch_size=1000)
    for batch in itertools.batched(first_time, 1000):
        user_model.objects.filter(pk__in=batch).update(invited_at=now)
    send_invitations(
        users=invited, centre=centre, role=role, invited_at=now, actor=actor, learner_refs=learner_refs
    )
    return invited


def send_invitations(
    *, users: list, centre, role: str, invited_at, actor=None, learner_refs: dict | None = None
) -> None:
    """Record the invitations of ``users``, whose accounts were marked invited at
    ``invited_at`` with no password (``invite_people``, or accounts made to be invited),
    and have them emailed by the task worker once this transaction commits."""
    learner_refs = learner_refs or {}
    record_audits(
        [
            audit_record(
                actor=actor,
                verb="account.invited",
                target=user,
                centre=centre,
                learner=learner_refs.get(user.pk),
                details={"role": role, "person": str(user.audit_key)},
            )
            for user in users
        ]
    )
    at = invited_at.isoformat()
    for batch in itertools.batched((user.pk for user in users), INVITATIONS_PER_TASK):
        # Robust: a batch that cannot be queued is logged, and the others are queued still.
        transaction.on_commit(
            functools.partial(email_invitations.enqueue, list(batch), role, at, centre_id=centre.pk),
            robust=True,
        )


@transaction.atomic
def save_centre(*, number: str, name: str, actor=None) -> tuple[Centre, bool]:
    """Create the centre with this awarding-body number, or rename it. Returns the centre
    and whether it was created.

    Creating a centre stands above every centre (the number must be unique across the
    installation), so it runs outside any one centre's scope.
    """
    with scopes_disabled():
        centre = Centre.objects.filter(number=number).first()
        created = centre is None
        if not created and centre.name == name:
            return centre, False
        centre = centre or Centre(number=number)
        centre.name = name
        check_model(centre)
        centre.save()
        record_audit(
            actor=actor,
            verb="centre.created" if created else "centre.renamed",
            target=centre,
            centre=centre,
            details={"number": number},
        )
    return centre, created


@transaction.atomic
def set_offered_units(*, centre: Centre, urns: list[str], actor=None) -> list[str]:
    """Make the centre offer exactly the units with these URNs; returns what changed.

    A unit that still has learners enrolled on it at the centre cannot stop being
    offered: their work and the decisions about it belong to that offer (the learners app
    refuses it, answering ``unit_offer_ending``).
    """
    units = {unit.urn: unit for unit in UnitPage.objects.filter(urn__in=urns)}
    if unknown := sorted(set(urns) - units.keys()):
        raise CentreServiceError(f"No unit in the catalogue has the reference number {', '.join(unknown)}.")
    changes = []
    with centre_scope(centre):
        offered = {
            offer.unit.urn: offer
            for offer in OfferedUnit.objects.filter(centre=centre).select_related("unit")
        }
        needed = qualification_units(centre=centre)
        for urn in sorted(offered.keys() - units.keys()):
            if urn in needed:
                raise CentreServiceError(
                    f"{urn} is a unit of the qualification {needed[urn]}, which the centre offers; "
                    "it cannot stop being offered."
                )
            unit_offer_ending.send(sender=OfferedUnit, centre=centre, unit=offered[urn].unit)
            offered[urn].delete()
            changes.append(f"no longer offers {urn}")
        for urn in sorted(units.keys() - offered.keys()):
            OfferedUnit.objects.create(centre=centre, unit=units[urn])
            changes.append(f"offers {urn}")
        if changes:
            record_audit(
                actor=actor,
                verb="centre.units_offered",
                target=centre,
                centre=centre,
                details={"changes": changes},
            )
    return changes


@transaction.atomic
def set_offered_qualifications(*, centre: Centre, numbers: list[str], actor=None) -> list[str]:
    """Make the centre offer exactly the qualifications with these numbers, and every unit
    of each (units it offers besides stay offered); returns what changed.

    A qualification that learners at the centre are still registered on cannot stop being
    offered (the learners app refuses it, answering ``qualification_offer_ending``).
    """
    from units.selectors import spec_from_qualification

    qualifications = {q.number: q for q in QualificationPage.objects.live().filter(number__in=numbers)}
    if unknown := sorted(set(numbers) - qualifications.keys()):
        raise CentreServiceError(
            f"No qualification published in the catalogue has the number {', '.join(unknown)}."
        )
    changes = []
    with centre_scope(centre):
        offered = {
            offer.qualification.number: offer
            for offer in OfferedQualification.objects.filter(centre=centre).select_related("qualification")
        }
        for number in sorted(offered.keys() - qualifications.keys()):
            qualification_offer_ending.send(
                sender=OfferedQualification, centre=centre, qualification=offered[number].qualification
            )
            offered[number].delete()
            changes.append(f"no longer offers the qualification {number}")
        for number in sorted(qualifications.keys() - offered.keys()):
            OfferedQualification.objects.create(centre=centre, qualification=qualifications[number])
            changes.append(f"offers the qualification {number}")
        if changes:
            record_audit(
                actor=actor,
                verb="centre.qualifications_offered",
                target=centre,
                centre=centre,
                details={"changes": changes},
            )
        # The qualifications offered are now exactly these: their units, without reading them again.
        units = {
            urn
            for qualification in qualifications.values()
            for urn in spec_from_qualification(qualification).urns
        }
        already = set(OfferedUnit.objects.filter(centre=centre).values_list("unit__urn", flat=True))
        if units - already:
            changes += set_offered_units(centre=centre, urns=sorted(already | units), actor=actor)
    return changes


def qualification_units(*, centre: Centre) -> dict[str, str]:
    """The units of the qualifications ``centre`` offers: each reference number, with the
    number of a qualification that has it."""
    from units.selectors import spec_from_qualification

    with centre_scope(centre):
        offers = OfferedQualification.objects.filter(centre=centre).select_related("qualification")
        return {
            urn: offer.qualification.number
            for offer in offers.order_by("-qualification__number")
            for urn in spec_from_qualification(offer.qualification).urns
        }


@transaction.atomic
def add_member(
    *, centre: Centre, email: str, role: str, first_name: str = "", last_name: str = "", actor=None
) -> tuple[Membership, bool]:
    """Give a person a role in a centre, creating their account if they are new.

    Someone who has never set a password is sent an invitation with a single-use link to
    set one. Other domains may refuse a role (``role_granting``): the learner role needs the
    centre's learner record with the same email. Returns the membership and whether it
    grants something new.
    """
    if role not in Role.values:
        raise CentreServiceError(f"{role!r} is not a role; use one of {', '.join(Role.values)}.")
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email).strip()
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_model(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        try:
            user.full_clean()
        except ValidationError as error:
            raise CentreServiceError(*error.messages, field="email") from None
        user.save()
    with centre_scope(centre):
        role_granting.send(sender=Membership, centre=centre, user=user, role=role, actor=actor)
        membership, created = Membership.objects.get_or_create(centre=centre, user=user, role=role)
        granted = created or not membership.is_active
        if not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        if granted:
            record_audit(
                actor=actor,
                verb="membership.granted",
                target=membership,
                centre=centre,
                details={"role": role, "person": str(user.audit_key)},
            )
        if granted:
            invite_people(users=[user], centre=centre, role=role, actor=actor)
    return membership, granted


@transaction.atomic
def end_membership(*, membership: Membership, actor=None) -> None:
    """End a person's role in a centre, and with it every per-object grant they hold there.

    Grants are rows, checked on every request, so the person loses access on their very
    next request. Enrolments allocated to an assessor whose role ends are left without an
    assessor, for the centre to reallocate (the learners app does it, answering
    ``membership_ended``).
    """
    with centre_scope(membership.centre):
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        end_sessions(user=membership.user)
        membership_ended.send(sender=Membership, membership=membership, actor=actor)
        record_audit(
            actor=actor,
            verb="membership.ended",
            target=membership,
            centre=membership.centre,
            details={"role": membership.role, "person": str(membership.user.audit_key)},
        )
