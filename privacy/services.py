"""Subject access, retention holds and erasure, through every app's privacy provider.

Each runs inside the learner's centre's scope, whoever calls it: a view (already in that
scope), the ``purge_expired`` command (in none) or a shell.
"""

import datetime
import io
import json
import logging
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit.services import record_audit
from centre.models import Centre, Membership, Role
from common.errors import Refused, check_model
from common.personal_data import providers
from common.redaction import Identity, Redactor
from common.scoping import centre_scope, scopes_disabled
from learners.models import Learner
from privacy.models import RetentionHold
from privacy.selectors import erasure_plan

logger = logging.getLogger(__name__)

# What stands in for a member of staff's name or email address in an export.
STAFF = "[a member of staff]"


class ErasureRefused(Refused):
    """An erasure that must not run: the learner's records are under an open hold."""


# Subject access ------------------------------------------------------------------------------


def export_learner(learner: Learner, *, actor=None) -> bytes:
    """Everything Waymark holds about ``learner``, as a ZIP of JSON files and their own
    evidence files with a README, and nothing about anyone else: staff appear by role,
    their names and email addresses withheld wherever someone wrote them, and contacts who
    did not consent by reference only. Every export is audited, by keys."""
    with centre_scope(learner.centre):
        data: dict[str, dict] = {}
        files = []
        for provider in providers():
            part = provider.export(learner)
            for path, content in part.data.items():
                merged = data.setdefault(path, {})
                if clash := merged.keys() & content.keys():
                    raise ValueError(f"Two providers write {sorted(clash)} to {path}.")
                merged.update(content)
            files += part.files
        data = _staff_redactor(learner).everywhere(data)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "README.txt",
                render_to_string(
                    "privacy/subject_access_readme.txt",
                    {"learner": learner, "centre": learner.centre, "made_at": timezone.now()},
                ),
            )
            for path, content in sorted(data.items()):
                archive.writestr(
                    path, json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
                )
            for path, stored in files:
                with stored.open("rb") as source, archive.open(path, "w") as target:
                    shutil.copyfileobj(source, target)
        record_audit(
            actor=actor,
            verb="privacy.subject_access_exported",
            target=learner,
            centre=learner.centre,
            learner=learner.pk,
            details={"files": len(files)},
        )
    return buffer.getvalue()


def _staff_redactor(learner: Learner) -> Redactor:
    """Withholds everyone with a staff role in the learner's centre (but the learner
    themselves): their full name however written, their first name or surname alone
    (unless the learner shares it), and their email address."""
    staff = (
        Membership.objects.filter(centre=learner.centre)
        .exclude(role=Role.LEARNER)
        .exclude(user_id=learner.user_id)
        .select_related("user")
    )
    people = {membership.user for membership in staff}
    return Redactor(
        [
            Identity(
                contact_id=person.pk,
                number=0,
                pseudonym=STAFF,
                stand_in=STAFF,
                is_organisation=False,
                names=frozenset(filter(None, [person.get_full_name().strip()])),
                emails=frozenset([person.email]),
                phones=frozenset(),
            )
            for person in people
        ],
        keep=[f"{learner.first_name} {learner.last_name}"],
    )


# Retention ---------------------------------------------------------------------------------------


@transaction.atomic
def set_retention_years(*, centre: Centre, years: int, actor) -> Centre:
    """How many years the centre keeps a learner's records once their assessment is over."""
    with centre_scope(centre):
        centre = Centre.objects.select_for_update().get(pk=centre.pk)
        previous = centre.retention_years
        if years == previous:
            return centre
        centre.retention_years = years
        check_model(centre)
        centre.save(update_fields=["retention_years"])
        record_audit(
            actor=actor,
            verb="privacy.retention_changed",
            target=centre,
            centre=centre,
            details={"years": years, "previous": previous},
        )
    return centre


@transaction.atomic
def place_hold(*, learner: Learner, actor, reason: str) -> RetentionHold:
    """Keep the learner's records, whatever their retention, until the hold is released."""
    if not reason.strip():
        raise Refused(
            "Say why the learner’s records must be kept, such as the appeal they are under.", field="reason"
        )
    with centre_scope(learner.centre):
        hold = RetentionHold.objects.create(
            centre=learner.centre,
            learner=learner,
            reason=reason.strip(),
            placed_by=actor,
            placed_at=timezone.now(),
        )
        record_audit(
            actor=actor, verb="privacy.hold_placed", target=hold, centre=learner.centre, learner=learner.pk
        )
    return hold


@transaction.atomic
def release_hold(*, hold: RetentionHold, actor) -> RetentionHold:
    with centre_scope(hold.centre):
        hold = RetentionHold.objects.select_for_update().get(pk=hold.pk)
        if not hold.is_open:
            raise Refused("This hold has already been released.")
        hold.released_at = timezone.now()
        hold.save(update_fields=["released_at"])
        record_audit(
            actor=actor,
            verb="privacy.hold_released",
            target=hold,
            centre=hold.centre,
            learner=hold.learner_id,
        )
    return hold


# Erasure ------------------------------------------------------------------------------------------


@transaction.atomic
def erase_learner(learner: Learner, *, actor=None) -> dict[str, int]:
    """Erase the learner: their evidence (files deleted from storage once the erasure is
    committed), networking records, enrolments and every decision, sign-off, IQA and
    moderation row about them alone, their record, and their account if they have no other
    part in Waymark (otherwise only their learner role here).

    The audit trail is never touched: it refers to people by keys only, and once the
    record and the account's old key are gone, nothing links its entries to the person.
    Returns the rows deleted by model; erasing a learner already erased changes nothing
    and returns nothing. Refused while a hold is open."""
    with centre_scope(learner.centre):
        if Learner.objects.select_for_update().filter(pk=learner.pk).first() is None:
            return {}
        if RetentionHold.objects.filter(learner=learner, released_at__isnull=True).exists():
            raise ErasureRefused("A hold keeps this learner’s records; release it before erasing them.")
        erased: Counter[str] = Counter()
        for provider in providers():
            erased.update(provider.erase(learner))
        counts = {label: count for label, count in sorted(erased.items()) if count}
        record_audit(
            actor=actor,
            verb="privacy.learner_erased",
            target=learner,
            centre=learner.centre,
            learner=learner.pk,
            details={"deleted": counts},
        )
    return counts


@dataclass
class PurgeReport:
    """What a purge did (or, dry, would do) in one centre: counts, never names."""

    centre_number: str
    erased: int
    held: int
    retained: int
    failed: int
    studying: int
    rows: dict[str, int] = field(default_factory=dict)


def purge_expired(*, dry_run: bool = False, now: datetime.datetime | None = None) -> list[PurgeReport]:
    """Erase, in every centre, each learner whose records are past retention and under no
    hold: one transaction per learner, so one that fails leaves the others done."""
    with scopes_disabled():
        centres = list(Centre.objects.order_by("number"))
    reports = []
    for centre in centres:
        with centre_scope(centre):
            plan = erasure_plan(centre=centre, now=now)
        rows: Counter[str] = Counter()
        failed = 0
        if not dry_run:
            for learner in plan.due:
                try:
                    rows.update(erase_learner(learner))
                except (ErasureRefused, DatabaseError):
                    # Keys only: the command's output may go to a log.
                    logger.exception("Could not erase learner %s of centre %s", learner.pk, centre.number)
                    failed += 1
        reports.append(
            PurgeReport(
                centre_number=centre.number,
                erased=len(plan.due) - failed,
                failed=failed,
                held=plan.held,
                retained=plan.retained,
                studying=plan.studying,
                rows=dict(sorted(rows.items())),
            )
        )
    return reports
