"""What the centre app announces, for the domains above it to answer (see their
``receivers.py``): a lower layer never calls up into a higher one."""

from django.dispatch import Signal

# Sent inside the transaction that gives ``user`` the ``role`` at ``centre``, before the
# membership is written. A receiver may refuse the role by raising CentreServiceError with
# a reason a person can act on; the whole change is then undone.
role_granting = Signal()

# Sent inside the transaction that stops ``centre`` offering ``unit``, in the centre's
# scope, before the offer is removed. A receiver may refuse it by raising
# CentreServiceError with a reason a person can act on (learners are enrolled on it).
unit_offer_ending = Signal()

# The same, for the ``qualification`` a centre stops offering (learners are registered on it).
qualification_offer_ending = Signal()

# Sent inside the transaction that ends ``membership`` (already saved as inactive), in its
# centre's scope, for the domains above to take back what the role gave (an assessor's
# enrolments); ``actor`` ended it.
membership_ended = Signal()
