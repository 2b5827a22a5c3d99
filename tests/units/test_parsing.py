"""The OCR unit specification parser and the unit JSON reader, without the database.

Every refusal is a ``UnitSpecError`` whose problems say what is wrong and where: a line
of the specification document, or a JSON path.

Line numbers are the seed's (units/data/ocr-unit-35-R-600-9587.txt): credit value on
line 6, level 7, URN 9, the aim 15, the table header 17 and outcomes 1, 2, 3 on 18, 19, 20.
"""

import json

import pytest
from django.conf import settings

from units.parsing import parse_unit_file
from units.spec import UnitSpec, UnitSpecError, spec_from_json, spec_to_json

SEED_TITLE = "Develop, maintain and review personal networks"
CRITERION_1_1 = "<p>1.1 Evaluate the benefits of networking with individuals and organisations.</p>"


@pytest.fixture
def seed_text(seed_unit_bytes) -> str:
    return seed_unit_bytes.decode("utf-8")


@pytest.fixture
def seed_json_data(seed_unit_bytes) -> dict:
    return json.loads(spec_to_json(parse_unit_file(seed_unit_bytes)))


def parse(text: str) -> UnitSpec:
    return parse_unit_file(text.encode("utf-8"))


def replaced(text: str, old: str, new: str) -> str:
    """``text`` with its one ``old`` replaced, so a test cannot pass on a seed it no longer edits."""
    assert text.count(old) == 1, f"expected exactly one {old!r} in the seed"
    return text.replace(old, new)


def problems_of(data: bytes | str) -> list[str]:
    """The problems a refused input is reported with, one string each."""
    with pytest.raises(UnitSpecError) as refusal:
        if isinstance(data, str):
            data = data.encode("utf-8")
        parse_unit_file(data)
    assert refusal.value.problems, "a refusal must name at least one problem"
    return [str(problem) for problem in refusal.value.problems]


def criteria_of(spec: UnitSpec) -> dict[str, str]:
    return {
        criterion.code: criterion.text for outcome in spec.learning_outcomes for criterion in outcome.criteria
    }


# The seed specification -----------------------------------------------------------------


def test_seed_specification_has_three_outcomes_and_seven_criteria(seed_unit_bytes):
    spec = parse_unit_file(seed_unit_bytes)

    assert [outcome.number for outcome in spec.learning_outcomes] == [1, 2, 3]
    assert [[c.code for c in outcome.criteria] for outcome in spec.learning_outcomes] == [
        ["1.1", "1.2", "1.3"],
        ["2.1", "2.2"],
        ["3.1", "3.2"],
    ]


def test_seed_metadata_is_read_from_its_label_lines(seed_unit_bytes):
    spec = parse_unit_file(seed_unit_bytes)

    assert spec.title == SEED_TITLE
    assert spec.urn == "R/600/9587"
    assert spec.ocr_unit_number == "35"
    assert spec.sector_unit_number == "A3"
    assert spec.credit_value == 4
    assert spec.level == 4
    assert spec.guided_learning_hours == 25


def test_criterion_text_is_kept_exactly_as_published_without_spelling_fixes(seed_unit_bytes):
    spec = parse_unit_file(seed_unit_bytes)

    assert criteria_of(spec)["3.1"] == "Assess the value own current personal network."


def test_outcome_and_criterion_texts_drop_their_numbers_and_the_learner_will_can_lead_ins(seed_unit_bytes):
    spec = parse_unit_file(seed_unit_bytes)

    assert spec.learning_outcomes[0].text == (
        "Understand the benefits of networking and the need for data privacy."
    )
    assert (
        criteria_of(spec)["1.1"] == "Evaluate the benefits of networking with individuals and organisations."
    )


def test_sections_keep_their_paragraphs_and_drop_the_horizontal_rules(seed_unit_bytes):
    spec = parse_unit_file(seed_unit_bytes)

    assert spec.aim.startswith("By completing this unit the learner will develop an understanding")
    assert (
        spec.assessment == "This unit is internally assessed by the centre and externally moderated by OCR."
    )
    first, second = spec.evidence_requirements.split("\n\n")
    assert first == "Candidates must produce evidence that meets all of the Assessment Criteria."
    assert second.startswith("It is not necessary for candidates")
    assert "---" not in spec.aim + spec.assessment + spec.evidence_requirements + spec.additional_information


def test_windows_line_endings_and_a_byte_order_mark_read_the_same_unit(seed_unit_bytes):
    windows_copy = b"\xef\xbb\xbf" + seed_unit_bytes.replace(b"\n", b"\r\n")

    assert parse_unit_file(windows_copy) == parse_unit_file(seed_unit_bytes)


def test_level_may_be_given_without_the_word_level(seed_text):
    spec = parse(replaced(seed_text, "Level:\tLevel 4", "Level:\t4"))

    assert spec.level == 4


# HTML in the table cells -----------------------------------------------------------------


def test_html_tags_are_removed_from_cells(seed_text):
    spec = parse(
        replaced(
            seed_text,
            CRITERION_1_1,
            "<p>1.1 Evaluate the <b>benefits</b> of "
            '<span class="x">networking</span> with <i>individuals</i>.</p>',
        )
    )

    assert criteria_of(spec)["1.1"] == "Evaluate the benefits of networking with individuals."


def test_html_entities_are_decoded(seed_text):
    spec = parse(
        replaced(
            seed_text,
            CRITERION_1_1,
            "<p>1.1 Evaluate networking&nbsp;benefits &amp; costs for the learner&#8217;s employer.</p>",
        )
    )

    assert criteria_of(spec)["1.1"] == "Evaluate networking benefits & costs for the learner’s employer."


def test_white_space_in_a_cell_is_collapsed_to_single_spaces(seed_text):
    spec = parse(
        replaced(
            seed_text,
            CRITERION_1_1,
            "<p>  1.1   Evaluate the \u00a0 benefits   of&nbsp;&nbsp;networking.  </p>",
        )
    )

    assert criteria_of(spec)["1.1"] == "Evaluate the benefits of networking."


def test_a_bulleted_sub_list_stays_in_the_criterion_text_one_bullet_a_line(seed_text):
    spec = parse(
        replaced(
            seed_text,
            CRITERION_1_1,
            "<p>1.1 Evaluate the benefits of networking with:</p>"
            "<ul><li>individuals</li><li>organisations &amp; <b>their</b>   networks</li></ul>",
        )
    )

    assert criteria_of(spec)["1.1"] == (
        "Evaluate the benefits of networking with:\n• individuals\n• organisations & their networks"
    )
    assert criteria_of(spec)["1.2"].startswith("Identify individuals")


def test_a_malformed_marked_section_in_a_cell_is_dropped_like_a_comment(seed_text):
    # Python's HTML parser raises AssertionError on "<![foo[" and "<![ " unless told otherwise.
    spec = parse(replaced(seed_text, "<p>1.1 Evaluate", "<![foo[x]]><p>1.1 <![ Evaluate>Evaluate"))

    assert (
        criteria_of(spec)["1.1"] == "Evaluate the benefits of networking with individuals and organisations."
    )


# Refused specifications ------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert problems_of(b"") == ["the file is empty"]


def test_a_whitespace_only_file_is_refused_as_empty():
    assert problems_of(b" \n\t\r\n   \n") == ["the file is empty"]


def test_a_missing_urn_is_refused(seed_text):
    without_urn = replaced(seed_text, "Unit reference number:\tR/600/9587\n", "")

    assert problems_of(without_urn) == ["the unit reference number (URN) is missing"]


def test_a_malformed_urn_is_refused_naming_its_line(seed_text):
    malformed = replaced(seed_text, "R/600/9587", "R-600-9587")

    assert problems_of(malformed) == [
        "line 9: the unit reference number 'R-600-9587' is not of the form R/600/9587"
    ]


def test_an_outcome_with_no_criteria_is_refused_naming_its_line(seed_text):
    no_criteria = replaced(
        seed_text,
        "<p>2.1 Develop networks that will provide personal and organisational benefit.</p> "
        "<p>2.2 Develop guidelines for working with networks in line with organisational procedures.</p>",
        "",
    )

    assert problems_of(no_criteria) == ["line 19: outcome 2 has no assessment criteria"]


def test_a_criterion_code_outside_its_outcome_is_refused_naming_the_line(seed_text):
    misplaced = replaced(seed_text, "<p>1.3 Explain", "<p>2.3 Explain")

    assert problems_of(misplaced) == ["line 18: criterion 2.3 is under outcome 1"]


def test_duplicate_criterion_codes_are_refused_naming_the_line(seed_text):
    duplicated = replaced(seed_text, "<p>3.2 Evaluate", "<p>3.1 Evaluate")

    assert problems_of(duplicated) == ["line 20: criterion 3.1 appears twice (also at line 20)"]


def test_duplicate_outcome_numbers_are_refused_naming_both_lines(seed_text):
    duplicated = replaced(seed_text, "<p>2 Be able", "<p>1 Be able")
    duplicated = replaced(duplicated, "<p>2.1 Develop", "<p>1.4 Develop")
    duplicated = replaced(duplicated, "<p>2.2 Develop", "<p>1.5 Develop")

    assert problems_of(duplicated) == ["line 19: outcome 1 appears twice (also at line 18)"]


def test_binary_junk_with_nul_bytes_is_refused():
    assert problems_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01") == [
        "the file is binary, not a unit specification"
    ]


def test_bytes_that_are_not_utf8_are_refused_naming_the_line_and_byte(seed_unit_bytes):
    latin_1 = seed_unit_bytes.replace(b"By completing this unit", b"By compl\xe9ting this unit")

    assert problems_of(latin_1) == ["line 15: the file is not UTF-8 text (byte 0xe9)"]


def test_a_control_character_is_refused_naming_its_line(seed_unit_bytes):
    escape = seed_unit_bytes.replace(b"Sector unit number:\tA3", b"Sector unit number:\tA3\x1b[0m")

    assert problems_of(escape) == ["line 5: control character U+001B: the file is not a text specification"]


def test_a_file_one_byte_over_the_limit_is_refused_with_its_size():
    limit = settings.UNIT_IMPORT_MAX_BYTES
    assert limit == 5 * 1024 * 1024

    assert problems_of(b"x" * (limit + 1)) == [
        "the file is 5,242,881 bytes; a unit file may be at most 5,242,880 bytes"
    ]


def test_a_file_exactly_at_the_limit_is_not_refused_for_its_size(seed_unit_bytes):
    padded = seed_unit_bytes + b"\n" + b" " * (settings.UNIT_IMPORT_MAX_BYTES - len(seed_unit_bytes) - 1)
    assert len(padded) == settings.UNIT_IMPORT_MAX_BYTES

    assert parse_unit_file(padded) == parse_unit_file(seed_unit_bytes)


def test_a_table_row_with_three_cells_is_refused_naming_the_line(seed_text):
    three_cells = replaced(
        seed_text,
        "<p>2 Be able to develop a personal network of contacts.</p>\t",
        "<p>2 Be able to develop a personal network of contacts.</p>\t<p>Notes</p>\t",
    )

    assert problems_of(three_cells) == ["line 19: a table row needs two cells separated by a tab, not 3"]


def test_a_non_numeric_credit_value_is_refused_naming_its_line(seed_text):
    assert problems_of(replaced(seed_text, "Credit value:\t4", "Credit value:\tfour")) == [
        "line 6: credit value 'four' is not a whole number"
    ]


def test_a_level_above_8_is_refused_naming_its_line(seed_text):
    assert problems_of(replaced(seed_text, "Level:\tLevel 4", "Level:\tLevel 9")) == [
        "line 7: level 9 is not a level from 1 to 8"
    ]


def test_a_label_given_twice_is_refused_naming_both_lines(seed_text):
    twice = replaced(seed_text, "Credit value:\t4\n", "Credit value:\t4\nCredit value:\t5\n")

    assert problems_of(twice) == ["line 7: 'Credit value' is given twice (also at line 6)"]


def test_a_document_without_the_outcomes_table_is_refused_saying_what_to_add(seed_text):
    no_table = replaced(seed_text, "Learning Outcomes\tAssessment Criteria\n", "")

    assert "there is no learning outcomes table (a line 'Learning Outcomes<TAB>Assessment Criteria')" in (
        problems_of(no_table)
    )


def test_an_outcome_cell_without_its_number_is_refused_naming_the_line(seed_text):
    unnumbered = replaced(seed_text, "<p>2 Be able", "<p>Be able")

    assert problems_of(unnumbered) == [
        "line 19: the learning outcome cell does not start with its number: "
        "'Be able to develop a personal network of contacts.'"
    ]


def test_every_problem_in_a_document_is_listed_at_once(seed_text):
    broken = replaced(seed_text, "Credit value:\t4", "Credit value:\tfour")
    broken = replaced(broken, "<p>1.3 Explain", "<p>2.3 Explain")
    broken = replaced(broken, "R/600/9587", "R-600-9587")

    assert problems_of(broken) == [
        "line 6: credit value 'four' is not a whole number",
        "line 9: the unit reference number 'R-600-9587' is not of the form R/600/9587",
        "line 18: criterion 2.3 is under outcome 1",
    ]


# Waymark's unit JSON ---------------------------------------------------------------------


def test_json_written_for_a_unit_reads_back_as_the_same_unit(seed_unit_bytes):
    spec = parse_unit_file(seed_unit_bytes)

    assert spec_from_json(spec_to_json(spec)) == spec


def test_a_file_starting_with_a_brace_is_read_as_json(seed_unit_bytes):
    spec = parse_unit_file(seed_unit_bytes)
    json_file = b"\xef\xbb\xbf\n  " + spec_to_json(spec).encode("utf-8")

    assert parse_unit_file(json_file) == spec


def test_invalid_json_is_refused_naming_the_line_and_column():
    assert problems_of('{\n  "urn": "R/600/9587",\n  "title": \n}') == [
        "line 4, column 1: not valid JSON: Expecting value"
    ]


def test_json_that_is_not_an_object_is_refused():
    with pytest.raises(UnitSpecError) as refusal:
        spec_from_json('["R/600/9587"]')

    assert str(refusal.value) == "$: a unit must be a JSON object"


def test_json_credit_value_given_as_a_word_is_refused_naming_its_path(seed_json_data):
    seed_json_data["credit_value"] = "four"

    assert problems_of(json.dumps(seed_json_data)) == [
        "$.credit_value: must be a whole number from 0 to 9999"
    ]


def test_json_learning_outcomes_that_are_not_a_list_are_refused_naming_the_path(seed_json_data):
    seed_json_data["learning_outcomes"] = {"1": "Understand the benefits of networking"}

    problems = problems_of(json.dumps(seed_json_data))

    assert "$.learning_outcomes: must be a list of learning outcomes" in problems


def test_json_criterion_text_that_is_not_a_string_is_refused_naming_its_path(seed_json_data):
    seed_json_data["learning_outcomes"][2]["criteria"][1]["text"] = ["Evaluate own experience"]

    problems = problems_of(json.dumps(seed_json_data))

    assert problems[0] == "$.learning_outcomes[2].criteria[1].text: must be a string"


def test_json_outcome_number_that_is_not_a_whole_number_is_refused_naming_its_path(seed_json_data):
    seed_json_data["learning_outcomes"][1]["number"] = "2"

    assert "$.learning_outcomes[1].number: must be a whole number from 1" in problems_of(
        json.dumps(seed_json_data)
    )


def test_json_with_a_field_the_format_does_not_have_is_refused_naming_it(seed_json_data):
    seed_json_data["credits"] = 4

    assert problems_of(json.dumps(seed_json_data)) == ["$.credits: is not a field of the unit format"]


def test_json_with_a_malformed_urn_is_refused_naming_its_path(seed_json_data):
    seed_json_data["urn"] = "R/600/95870"

    assert problems_of(json.dumps(seed_json_data)) == [
        "$.urn: the unit reference number 'R/600/95870' is not of the form R/600/9587"
    ]


def test_json_with_a_criterion_outside_its_outcome_is_refused_naming_the_outcome_path(seed_json_data):
    seed_json_data["learning_outcomes"][0]["criteria"][2]["code"] = "2.3"

    assert problems_of(json.dumps(seed_json_data)) == [
        "$.learning_outcomes[0]: criterion 2.3 is under outcome 1"
    ]


def test_json_with_an_unpaired_surrogate_is_refused_naming_its_path(seed_json_data):
    # "\ud800" is valid JSON but no character: it cannot be saved or printed as UTF-8.
    text = json.dumps(seed_json_data).replace('"Develop, maintain', '"\\ud800Develop, maintain')

    assert problems_of(text) == ["$.title: holds an unpaired surrogate (\\ud800 to \\udfff)"]


def test_json_with_a_surrogate_pair_reads_as_the_character_it_encodes(seed_json_data):
    text = json.dumps(seed_json_data).replace('"Develop, maintain', '"\\ud83d\\udcc7 Develop, maintain')

    assert parse(text).title == "📇 Develop, maintain and review personal networks"


def test_json_text_with_windows_line_breaks_is_read_with_the_line_breaks_the_catalogue_keeps(seed_json_data):
    seed_json_data["aim"] = "First paragraph.\r\n\r\nSecond paragraph."

    assert parse(json.dumps(seed_json_data)).aim == "First paragraph.\n\nSecond paragraph."


def test_json_text_with_other_control_characters_is_refused(seed_json_data):
    seed_json_data["learning_outcomes"][0]["criteria"][0]["text"] = "Evaluate\x1b[31m the benefits"

    assert problems_of(json.dumps(seed_json_data)) == ["the unit's text contains control characters"]


def test_json_with_an_absurdly_large_number_or_deep_nesting_is_refused():
    assert problems_of('{"credit_value": ' + "9" * 5000 + "}") == [
        "not a unit JSON file: a value is too large or too deeply nested"
    ]
    assert problems_of('{"aim": ' + "[" * 100_000 + "]" * 100_000 + "}") == [
        "not a unit JSON file: a value is too large or too deeply nested"
    ]


@pytest.mark.parametrize("separator", ["\n\n", "\n\f\n", "\n \n\n"])
def test_blank_lines_and_page_breaks_between_table_rows_keep_every_outcome(seed_unit_bytes, separator):
    text = seed_unit_bytes.decode()
    second_row = "<p>2 Be able to develop"
    spliced = text.replace("\n" + second_row, separator + second_row)
    assert spliced != text

    spec = parse_unit_file(spliced.encode())

    assert [outcome.number for outcome in spec.learning_outcomes] == [1, 2, 3]
    assert sum(len(outcome.criteria) for outcome in spec.learning_outcomes) == 7


def test_an_unknown_section_is_refused_naming_its_line(seed_unit_bytes):
    text = seed_unit_bytes.decode().replace("## Assessment\n", "## Guidance on assessment\n")
    with pytest.raises(UnitSpecError) as error:
        parse_unit_file(text.encode())
    assert "the section 'Guidance on assessment' is not one Waymark keeps" in str(error.value)
    assert str(error.value).startswith("line ")
