"""Reads a unit from the awarding body's specification document or from Waymark's JSON.

The specification format is OCR's: tab-separated ``Label:<TAB>value`` metadata lines,
``## Heading`` sections, and a learning outcomes / assessment criteria table whose rows
are two tab-separated cells of HTML fragments. Text is kept as published: tags are
removed, entities decoded and white space collapsed, and nothing else is changed.

Every failure is a ``UnitSpecError`` naming what is wrong and where; nothing else
escapes, whatever the input (the parser is fuzzed to hold it to that).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings

from units.spec import (
    CriterionSpec,
    OutcomeSpec,
    Problem,
    UnitSpec,
    UnitSpecError,
    spec_from_json,
    unit_problems,
)

METADATA_LABELS = {
    "unit title": "title",
    "title": "title",
    "ocr unit number": "ocr_unit_number",
    "sector unit number": "sector_unit_number",
    "credit value": "credit_value",
    "level": "level",
    "guided learning hours": "guided_learning_hours",
    "glh": "guided_learning_hours",
    "unit reference number": "urn",
    "urn": "urn",
}
SECTION_HEADINGS = {
    "unit aim and purpose": "aim",
    "unit aim": "aim",
    "aim and purpose": "aim",
    "assessment": "assessment",
    "evidence requirements": "evidence_requirements",
    "additional information": "additional_information",
}
TABLE_HEADER = ("learning outcomes", "assessment criteria")
NUMBER_RE = re.compile(r"^\d{1,4}$")
LEVEL_RE = re.compile(r"^(?:level\s*)?(\d{1,4})$", re.IGNORECASE)
HEADING_RE = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
RULE_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
LEAD_IN_RE = re.compile(r"^the learner (?:will|can)\s*:?$", re.IGNORECASE)
OUTCOME_RE = re.compile(r"^([1-9]\d{0,3})\.?(?!\d)\s+(\S.*)$", re.DOTALL)
CRITERION_RE = re.compile(r"^([1-9]\d{0,3}\.[1-9]\d{0,3})\.?\s+(\S.*)$", re.DOTALL)
BULLET_CHARACTERS = "•·▪◦‣–-*"
ALLOWED_CONTROL_CHARACTERS = {"\t", "\n", "\r", "\f"}


def parse_unit_file(data: bytes) -> UnitSpec:
    """A unit from the bytes of a specification document or a unit JSON file."""
    text = decode_unit_file(data)
    if text.lstrip().startswith("{"):
        return spec_from_json(text)
    return parse_specification(text)


def decode_unit_file(data: bytes) -> str:
    limit = settings.UNIT_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise UnitSpecError(
            [Problem("", f"the file is {len(data):,} bytes; a unit file may be at most {limit:,} bytes")]
        )
    if not data.strip():
        raise UnitSpecError([Problem("", "the file is empty")])
    if b"\x00" in data:
        raise UnitSpecError([Problem("", "the file is binary, not a unit specification")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UnitSpecError(
            [Problem(f"line {line}", f"the file is not UTF-8 text (byte 0x{data[error.start]:02x})")]
        ) from None
    for number, line in enumerate(_lines(text), start=1):
        for character in line:
            if unicodedata.category(character) == "Cc" and character not in ALLOWED_CONTROL_CHARACTERS:
                raise UnitSpecError(
                    [
                        Problem(
                            f"line {number}",
                            f"control character U+{ord(character):04X}: the file is not a text specification",
                        )
                    ]
                )
    return text


@dataclass
class _Block:
    text: str
    is_list_item: bool = False


class _CellParser(HTMLParser):
    """Splits an HTML table cell into its paragraphs and list items, as plain text."""

    BLOCK_TAGS = {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "br",
        "tr",
        "td",
        "th",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._parts: list[str] = []
        self._list_depth = 0
        self._in_list_item = False

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCK_TAGS:
            self._flush()
        if tag in {"ul", "ol"}:
            self._list_depth += 1
        if tag == "li":
            self._in_list_item = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def parse_marked_section(self, i, report=1):
        # Python's parser raises AssertionError on a "<![" it does not know ("<![foo[",
        # "<![ "); a browser reads it as a bogus comment, up to the next ">".
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i, report)

    def handle_endtag(self, tag):
        if tag in self.BLOCK_TAGS:
            self._flush()
        if tag in {"ul", "ol"}:
            self._list_depth = max(0, self._list_depth - 1)
        if tag == "li":
            self._in_list_item = False

    def handle_data(self, data):
        self._parts.append(data)

    def close(self):
        super().close()
        self._flush()

    def _flush(self):
        text = collapse_white_space("".join(self._parts))
        self._parts = []
        if text:
            self.blocks.append(_Block(text, is_list_item=self._in_list_item or self._list_depth > 0))


def collapse_white_space(text: str) -> str:
    return " ".join(text.split())


def html_to_blocks(fragment: str) -> list[_Block]:
    parser = _CellParser()
    parser.feed(fragment)
    parser.close()
    return [block for block in parser.blocks if not LEAD_IN_RE.match(block.text)]


def html_to_text(fragment: str) -> str:
    return collapse_white_space(" ".join(block.text for block in html_to_blocks(fragment)))


def _continue_text(text: str, block: _Block) -> str:
    """A bulleted sub-list or a further paragraph stays in the text, one item a line."""
    if block.is_list_item and block.text[0] not in BULLET_CHARACTERS:
        return f"{text}\n• {block.text}"
    return f"{text}\n{block.text}"


@dataclass
class _OutcomeDraft:
    number: int
    text: str
    where: str
    criteria: list[list[str]] = field(default_factory=list)

    def spec(self) -> OutcomeSpec:
        return OutcomeSpec(
            number=self.number,
            text=self.text,
            criteria=tuple(CriterionSpec(code=code, text=text) for code, text in self.criteria),
            where=self.where,
        )


def _lines(text: str) -> list[str]:
    """Lines as the document's author wrote them: split at line breaks only, not at the
    form feeds, line and paragraph separators that ``str.splitlines`` also splits at."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_specification(text: str) -> UnitSpec:
    """A unit from the text of an OCR unit specification document."""
    problems: list[Problem] = []
    metadata: dict[str, str] = {}
    metadata_lines: dict[str, int] = {}
    sections: dict[str, list[str]] = {}
    outcomes: list[_OutcomeDraft] = []
    section: str | None = None
    table_line: int | None = None
    in_table = False

    for number, line in enumerate(_lines(text), start=1):
        where = f"line {number}"
        stripped = line.strip()

        if in_table:
            # Only a heading ends the table: a blank line or a page break between rows
            # (as converted documents have) must not cut the unit short.
            if not stripped:
                continue
            if not HEADING_RE.match(stripped):
                _read_table_row(line, where, outcomes, problems)
                continue
            in_table = False

        if heading := HEADING_RE.match(stripped):
            title = collapse_white_space(heading.group(1))
            section = SECTION_HEADINGS.get(title.lower().rstrip(":"))
            if section is None:
                problems.append(
                    Problem(
                        where,
                        f"the section {title!r} is not one Waymark keeps (the sections are: "
                        "Unit aim and purpose, Assessment, Evidence requirements, Additional information)",
                    )
                )
            elif section in sections:
                problems.append(Problem(where, f"the section {title!r} appears twice"))
            else:
                sections[section] = []
            continue

        cells = line.split("\t")
        if len(cells) >= 2 and tuple(html_to_text(cell).lower() for cell in cells[:2]) == TABLE_HEADER:
            if table_line is not None:
                problems.append(
                    Problem(where, f"a second learning outcomes table (the first is at line {table_line})")
                )
            table_line = number
            in_table = True
            section = None
            continue

        if len(cells) >= 2 and (label := html_to_text(cells[0])).endswith(":"):
            name = METADATA_LABELS.get(label.rstrip(":").strip().lower())
            if name is not None:
                if name in metadata:
                    problems.append(
                        Problem(
                            where,
                            f"{label.rstrip(':')!r} is given twice (also at line {metadata_lines[name]})",
                        )
                    )
                else:
                    metadata[name] = html_to_text("\t".join(cells[1:]))
                    metadata_lines[name] = number
                continue

        if section is not None and not RULE_RE.match(line):
            sections[section].append(line.rstrip())

    if table_line is None:
        problems.append(
            Problem(
                "", "there is no learning outcomes table (a line 'Learning Outcomes<TAB>Assessment Criteria')"
            )
        )
    spec = UnitSpec(
        urn=metadata.get("urn", ""),
        title=metadata.get("title", ""),
        learning_outcomes=tuple(outcome.spec() for outcome in outcomes),
        ocr_unit_number=metadata.get("ocr_unit_number", ""),
        sector_unit_number=metadata.get("sector_unit_number", ""),
        credit_value=_whole_number(metadata, metadata_lines, "credit_value", NUMBER_RE, problems),
        level=_whole_number(metadata, metadata_lines, "level", LEVEL_RE, problems),
        guided_learning_hours=_whole_number(
            metadata, metadata_lines, "guided_learning_hours", NUMBER_RE, problems
        ),
        **{name: _section_text(lines) for name, lines in sections.items()},
    )
    problems.extend(unit_problems(spec, {name: f"line {line}" for name, line in metadata_lines.items()}))
    if problems:
        raise UnitSpecError(problems)
    return spec


def _read_table_row(line: str, where: str, outcomes: list[_OutcomeDraft], problems: list[Problem]) -> None:
    cells = line.split("\t")
    if len(cells) != 2:
        problems.append(Problem(where, f"a table row needs two cells separated by a tab, not {len(cells)}"))
        return
    outcome_blocks, criterion_blocks = html_to_blocks(cells[0]), html_to_blocks(cells[1])
    if outcome_blocks:
        match = OUTCOME_RE.match(outcome_blocks[0].text)
        if match is None:
            opening = outcome_blocks[0].text[:60]
            problems.append(
                Problem(where, f"the learning outcome cell does not start with its number: {opening!r}")
            )
            return
        outcome = _OutcomeDraft(number=int(match.group(1)), text=match.group(2), where=where)
        for block in outcome_blocks[1:]:
            outcome.text = _continue_text(outcome.text, block)
        outcomes.append(outcome)
    elif not outcomes:
        if criterion_blocks:
            problems.append(Problem(where, "assessment criteria come before any learning outcome"))
        return
    outcome = outcomes[-1]
    for block in criterion_blocks:
        if not block.is_list_item and (match := CRITERION_RE.match(block.text)):
            outcome.criteria.append([match.group(1), match.group(2)])
        elif outcome.criteria:
            outcome.criteria[-1][1] = _continue_text(outcome.criteria[-1][1], block)
        else:
            problems.append(
                Problem(
                    where,
                    f"the assessment criteria cell does not start with a criterion code: {block.text[:60]!r}",
                )
            )
            return


def _whole_number(metadata, metadata_lines, name, pattern, problems) -> int | None:
    value = metadata.get(name)
    if not value:
        return None
    match = pattern.match(value)
    if match is None:
        label = name.replace("_", " ")
        problems.append(Problem(f"line {metadata_lines[name]}", f"{label} {value!r} is not a whole number"))
        return None
    return int(match.group(1) if match.groups() else match.group(0))


def _section_text(lines: list[str]) -> str:
    """The section's text as published, its paragraphs separated by one blank line."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(paragraph) for paragraph in paragraphs if paragraph)
