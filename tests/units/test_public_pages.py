import pytest
from django.test import Client

from units.parsing import parse_unit_file
from units.services import import_unit
from units.spec import CriterionSpec, OutcomeSpec, UnitSpec, spec_from_json, spec_to_json


def make_units(seed_unit_bytes, count):
    base = spec_to_json(parse_unit_file(seed_unit_bytes))
    for n in range(count):
        import_unit(
            spec=spec_from_json(
                base.replace("R/600/9587", f"R/600/{9000 + n}").replace(
                    "Develop, maintain", f"Unit {n}: develop, maintain"
                )
            )
        )


def test_unit_page_lists_every_outcome_and_criterion(client: Client, seed_unit):
    response = client.get(seed_unit.url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Develop, maintain and review personal networks</h1>" in page
    for outcome in seed_unit.learning_outcomes.all():
        assert outcome.text in page
        for criterion in outcome.criteria.all():
            assert f'<span class="code">{criterion.code}</span> {criterion.text}' in page
    assert "<strong>it is necessary that all candidates produce evidence" in page


@pytest.mark.parametrize("units", [1, 12])
def test_catalogue_lists_units_in_a_bounded_number_of_queries(
    db, client, seed_unit_bytes, django_assert_max_num_queries, units
):
    make_units(seed_unit_bytes, units)
    with django_assert_max_num_queries(12):
        response = client.get("/")
    assert response.content.decode().count('href="/r-600-9') == units


@pytest.mark.parametrize("outcomes", [1, 15])
def test_unit_page_runs_a_bounded_number_of_queries(db, client, django_assert_max_num_queries, outcomes):
    import_unit(
        spec=UnitSpec(
            urn="R/600/9000",
            title="A unit with many outcomes",
            learning_outcomes=tuple(
                OutcomeSpec(
                    number=n,
                    text=f"Outcome {n}",
                    criteria=tuple(
                        CriterionSpec(code=f"{n}.{c}", text=f"Criterion {n}.{c}") for c in range(1, 6)
                    ),
                )
                for n in range(1, outcomes + 1)
            ),
        )
    )
    # The site, the catalogue, the unit, its view restrictions (two), its outcomes and
    # their criteria; then the body is in the cache, and the last two are not read again.
    with django_assert_max_num_queries(7):
        response = client.get("/r-600-9000/")
    assert response.content.decode().count('<li id="criterion-') == outcomes * 5
    with django_assert_max_num_queries(5):
        response = client.get("/r-600-9000/")
    assert response.content.decode().count('<li id="criterion-') == outcomes * 5
