"""Who may see and act on a learner's evidence.

The learner has their own work in every state. Centre staff see only what has been
submitted: an assessor the evidence mapped to an enrolment allocated to them, an internal
quality assurer any of their centre's.
"""

from learners.models import EnrolmentUserObjectPermission


def can_assess_enrolment(user, enrolment) -> bool:
    """Whether ``user`` is allocated to assess ``enrolment`` (their per-object grant)."""
    if not user.is_authenticated:
        return False
    return EnrolmentUserObjectPermission.objects.filter(
        user=user, permission__codename="assess_enrolment", content_object=enrolment
    ).exists()
