import re

from import_export import fields, resources

from .registration import COLUMNS

# A spreadsheet runs a cell that starts with one of these as a formula (or as the start
# of one, for tab and carriage return); plain numbers such as -5 or +44 are left alone.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise(value):
    """A cell value a spreadsheet shows as text, never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(value):
        return f"'{value}"
    return value


class SpreadsheetSafeField(fields.Field):
    def export(self, instance, **kwargs):
        return neutralise(super().export(instance, **kwargs))


class RegisterResource(resources.Resource):
    """A centre's learners and enrolments in the columns ``import_learners`` reads, one
    row per enrolment (or per learner not yet enrolled)."""

    def __init__(self):
        super().__init__()
        for column in COLUMNS:
            self.fields[column] = SpreadsheetSafeField(attribute=column, column_name=column)

    def get_export_order(self):
        return COLUMNS
