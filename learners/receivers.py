"""Answers to what lower domains announce."""

from django.dispatch import receiver

from centre.models import Role
from centre.signals import role_granting
from learners.invitations import link_learner_role


@receiver(role_granting, dispatch_uid="learners.link_learner_role")
def learner_role_needs_a_learner_record(sender, *, centre, user, role, actor, **kwargs):
    """A learner works through their learner record: giving the role without one would
    leave a person who can sign in and has no portfolio."""
    if role == Role.LEARNER:
        link_learner_role(centre=centre, user=user, actor=actor)
