import io

import pytest
import tablib
from django.core.management import CommandError, call_command

from audit.models import AuditRecord
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from learners.models import Enrolment, Learner
from learners.policies import ASSESS, enrolment_policy
from tests.factories import LearnerFactory, MembershipFactory, valid_uln

HEADER = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email"
ASSESSOR = "tom@northgate.example"
ULN_1, ULN_2, ULN_3 = valid_uln(300000000), valid_uln(300000100), valid_uln(300000200)


@pytest.fixture
def centre(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    MembershipFactory(centre=centre_a, role=Role.ASSESSOR, user__email="tom@northgate.example")
    return centre_a


def register_file(tmp_path, *rows, header=HEADER, name="register.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes("\n".join([header, *rows]).encode(encoding) + b"\n")
    return path


def good_rows():
    return [
        f"Liam,Evans,liam@example.org,{ULN_1},0001,R/600/9587,tom@northgate.example",
        f"Mia,Jones,mia@example.org,{ULN_2},0002,R/600/9587,",
        f"Noor,Ali,noor@example.org,{ULN_3},0003,,",
    ]


def run(path, *extra, centre="10001"):
    out = io.StringIO()
    call_command("import_learners", "--centre", centre, str(path), *extra, stdout=out)
    return out.getvalue()


def import_fails(path, centre="10001"):
    with pytest.raises(CommandError) as failure:
        run(path, centre=centre)
    return str(failure.value)


def learners_in(centre):
    with centre_scope(centre):
        return sorted(Learner.objects.values_list("uln", "candidate_number"))


def test_register_creates_learners_and_enrolments_and_grants_the_assessor(centre, tmp_path):
    output = run(register_file(tmp_path, *good_rows()))

    assert "3 rows checked. Made these changes at Northgate College (10001):" in output
    assert "3 new learners" in output and "2 new enrolments" in output
    with centre_scope(centre):
        liam = Enrolment.objects.select_related("assessor").get(learner__uln=ULN_1)
        assert liam.assessor.email == "tom@northgate.example"
        assert enrolment_policy.user_has_permission_for_instance(liam.assessor, ASSESS, liam)
        assert Enrolment.objects.get(learner__uln=ULN_2).assessor is None
        allocation = AuditRecord.objects.get(verb="enrolments.assessor_allocated")
        assert allocation.details["enrolments"] == [liam.pk]
        assert allocation.details["assessor"] == str(liam.assessor.audit_key)


def test_importing_the_same_file_again_changes_nothing_and_says_so(centre, tmp_path):
    path = register_file(tmp_path, *good_rows())
    run(path)
    with scopes_disabled():
        records = AuditRecord.objects.count()

    output = run(path)

    assert "3 rows checked; everything is already up to date, nothing changed." in output
    with scopes_disabled():
        assert AuditRecord.objects.count() == records
        assert Learner.objects.count() == 3


def test_a_changed_row_updates_the_learner_it_names_by_uln(centre, tmp_path):
    run(register_file(tmp_path, *good_rows()))
    rows = good_rows()
    rows[1] = rows[1].replace("mia@example.org", "mia.jones@example.org")

    output = run(register_file(tmp_path, *rows))

    assert "1 learner’s details changed" in output
    with centre_scope(centre):
        assert Learner.objects.get(uln=ULN_2).email == "mia.jones@example.org"


def test_dry_run_reports_and_writes_nothing(centre, tmp_path):
    output = run(register_file(tmp_path, *good_rows()), "--dry-run")
    assert "Would make these changes" in output
    assert learners_in(centre) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (f"Liam,Evans,liam@example.org,{ULN_1[:-1]}{(int(ULN_1[-1]) + 1) % 10},0001,,", "row 2, uln: "),
        (
            f"Liam,Evans,liam@example.org,{ULN_1},001,,",
            "row 2, candidate_number: '001': a candidate number is 4 digits",
        ),
        (
            f"Liam,Evans,liam.example.org,{ULN_1},0001,,",
            "row 2, email: 'liam.example.org' is not an email address",
        ),
        (
            f"Liam,Evans,liam@example.org,{ULN_1},0001,Y/999/9999,",
            "row 2, unit_urn: 'Y/999/9999' is not a unit in the catalogue",
        ),
        (f",Evans,liam@example.org,{ULN_1},0001,,", "row 2, first_name: is empty"),
        (
            f"Liam,Evans,liam@example.org,{ULN_1},0001,R/600/9587,nobody@example.org",
            "row 2, assessor_email: nobody@example.org is not an assessor of this centre",
        ),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(centre, tmp_path, row, expected):
    message = import_fails(register_file(tmp_path, row, *good_rows()[1:]))
    assert "nothing was imported" in message
    assert expected in message
    assert learners_in(centre) == []


def test_wrong_uln_check_digit_is_named(centre, tmp_path):
    bad = ULN_1[:-1] + str((int(ULN_1[-1]) + 1) % 10)
    message = import_fails(register_file(tmp_path, f"Liam,Evans,liam@example.org,{bad},0001,,"))
    assert f"row 2, uln: '{bad}': the ULN's check digit is wrong" in message


def test_every_bad_row_is_reported_at_once(centre, tmp_path):
    rows = good_rows()
    rows[0] = rows[0].replace(ULN_1, "123")
    rows[2] = rows[2].replace("0003", "12345")
    message = import_fails(register_file(tmp_path, *rows))
    assert "row 2, uln: '123': a ULN is 10 digits" in message
    assert "row 4, candidate_number: '12345': a candidate number is 4 digits" in message


def test_a_candidate_number_already_used_by_another_learner_is_refused(centre, tmp_path):
    LearnerFactory(centre=centre, candidate_number="0002")
    message = import_fails(register_file(tmp_path, *good_rows()))
    assert "row 3, candidate_number: 0002 is already used by another learner" in message


def test_a_candidate_number_given_twice_in_the_file_is_refused(centre, tmp_path):
    rows = good_rows()
    rows[2] = rows[2].replace("0003", "0001")
    message = import_fails(register_file(tmp_path, *rows))
    assert "row 4, candidate_number: 0001 is also given in row 2" in message


def test_duplicate_rows_are_refused(centre, tmp_path):
    rows = good_rows()
    message = import_fails(register_file(tmp_path, *rows, rows[1]))
    assert "row 5, uln: duplicates row 3" in message


def test_a_unit_the_centre_does_not_offer_is_refused(centre, tmp_path):
    set_offered_units(centre=centre, urns=[])
    message = import_fails(register_file(tmp_path, *good_rows()))
    assert "row 2, unit_urn: R/600/9587 is not a unit this centre offers" in message


def test_a_missing_required_column_is_named(centre, tmp_path):
    header = HEADER.replace("uln,", "")
    message = import_fails(register_file(tmp_path, "Liam,Evans,liam@example.org,0001,,", header=header))
    assert "row 1, uln: this required column is missing from the header" in message


def test_utf8_with_a_byte_order_mark_is_read(centre, tmp_path):
    path = register_file(tmp_path, "Zoë,Brontë,zoe@example.org," + ULN_1 + ",0001,,", encoding="utf-8-sig")
    run(path)
    with centre_scope(centre):
        assert Learner.objects.get().first_name == "Zoë"


def test_windows_1252_is_read_and_said(centre, tmp_path):
    path = register_file(tmp_path, "Zoë,O’Brien,zoe@example.org," + ULN_1 + ",0001,,", encoding="cp1252")
    output = run(path)
    assert "The file is not UTF-8; it was read as Windows-1252." in output
    with centre_scope(centre):
        assert Learner.objects.get().last_name == "O’Brien"


def test_xlsx_is_read_with_numbers_as_the_spreadsheet_holds_them(centre, tmp_path):
    dataset = tablib.Dataset(headers=HEADER.split(","))
    dataset.append(
        ["Liam", "Evans", "liam@example.org", int(ULN_1), "0001", "R/600/9587", "tom@northgate.example"]
    )
    path = tmp_path / "register.xlsx"
    path.write_bytes(dataset.export("xlsx"))
    run(path)
    assert learners_in(centre) == [(ULN_1, "0001")]


def test_rows_never_reach_another_centres_data(centre, centre_b, tmp_path):
    set_offered_units(centre=centre_b, urns=["R/600/9587"])
    theirs = LearnerFactory(centre=centre_b, uln=ULN_1, candidate_number="0001", first_name="Other")
    MembershipFactory(centre=centre_b, role=Role.ASSESSOR, user__email="bea@southfield.example")

    message = import_fails(
        register_file(tmp_path, f"Liam,Evans,liam@example.org,{ULN_1},0001,R/600/9587,bea@southfield.example")
    )
    assert "bea@southfield.example is not an assessor of this centre" in message

    run(register_file(tmp_path, f"Liam,Evans,liam@example.org,{ULN_1},0001,R/600/9587,"))
    theirs.refresh_from_db()
    assert theirs.first_name == "Other"
    assert learners_in(centre) == [(ULN_1, "0001")]


def test_an_unknown_centre_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="There is no centre with the number '99998'"):
        run(register_file(tmp_path, *good_rows()), centre="99998")


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "register.csv", "the file is empty"),
        (b"\x00\x01garbage", "register.xlsx", "the file is not a readable XLSX workbook"),
        (HEADER.encode(), "register.csv", "the file has a header but no learners"),
        (b"a,b\n1,2\n", "register.txt", "the file must be a .csv or .xlsx file"),
    ],
)
def test_files_that_are_not_registers_are_refused(centre, tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert expected in import_fails(path)


@pytest.mark.parametrize("learners", [5, 200])
def test_import_runs_a_bounded_number_of_queries(centre, tmp_path, django_assert_max_num_queries, learners):
    rows = [
        f"L{n},Learner,l{n}@example.org,{valid_uln(400000000 + n * 7)},{n:04d},R/600/9587,{ASSESSOR}"
        for n in range(learners)
    ]
    path = register_file(tmp_path, *rows)
    # Accounts, learner roles and invitations are made in bulk too: the count does not grow.
    with django_assert_max_num_queries(34):
        run(path)
    assert len(learners_in(centre)) == learners


def test_a_column_waymark_does_not_read_is_refused_not_ignored(centre, tmp_path):
    header = HEADER + ",centre_number"
    message = import_fails(register_file(tmp_path, good_rows()[0] + ",20002", header=header))
    assert "row 1, centre_number: is not a column Waymark reads; remove it" in message
    assert learners_in(centre) == []


def test_a_register_of_more_than_twenty_thousand_rows_is_refused_with_the_limit(centre, tmp_path):
    rows = [f"A,B,a{n}@example.org,{valid_uln(700000000 + 3 * n)},{n % 10000:04d},," for n in range(20_001)]
    message = import_fails(register_file(tmp_path, *rows))
    assert "the file has 20,001 rows; import at most 20,000 at a time" in message


def test_the_plan_summary_counts_in_the_singular_and_the_plural(centre_a):
    from learners.registration.plans import RegistrationPlan

    one = RegistrationPlan(
        centre=centre_a,
        new_learners=[object()],
        changed_learners=[(object(), ["email"])],
        new_enrolments=[(object(), object())],
        reallocations=[(object(), object())],
    )
    assert one.summary() == [
        "1 new learner",
        "1 learner’s details changed",
        "1 new enrolment",
        "1 enrolment given another assessor",
    ]
    two = RegistrationPlan(
        centre=centre_a,
        new_learners=[object()] * 2,
        changed_learners=[(object(), ["email"])] * 2,
        new_enrolments=[(object(), object())] * 2,
        reallocations=[(object(), object())] * 2,
    )
    assert two.summary() == [
        "2 new learners",
        "2 learners’ details changed",
        "2 new enrolments",
        "2 enrolments given another assessor",
    ]
