"""Who may see and act on a learner's evidence, in the shape of Wagtail's permission
policies.

The learner has their own work in every state. Centre staff see only what has been
submitted: an assessor the evidence mapped to an enrolment allocated to them (the
enrolment's ``assessor``, as ``learners.policies`` reads it), an internal quality assurer
any of their centre's.

- Evidence items, ``"assess"``: the assessor of an enrolment the item is mapped to.
- Evidence files, ``"view"`` and ``"download"`` (the same rule): the learner whose file it
  is; or, once the file is in a submitted version, an IQA of its centre or an assessor who
  may assess its item.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from centre.models import Membership, Role
from common.policies import ActionPolicy
from learners.policies import ASSESS as ENROLMENT_ASSESS
from learners.policies import enrolment_policy
from portfolio.models import EvidenceFile, EvidenceItem, EvidenceMapping

ASSESS, VIEW, DOWNLOAD = "assess", "view", "download"


class EvidenceItemPolicy(ActionPolicy):
    actions = frozenset({ASSESS})

    def __init__(self):
        super().__init__(EvidenceItem)

    def user_has_permission_for_instance(self, user, action, instance: EvidenceItem) -> bool:
        self.check_actions([action])
        return instance.mappings.filter(enrolment__in=_assessable_enrolments(user)).exists()

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet[EvidenceItem]:
        """In one query: ``pk__in`` of this for a page of items."""
        self.check_actions(actions)
        mapped = EvidenceMapping.objects.filter(enrolment__in=_assessable_enrolments(user))
        return EvidenceItem.objects.filter(pk__in=mapped.values("item_id"))

    def users_with_any_permission(self, actions):
        self.check_actions(actions)
        return get_user_model().objects.filter(
            pk__in=EvidenceMapping.objects.values("enrolment__assessor_id")
        )

    def users_with_any_permission_for_instance(self, actions, instance: EvidenceItem):
        self.check_actions(actions)
        return get_user_model().objects.filter(pk__in=instance.mappings.values("enrolment__assessor_id"))


def _assessable_enrolments(user):
    """The enrolments ``user`` may assess, as ``learners.policies`` says, for a subquery."""
    return enrolment_policy.instances_user_has_permission_for(user, ENROLMENT_ASSESS).values("pk")


def _iqa_centres(user):
    return Membership.objects.filter(user=user, role=Role.IQA, is_active=True).values("centre_id")


class EvidenceFilePolicy(ActionPolicy):
    actions = frozenset({VIEW, DOWNLOAD})

    def __init__(self):
        super().__init__(EvidenceFile)

    def user_has_permission_for_instance(self, user, action, instance: EvidenceFile) -> bool:
        """With the file's item and learner loaded, at most three queries."""
        self.check_actions([action])
        if not user.is_authenticated:
            return False
        if instance.item.learner.user_id == user.pk:
            return True
        if not instance.versions.exists():
            return False
        return _iqa_centres(user).filter(centre_id=instance.centre_id).exists() or (
            evidence_item_policy.user_has_permission_for_instance(user, ASSESS, instance.item)
        )

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet[EvidenceFile]:
        """In one query: ``pk__in`` of this for a page of files."""
        self.check_actions(actions)
        if not user.is_authenticated:
            return EvidenceFile.objects.none()
        submitted = EvidenceFile.objects.filter(versions__isnull=False).values("pk")
        assessable = evidence_item_policy.instances_user_has_permission_for(user, ASSESS).values("pk")
        return EvidenceFile.objects.filter(
            Q(item__learner__user=user)
            | Q(pk__in=submitted) & (Q(centre_id__in=_iqa_centres(user)) | Q(item_id__in=assessable))
        )


evidence_item_policy = EvidenceItemPolicy()
evidence_file_policy = EvidenceFilePolicy()
