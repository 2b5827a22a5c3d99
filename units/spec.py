"""A unit specification in memory, and Waymark's unit JSON interchange format.

Both importers (the awarding body's specification document and the JSON) produce a
``UnitSpec``; the import service only ever sees a ``UnitSpec``. Its structural rules
live here once, for the importers and the Wagtail editor alike.
"""

import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from common.errors import Refused

URN_RE = re.compile(r"^[A-Z]/\d{3}/\d{4}$")
CRITERION_CODE_RE = re.compile(r"^([1-9]\d{0,3})\.([1-9]\d{0,3})$")
LARGEST_NUMBER = 9999
TEXT_LIMITS = {"title": 255, "ocr_unit_number": 20, "sector_unit_number": 20}
# Line breaks (LF, or CR LF as the Wagtail editor's text areas save them) and tabs belong
# in published text; no other control character does.
FORBIDDEN_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A JSON string can hold half of a UTF-16 surrogate pair ("\ud800"), which is no character
# and cannot be stored or printed as UTF-8.
SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where it is (a line, a row or a JSON path)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class UnitSpecError(Refused):
    """Raised by every importer for input it cannot accept. Lists every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(*problems)


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    text: str


@dataclass(frozen=True)
class OutcomeSpec:
    number: int
    text: str
    criteria: tuple[CriterionSpec, ...]
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class UnitSpec:
    urn: str
    title: str
    learning_outcomes: tuple[OutcomeSpec, ...]
    ocr_unit_number: str = ""
    sector_unit_number: str = ""
    credit_value: int | None = None
    level: int | None = None
    guided_learning_hours: int | None = None
    aim: str = ""
    assessment: str = ""
    evidence_requirements: str = ""
    additional_information: str = ""


METADATA_FIELDS = (
    "ocr_unit_number",
    "sector_unit_number",
    "credit_value",
    "level",
    "guided_learning_hours",
    "aim",
    "assessment",
    "evidence_requirements",
    "additional_information",
)
INTEGER_FIELDS = ("credit_value", "level", "guided_learning_hours")
# How the catalogue names each field, in previews and in the lists of changes.
FIELD_LABELS = {
    "title": "Title",
    "ocr_unit_number": "OCR unit number",
    "sector_unit_number": "Sector unit number",
    "credit_value": "Credit value",
    "level": "Level",
    "guided_learning_hours": "Guided learning hours (GLH)",
    "aim": "Aim",
    "assessment": "Assessment",
    "evidence_requirements": "Evidence requirements",
    "additional_information": "Additional information",
}


def structure_problems(outcomes: list[OutcomeSpec] | tuple[OutcomeSpec, ...]) -> list[Problem]:
    """The rules every unit's outcomes and criteria keep, whatever they came from."""
    problems = []
    if not outcomes:
        problems.append(Problem("", "the unit has no learning outcomes"))
    seen_outcomes: dict[int, str] = {}
    seen_codes: dict[str, str] = {}
    for outcome in outcomes:
        where = outcome.where or f"outcome {outcome.number}"
        if outcome.number in seen_outcomes:
            problems.append(
                Problem(
                    where, f"outcome {outcome.number} appears twice (also at {seen_outcomes[outcome.number]})"
                )
            )
        seen_outcomes.setdefault(outcome.number, where)
        if not outcome.text.strip():
            problems.append(Problem(where, f"outcome {outcome.number} has no text"))
        if not outcome.criteria:
            problems.append(Problem(where, f"outcome {outcome.number} has no assessment criteria"))
        for criterion in outcome.criteria:
            match = CRITERION_CODE_RE.match(criterion.code)
            if match is None:
                problems.append(Problem(where, f"criterion code {criterion.code!r} is not of the form 1.1"))
                continue
            if int(match.group(1)) != outcome.number:
                problems.append(
                    Problem(where, f"criterion {criterion.code} is under outcome {outcome.number}")
                )
            if criterion.code in seen_codes:
                problems.append(
                    Problem(
                        where,
                        f"criterion {criterion.code} appears twice (also at {seen_codes[criterion.code]})",
                    )
                )
            seen_codes.setdefault(criterion.code, where)
            if not criterion.text.strip():
                problems.append(Problem(where, f"criterion {criterion.code} has no text"))
    return problems


def unit_problems(spec: UnitSpec, where: dict[str, str] | None = None) -> list[Problem]:
    """The rules a whole unit keeps; ``where`` names where each field was read (a line, a JSON path)."""
    where = where or {}
    problems = []
    if not spec.title.strip():
        problems.append(Problem(where.get("title", ""), "the unit title is missing"))
    if not spec.urn:
        problems.append(Problem(where.get("urn", ""), "the unit reference number (URN) is missing"))
    elif not URN_RE.match(spec.urn):
        problems.append(
            Problem(
                where.get("urn", ""), f"the unit reference number {spec.urn!r} is not of the form R/600/9587"
            )
        )
    if spec.level is not None and not 1 <= spec.level <= 8:
        problems.append(Problem(where.get("level", ""), f"level {spec.level} is not a level from 1 to 8"))
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(spec, name)) > limit:
            message = f"the {name.replace('_', ' ')} is longer than {limit} characters"
            problems.append(Problem(where.get(name, ""), message))
    texts = [getattr(spec, name) for name in ("urn", "title", *METADATA_FIELDS) if name not in INTEGER_FIELDS]
    texts += [outcome.text for outcome in spec.learning_outcomes]
    texts += [criterion.text for outcome in spec.learning_outcomes for criterion in outcome.criteria]
    if any(FORBIDDEN_CHARACTERS_RE.search(text) for text in texts):
        problems.append(Problem("", "the unit's text contains control characters"))
    return problems + structure_problems(spec.learning_outcomes)


def validated(spec: UnitSpec) -> UnitSpec:
    if problems := unit_problems(spec):
        raise UnitSpecError(problems)
    return spec


def spec_to_json_data(spec: UnitSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"urn": spec.urn, "title": spec.title}
    for name in METADATA_FIELDS:
        data[name] = getattr(spec, name)
    data["learning_outcomes"] = [
        {
            "number": outcome.number,
            "text": outcome.text,
            "criteria": [asdict(criterion) for criterion in outcome.criteria],
        }
        for outcome in spec.learning_outcomes
    ]
    return data


def spec_to_json(spec: UnitSpec) -> str:
    return json.dumps(spec_to_json_data(spec), indent=2, ensure_ascii=False) + "\n"


def spec_from_json(text: str) -> UnitSpec:
    """Read Waymark's unit JSON, naming the path of every value that is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnitSpecError(
            [Problem(f"line {error.lineno}, column {error.colno}", f"not valid JSON: {error.msg}")]
        ) from None
    except (ValueError, RecursionError):
        # Numbers of thousands of digits, or nesting deeper than any unit needs.
        raise UnitSpecError(
            [Problem("", "not a unit JSON file: a value is too large or too deeply nested")]
        ) from None
    if not isinstance(data, dict):
        raise UnitSpecError([Problem("$", "a unit must be a JSON object")])

    problems: list[Problem] = []

    def text_at(container: dict, key: str, path: str) -> str:
        # A missing or empty text is reported by the unit's own rules, once.
        value = container.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            problems.append(Problem(f"{path}.{key}", "must be a string"))
            return ""
        if SURROGATE_RE.search(value):
            problems.append(Problem(f"{path}.{key}", "holds an unpaired surrogate (\\ud800 to \\udfff)"))
        # Catalogue text keeps LF line breaks, as stored (units.models.PublishedText).
        return value.replace("\r\n", "\n")

    def integer_at(container: dict, key: str, path: str) -> int | None:
        value = container.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LARGEST_NUMBER:
            problems.append(Problem(f"{path}.{key}", f"must be a whole number from 0 to {LARGEST_NUMBER}"))
            return None
        return value

    known = {f.name for f in fields(UnitSpec)}
    for key in data:
        if key not in known:
            shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
            problems.append(Problem(f"$.{shown}", "is not a field of the unit format"))

    outcomes = []
    raw_outcomes = data.get("learning_outcomes")
    if not isinstance(raw_outcomes, list):
        problems.append(Problem("$.learning_outcomes", "must be a list of learning outcomes"))
        raw_outcomes = []
    for index, raw_outcome in enumerate(raw_outcomes):
        path = f"$.learning_outcomes[{index}]"
        if not isinstance(raw_outcome, dict):
            problems.append(Problem(path, "must be an object"))
            continue
        number = integer_at(raw_outcome, "number", path)
        if number is None or number == 0:
            problems.append(Problem(f"{path}.number", "must be a whole number from 1"))
            continue
        criteria = []
        raw_criteria = raw_outcome.get("criteria")
        if not isinstance(raw_criteria, list):
            problems.append(Problem(f"{path}.criteria", "must be a list of assessment criteria"))
            raw_criteria = []
        for criterion_index, raw_criterion in enumerate(raw_criteria):
            criterion_path = f"{path}.criteria[{criterion_index}]"
            if not isinstance(raw_criterion, dict):
                problems.append(Problem(criterion_path, "must be an object"))
                continue
            criteria.append(
                CriterionSpec(
                    code=text_at(raw_criterion, "code", criterion_path),
                    text=text_at(raw_criterion, "text", criterion_path),
                )
            )
        outcomes.append(
            OutcomeSpec(
                number=number,
                text=text_at(raw_outcome, "text", path),
                criteria=tuple(criteria),
                where=path,
            )
        )

    metadata: dict[str, Any] = {}
    for name in METADATA_FIELDS:
        if name in INTEGER_FIELDS:
            metadata[name] = integer_at(data, name, "$")
        else:
            metadata[name] = text_at(data, name, "$")
    spec = UnitSpec(
        urn=text_at(data, "urn", "$"),
        title=text_at(data, "title", "$"),
        learning_outcomes=tuple(outcomes),
        **metadata,
    )
    problems.extend(unit_problems(spec, {name: f"$.{name}" for name in known}))
    if problems:
        raise UnitSpecError(problems)
    return spec
