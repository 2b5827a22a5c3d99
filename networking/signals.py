"""What the networking app announces, for the domains above it to answer (see their
``receivers.py``): a lower layer never calls up into a higher one."""

from django.dispatch import Signal

# Sent inside the transaction that has just taken a contact of the learner ``learner_id``
# out of their submitted evidence (the contact deleted, or their consent withdrawn), once
# ``versions`` submitted versions have changed. What was copied from the old versions
# (a moderation bundle) must go with them: a receiver that raises undoes the change.
submitted_evidence_pseudonymised = Signal()
