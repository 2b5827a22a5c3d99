"""The one way a change takes hold of an evidence item: its row locked, and refused once
the item is frozen for assessment."""

from common.dates import long_datetime
from common.errors import Frozen
from portfolio.models import EvidenceItem


class EvidenceIsFrozen(Frozen):
    """A change to an item that has been submitted and not returned."""

    def __init__(self, item: EvidenceItem):
        when = long_datetime(item.submitted_at)
        super().__init__(
            f"“{item.title}” was submitted on {when} and cannot be changed unless your assessor "
            "returns it to you."
        )


def locked_item(item: EvidenceItem, *, editable: bool = True) -> EvidenceItem:
    locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    if editable and not locked.is_editable:
        raise EvidenceIsFrozen(locked)
    return locked
