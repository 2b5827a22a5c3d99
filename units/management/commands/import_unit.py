from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from units.management.files import read_file
from units.parsing import parse_unit_file
from units.services import import_unit
from units.spec import UnitSpecError


class Command(BaseCommand):
    help = (
        "Import a unit from an OCR unit specification document or from Waymark's unit JSON. "
        "Re-importing a unit (same URN) updates it in place and reports what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The specification document or unit JSON file.")

    def handle(self, *args, path: Path, **options):
        data = read_file(path, limit=settings.UNIT_IMPORT_MAX_BYTES, what="a unit file")
        try:
            spec = parse_unit_file(data)
            plan = import_unit(spec=spec)
        except UnitSpecError as error:
            details = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(f"{path}: nothing was imported.\n{details}") from None

        if plan.replaces_a_draft and plan.has_changes:
            self.stdout.write(
                self.style.WARNING(
                    "The unit had unpublished changes in the editor; this import set them aside."
                )
            )
        if plan.is_new:
            criteria = sum(len(outcome.criteria) for outcome in spec.learning_outcomes)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {spec.urn} “{spec.title}”: {len(spec.learning_outcomes)} learning "
                    f"outcomes, {criteria} assessment criteria."
                )
            )
        elif plan.changes:
            self.stdout.write(self.style.SUCCESS(f"Updated {spec.urn} “{spec.title}”:"))
            for change in plan.changes:
                self.stdout.write(f"  {change}")
        else:
            self.stdout.write(f"{spec.urn} “{spec.title}” is already up to date; nothing changed.")
