"""What a centre role lets a person do in the Wagtail admin.

Roles live in centre memberships, not in Django groups or model permissions, so these
answer from the membership in the centre of the current request (its scope). Because
they grant no model permissions, Wagtail's site-wide history, which shows entries by
model permission, shows centre admins nothing of any centre's guidance.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from wagtail.permission_policies.base import BasePermissionPolicy

from centre.models import Membership, Role
from common.scoping import active_centre_id

ACCESS_ADMIN = "wagtailadmin.access_admin"


def is_centre_admin_here(user) -> bool:
    """Whether ``user`` is an active centre admin of the current request's centre."""
    centre_id = active_centre_id()
    if centre_id is None or not user.is_authenticated or not user.is_active:
        return False
    cache = user.__dict__.setdefault("_centre_admin_of", {})
    if centre_id not in cache:
        cache[centre_id] = Membership.objects.filter(
            centre_id=centre_id, user=user, role=Role.CENTRE_ADMIN, is_active=True
        ).exists()
    return cache[centre_id]


class CentreAdminBackend(BaseBackend):
    """Lets centre admins into the Wagtail admin, where they edit their centre's content."""

    def has_perm(self, user_obj, perm, obj=None):
        return perm == ACCESS_ADMIN and obj is None and is_centre_admin_here(user_obj)


class CentreAdminPolicy(BasePermissionPolicy):
    """Centre-owned content in the Wagtail admin: its centre's admins may do anything with
    it, nobody else anything, and nobody sees another centre's."""

    def user_has_permission(self, user, action):
        return is_centre_admin_here(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return instance.centre_id == active_centre_id() and is_centre_admin_here(user)

    def instances_user_has_any_permission_for(self, user, actions):
        if not is_centre_admin_here(user):
            return self.model.objects.none()
        return self.model.objects.filter(centre_id=active_centre_id())

    def users_with_any_permission(self, actions):
        centre_id = active_centre_id()
        return (
            get_user_model()
            .objects.filter(
                memberships__centre_id=centre_id,
                memberships__role=Role.CENTRE_ADMIN,
                memberships__is_active=True,
            )
            .distinct()
        )

    def users_with_any_permission_for_instance(self, actions, instance):
        if instance.centre_id != active_centre_id():
            return get_user_model().objects.none()
        return self.users_with_any_permission(actions)
