from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, Subquery

from accounts.selectors import kept_in_session
from audit.models import AuditRecord
from audit.references import LEARNER, UNIT, name_references
from centre.models import Centre, Membership, OfferedUnit, Role, UnitGuidance
from common.scoping import scopes_disabled
from units.models import UnitPage

CURRENT_CENTRE_SESSION_KEY = "waymark_centre_id"


def centres_for_user(*, user) -> QuerySet[Centre]:
    """The centres where ``user`` holds an active role.

    This is the one read that crosses centres: it is what decides which centre a
    request may be scoped to, so it cannot itself run inside that scope.
    """
    if not user.is_authenticated:
        return Centre.objects.none()
    with scopes_disabled():
        return Centre.objects.filter(memberships__user=user, memberships__is_active=True).distinct()


def current_centre_and_roles(request) -> tuple[Centre | None, set[str]]:
    """The centre a request works in: the one chosen in the session if the person still
    belongs to it, otherwise their only centre, otherwise none until they choose; and the
    roles they hold there."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None, set()
    memberships = _active_roles(request, user)
    centres = {centre.pk: centre for centre, _ in memberships}
    chosen_id = request.session.get(CURRENT_CENTRE_SESSION_KEY)
    chosen = next((centre for pk, centre in centres.items() if str(pk) == str(chosen_id)), None)
    if chosen is None and len(centres) == 1:
        (chosen,) = centres.values()
    roles = {role for centre, role in memberships if chosen is not None and centre.pk == chosen.pk}
    return chosen, roles


ROLES_SESSION_KEY = "waymark_roles"
_CENTRE_FIELDS = [field.attname for field in Centre._meta.concrete_fields]


def _active_roles(request, user) -> list[tuple[Centre, str]]:
    """The person's active roles in every centre, with their centres, asked on every
    request: read once (a handful of rows, outside any one centre's scope since they decide
    which scope the request gets) and kept in the session with the person's
    ``access_epoch``, which moves whenever a role of theirs or one of their centres changes
    (``centre.receivers``): so none on a warm session. The centres' rows are kept with the
    columns they were kept as, so a session from before a release that changed them is
    read again rather than misread."""
    kept = kept_in_session(
        request, ROLES_SESSION_KEY, given_for=_CENTRE_FIELDS, read=lambda: _read_roles(user)
    )
    centres = {row[0]: Centre.from_db("default", _CENTRE_FIELDS, row) for row in kept["centres"]}
    return [(centres[centre_id], role) for centre_id, role in kept["roles"]]


def _read_roles(user) -> dict:
    with scopes_disabled():
        memberships = list(Membership.objects.filter(user=user, is_active=True).select_related("centre"))
    centres = {m.centre_id: m.centre for m in memberships}
    return {
        "centres": [[getattr(centre, name) for name in _CENTRE_FIELDS] for centre in centres.values()],
        "roles": [[m.centre_id, m.role] for m in memberships],
    }


def centre_by_number(*, number: str) -> Centre | None:
    """The centre with this awarding-body number, for commands and services that name a
    centre before any scope exists (the number is unique across the installation)."""
    with scopes_disabled():
        return Centre.objects.filter(number=number).first()


def assessors_of_centre(*, centre: Centre) -> QuerySet:
    """The people who hold an active assessor role in ``centre``."""
    return (
        get_user_model()
        .objects.filter(
            pk__in=Membership.objects.filter(centre=centre, role=Role.ASSESSOR, is_active=True).values("user")
        )
        .order_by("sort_key", "email")
    )


def units_offered(*, centre: Centre) -> QuerySet[UnitPage]:
    """The catalogue's units that ``centre`` offers, by title."""
    return UnitPage.objects.filter(pk__in=OfferedUnit.objects.filter(centre=centre).values("unit")).order_by(
        "title"
    )


def staff_of_centre(*, centre: Centre) -> QuerySet[Membership]:
    """The centre's active roles with their people, by name, then email, then role."""
    return (
        Membership.objects.filter(centre=centre, is_active=True)
        .select_related("user")
        .order_by("user__sort_key", "user__email", "role")
    )


def guidance_body(*, centre, unit) -> Subquery:
    """The body of the centre's own guidance on the unit, if it has some (else null), as
    an expression for another query to carry (``centre`` and ``unit`` are ``OuterRef``s
    to that query's columns): a query of enrolments reads each unit's guidance with it."""
    return Subquery(UnitGuidance.objects.filter(centre=centre, unit=unit).values("body")[:1])


def staff_roles_of(user) -> QuerySet[Membership]:
    """The roles other than learner ``user`` (an account, or an ``OuterRef`` to one) holds
    in any centre: their work (judging, sampling, moderating, managing) needs a second
    factor (``accounts.parts``). Made outside any one centre's scope."""
    return Membership.objects.filter(user=user, is_active=True).exclude(role=Role.LEARNER)


def has_a_role(user, *, besides=None) -> bool:
    """Whether ``user`` holds a role, active or not, in any centre: their account then stays
    when a learner record of theirs is erased (``accounts.parts``). Asked outside any one
    centre's scope."""
    return Membership.objects.filter(user=user).exists()


def staff_roles_by_audit_key(centre: Centre, keys: Collection) -> dict:
    """The roles other than learner that each person with one of the audit ``keys`` holds
    in ``centre``, for a learner reading the audit trail: "assessor and internal quality
    assurer"."""
    roles: dict = {}
    memberships = (
        Membership.objects.filter(centre=centre, user__audit_key__in=keys)
        .exclude(role=Role.LEARNER)
        .select_related("user")
    )
    for membership in memberships.order_by("role"):
        roles.setdefault(membership.user.audit_key, []).append(membership.get_role_display().lower())
    return {key: " and ".join(labels) for key, labels in roles.items()}


AUDIT_PAGE_SIZE = 100


@dataclass
class AuditLine:
    record: AuditRecord
    actor: str
    learner: str
    unit: str


def audit_records(*, centre) -> QuerySet[AuditRecord]:
    """The centre's audit trail, newest first."""
    return AuditRecord.objects.filter(centre=centre).order_by("-at", "-pk")


def narrow_audit_records(
    records: QuerySet[AuditRecord],
    *,
    learner_id: int | None = None,
    assessor=None,
    unit_id: int | None = None,
) -> QuerySet[AuditRecord]:
    """``records`` about one learner, of one assessor's actions, about one unit: each
    only when given (``centre.filters.AuditTrailFilter`` applies the same)."""
    if learner_id:
        records = records.filter(learner_ref=learner_id)
    if assessor is not None:
        records = records.filter(actor_key=assessor.audit_key)
    if unit_id:
        records = records.filter(unit_ref=unit_id)
    return records


def audit_trail(
    *, centre, learner_id: int | None = None, assessor=None, unit_id: int | None = None, page: int = 1
) -> Page:
    """A page of the centre's audit trail, newest first, optionally for one learner, one
    assessor's actions or one unit (``page_of_audit_trail``)."""
    records = narrow_audit_records(
        audit_records(centre=centre), learner_id=learner_id, assessor=assessor, unit_id=unit_id
    )
    return page_of_audit_trail(records, centre=centre, page=page)


def page_of_audit_trail(records: QuerySet[AuditRecord], *, centre, page: int = 1) -> Page:
    """A page of ``records`` (some of the centre's audit trail), with the people and units
    they refer to by key named for the reader (learners and units by their apps, through
    ``audit.references``): four queries a page, however long the trail."""
    page_of_records = Paginator(records, AUDIT_PAGE_SIZE).get_page(page)
    shown = list(page_of_records.object_list)
    actors = {
        user.audit_key: user.get_full_name() or user.email
        for user in get_user_model().objects.filter(audit_key__in={r.actor_key for r in shown if r.actor_key})
    }
    learners = name_references(LEARNER, centre=centre, keys={r.learner_ref for r in shown if r.learner_ref})
    units = name_references(UNIT, centre=centre, keys={r.unit_ref for r in shown if r.unit_ref})
    page_of_records.object_list = [
        AuditLine(
            record=record,
            actor=actors.get(
                record.actor_key, "Waymark" if record.actor_key is None else "Someone since erased"
            ),
            learner=learners.get(record.learner_ref, ""),
            unit=units.get(record.unit_ref, ""),
        )
        for record in shown
    ]
    return page_of_records
