from django_otp import devices_for_user

from accounts.parts import second_factor_needed_for_work
from common.scoping import scopes_disabled


def has_second_factor(user) -> bool:
    return any(devices_for_user(user, confirmed=True))


def second_factor_required(user) -> bool:
    """Whether ``user`` must sign in with an authenticator app: anyone who judges, samples,
    moderates or manages (staff in any centre, catalogue editors, administrators). A
    learner may choose to; once they have, they are held to it too. Whether someone is
    staff in a centre is the centre app's to say (``accounts.parts``)."""
    if user.is_superuser or user.is_staff or user.groups.exists() or user.user_permissions.exists():
        return True
    with scopes_disabled():
        return second_factor_needed_for_work(user)
