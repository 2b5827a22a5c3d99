"""``manage.py import_unit`` and ``manage.py export_unit`` end to end, against the database.

What the user sees is the command's output, or the ``CommandError`` (a non-zero exit)
naming the file and every problem, line by line; a refused import writes nothing.

Line numbers are the seed's (units/data/ocr-unit-35-R-600-9587.txt): credit value on
line 6, level 7, URN 9, the table header 17 and outcomes 1, 2, 3 on 18, 19, 20.
"""

import json
import random
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditRecord
from common.scoping import scopes_disabled
from tests.testapp.models import CriterionReference
from units.models import AssessmentCriterion, LearningOutcome, UnitPage
from units.parsing import parse_unit_file
from units.spec import spec_to_json

URN = "R/600/9587"
TITLE = "Develop, maintain and review personal networks"

pytestmark = pytest.mark.django_db


# Helpers ---------------------------------------------------------------------------------


@pytest.fixture
def seed_text(seed_unit_bytes) -> str:
    return seed_unit_bytes.decode("utf-8")


@pytest.fixture
def seed_json_data(seed_unit_bytes) -> dict:
    """The seed as Waymark's unit JSON, to be spoiled by a test."""
    return json.loads(spec_to_json(parse_unit_file(seed_unit_bytes)))


def replaced(text: str, old: str, new: str) -> str:
    """``text`` with its one ``old`` replaced, so a test cannot pass on a seed it no longer edits."""
    assert text.count(old) == 1, f"expected exactly one {old!r} in the seed"
    return text.replace(old, new)


def write(tmp_path: Path, content: str | bytes, name: str = "unit.txt") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def import_unit(path: Path) -> str:
    """Run ``import_unit`` on ``path``; what it printed."""
    out = StringIO()
    call_command("import_unit", str(path), stdout=out, no_color=True)
    return out.getvalue()


def export_unit(urn: str = URN) -> str:
    """Run ``export_unit`` for ``urn``; the JSON it printed."""
    out = StringIO()
    call_command("export_unit", urn, stdout=out, no_color=True)
    return out.getvalue()


def refused_import(path: Path) -> str:
    """Run ``import_unit`` on ``path``, which must fail; the error it exits with."""
    with pytest.raises(CommandError) as refusal:
        import_unit(path)
    return str(refusal.value)


def audit_record_count() -> int:
    with scopes_disabled():
        return AuditRecord.objects.count()


def assert_nothing_was_written() -> None:
    assert UnitPage.objects.count() == 0
    assert LearningOutcome.objects.count() == 0
    assert AssessmentCriterion.objects.count() == 0
    assert audit_record_count() == 0


def criterion_keys() -> dict[str, int]:
    return dict(AssessmentCriterion.objects.values_list("code", "pk"))


def criterion_texts() -> dict[str, str]:
    return dict(AssessmentCriterion.objects.values_list("code", "text"))


# Importing the seed ----------------------------------------------------------------------


def test_importing_the_seed_reports_a_new_unit_of_three_outcomes_and_seven_criteria(
    tmp_path, seed_unit_bytes
):
    output = import_unit(write(tmp_path, seed_unit_bytes))

    assert output == f"Created {URN} “{TITLE}”: 3 learning outcomes, 7 assessment criteria.\n"
    unit = UnitPage.objects.get()
    assert unit.live
    assert [outcome.number for outcome in unit.learning_outcomes.order_by("sort_order")] == [1, 2, 3]
    assert sorted(criterion_keys()) == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2"]


def test_importing_the_seed_saves_its_metadata(tmp_path, seed_unit_bytes):
    import_unit(write(tmp_path, seed_unit_bytes))

    unit = UnitPage.objects.get()
    assert unit.title == TITLE
    assert unit.urn == URN
    assert unit.ocr_unit_number == "35"
    assert unit.sector_unit_number == "A3"
    assert unit.credit_value == 4
    assert unit.level == 4
    assert unit.guided_learning_hours == 25


def test_importing_the_seed_keeps_criterion_3_1_exactly_as_published(tmp_path, seed_unit_bytes):
    import_unit(write(tmp_path, seed_unit_bytes))

    assert criterion_texts()["3.1"] == "Assess the value own current personal network."


def test_importing_the_seed_writes_one_audit_record(tmp_path, seed_unit_bytes):
    import_unit(write(tmp_path, seed_unit_bytes))

    with scopes_disabled():
        record = AuditRecord.objects.get()
    assert record.verb == "unit.created"
    assert record.object_id == str(UnitPage.objects.get().pk)
    assert record.details["urn"] == URN


# Export and import round trip ------------------------------------------------------------


def test_export_import_export_gives_byte_identical_json(tmp_path, seed_unit_bytes):
    import_unit(write(tmp_path, seed_unit_bytes))
    first_export = export_unit()

    import_unit(write(tmp_path, first_export, name="unit.json"))
    second_export = export_unit()

    assert second_export == first_export
    assert json.loads(first_export)["title"] == TITLE


def test_importing_the_exported_json_changes_nothing_and_duplicates_nothing(tmp_path, seed_unit_bytes):
    import_unit(write(tmp_path, seed_unit_bytes))
    keys_before = criterion_keys()
    revision_before = UnitPage.objects.get().latest_revision_id

    output = import_unit(write(tmp_path, export_unit(), name="unit.json"))

    assert output == f"{URN} “{TITLE}” is already up to date; nothing changed.\n"
    assert UnitPage.objects.count() == 1
    assert criterion_keys() == keys_before
    assert UnitPage.objects.get().latest_revision_id == revision_before
    assert audit_record_count() == 1


def test_exporting_a_unit_that_does_not_exist_fails_naming_the_urn():
    with pytest.raises(CommandError) as refusal:
        export_unit("R/000/0000")

    assert str(refusal.value) == "There is no unit with the reference number 'R/000/0000'."


def test_a_unit_edited_with_windows_line_breaks_exports_json_that_imports_again(tmp_path, seed_unit):
    # The Wagtail editor's text areas submit CR LF line breaks and Django keeps them.
    seed_unit.aim = "First paragraph.\r\n\r\nSecond paragraph."
    seed_unit.save_revision().publish()
    exported = export_unit()

    output = import_unit(write(tmp_path, exported, name="unit.json"))

    assert output == f"{URN} “{TITLE}” is already up to date; nothing changed.\n"
    assert export_unit() == exported


# Re-importing and revising ---------------------------------------------------------------


def test_reimporting_the_seed_updates_in_place_reporting_already_up_to_date(tmp_path, seed_unit_bytes):
    path = write(tmp_path, seed_unit_bytes)
    import_unit(path)
    keys_before = criterion_keys()

    output = import_unit(path)

    assert output == f"{URN} “{TITLE}” is already up to date; nothing changed.\n"
    assert UnitPage.objects.count() == 1
    assert LearningOutcome.objects.count() == 3
    assert criterion_keys() == keys_before
    assert audit_record_count() == 1


def revised_seed(seed_text: str) -> str:
    """The seed with criterion 1.2's text changed, criterion 3.3 added and outcome 2's text changed."""
    revised = replaced(
        seed_text,
        "<p>1.2 Identify individuals and organisations that would provide benefits to own organisation "
        "and networks.</p>",
        "<p>1.2 Identify individuals and organisations that would benefit own organisation.</p>",
    )
    revised = replaced(
        revised,
        "<p>3.2 Evaluate own experience with existing contacts and use these to inform future actions.</p>",
        "<p>3.2 Evaluate own experience with existing contacts and use these to inform future actions.</p> "
        "<p>3.3 Review &amp; update own networking plan.</p>",
    )
    return replaced(
        revised,
        "<p>2 Be able to develop a personal network of contacts.</p>",
        "<p>2 Be able to develop and grow a personal network of contacts.</p>",
    )


def test_importing_a_revised_spec_reports_each_change(tmp_path, seed_unit_bytes, seed_text):
    import_unit(write(tmp_path, seed_unit_bytes))

    output = import_unit(write(tmp_path, revised_seed(seed_text), name="revised.txt"))

    assert output.splitlines() == [
        f"Updated {URN} “{TITLE}”:",
        "  Outcome 2 text changed to “Be able to develop and grow a personal network of contacts.”",
        "  Criterion 1.2 text changed to “Identify individuals and organisations that would benefit own "
        "organisation.”",
        "  Criterion 3.3 added: “Review & update own networking plan.”",
    ]


def test_importing_a_revised_spec_keeps_the_identities_of_changed_and_unchanged_criteria(
    tmp_path, seed_unit_bytes, seed_text
):
    import_unit(write(tmp_path, seed_unit_bytes))
    unit_before = UnitPage.objects.get()
    keys_before = criterion_keys()
    outcome_keys_before = dict(LearningOutcome.objects.values_list("number", "pk"))

    import_unit(write(tmp_path, revised_seed(seed_text), name="revised.txt"))

    keys_after = criterion_keys()
    assert UnitPage.objects.get().pk == unit_before.pk
    assert {code: keys_after[code] for code in keys_before} == keys_before
    assert keys_after["3.3"] not in keys_before.values()
    assert dict(LearningOutcome.objects.values_list("number", "pk")) == outcome_keys_before
    texts = criterion_texts()
    assert texts["1.2"] == "Identify individuals and organisations that would benefit own organisation."
    assert texts["3.3"] == "Review & update own networking plan."
    assert (
        LearningOutcome.objects.get(number=2).text
        == "Be able to develop and grow a personal network of contacts."
    )


def test_importing_a_revised_spec_publishes_a_revision_and_audits_the_changes(
    tmp_path, seed_unit_bytes, seed_text
):
    import_unit(write(tmp_path, seed_unit_bytes))
    revision_before = UnitPage.objects.get().latest_revision_id

    import_unit(write(tmp_path, revised_seed(seed_text), name="revised.txt"))

    unit = UnitPage.objects.get()
    assert unit.latest_revision_id != revision_before
    assert unit.live_revision_id == unit.latest_revision_id
    with scopes_disabled():
        record = AuditRecord.objects.get(verb="unit.updated")
    assert record.details["changes"] == [
        "Outcome 2 text changed to “Be able to develop and grow a personal network of contacts.”",
        "Criterion 1.2 text changed to “Identify individuals and organisations that would benefit own "
        "organisation.”",
        "Criterion 3.3 added: “Review & update own networking plan.”",
    ]


def test_importing_a_revised_credit_value_reports_old_and_new(tmp_path, seed_unit_bytes, seed_text):
    import_unit(write(tmp_path, seed_unit_bytes))

    output = import_unit(write(tmp_path, replaced(seed_text, "Credit value:\t4", "Credit value:\t5")))

    assert output.splitlines() == [f"Updated {URN} “{TITLE}”:", "  Credit value changed from “4” to “5”"]
    assert UnitPage.objects.get().credit_value == 5


# Criteria that something points at -------------------------------------------------------


def without_criterion_3_2(seed_text: str) -> str:
    return replaced(
        seed_text,
        " <p>3.2 Evaluate own experience with existing contacts and use these to inform future actions.</p>",
        "",
    )


def test_a_revised_spec_that_drops_a_referenced_criterion_is_refused_naming_it(
    tmp_path, seed_unit, seed_text, centre_a
):
    criterion = AssessmentCriterion.objects.get(outcome__page=seed_unit, code="3.2")
    with scopes_disabled():
        CriterionReference.objects.create(centre=centre_a, criterion=criterion)
    path = write(tmp_path, without_criterion_3_2(seed_text), name="revised.txt")

    message = refused_import(path)

    assert message == (
        f"{path}: nothing was imported.\n"
        f"  {URN}: Criterion 3.2 cannot be removed: evidence or assessment decisions refer to it."
    )


def test_a_refused_revision_changes_nothing(tmp_path, seed_unit, seed_text, centre_a):
    criterion = AssessmentCriterion.objects.get(outcome__page=seed_unit, code="3.2")
    with scopes_disabled():
        CriterionReference.objects.create(centre=centre_a, criterion=criterion)
    revised = replaced(without_criterion_3_2(seed_text), "Credit value:\t4", "Credit value:\t5")
    exported_before = export_unit()
    keys_before = criterion_keys()
    records_before = audit_record_count()
    revision_before = UnitPage.objects.get().latest_revision_id

    refused_import(write(tmp_path, revised, name="revised.txt"))

    assert export_unit() == exported_before
    assert criterion_keys() == keys_before
    assert audit_record_count() == records_before
    assert UnitPage.objects.get().latest_revision_id == revision_before
    with scopes_disabled():
        assert CriterionReference.objects.get().criterion_id == criterion.pk


def test_a_revised_spec_may_drop_a_criterion_nothing_points_at(tmp_path, seed_unit, seed_text, centre_a):
    kept = AssessmentCriterion.objects.get(outcome__page=seed_unit, code="3.1")
    with scopes_disabled():
        CriterionReference.objects.create(centre=centre_a, criterion=kept)

    output = import_unit(write(tmp_path, without_criterion_3_2(seed_text), name="revised.txt"))

    assert output.splitlines() == [f"Updated {URN} “{TITLE}”:", "  Criterion 3.2 removed"]
    assert sorted(criterion_keys()) == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1"]
    assert criterion_keys()["3.1"] == kept.pk


# Refused files: each names the file and what is wrong where, and writes nothing --------


def test_an_empty_file_is_refused_and_nothing_is_written(tmp_path):
    path = write(tmp_path, b"")

    assert refused_import(path) == f"{path}: nothing was imported.\n  the file is empty"
    assert_nothing_was_written()


def test_a_whitespace_only_file_is_refused_and_nothing_is_written(tmp_path):
    path = write(tmp_path, b"  \n\t\r\n\n   ")

    assert refused_import(path) == f"{path}: nothing was imported.\n  the file is empty"
    assert_nothing_was_written()


def test_a_missing_urn_is_refused_and_nothing_is_written(tmp_path, seed_text):
    path = write(tmp_path, replaced(seed_text, "Unit reference number:\tR/600/9587\n", ""))

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n  the unit reference number (URN) is missing"
    )
    assert_nothing_was_written()


def test_a_malformed_urn_is_refused_naming_its_line_and_nothing_is_written(tmp_path, seed_text):
    path = write(tmp_path, replaced(seed_text, "R/600/9587", "R/600/958"))

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n"
        "  line 9: the unit reference number 'R/600/958' is not of the form R/600/9587"
    )
    assert_nothing_was_written()


def test_an_outcome_with_no_criteria_is_refused_naming_its_line_and_nothing_is_written(tmp_path, seed_text):
    path = write(
        tmp_path,
        replaced(
            seed_text,
            "\t<p>2.1 Develop networks that will provide personal and organisational benefit.</p> "
            "<p>2.2 Develop guidelines for working with networks in line with organisational procedures.</p>",
            "\t<p></p>",
        ),
    )

    assert (
        refused_import(path)
        == f"{path}: nothing was imported.\n  line 19: outcome 2 has no assessment criteria"
    )
    assert_nothing_was_written()


def test_a_criterion_code_outside_its_outcome_is_refused_naming_the_line(tmp_path, seed_text):
    path = write(tmp_path, replaced(seed_text, "<p>1.2 Identify", "<p>2.1 Identify"))

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n"
        "  line 18: criterion 2.1 is under outcome 1\n"
        "  line 19: criterion 2.1 appears twice (also at line 18)"
    )
    assert_nothing_was_written()


def test_duplicate_criterion_codes_are_refused_naming_the_line(tmp_path, seed_text):
    path = write(tmp_path, replaced(seed_text, "<p>2.2 Develop", "<p>2.1 Develop"))

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n  line 19: criterion 2.1 appears twice (also at line 19)"
    )
    assert_nothing_was_written()


def test_duplicate_outcome_numbers_are_refused_naming_both_lines(tmp_path, seed_text):
    duplicated = replaced(seed_text, "<p>3 Be able", "<p>2 Be able")
    duplicated = replaced(duplicated, "<p>3.1 Assess", "<p>2.3 Assess")
    path = write(tmp_path, replaced(duplicated, "<p>3.2 Evaluate", "<p>2.4 Evaluate"))

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n  line 20: outcome 2 appears twice (also at line 19)"
    )
    assert_nothing_was_written()


def test_binary_junk_with_nul_bytes_is_refused_and_nothing_is_written(tmp_path):
    junk = random.Random(9587).randbytes(4096) + b"\x00"
    path = write(tmp_path, junk, name="unit.bin")

    message = refused_import(path)

    assert message == f"{path}: nothing was imported.\n  the file is binary, not a unit specification"
    assert_nothing_was_written()


def test_random_bytes_without_nul_are_refused_as_not_utf8_naming_the_line(tmp_path):
    junk = random.Random(35).randbytes(4096).replace(b"\x00", b"")
    path = write(tmp_path, junk, name="unit.bin")

    message = refused_import(path)

    assert message.startswith(f"{path}: nothing was imported.\n  line ")
    assert re.fullmatch(
        r"line \d+: the file is not UTF-8 text \(byte 0x[0-9a-f]{2}\)", message.splitlines()[1].strip()
    )
    assert_nothing_was_written()


def test_bytes_that_are_not_utf8_are_refused_naming_the_line_and_nothing_is_written(tmp_path, seed_text):
    latin_1 = seed_text.replace("Level 4", "Level 4 – niveau élevé").encode("latin-1", errors="replace")
    path = write(tmp_path, latin_1)

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n  line 7: the file is not UTF-8 text (byte 0xe9)"
    )
    assert_nothing_was_written()


def test_a_file_over_5_mb_is_refused_with_its_size_and_nothing_is_written(tmp_path, seed_unit_bytes):
    assert settings.UNIT_IMPORT_MAX_BYTES == 5 * 1024 * 1024
    oversized = seed_unit_bytes + b" " * (5 * 1024 * 1024 + 1 - len(seed_unit_bytes))
    path = write(tmp_path, oversized)
    assert path.stat().st_size == 5_242_881

    assert refused_import(path) == (
        f"{path}: the file is 5,242,881 bytes; a unit file may be at most 5,242,880 bytes."
    )
    assert_nothing_was_written()


def test_a_file_of_exactly_5_mb_is_imported(tmp_path, seed_unit_bytes):
    padded = seed_unit_bytes + b"\n" + b" " * (5 * 1024 * 1024 - len(seed_unit_bytes) - 1)
    path = write(tmp_path, padded)
    assert path.stat().st_size == 5_242_880

    assert import_unit(path).startswith(f"Created {URN}")


def test_a_missing_file_is_refused_naming_the_path_and_nothing_is_written(tmp_path):
    path = tmp_path / "no-such-unit.txt"

    assert refused_import(path) == f"{path}: cannot read the file (No such file or directory)."
    assert_nothing_was_written()


def test_a_directory_is_refused_as_not_a_file(tmp_path):
    assert refused_import(tmp_path) == f"{tmp_path}: not a file."
    assert_nothing_was_written()


def test_invalid_json_is_refused_naming_the_line_and_column_and_nothing_is_written(tmp_path):
    path = write(tmp_path, '{\n  "urn": "R/600/9587",\n  "title": "Networks",\n}\n', name="unit.json")

    message = refused_import(path)

    # The rest of the message is the JSON library's own words, which vary by Python version.
    assert message.startswith(f"{path}: nothing was imported.\n  line 4, column 1: not valid JSON: ")
    assert_nothing_was_written()


def test_json_with_wrong_types_is_refused_naming_each_json_path_and_nothing_is_written(
    tmp_path, seed_json_data
):
    data = seed_json_data
    data["credit_value"] = "four"
    data["learning_outcomes"] = "1 Understand the benefits of networking"
    path = write(tmp_path, json.dumps(data, indent=2), name="unit.json")

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n"
        "  $.learning_outcomes: must be a list of learning outcomes\n"
        "  $.credit_value: must be a whole number from 0 to 9999\n"
        "  the unit has no learning outcomes"
    )
    assert_nothing_was_written()


def test_json_with_a_criterion_of_the_wrong_type_is_refused_naming_its_path(tmp_path, seed_json_data):
    data = seed_json_data
    data["learning_outcomes"][1]["criteria"][0] = "2.1 Develop networks"
    path = write(tmp_path, json.dumps(data), name="unit.json")

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n  $.learning_outcomes[1].criteria[0]: must be an object"
    )
    assert_nothing_was_written()


def test_json_with_an_unpaired_surrogate_is_refused_naming_its_path(tmp_path, seed_json_data):
    exported = json.dumps(seed_json_data)
    path = write(
        tmp_path, exported.replace('"Develop, maintain', '"\\udc80Develop, maintain'), name="unit.json"
    )

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n  $.title: holds an unpaired surrogate (\\ud800 to \\udfff)"
    )
    assert_nothing_was_written()


def test_a_table_row_with_three_cells_is_refused_naming_the_line(tmp_path, seed_text):
    path = write(
        tmp_path,
        replaced(
            seed_text,
            "<p>3 Be able to review networking relationships.</p>\t",
            "<p>3 Be able to review networking relationships.</p>\t\t",
        ),
    )

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n  line 20: a table row needs two cells separated by a tab, not 3"
    )
    assert_nothing_was_written()


def test_a_non_numeric_credit_value_is_refused_naming_its_line(tmp_path, seed_text):
    path = write(tmp_path, replaced(seed_text, "Credit value:\t4", "Credit value:\tfour credits"))

    assert refused_import(path) == (
        f"{path}: nothing was imported.\n  line 6: credit value 'four credits' is not a whole number"
    )
    assert_nothing_was_written()


def test_a_refused_file_leaves_an_existing_unit_as_it_was(tmp_path, seed_unit, seed_text):
    exported_before = export_unit()
    records_before = audit_record_count()
    path = write(tmp_path, replaced(seed_text, "Credit value:\t4", "Credit value:\tfour"))

    refused_import(path)

    assert export_unit() == exported_before
    assert UnitPage.objects.count() == 1
    assert audit_record_count() == records_before


def test_reimporting_json_with_windows_line_breaks_is_up_to_date_the_second_time(
    db, tmp_path, seed_unit_bytes
):
    from units.parsing import parse_unit_file
    from units.spec import spec_to_json

    path = tmp_path / "unit.json"
    path.write_bytes(
        spec_to_json(parse_unit_file(seed_unit_bytes)).replace("\\n\\n", "\\r\\n\\r\\n").encode()
    )
    call_command("import_unit", str(path), stdout=StringIO())
    second = StringIO()
    call_command("import_unit", str(path), stdout=second)
    assert "already up to date" in second.getvalue()
