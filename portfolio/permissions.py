from centre.models import Role
from learners.models import EnrolmentUserObjectPermission
from portfolio.models import EvidenceFile, EvidenceItem


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
