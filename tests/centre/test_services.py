import pytest

from audit.models import AuditRecord
from centre.models import Centre
from centre.services import save_centre
from common.errors import Refused
from common.scoping import scopes_disabled


def test_save_centre_creates_then_renames_and_audits_each(db):
    centre, created = save_centre(number="12345", name="Riverside College")
    assert created
    renamed, created_again = save_centre(number="12345", name="Riverside College Group")
    assert (renamed.pk, created_again) == (centre.pk, False)
    unchanged, created_for_same_name = save_centre(number="12345", name="Riverside College Group")
    assert (unchanged.pk, created_for_same_name) == (centre.pk, False)
    with scopes_disabled():
        assert Centre.objects.get(number="12345").name == "Riverside College Group"
        verbs = list(AuditRecord.objects.filter(centre=centre).values_list("verb", flat=True))
    assert verbs == ["centre.created", "centre.renamed"]


@pytest.mark.parametrize("number", ["1234", "123456", "12a45"])
def test_centre_number_must_be_five_digits(db, number):
    with pytest.raises(Refused, match="A centre number is five digits"):
        save_centre(number=number, name="Somewhere")
    with scopes_disabled():
        assert not Centre.objects.exists()
