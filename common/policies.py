"""The shape every Waymark permission policy takes: Wagtail's ``BasePermissionPolicy``,
for a model whose named actions are each checked per object
(``user_has_permission_for_instance``) and for a page at once
(``instances_user_has_permission_for``, a queryset that one query reads)."""

from wagtail.permission_policies.base import BasePermissionPolicy


class ActionPolicy(BasePermissionPolicy):
    """A policy over ``actions`` alone: asking about any other action is a mistake, and
    raises rather than answering no."""

    actions: frozenset[str] = frozenset()

    def check_actions(self, actions) -> None:
        if unknown := set(actions) - self.actions:
            known = ", ".join(sorted(self.actions))
            raise ValueError(f"{self.model._meta.label} has no action {sorted(unknown)}; only {known}.")

    def user_has_permission(self, user, action) -> bool:
        """Whether ``user`` may ``action`` some instance (of the active centre)."""
        return self.instances_user_has_permission_for(user, action).exists()
