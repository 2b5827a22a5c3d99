import io

import pytest
import tablib
from django.core.management import CommandError, call_command

from audit.models import AuditRecord
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from common.spreadsheets import neutralise
from learners.models import Learner
from learners.services import allocate_assessor
from tests.factories import EnrolmentFactory, LearnerFactory, MembershipFactory


@pytest.fixture
def register(centre_a, centre_b, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    assessor = MembershipFactory(
        centre=centre_a, role=Role.ASSESSOR, user__email="tom@northgate.example"
    ).user
    enrolment = EnrolmentFactory(
        learner__centre=centre_a, learner__first_name='=HYPERLINK("http://evil")', unit=seed_unit
    )
    LearnerFactory(centre=centre_a, last_name="@SUM(A1)")
    LearnerFactory(centre=centre_b, first_name="Secret", last_name="Southfield")
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
    return enrolment


def export(*arguments):
    out = io.StringIO()
    call_command("export_learners", "--centre", "10001", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-5", "-5"),
        ("+44", "+44"),
        ("9276308686", "9276308686"),
        ("Ann", "Ann"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralised_and_numbers_kept(value, expected):
    assert neutralise(value) == expected


def test_csv_export_has_the_import_columns_and_only_this_centres_learners(register):
    dataset = tablib.Dataset().load(export(), format="csv")

    assert dataset.headers == [
        "first_name",
        "last_name",
        "email",
        "uln",
        "candidate_number",
        "unit_urn",
        "assessor_email",
        "qualification_number",
    ]
    assert len(dataset) == 2
    assert "Secret" not in dataset.export("csv")
    enrolled = next(row for row in dataset.dict if row["unit_urn"])
    assert enrolled["first_name"] == '\'=HYPERLINK("http://evil")'
    assert enrolled["assessor_email"] == "tom@northgate.example"
    assert enrolled["uln"] == register.learner.uln
    assert any(row["last_name"] == "'@SUM(A1)" for row in dataset.dict)


def test_xlsx_export_round_trips_through_import_unchanged(register, tmp_path):
    path = tmp_path / "register.xlsx"
    export("--format", "xlsx", "--output", str(path))
    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    assert {row["candidate_number"] for row in dataset.dict} == {
        learner.candidate_number
        for learner in Learner.objects.with_scopes_disabled().filter(centre=register.centre)
    }

    # A file without formula-like names imports back as it is: nothing changes.
    with scopes_disabled():
        Learner.objects.filter(centre=register.centre).update(first_name="Plain", last_name="Name")
    plain = tmp_path / "plain.xlsx"
    export("--format", "xlsx", "--output", str(plain))
    out = io.StringIO()
    call_command("import_learners", "--centre", "10001", str(plain), stdout=out)
    assert "nothing changed" in out.getvalue()


def test_export_is_audited(register):
    export()
    with scopes_disabled():
        record = AuditRecord.objects.get(verb="learners.exported")
    assert record.details == {"rows": 2, "format": "csv"}


def test_xlsx_needs_an_output_file(register):
    with pytest.raises(CommandError, match="give --output PATH"):
        export("--format", "xlsx")


@pytest.mark.parametrize("learners", [3, 60])
def test_export_runs_a_bounded_number_of_queries(
    centre_a, seed_unit, django_assert_max_num_queries, learners
):
    for _ in range(learners):
        EnrolmentFactory(learner__centre=centre_a, unit=seed_unit)
    with django_assert_max_num_queries(9):  # the same whatever the size; one of them reads registrations
        output = export()
    assert output.count("R/600/9587") == learners
