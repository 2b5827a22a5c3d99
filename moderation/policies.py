"""Who may moderate a moderation sample, in the shape of Wagtail's permission policies.

``"moderate"``: an external moderator whose access to the sample is live
(``ModeratorAccess.objects.live()``: neither revoked nor expired, at this moment); a
session opened while it was live is worth nothing after it.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from common.policies import ActionPolicy
from moderation.models import ModerationSample, ModeratorAccess

MODERATE = "moderate"


class ModerationSamplePolicy(ActionPolicy):
    actions = frozenset({MODERATE})

    def __init__(self):
        super().__init__(ModerationSample)

    def user_has_permission_for_instance(self, user, action, instance: ModerationSample) -> bool:
        self.check_actions([action])
        return (
            user.is_authenticated
            and ModeratorAccess.objects.live().filter(sample=instance, moderator=user).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet[ModerationSample]:
        """In one query, however many samples."""
        self.check_actions(actions)
        if not user.is_authenticated:
            return ModerationSample.objects.none()
        return ModerationSample.objects.filter(
            pk__in=ModeratorAccess.objects.live().filter(moderator=user).values("sample_id")
        )

    def users_with_any_permission(self, actions):
        self.check_actions(actions)
        return get_user_model().objects.filter(pk__in=ModeratorAccess.objects.live().values("moderator_id"))

    def users_with_any_permission_for_instance(self, actions, instance: ModerationSample):
        self.check_actions(actions)
        return get_user_model().objects.filter(
            pk__in=ModeratorAccess.objects.live().filter(sample=instance).values("moderator_id")
        )


moderation_sample_policy = ModerationSamplePolicy()
