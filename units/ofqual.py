"""A qualification's details read from the Ofqual register's qualification export (its CSV
or JSON download), so that nobody types what the regulator already publishes. The rules of
combination are not in the register: they come from the awarding body's specification."""

import csv
import io
import json
import re

from units.qualification_spec import QualificationSpecError
from units.spec import Problem

# The register's columns, and the qualification JSON's names for them.
REGISTER_FIELDS = {
    "QualificationNumber": "number",
    "Title": "title",
    "OrganisationName": "awarding_body",
    "Level": "level",
    "TotalCredits": "total_credits",
    "Tqt": "total_qualification_time",
    "Glh": "guided_learning_hours",
}
NUMBER_FIELDS = ("total_credits", "total_qualification_time", "guided_learning_hours")
LEVEL_RE = re.compile(r"^level\s*([1-8])$", re.IGNORECASE)
WHOLE_NUMBER_RE = re.compile(r"^([0-9]{1,4})(?:\.0+)?$")


def register_details(data: bytes, *, number: str, source: str = "the Ofqual register export") -> dict:
    """The details of qualification ``number`` in the register export ``data``, under the
    qualification JSON's names; a detail the register leaves blank is left out."""
    # The register's CSV names its columns QualificationNumber, its API qualificationNumber.
    rows = [{str(key).lower(): value for key, value in row.items()} for row in _rows(data, source)]
    wanted = _plain_number(number)
    row = next(
        (row for row in rows if _plain_number(str(row.get("qualificationnumber", ""))) == wanted), None
    )
    if row is None:
        raise QualificationSpecError([Problem(source, f"has no qualification numbered {number}")])
    details, problems = {}, []
    for column, name in REGISTER_FIELDS.items():
        value = row.get(column.lower())
        value = "" if value is None else str(value).strip()
        if not value:
            continue
        if name == "number":
            continue  # the JSON's own, which this row was found by
        if name == "level":
            level = LEVEL_RE.match(value)
            if level is None:
                problems.append(
                    Problem(f"{source}, {column}", f"{value!r} is not a level from Level 1 to Level 8")
                )
                continue
            details[name] = int(level[1])
        elif name in NUMBER_FIELDS:
            whole = WHOLE_NUMBER_RE.match(value)  # 150, or 150.0 as a spreadsheet may write it
            if whole is None:
                problems.append(Problem(f"{source}, {column}", f"{value!r} is not a whole number"))
                continue
            details[name] = int(whole[1])
        else:
            details[name] = value
    if problems:
        raise QualificationSpecError(problems)
    return details


def with_register_details(data: dict, details: dict, *, source: str = "the Ofqual register export") -> dict:
    """The qualification JSON object ``data`` with the register's details filled in where it
    has none. Where both give a detail and they differ, nothing is guessed: refused."""
    merged = dict(data)
    problems = []
    for name, value in details.items():
        given = data.get(name)
        if given in (None, ""):
            merged[name] = value
        elif given != value:
            problems.append(Problem(f"$.{name}", f"is {given!r}, but {source} gives {value!r}"))
    if problems:
        raise QualificationSpecError(problems)
    return merged


def _rows(data: bytes, source: str) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if text.lstrip().startswith(("[", "{")):
        try:
            decoded = json.loads(text)
        except (ValueError, RecursionError):
            raise QualificationSpecError([Problem(source, "is not valid JSON")]) from None
        # The register's JSON is a list of qualifications, or an object holding one.
        if isinstance(decoded, dict) and isinstance(decoded.get("results"), list):
            decoded = decoded["results"]  # a page of the register's search results
        rows = decoded if isinstance(decoded, list) else [decoded]
        return [row for row in rows if isinstance(row, dict)]
    reader = csv.DictReader(io.StringIO(text))
    if "qualificationnumber" not in [str(name).lower() for name in reader.fieldnames or []]:
        raise QualificationSpecError(
            [
                Problem(
                    source, "has no QualificationNumber column: it is not the register's qualification export"
                )
            ]
        )
    return list(reader)


def _plain_number(number: str) -> str:
    """601/1234/5, 60112345 and 601/1234/5 with spaces are the same qualification."""
    return re.sub(r"[\s/]", "", number).upper()
