"""What the centre app announces, for the domains above it to answer (see their
``receivers.py``): a lower layer never calls up into a higher one."""

from django.dispatch import Signal

# Sent inside the transaction that gives ``user`` the ``role`` at ``centre``, before the
# membership is written. A receiver may refuse the role by raising CentreServiceError with
# a reason a person can act on; the whole change is then undone.
role_granting = Signal()
