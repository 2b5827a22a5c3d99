"""Who may do what to an enrolment, in the shape of Wagtail's permission policies.

``"assess"``: the enrolment's allocated assessor, and nobody else; no role, model-wide
permission or superuser status widens it. The allocation is ``Enrolment.assessor`` alone:
the right to assess is read from it, so there is nothing to keep in step with it.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from common.policies import ActionPolicy
from learners.models import Enrolment

ASSESS = "assess"


class EnrolmentPolicy(ActionPolicy):
    actions = frozenset({ASSESS})

    def __init__(self):
        super().__init__(Enrolment)

    def user_has_permission_for_instance(self, user, action, instance: Enrolment) -> bool:
        """Read from the enrolment as loaded: checking every enrolment of a page costs
        no query at all."""
        self.check_actions([action])
        return user.is_authenticated and instance.assessor_id is not None and instance.assessor_id == user.pk

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet[Enrolment]:
        self.check_actions(actions)
        if not user.is_authenticated:
            return Enrolment.objects.none()
        return Enrolment.objects.filter(assessor=user)

    def users_with_any_permission(self, actions):
        self.check_actions(actions)
        return get_user_model().objects.filter(pk__in=Enrolment.objects.values("assessor_id"))

    def users_with_any_permission_for_instance(self, actions, instance: Enrolment):
        self.check_actions(actions)
        return get_user_model().objects.filter(pk=instance.assessor_id)

    def permitted_ids(self, user, action, instances) -> set[int]:
        """The batched check, for a page: the keys of those of ``instances`` that ``user``
        may ``action``, read from the rows as loaded (no query)."""
        return {e.pk for e in instances if self.user_has_permission_for_instance(user, action, e)}


enrolment_policy = EnrolmentPolicy()
