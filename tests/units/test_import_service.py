import pytest

from units.parsing import parse_unit_file
from units.selectors import plan_unit_import
from units.services import UnitImportRefused, import_unit
from units.spec import spec_from_json, spec_to_json


def test_a_new_unit_whose_address_is_taken_is_refused_with_a_message(db, seed_unit_bytes):
    seed = spec_to_json(parse_unit_file(seed_unit_bytes))
    other = import_unit(spec=spec_from_json(seed.replace("R/600/9587", "R/600/9588")))
    from units.models import UnitPage

    page = UnitPage.objects.get(urn=other.spec.urn)
    page.slug = "r-600-9587"
    page.save_revision().publish()

    with pytest.raises(UnitImportRefused, match="already has the address /r-600-9587/"):
        import_unit(spec=parse_unit_file(seed_unit_bytes))
    assert not UnitPage.objects.filter(urn="R/600/9587").exists()


def test_the_plan_says_when_the_editor_has_unpublished_changes(seed_unit, seed_unit_bytes):
    seed_unit.title = "Draft title"
    seed_unit.save_revision()

    plan = plan_unit_import(spec=parse_unit_file(seed_unit_bytes))

    assert plan.replaces_a_draft
