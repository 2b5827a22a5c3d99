"""Who may moderate a moderation sample, in the shape of Wagtail's permission policies.

``"moderate"``: an external moderator who holds the per-object grant on the sample
(django-guardian's ``moderation.moderate_sample``, given with the access and taken away
when it is revoked) while their access to it is live (``ModeratorAccess.objects.live()``:
neither revoked nor expired, at this moment); a session opened while it was live is worth
nothing after it. The grant says which sample; the access says until when. Grants are given to the
moderator themself, never to a group (roles live in centre memberships, not in Django
groups: ``centre.permissions``), so the grant read is the moderator's own row.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet

from common.policies import ActionPolicy
from moderation.models import MODERATE as MODERATE_GRANT
from moderation.models import ModerationSample, ModerationSampleUserObjectPermission, ModeratorAccess

MODERATE = "moderate"


class ModerationSamplePolicy(ActionPolicy):
    actions = frozenset({MODERATE})

    def __init__(self):
        super().__init__(ModerationSample)

    def user_has_permission_for_instance(self, user, action, instance: ModerationSample) -> bool:
        self.check_actions([action])
        return (
            user.is_authenticated
            and self.instances_user_has_any_permission_for(user, [action]).filter(pk=instance.pk).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet[ModerationSample]:
        """In one query, however many samples: those with a live access of ``user``'s and
        ``user``'s own grant (what django-guardian's ``get_objects_for_user`` reads, without
        global permissions or a superuser's standing, and without the groups that are never
        given one), each asked of the sample's row as a semi-join that PostgreSQL plans
        in a fraction of the time of guardian's nested lists of keys."""
        self.check_actions(actions)
        if not user.is_authenticated:
            return ModerationSample.objects.none()
        codename = MODERATE_GRANT.split(".")[1]
        return ModerationSample.objects.filter(
            Exists(ModeratorAccess.objects.live().filter(moderator=user, sample=OuterRef("pk"))),
            Exists(
                ModerationSampleUserObjectPermission.objects.filter(
                    user=user,
                    content_object=OuterRef("pk"),
                    permission__content_type=ContentType.objects.get_for_model(ModerationSample),
                    permission__codename=codename,
                )
            ),
        )

    def users_with_any_permission(self, actions):
        self.check_actions(actions)
        return (
            get_user_model()
            .objects.filter(pk__in=ModeratorAccess.objects.live().values("moderator_id"))
            .filter(pk__in=ModerationSampleUserObjectPermission.objects.values("user_id"))
        )

    def users_with_any_permission_for_instance(self, actions, instance: ModerationSample):
        self.check_actions(actions)
        granted = ModerationSampleUserObjectPermission.objects.filter(content_object=instance)
        return (
            get_user_model()
            .objects.filter(
                pk__in=ModeratorAccess.objects.live().filter(sample=instance).values("moderator_id")
            )
            .filter(pk__in=granted.values("user_id"))
        )


moderation_sample_policy = ModerationSamplePolicy()
