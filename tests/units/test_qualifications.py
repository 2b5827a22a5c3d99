"""Qualifications in the catalogue: Waymark's qualification JSON in and out, its rules of
combination held to what they and the catalogue allow, details read from the Ofqual
register's export, the editor held to the same rules, and the public page."""

import dataclasses
import io
import json

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditRecord
from common.scoping import scopes_disabled
from units.models import QualificationPage
from units.parsing import parse_unit_file
from units.qualification_spec import QualificationSpecError, qualification_from_json
from units.services import import_unit

UNITS = {
    # URN: (credits, level)
    "A/600/0001": (4, 2),
    "A/600/0002": (3, 2),
    "B/600/0001": (2, 1),
    "B/600/0002": (3, 3),
    "B/600/0003": (5, 2),
}
NUMBER = "601/1234/5"


@pytest.fixture
def catalogue(db, seed_unit_bytes):
    seed = parse_unit_file(seed_unit_bytes)
    for urn, (credits, level) in UNITS.items():
        import_unit(
            spec=dataclasses.replace(seed, urn=urn, title=f"Unit {urn}", credit_value=credits, level=level)
        )


def qualification(**changes) -> dict:
    data = {
        "number": NUMBER,
        "title": "Level 2 Certificate in Workplace Skills",
        "awarding_body": "OCR",
        "level": 2,
        "total_qualification_time": 150,
        "guided_learning_hours": 90,
        "total_credits": 13,
        "groups": [
            {"name": "Mandatory", "mandatory": True, "units": ["A/600/0001", "A/600/0002"]},
            {
                "name": "Optional group B",
                "mandatory": False,
                "min_credits": 6,
                "max_credits": None,
                "min_units": None,
                "max_units": 2,
                "units": ["B/600/0001", "B/600/0002", "B/600/0003"],
            },
        ],
        "barred_combinations": [["B/600/0002", "B/600/0003"]],
        "credits_at_or_above_level": {"level": 2, "credits": 10},
    }
    data.update(changes)
    return data


def write(tmp_path, data, name="qualification.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def run_import(path, *extra) -> str:
    out = io.StringIO()
    call_command("import_qualification", str(path), *extra, stdout=out)
    return out.getvalue()


def refusal(path, *extra) -> str:
    with pytest.raises(CommandError) as raised:
        run_import(path, *extra)
    assert QualificationPage.objects.count() == 0
    return str(raised.value)


def exported(number=NUMBER) -> dict:
    out = io.StringIO()
    call_command("export_qualification", number, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_a_qualification_imports_and_exports_the_same_json(catalogue, tmp_path):
    output = run_import(write(tmp_path, qualification()))

    assert "Created 601/1234/5 “Level 2 Certificate in Workplace Skills”: 2 groups, 5 units." in output
    assert exported() == qualification()
    page = QualificationPage.objects.get(number=NUMBER)
    assert page.live and page.get_parent().specific_class.__name__ == "CatalogueIndexPage"
    with scopes_disabled():  # the catalogue's records belong to no centre
        assert AuditRecord.objects.filter(verb="qualification.created", object_id=str(page.pk)).exists()


def test_importing_again_updates_in_place_and_says_what_changed(catalogue, tmp_path):
    run_import(write(tmp_path, qualification()))
    page = QualificationPage.objects.get()
    changed = qualification(
        title="Level 2 Certificate in Workplace Skills (revised)", guided_learning_hours=95
    )
    changed["groups"][1]["max_units"] = 3

    output = run_import(write(tmp_path, changed))

    assert "Updated 601/1234/5" in output
    assert "Guided learning hours (GLH): 90 → 95" in output
    assert "Rules of combination changed" in output
    assert QualificationPage.objects.get().pk == page.pk
    assert exported() == changed
    assert "already up to date; nothing changed" in run_import(write(tmp_path, changed))
    with scopes_disabled():
        assert AuditRecord.objects.filter(verb="qualification.updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"number": ""}, "the qualification number is missing"),
        ({"number": "601-1234-5"}, "'601-1234-5' is not of the form 601/1234/5"),
        ({"title": " "}, "the qualification title is missing"),
        ({"level": 9}, "level 9 is not a level from 1 to 8"),
        ({"colour": "blue"}, "$.colour: is not a field of the qualification format"),
        (
            {
                "groups": [
                    {"name": "Mandatory", "mandatory": True, "units": ["A/600/0001", "B/600/0001"]},
                    {"name": "Optional", "units": ["B/600/0001", "B/600/0002"]},
                ]
            },
            "B/600/0001 is in both the group 'Mandatory' and the group 'Optional'",
        ),
        (
            {"groups": [{"name": "Optional", "min_units": 3, "units": ["B/600/0001", "B/600/0002"]}]},
            "the group 'Optional' asks for at least 3 units but has only 2",
        ),
        (
            {"groups": [{"name": "Optional", "min_credits": 8, "max_credits": 5, "units": ["B/600/0001"]}]},
            "asks for at least 8 credits but allows at most 5",
        ),
        (
            {"groups": [{"name": "Mandatory", "mandatory": True, "min_units": 1, "units": ["A/600/0001"]}]},
            "the mandatory group 'Mandatory' takes every unit in it, so it has no min units",
        ),
        (
            {"barred_combinations": [["A/600/0001", "A/600/0002"]]},
            "A/600/0001 and A/600/0002 are all mandatory, so no learner could avoid them",
        ),
        (
            {"barred_combinations": [["B/600/0001", "C/600/0001"]]},
            "C/600/0001 is not a unit of this qualification",
        ),
        ({"groups": []}, "the qualification has no groups of units"),
        (
            {"groups": [{"name": "Optional", "units": "B/600/0001"}]},
            "must be a list of unit reference numbers",
        ),
    ],
)
def test_rules_that_cannot_hold_are_refused_naming_what_and_where(catalogue, tmp_path, changes, expected):
    message = refusal(write(tmp_path, qualification(**changes)))

    assert "nothing was imported" in message
    assert expected in message


def test_a_unit_the_catalogue_does_not_have_is_refused_with_what_to_do(catalogue, tmp_path):
    data = qualification()
    data["groups"][1]["units"].append("Z/600/0009")

    message = refusal(write(tmp_path, data))

    assert "$.groups[1]: Z/600/0009 is not a unit in the catalogue: import it first" in message


def test_a_minimum_of_credits_the_units_cannot_reach_is_refused(catalogue, tmp_path):
    data = qualification(credits_at_or_above_level={"level": 3, "credits": 4})
    data["groups"][1]["min_credits"] = 11

    message = refusal(write(tmp_path, data))

    assert (
        "the group 'Optional group B' asks for at least 11 credits, but its units are worth 10 in all"
        in message
    )
    assert (
        "asks for 4 credits at level 3 or above, but the qualification's units at those levels are worth 3"
        in message
    )


def test_mandatory_units_worth_more_than_the_total_are_refused(catalogue, tmp_path):
    message = refusal(write(tmp_path, qualification(total_credits=5)))

    assert "$.total_credits: is 5, but the mandatory units alone are worth 7 credits" in message


def test_json_that_is_not_a_qualification_is_refused(catalogue, tmp_path):
    assert "not valid JSON" in refusal(write(tmp_path, "{"))
    assert "a qualification must be a JSON object" in refusal(write(tmp_path, "[]"))
    export = str(write(tmp_path, OFQUAL_CSV, "register.csv"))
    assert "not valid JSON" in refusal(write(tmp_path, "{"), "--ofqual", export)
    assert "the qualification number is missing" in refusal(
        write(tmp_path, {"groups": []}), "--ofqual", export
    )
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"title": "Café"}'.encode("cp1252"))
    assert "not UTF-8 text" in refusal(latin)


OFQUAL_CSV = (
    "QualificationNumber,Title,OrganisationName,Level,TotalCredits,Tqt,Glh,Status\n"
    "600/0000/1,Something else,OCR,Level 1,5,50,40,Available to learners\n"
    "601/1234/5,Level 2 Certificate in Workplace Skills,OCR,Level 2,13,150,90,Available to learners\n"
)


def test_the_details_can_come_from_the_ofqual_register_export(catalogue, tmp_path):
    rules_only = {
        name: value
        for name, value in qualification().items()
        if name in ("number", "groups", "barred_combinations", "credits_at_or_above_level")
    }
    export = write(tmp_path, OFQUAL_CSV, "register.csv")

    run_import(write(tmp_path, rules_only), "--ofqual", str(export))

    assert exported() == qualification()


def test_the_ofqual_register_json_export_is_read_too(catalogue, tmp_path):
    row = {
        "QualificationNumber": "60112345",
        "Title": "Level 2 Certificate in Workplace Skills",
        "OrganisationName": "OCR",
        "Level": "Level 2",
        "TotalCredits": 13,
        "Tqt": 150,
        "Glh": 90,
    }
    data = {name: qualification()[name] for name in ("number", "groups", "barred_combinations")}
    data["credits_at_or_above_level"] = qualification()["credits_at_or_above_level"]

    run_import(write(tmp_path, data), "--ofqual", str(write(tmp_path, [row], "register.json")))

    assert exported() == qualification()


def test_details_that_differ_from_the_register_are_refused_not_guessed(catalogue, tmp_path):
    export = write(tmp_path, OFQUAL_CSV, "register.csv")

    message = refusal(write(tmp_path, qualification(guided_learning_hours=80)), "--ofqual", str(export))

    assert "$.guided_learning_hours: is 80, but" in message and "gives 90" in message


def test_a_register_export_without_the_qualification_is_refused(catalogue, tmp_path):
    export = write(tmp_path, OFQUAL_CSV.replace("601/1234/5", "601/9999/9"), "register.csv")

    assert "has no qualification numbered 601/1234/5" in refusal(
        write(tmp_path, qualification()), "--ofqual", str(export)
    )
    assert "no QualificationNumber column" in refusal(
        write(tmp_path, qualification()), "--ofqual", str(write(tmp_path, "a,b\n1,2\n", "other.csv"))
    )


def test_exporting_an_unknown_qualification_is_refused(db):
    with pytest.raises(CommandError, match="There is no qualification with the number '601/0000/0'"):
        call_command("export_qualification", "601/0000/0", stdout=io.StringIO())


def test_the_json_reader_names_every_problem_at_once():
    with pytest.raises(QualificationSpecError) as raised:
        qualification_from_json(
            json.dumps({"number": "x", "groups": [{"name": "", "units": [3]}], "level": "two"})
        )

    problems = [str(problem) for problem in raised.value.problems]
    assert "$.groups[0].units[0]: must be a string" in problems
    assert "$.level: must be a whole number from 0 to 9999" in problems
    assert any("the qualification title is missing" in problem for problem in problems)
    assert "$.groups[0]: the group has no name" in problems


def test_the_catalogue_and_the_qualification_page_show_the_rules(catalogue, tmp_path, client):
    run_import(write(tmp_path, qualification()))
    page = QualificationPage.objects.get()

    catalogue_page = client.get(page.get_parent().url).content.decode()
    assert "Level 2 Certificate in Workplace Skills" in catalogue_page and NUMBER in catalogue_page

    shown = client.get(page.url).content.decode()
    assert "Every unit in this group must be achieved." in shown
    assert "Choose at least 6 credits, and at most 2 units from this group." in shown
    assert "At least 10 credits must come from units at level 2 or above." in shown
    assert "B/600/0002 with B/600/0003" in shown
    assert all(f">Unit {urn}</a>" in shown for urn in UNITS)


def test_the_editor_is_held_to_the_same_rules(catalogue, tmp_path):
    from units.forms import QualificationPageForm

    run_import(write(tmp_path, qualification()))
    page = QualificationPage.objects.get()
    form_class = page.get_edit_handler().get_form_class()
    rules = page.rules_of_combination | {"barred_combinations": [["A/600/0001", "A/600/0002"]]}
    data = {
        "title": page.title,
        "slug": page.slug,
        "number": page.number,
        "awarding_body": page.awarding_body,
        "level": page.level,
        "total_qualification_time": page.total_qualification_time,
        "guided_learning_hours": page.guided_learning_hours,
        "total_credits": page.total_credits,
        "rules_of_combination": json.dumps(rules),
    }
    form = form_class(data, instance=page, for_user=None)

    assert issubclass(form_class, QualificationPageForm)
    assert not form.is_valid()
    assert any("are all mandatory" in error for error in form.errors["rules_of_combination"])

    data["rules_of_combination"] = json.dumps(page.rules_of_combination | {"notes": "x"})
    form = form_class(data, instance=page, for_user=None)
    assert not form.is_valid()
    assert "notes: not part of the rules of combination" in form.errors["rules_of_combination"][0]


def test_what_the_catalogue_must_keep_cannot_be_deleted_or_copied(
    catalogue, tmp_path, admin_client, centre_a
):
    from centre.services import set_offered_qualifications
    from units.models import UnitPage

    run_import(write(tmp_path, qualification()))
    page = QualificationPage.objects.get()
    unit = UnitPage.objects.get(urn="B/600/0001")

    refused = admin_client.get(f"/admin/pages/{unit.pk}/delete/", follow=True).content.decode()
    assert "cannot be deleted: the rules of combination of 601/1234/5 name it" in refused

    set_offered_qualifications(centre=centre_a, numbers=[NUMBER])
    refused = admin_client.post(f"/admin/pages/{page.pk}/delete/", follow=True).content.decode()
    assert "cannot be deleted: 1 centre offers it" in refused
    assert QualificationPage.objects.filter(pk=page.pk).exists()

    refused = admin_client.get(f"/admin/pages/{page.pk}/copy/", follow=True).content.decode()
    assert "cannot be copied: its qualification number belongs to it alone" in refused


def test_a_draft_needs_its_number_and_rules(catalogue, tmp_path):
    run_import(write(tmp_path, qualification()))
    page = QualificationPage.objects.get()
    form_class = page.get_edit_handler().get_form_class()
    data = {"title": page.title, "slug": page.slug, "number": "", "rules_of_combination": ""}

    form = form_class(data, instance=page, for_user=None)
    form.defer_required_fields()  # as saving a draft does

    assert not form.is_valid()
    assert "number" in form.errors and "rules_of_combination" in form.errors


def test_a_unit_listed_twice_is_said_once():
    with pytest.raises(QualificationSpecError) as raised:
        qualification_from_json(
            json.dumps(
                qualification(
                    groups=[{"name": "M", "mandatory": True, "units": ["A/600/0001"] * 3}],
                    barred_combinations=[],
                    credits_at_or_above_level=None,
                )
            )
        )

    assert [str(problem) for problem in raised.value.problems] == [
        "$.groups[0]: A/600/0001 is listed twice in the group 'M'"
    ]


def test_the_registers_json_as_its_api_names_it_is_read_too(catalogue, tmp_path):
    page_of_results = {
        "results": [
            {
                "qualificationNumber": "601/1234/5",
                "title": "Level 2 Certificate in Workplace Skills",
                "organisationName": "OCR",
                "level": "Level 2",
                "totalCredits": 13.0,
                "tqt": "150",
                "glh": 90,
            }
        ]
    }
    data = {name: qualification()[name] for name in ("number", "groups", "barred_combinations")}
    data["credits_at_or_above_level"] = qualification()["credits_at_or_above_level"]

    run_import(write(tmp_path, data), "--ofqual", str(write(tmp_path, page_of_results, "register.json")))

    assert exported() == qualification()
    bad = write(tmp_path, OFQUAL_CSV.replace(",13,150,", ",²,150,"), "odd.csv")
    with pytest.raises(CommandError, match="'²' is not a whole number"):
        run_import(write(tmp_path, qualification()), "--ofqual", str(bad))


def test_an_import_over_an_editors_draft_says_it_set_it_aside(catalogue, tmp_path):
    run_import(write(tmp_path, qualification()))
    page = QualificationPage.objects.get()
    page.title = "A draft title"
    page.save_revision()  # saved in the editor, not published

    output = run_import(write(tmp_path, qualification(guided_learning_hours=95)))

    assert "had unpublished changes in the editor; this import set them aside" in output
    assert exported()["title"] == "Level 2 Certificate in Workplace Skills"
