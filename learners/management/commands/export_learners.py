from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from centre.selectors import centre_by_number
from common.scoping import centre_scope
from learners.services import export_register


class Command(BaseCommand):
    help = "Write a centre's learners and enrolments in the columns import_learners reads."

    def add_arguments(self, parser):
        parser.add_argument("--centre", required=True, metavar="NNNNN", help="The centre number.")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", type=Path, help="The file to write (standard output if not given).")

    def handle(self, *args, centre, format, output, **options):
        found = centre_by_number(number=centre)
        if found is None:
            raise CommandError(f"There is no centre with the number {centre!r}.")
        if format == "xlsx" and output is None:
            raise CommandError("An XLSX workbook is binary: give --output PATH.")
        with centre_scope(found):
            content, rows = export_register(centre=found, format=format)
        if output is None:
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        output.write_bytes(content)
        self.stderr.write(f"Wrote {rows} rows to {output}.")
