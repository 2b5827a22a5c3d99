from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from units.management.files import read_file
from units.ofqual import register_details, with_register_details
from units.qualification_spec import (
    QualificationSpecError,
    json_object,
    qualification_from_data,
    qualification_from_json,
)
from units.services import import_qualification

# The whole register's export, of every qualification, is tens of megabytes.
REGISTER_EXPORT_MAX_BYTES = 200 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import a qualification from Waymark's qualification JSON, its details optionally read from the "
        "Ofqual register's qualification export. Re-importing a qualification (same number) updates it in "
        "place and reports what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The qualification JSON file.")
        parser.add_argument(
            "--ofqual",
            type=Path,
            metavar="EXPORT",
            help="The Ofqual register's qualification export (CSV or JSON) holding the qualification's row: "
            "its title, awarding body, level, credits, TQT and GLH fill in what the JSON leaves out.",
        )

    def handle(self, *args, path: Path, ofqual: Path | None, **options):
        try:
            text = read_file(path, limit=settings.UNIT_IMPORT_MAX_BYTES, what="a qualification file").decode(
                "utf-8-sig"
            )
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text; nothing was imported.") from None
        try:
            if ofqual is None:
                spec = qualification_from_json(text)
            else:
                spec = with_register(
                    json_object(text),
                    read_file(ofqual, limit=REGISTER_EXPORT_MAX_BYTES, what="a register export"),
                    source=str(ofqual),
                )
            outcome = import_qualification(spec=spec)
        except QualificationSpecError as error:
            details = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(f"{path}: nothing was imported.\n{details}") from None

        if outcome.replaced_a_draft:
            self.stdout.write(
                self.style.WARNING(
                    "The qualification had unpublished changes in the editor; this import set them aside."
                )
            )
        title = f"{spec.number} “{spec.title}”"
        if outcome.created:
            groups = ngettext("%d group", "%d groups", len(spec.groups)) % len(spec.groups)
            units = ngettext("%d unit", "%d units", len(spec.urns)) % len(spec.urns)
            self.stdout.write(self.style.SUCCESS(f"Created {title}: {groups}, {units}."))
        elif outcome.changes:
            self.stdout.write(self.style.SUCCESS(f"Updated {title}:"))
            for change in outcome.changes:
                self.stdout.write(f"  {change}")
        else:
            self.stdout.write(f"{title} is already up to date; nothing changed.")


def with_register(data: dict, export: bytes, *, source: str):
    """The qualification the JSON object describes, its details filled in from its row of
    the register's export (found by the JSON's number)."""
    if not isinstance(data.get("number"), str) or not data["number"]:
        qualification_from_data(data)  # says what is wrong with the number, and with the rest
    details = register_details(export, number=data["number"], source=source)
    return qualification_from_data(with_register_details(data, details, source=source))
