from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime

from accounts.names import search_term
from centre.models import Centre
from learners.models import Enrolment, Learner, Registration
from learners.policies import ASSESS, enrolment_policy
from units.selectors import spec_from_qualification


def learners_of_centre(*, centre: Centre, search: str = "") -> QuerySet[Learner]:
    """The centre's learners with their enrolments, units and assessors, in the order a
    person files names: three queries however many there are."""
    learners = matching_learners(Learner.objects.filter(centre=centre).select_related("user"), search=search)
    return learners.order_by("sort_key", "candidate_number").prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.select_related("unit", "assessor").order_by("unit__title"),
        )
    )


def matching_learners(learners: QuerySet[Learner], *, search: str) -> QuerySet[Learner]:
    """The learners whose name, email, ULN or candidate number ``search`` finds."""
    if search := search.strip():
        # search_text is folded as the term is (accounts.names): part of a name or an
        # email, any case, with or without accents, in one query on either database.
        learners = learners.filter(
            Q(search_text__contains=search_term(search)) | Q(uln=search) | Q(candidate_number=search)
        )
    return learners


def enrolments_for_assessor(*, centre: Centre, assessor) -> QuerySet[Enrolment]:
    """Exactly the enrolments of ``centre`` that ``assessor`` has been allocated (no role,
    model-wide permission or superuser status widens it: ``learners.policies``)."""
    return (
        enrolment_policy.instances_user_has_permission_for(assessor, ASSESS)
        .filter(centre=centre)
        .select_related("learner", "unit")
        .order_by("learner__sort_key", "unit__title")
    )


def register_rows(*, centre: Centre) -> list[dict[str, str]]:
    """The centre's register as rows of the import columns, in five queries: an enrolment on
    a unit the learner takes on a qualification (mandatory there, or chosen) names it."""
    learners = learners_of_centre(centre=centre).prefetch_related(
        Prefetch(
            "registrations",
            queryset=Registration.objects.select_related("qualification").prefetch_related("chosen_units"),
        )
    )
    specs = {}
    rows = []
    for learner in learners:
        person = {
            "first_name": learner.first_name,
            "last_name": learner.last_name,
            "email": learner.email,
            "uln": learner.uln,
            "candidate_number": learner.candidate_number,
        }
        qualification_of = {}
        for registration in learner.registrations.all():
            number = registration.qualification.number
            spec = specs.get(number) or specs.setdefault(
                number, spec_from_qualification(registration.qualification)
            )
            taken = {urn for group in spec.groups if group.mandatory for urn in group.units}
            # A unit chosen under rules that no longer name it is taken on no qualification now.
            taken |= {unit.urn for unit in registration.chosen_units.all()} & set(spec.urns)
            qualification_of.update(dict.fromkeys(taken, number))
        enrolments = list(learner.enrolments.all())
        if not enrolments:
            rows.append({**person, "unit_urn": "", "assessor_email": "", "qualification_number": ""})
        for enrolment in enrolments:
            assessor = enrolment.assessor.email if enrolment.assessor else ""
            rows.append(
                {
                    **person,
                    "unit_urn": enrolment.unit.urn,
                    "assessor_email": assessor,
                    "qualification_number": qualification_of.get(enrolment.unit.urn, ""),
                }
            )
    return rows


@dataclass(frozen=True)
class InvitationState:
    """Where a learner stands with signing in, as the centre's learners list shows it."""

    label: str
    invitable: bool  # whether "Invite" (or "Invite again") applies
    invited_before: bool = False


def invitation_state(*, learner: Learner, now=None) -> InvitationState:
    """From the learner's account (selected with the learner): not invited; invited on a
    date, with the link still working or expired; or signed in. Reads no more rows."""
    user = learner.user
    if user is not None and user.last_login is not None:
        last = date_format(localtime(user.last_login))
        return InvitationState(f"Signed in (last on {last})", invitable=False)
    if user is not None and user.has_usable_password():
        return InvitationState("Has chosen a password; not signed in yet", invitable=False)
    if user is None or user.invited_at is None:
        return InvitationState("Not invited", invitable=True)
    now = now or timezone.now()
    expired = user.invited_at + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) < now
    return InvitationState(
        f"Invited on {date_format(localtime(user.invited_at))}"
        + ("; the link has expired" if expired else "; the link still works"),
        invitable=True,
        invited_before=True,
    )


def learners_not_invited(*, centre: Centre) -> QuerySet[Learner]:
    """The centre's learners who have never been sent an invitation and cannot sign in:
    no account yet, or an account with no password that was never invited."""
    return (
        Learner.objects.filter(centre=centre)
        .select_related("user")
        .filter(
            Q(user__isnull=True)
            | Q(
                user__invited_at__isnull=True,
                user__last_login__isnull=True,
                user__password__startswith=UNUSABLE_PASSWORD_PREFIX,
            )
        )
    )


def learner_for_user(*, centre, user) -> Learner | None:
    """The learner record through which ``user`` works in ``centre``, if any."""
    if not user.is_authenticated or centre is None:
        return None
    return Learner.objects.filter(centre=centre, user=user).first()


def learner_names(centre: Centre, keys) -> dict[int, str]:
    """Each of the centre's learners with one of ``keys``, as the audit trail names them."""
    return {
        learner.pk: f"{learner.first_name} {learner.last_name} ({learner.candidate_number})"
        for learner in Learner.objects.filter(centre=centre, pk__in=keys)
    }


def learner_choices(centre: Centre) -> list[tuple[int, str]]:
    """Every learner of the centre, filed by name, to read the audit trail by."""
    return [
        (learner.pk, f"{learner.last_name}, {learner.first_name} ({learner.candidate_number})")
        for learner in Learner.objects.filter(centre=centre).order_by("sort_key")
    ]


def has_another_learner_record(user, *, besides) -> bool:
    """Whether ``user`` has a learner record, in any centre, other than ``besides``: their
    account then stays when ``besides`` is erased. Asked outside any one centre's scope."""
    return Learner.objects.filter(user=user).exclude(pk=besides.pk).exists()
