"""What the catalogue tells the apps below it: how the audit trail names a unit."""

from audit.references import UNIT, register_reference
from units.models import UnitPage


def unit_numbers(centre, keys) -> dict[int, str]:
    """The reference number of each unit with one of ``keys``, as the audit trail names it
    (the catalogue is shared: the same in every centre)."""
    return dict(UnitPage.objects.filter(pk__in=keys).values_list("pk", "urn"))


register_reference(UNIT, names=unit_numbers)
