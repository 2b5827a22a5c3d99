import re

from import_export import fields

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
