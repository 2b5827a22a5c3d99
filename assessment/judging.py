"""Reads for judging a submission: the version judged, the criteria it is mapped to that
this assessor judges, and which of them they may judge now."""

from dataclasses import dataclass, field

from assessment.models import UnitSignOff
from assessment.selectors import reopened_sign_offs
from learners.policies import ASSESS, enrolment_policy
from portfolio.models import EvidenceItem, EvidenceMapping, EvidenceVersion


@dataclass
class Judging:
    """``mappings``: the item's criteria on units this assessor assesses; ``judgeable``:
    the criteria they may decide now; ``reopened``: the reopened sign-off of each
    enrolment being assessed again."""

    version: EvidenceVersion | None
    mappings: list[EvidenceMapping]
    reopened: dict[int, UnitSignOff]
    judgeable: set[int] = field(default_factory=set)


def judging(*, item: EvidenceItem, assessor) -> Judging:
    """What ``assessor`` can judge of ``item``: every criterion of a submitted item;
    evidence already assessed is judged again only on a unit reopened after sign-off."""
    version = item.versions.order_by("-number").prefetch_related("files").first()
    mappings = [
        mapping
        for mapping in item.mappings.select_related("criterion", "enrolment").order_by(
            "criterion__sort_order"
        )
        if enrolment_policy.user_has_permission_for_instance(assessor, ASSESS, mapping.enrolment)
    ]
    reopened = reopened_sign_offs(enrolments={m.enrolment_id for m in mappings})
    if item.status == EvidenceItem.Status.SUBMITTED:
        judgeable = {m.criterion_id for m in mappings}
    elif item.status == EvidenceItem.Status.ASSESSED:
        judgeable = {m.criterion_id for m in mappings if m.enrolment_id in reopened}
    else:
        judgeable = set()
    return Judging(version=version, mappings=mappings, reopened=reopened, judgeable=judgeable)
