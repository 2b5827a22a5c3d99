"""Who may see and act on a learner's evidence.

The learner has their own work in every state. Centre staff see only what has been
submitted: an assessor the evidence mapped to an enrolment allocated to them, an internal
quality assurer any of their centre's.
"""

from centre.models import Role

from .models import EnrolmentUserObjectPermission, EvidenceFile, EvidenceItem


def can_assess_item(user, item: EvidenceItem) -> bool:
    """Whether ``user`` holds the assess grant on an enrolment ``item`` is mapped to."""
    if not user.is_authenticated:
        return False
    return EnrolmentUserObjectPermission.objects.filter(
        user=user,
        permission__codename="assess_enrolment",
        content_object__evidence_mappings__item=item,
    ).exists()


def is_own_evidence(user, item: EvidenceItem) -> bool:
    return user.is_authenticated and item.learner.user_id == user.pk


def can_view_evidence_file(user, evidence_file: EvidenceFile, *, roles: set[str]) -> bool:
    if is_own_evidence(user, evidence_file.item):
        return True
    if not evidence_file.versions.exists():
        return False
    return Role.IQA in roles or can_assess_item(user, evidence_file.item)


def can_assess_enrolment(user, enrolment) -> bool:
    """Whether ``user`` is allocated to assess ``enrolment`` (their per-object grant)."""
    if not user.is_authenticated:
        return False
    return EnrolmentUserObjectPermission.objects.filter(
        user=user, permission__codename="assess_enrolment", content_object=enrolment
    ).exists()
