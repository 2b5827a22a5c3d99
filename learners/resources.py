from import_export import resources

from common.spreadsheets import SpreadsheetSafeField
from learners.registration.register import COLUMNS


class RegisterResource(resources.Resource):
    """A centre's learners and enrolments in the columns ``import_learners`` reads, one
    row per enrolment (or per learner not yet enrolled)."""

    def __init__(self):
        super().__init__()
        for column in COLUMNS:
            self.fields[column] = SpreadsheetSafeField(attribute=column, column_name=column)

    def get_export_order(self):
        return COLUMNS
