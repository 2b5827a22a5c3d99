from django.db import transaction

from audit.services import record_audit

from .models import Centre
from .scoping import scopes_disabled


@transaction.atomic
def save_centre(*, number: str, name: str, actor=None) -> tuple[Centre, bool]:
    """Create the centre with this awarding-body number, or rename it. Returns the centre
    and whether it was created.

    Creating a centre stands above every centre (the number must be unique across the
    installation), so it runs outside any one centre's scope.
    """
    with scopes_disabled():
        centre = Centre.objects.filter(number=number).first()
        created = centre is None
        if not created and centre.name == name:
            return centre, False
        centre = centre or Centre(number=number)
        centre.name = name
        centre.full_clean()
        centre.save()
        record_audit(
            actor=actor,
            verb="centre.created" if created else "centre.renamed",
            target=centre,
            centre=centre,
            details={"number": number},
        )
    return centre, created
