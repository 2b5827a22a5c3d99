"""Reading a centre's learner register (CSV or XLSX, as its MIS exports it) and checking
every row before anything is written.

The columns are PRODUCT.md's: ``first_name,last_name,email,uln,candidate_number`` and,
optionally, ``unit_urn,assessor_email`` to enrol the learner on a unit with an assessor,
and ``qualification_number`` to register them on a qualification (the row's unit one they
chose on it).
Every problem is reported with its row (as a spreadsheet numbers it, the header being row
1), its column and the reason; one bad row means nothing is written.
"""

import io
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from common.errors import Refused
from learners.validators import candidate_number_problem, uln_problem

REQUIRED_COLUMNS = ("first_name", "last_name", "email", "uln", "candidate_number")
OPTIONAL_COLUMNS = ("unit_urn", "assessor_email", "qualification_number")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_ROWS = 20_000
MAX_FILE_BYTES = 10 * 1024 * 1024
NAME_LIMIT = 150


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "the file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class RegisterError(Refused):
    """The register cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(*problems)


@dataclass
class RegisterRow:
    number: int
    first_name: str
    last_name: str
    email: str
    uln: str
    candidate_number: str
    unit_urn: str = ""
    assessor_email: str = ""
    qualification_number: str = ""


@dataclass
class Register:
    rows: list[RegisterRow] = field(default_factory=list)
    encoding_note: str = ""


def read_register(data: bytes, *, filename: str) -> Register:
    """The rows of a CSV or XLSX register, with every cell stripped of surrounding space."""
    if len(data) > MAX_FILE_BYTES:
        raise RegisterError(
            [RowProblem(0, "", f"the file is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} bytes are read")]
        )
    if not data.strip():
        raise RegisterError([RowProblem(0, "", "the file is empty")])
    register = Register()
    if filename.lower().endswith(".xlsx"):
        dataset = _read_xlsx(data)
    elif filename.lower().endswith(".csv"):
        text, register.encoding_note = _decode_csv(data)
        dataset = _read_csv(text)
    else:
        raise RegisterError([RowProblem(0, "", "the file must be a .csv or .xlsx file")])

    headers = [str(header or "").strip().lstrip("\ufeff").lower() for header in dataset.headers or []]
    problems = [
        RowProblem(1, column, "this required column is missing from the header")
        for column in REQUIRED_COLUMNS
        if column not in headers
    ]
    # A column Waymark does not read (an id, a centre) must not look as if it was used.
    problems += [
        RowProblem(1, header or "(blank)", "is not a column Waymark reads; remove it")
        for header in headers
        if header not in COLUMNS
    ]
    if problems:
        raise RegisterError(problems)
    if dataset.height > MAX_ROWS:
        raise RegisterError(
            [
                RowProblem(
                    0, "", f"the file has {dataset.height:,} rows; import at most {MAX_ROWS:,} at a time"
                )
            ]
        )
    positions = {column: headers.index(column) for column in COLUMNS if column in headers}
    for index, values in enumerate(dataset, start=2):
        cells = {column: _cell(values, position) for column, position in positions.items()}
        if not any(cells.values()):
            continue
        register.rows.append(RegisterRow(number=index, **cells))
    if not register.rows:
        raise RegisterError([RowProblem(0, "", "the file has a header but no learners")])
    return register


def _cell(values, position: int) -> str:
    value = values[position] if position < len(values) else ""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A spreadsheet may hold a ULN as the number 9276308686.0.
        value = int(value)
    return str(value).strip()


def _decode_csv(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "The file is not UTF-8; it was read as Windows-1252."
    except UnicodeDecodeError as error:
        raise RegisterError(
            [
                RowProblem(
                    0, "", f"the file is neither UTF-8 nor Windows-1252 text (byte 0x{data[error.start]:02x})"
                )
            ]
        ) from None


def _read_csv(text: str) -> tablib.Dataset:
    try:
        return tablib.Dataset().load(io.StringIO(text), format="csv")
    except Exception as error:  # tablib raises whatever its reader raises
        raise RegisterError([RowProblem(0, "", f"the file is not a readable CSV file ({error})")]) from None


def _read_xlsx(data: bytes) -> tablib.Dataset:
    try:
        return tablib.Dataset().load(io.BytesIO(data), format="xlsx")
    except Exception:  # openpyxl raises many kinds of error for a broken file
        raise RegisterError([RowProblem(0, "", "the file is not a readable XLSX workbook")]) from None


def row_problems(row: RegisterRow) -> list[RowProblem]:
    """What is wrong with one row on its own."""
    problems = []
    for column in ("first_name", "last_name"):
        value = getattr(row, column)
        if not value:
            problems.append(RowProblem(row.number, column, "is empty"))
        elif len(value) > NAME_LIMIT:
            problems.append(RowProblem(row.number, column, f"is longer than {NAME_LIMIT} characters"))
    if not row.email:
        problems.append(RowProblem(row.number, "email", "is empty"))
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            problems.append(RowProblem(row.number, "email", f"{row.email!r} is not an email address"))
    if problem := uln_problem(row.uln):
        problems.append(RowProblem(row.number, "uln", f"{row.uln!r}: {problem}"))
    if problem := candidate_number_problem(row.candidate_number):
        problems.append(RowProblem(row.number, "candidate_number", f"{row.candidate_number!r}: {problem}"))
    if row.assessor_email and not row.unit_urn:
        problems.append(RowProblem(row.number, "unit_urn", "is needed to allocate an assessor"))
    return problems
