"""Learners registered on a qualification their centre offers, from the register's
``qualification_number`` column: each row's unit is one they take on it, mandatory units
are theirs without choosing, and every choice is held to the rules of combination."""

import dataclasses
import io

import pytest
from django.core.management import CommandError, call_command

from centre.models import OfferedUnit
from centre.services import CentreServiceError, set_offered_qualifications
from common.scoping import centre_scope
from learners.models import Enrolment, Registration
from tests.factories import valid_uln
from units.parsing import parse_unit_file
from units.qualification_spec import qualification_from_data
from units.services import import_qualification, import_unit

HEADER = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email,qualification_number"
NUMBER = "601/1234/5"
ULN = valid_uln(630000000)
UNITS = {"A/600/0001": 4, "A/600/0002": 3, "B/600/0001": 2, "B/600/0002": 3, "B/600/0003": 5, "C/600/0001": 2}


@pytest.fixture
def qualification(db, seed_unit_bytes):
    seed = parse_unit_file(seed_unit_bytes)
    for urn, credits in UNITS.items():
        import_unit(
            spec=dataclasses.replace(seed, urn=urn, title=f"Unit {urn}", credit_value=credits, level=2)
        )
    spec = qualification_from_data(
        {
            "number": NUMBER,
            "title": "Level 2 Certificate in Workplace Skills",
            "groups": [
                {"name": "Mandatory", "mandatory": True, "units": ["A/600/0001", "A/600/0002"]},
                {"name": "Optional", "max_units": 2, "units": ["B/600/0001", "B/600/0002", "B/600/0003"]},
            ],
            "barred_combinations": [["B/600/0002", "B/600/0003"]],
        }
    )
    return import_qualification(spec=spec).qualification


@pytest.fixture
def centre(centre_a, qualification):
    set_offered_qualifications(centre=centre_a, numbers=[NUMBER])
    return centre_a


def run(tmp_path, *rows) -> str:
    path = tmp_path / "register.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    out = io.StringIO()
    call_command("import_learners", "--centre", "10001", str(path), stdout=out)
    return out.getvalue()


def refused(tmp_path, *rows) -> str:
    with pytest.raises(CommandError) as raised:
        run(tmp_path, *rows)
    return str(raised.value)


def row(unit="", number=NUMBER, uln=ULN, candidate="0001"):
    return f"Ada,Lovelace,ada@example.org,{uln},{candidate},{unit},,{number}"


def registration(centre):
    with centre_scope(centre):
        return Registration.objects.prefetch_related("chosen_units").get()


def units_enrolled(centre):
    with centre_scope(centre):
        return sorted(Enrolment.objects.values_list("unit__urn", flat=True))


def test_offering_a_qualification_offers_its_units(centre):
    with centre_scope(centre):
        offered = set(OfferedUnit.objects.values_list("unit__urn", flat=True))
    assert offered == {"A/600/0001", "A/600/0002", "B/600/0001", "B/600/0002", "B/600/0003"}


def test_a_learner_is_registered_with_their_choices_and_the_mandatory_units(centre, tmp_path):
    output = run(tmp_path, row("B/600/0001"), row("A/600/0001"))

    assert "1 new registration on a qualification" in output
    chosen = registration(centre)
    assert chosen.qualification.number == NUMBER
    assert [unit.urn for unit in chosen.chosen_units.all()] == ["B/600/0001"]
    # Mandatory units are enrolled on, listed in the file or not.
    assert units_enrolled(centre) == ["A/600/0001", "A/600/0002", "B/600/0001"]


def test_choices_added_later_are_checked_with_those_made_before(centre, tmp_path):
    run(tmp_path, row("B/600/0001"))
    assert "1 registration with optional units added" in run(tmp_path, row("B/600/0001"), row("B/600/0002"))
    assert sorted(unit.urn for unit in registration(centre).chosen_units.all()) == [
        "B/600/0001",
        "B/600/0002",
    ]

    message = refused(tmp_path, row("B/600/0003"))
    assert "B/600/0002 and B/600/0003 may not be taken together (a barred combination)" in message
    assert "the group 'Optional' allows at most 2 units; 3 are chosen" in message
    assert "already up to date, nothing changed" in run(tmp_path, row("B/600/0001"), row("B/600/0002"))


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([row("B/600/0002"), row("B/600/0003")], "may not be taken together (a barred combination)"),
        ([row("C/600/0001")], "row 2, unit_urn: C/600/0001 is not a unit of the qualification 601/1234/5"),
        ([row(number="601/9999/9")], "'601/9999/9' is not a qualification published in the catalogue"),
    ],
)
def test_choices_against_the_rules_are_refused_naming_the_rule(centre, tmp_path, rows, expected):
    message = refused(tmp_path, *rows)

    assert expected in message
    with centre_scope(centre):
        assert not Registration.objects.exists() and not Enrolment.objects.exists()


def test_a_qualification_the_centre_does_not_offer_is_refused(centre_a, qualification, tmp_path):
    assert "601/1234/5 is not a qualification this centre offers" in refused(tmp_path, row())


def test_a_qualification_learners_are_registered_on_stays_offered(centre, tmp_path):
    run(tmp_path, row())

    with pytest.raises(CentreServiceError, match="Learners are registered on 601/1234/5"):
        set_offered_qualifications(centre=centre, numbers=[])


def test_create_centre_offers_qualifications(qualification):
    out = io.StringIO()
    call_command(
        "create_centre",
        "--number",
        "30003",
        "--name",
        "Eastbrook",
        "--offer-qualification",
        NUMBER,
        stdout=out,
    )

    assert "Now offers the qualification 601/1234/5." in out.getvalue()
    assert "Now offers A/600/0001." in out.getvalue()
    with pytest.raises(
        CommandError, match="No qualification published in the catalogue has the number 601/0000/0"
    ):
        call_command(
            "create_centre", "--number", "30003", "--name", "Eastbrook", "--offer-qualification", "601/0000/0"
        )


def test_the_export_names_the_qualification_of_each_unit_taken_on_it(centre, tmp_path):
    run(tmp_path, row("B/600/0001"))
    out = io.StringIO()
    call_command("export_learners", "--centre", "10001", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == HEADER
    assert sorted(line.split(",")[5:] for line in lines[1:]) == [
        ["A/600/0001", "", NUMBER],
        ["A/600/0002", "", NUMBER],
        ["B/600/0001", "", NUMBER],
    ]
    # The file it writes is one the import reads as it is: importing it changes nothing.
    path = tmp_path / "exported.csv"
    path.write_text(out.getvalue())
    again = io.StringIO()
    call_command("import_learners", "--centre", "10001", str(path), stdout=again)
    assert "nothing changed" in again.getvalue()


def test_the_learners_own_copy_of_their_data_holds_their_registrations(centre, tmp_path):
    from learners.models import Learner
    from learners.privacy import LearnersProvider

    run(tmp_path, row("B/600/0001"))
    with centre_scope(centre):
        exported = LearnersProvider().export(Learner.objects.get()).data["registrations.json"]

    [registered] = exported["registrations"]
    assert registered["qualification"]["number"] == NUMBER
    assert registered["optional_units_chosen"] == ["B/600/0001"]


def test_registering_an_enrolled_learner_keeps_the_assessors_of_their_units(centre, tmp_path):
    from centre.models import Role
    from centre.services import add_member

    for email in ("sam@northgate.example", "kim@northgate.example"):
        add_member(centre=centre, email=email, role=Role.ASSESSOR)
    run(tmp_path, f"Ada,Lovelace,ada@example.org,{ULN},0001,A/600/0001,sam@northgate.example,")

    run(tmp_path, f"Ada,Lovelace,ada@example.org,{ULN},0001,B/600/0001,kim@northgate.example,{NUMBER}")

    with centre_scope(centre):
        assessors = dict(Enrolment.objects.values_list("unit__urn", "assessor__email"))
    assert assessors == {
        "A/600/0001": "sam@northgate.example",  # as allocated before
        "A/600/0002": "kim@northgate.example",  # mandatory, enrolled now with the row's assessor
        "B/600/0001": "kim@northgate.example",
    }


def test_rules_changed_since_a_choice_refuse_only_what_a_file_adds(centre, qualification, tmp_path):
    run(tmp_path, row("B/600/0001"), row("B/600/0002"))
    # The awarding body revises the rules: B/600/0001 leaves the qualification, and the
    # optional group now allows one unit.
    revised = qualification_from_data(
        {
            "number": NUMBER,
            "title": "Level 2 Certificate in Workplace Skills",
            "groups": [
                {"name": "Mandatory", "mandatory": True, "units": ["A/600/0001", "A/600/0002"]},
                {"name": "Optional", "max_units": 1, "units": ["B/600/0002", "B/600/0003"]},
            ],
        }
    )
    import_qualification(spec=revised)

    # The centre's own register, exported and imported again, changes nothing.
    out = io.StringIO()
    call_command("export_learners", "--centre", "10001", stdout=out)
    path = tmp_path / "exported.csv"
    path.write_text(out.getvalue())
    again = io.StringIO()
    call_command("import_learners", "--centre", "10001", str(path), stdout=again)
    assert "nothing changed" in again.getvalue()
    # A new choice is still held to the rules as they are.
    assert "the group 'Optional' allows at most 1 unit; 2 are chosen" in refused(tmp_path, row("B/600/0003"))


def test_a_unit_of_an_offered_qualification_stays_offered(centre):
    from centre.services import set_offered_units

    with pytest.raises(CentreServiceError, match="A/600/0002 is a unit of the qualification 601/1234/5"):
        set_offered_units(centre=centre, urns=["A/600/0001"])
