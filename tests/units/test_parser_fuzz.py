"""Fuzzing the unit file reader: whatever bytes arrive, ``parse_unit_file`` either returns
a ``UnitSpec`` or raises ``UnitSpecError`` naming the problems; nothing else escapes.

A unit it accepts is also one that can be stored and shown: its JSON encodes as UTF-8
and reads back as the same unit. A refusal's message can be shown too.
"""

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import units
from units.parsing import parse_unit_file
from units.spec import UnitSpec, UnitSpecError, spec_from_json, spec_to_json

SEED_BYTES = (Path(units.__file__).parent / "data" / "ocr-unit-35-R-600-9587.txt").read_bytes()
SEED_TEXT = SEED_BYTES.decode("utf-8")
SEED_LINES = SEED_TEXT.splitlines(keepends=True)
SEED_JSON = spec_to_json(parse_unit_file(SEED_BYTES))
TAG_RE = re.compile(r"<[^>]*>")
TAB_POSITIONS = [index for index, character in enumerate(SEED_TEXT) if character == "\t"]

fuzz = settings(
    max_examples=200,
    deadline=None,
    database=None,  # write no example database into the repository
    suppress_health_check=[HealthCheck.too_slow],
)

# Pieces of the specification's syntax, so that generated text reaches past the first check.
SPEC_PIECES = st.sampled_from(
    [
        "\n",
        "\t",
        "\r\n",
        "Unit Title:\t",
        "Credit value:\t",
        "Level:\tLevel ",
        "Unit reference number:\tR/600/9587",
        "## Assessment",
        "## Unit aim and purpose",
        "---",
        "Learning Outcomes\tAssessment Criteria",
        "<p>",
        "</p>",
        "<ul>",
        "<li>",
        "</li>",
        "</ul>",
        "<br/>",
        "<b>The Learner will:</b>",
        "1 ",
        "2 ",
        "1.1 ",
        "1.2 ",
        "2.1 ",
        "9999.9999 ",
        "&amp;",
        "&nbsp;",
        "&#8217;",
        "&#0;",
        "&#xd800;",
        "<![",
        "<!--",
        "<!",
        "</",
        "{",
        "•",
    ]
)


def parse_or_refuse(data: bytes) -> UnitSpec | None:
    """Parse ``data``, holding the reader to its contract; the unit, or None if refused."""
    try:
        spec = parse_unit_file(data)
    except UnitSpecError as error:
        assert error.problems, "a refusal must name at least one problem"
        str(error).encode("utf-8")  # the message can be printed and shown on a page
        return None
    assert isinstance(spec, UnitSpec)
    exported = spec_to_json(spec)
    exported.encode("utf-8")  # the unit can be stored and exported
    assert spec_from_json(exported) == spec  # and reads back as the same unit
    return spec


def seed_with_lines(lines: list[str]) -> bytes:
    return "".join(lines).encode("utf-8")


# Arbitrary input ---------------------------------------------------------------------------


@fuzz
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_are_parsed_or_refused(data):
    parse_or_refuse(data)


@fuzz
@given(st.text(max_size=2000))
def test_arbitrary_text_is_parsed_or_refused(text):
    parse_or_refuse(text.encode("utf-8"))


@fuzz
@given(st.lists(SPEC_PIECES | st.text(max_size=20), max_size=80).map("".join))
def test_text_made_of_specification_syntax_is_parsed_or_refused(text):
    parse_or_refuse(text.encode("utf-8"))


# Mutations of the seed specification ---------------------------------------------------------


@fuzz
@given(st.sets(st.integers(0, len(SEED_LINES) - 1), min_size=1))
def test_seed_with_lines_dropped_is_parsed_or_refused(dropped):
    parse_or_refuse(seed_with_lines([line for index, line in enumerate(SEED_LINES) if index not in dropped]))


@fuzz
@given(st.lists(st.integers(0, len(SEED_LINES) - 1), min_size=1, max_size=10))
def test_seed_with_lines_duplicated_is_parsed_or_refused(duplicated):
    lines = list(SEED_LINES)
    for index in sorted(duplicated, reverse=True):
        lines.insert(index, lines[index])
    parse_or_refuse(seed_with_lines(lines))


@fuzz
@given(st.permutations(SEED_LINES))
def test_seed_with_lines_shuffled_is_parsed_or_refused(lines):
    parse_or_refuse(seed_with_lines(lines))


@fuzz
@given(
    st.lists(st.tuples(st.integers(0, len(SEED_TEXT)), st.characters(codec="utf-8")), min_size=1, max_size=20)
)
def test_seed_with_characters_inserted_is_parsed_or_refused(insertions):
    text = SEED_TEXT
    for position, character in sorted(insertions, reverse=True):
        text = text[:position] + character + text[position:]
    parse_or_refuse(text.encode("utf-8"))


@fuzz
@given(st.sets(st.sampled_from(TAB_POSITIONS), min_size=1))
def test_seed_with_tabs_removed_is_parsed_or_refused(removed):
    text = "".join(character for index, character in enumerate(SEED_TEXT) if index not in removed)
    parse_or_refuse(text.encode("utf-8"))


# What a mangled tag becomes: mostly the broken markup real documents hold, some noise.
TAG_MANGLINGS = st.one_of(
    st.sampled_from(
        [
            *["", "<", ">", "<p", "p>", "</", "<![", "<![ ", "<![p>", "<![CDATA[", "<![if x]>", "<![endif]>"],
            *["<!--", "<!", "<!doctype", "<?", "</>", "<ul><li>", "<br/>", "<p class='x", "&", "&#", "&#x"],
        ]
    ),
    st.builds(lambda name: f"<{name}>", st.text(max_size=10)),
    st.builds(lambda name: f"</{name}", st.text(max_size=10)),
    st.text(alphabet="<>/!?[]-=\"' &#;pbuli\t", max_size=12),
)


@fuzz
@given(st.data())
def test_seed_with_html_tags_mangled_is_parsed_or_refused(data):
    tags = list(TAG_RE.finditer(SEED_TEXT))
    chosen = data.draw(st.sets(st.integers(0, len(tags) - 1), min_size=1, max_size=12))
    text = SEED_TEXT
    for index in sorted(chosen, reverse=True):
        tag = tags[index]
        text = text[: tag.start()] + data.draw(TAG_MANGLINGS) + text[tag.end() :]
    parse_or_refuse(text.encode("utf-8"))


@fuzz
@given(st.binary(min_size=1, max_size=8), st.integers(0, len(SEED_BYTES)))
def test_seed_with_bytes_spliced_in_is_parsed_or_refused(junk, position):
    parse_or_refuse(SEED_BYTES[:position] + junk + SEED_BYTES[position:])


# Mutations of the seed's JSON ------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)


@fuzz
@given(st.data())
def test_seed_json_with_values_replaced_is_parsed_or_refused(data):
    unit = json.loads(SEED_JSON)
    containers = [unit, *unit["learning_outcomes"]]
    containers += [criterion for outcome in unit["learning_outcomes"] for criterion in outcome["criteria"]]
    for _ in range(data.draw(st.integers(1, 4))):
        container = data.draw(st.sampled_from(containers))
        key = data.draw(st.sampled_from(sorted(container)) | st.text(max_size=8))
        container[key] = data.draw(JSON_VALUES)
    parse_or_refuse(json.dumps(unit).encode("utf-8"))


# Any code point, weighted to the ones that are trouble: controls, surrogates, non-characters.
CODE_POINTS = st.one_of(
    st.integers(0, 0x10FFFF),
    st.integers(0, 0x9F),
    st.integers(0xD800, 0xDFFF),
    st.sampled_from([0xFEFF, 0xFFFE, 0xFFFF, 0x2028, 0x2029, 0x85, 0x10FFFF]),
)


@fuzz
@given(
    st.lists(CODE_POINTS, min_size=1, max_size=6), st.sampled_from(["title", "aim", "urn", "text", "code"])
)
def test_seed_json_with_any_escaped_code_point_is_parsed_or_refused(code_points, field):
    escapes = "".join(f"\\u{point:04x}" if point <= 0xFFFF else chr(point) for point in code_points)
    text = SEED_JSON.replace(f'"{field}": "', f'"{field}": "{escapes}', 1)
    parse_or_refuse(text.encode("utf-8"))
