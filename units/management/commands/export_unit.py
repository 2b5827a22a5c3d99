from django.core.management.base import BaseCommand, CommandError

from units.selectors import spec_from_unit, unit_by_urn
from units.spec import spec_to_json


class Command(BaseCommand):
    help = "Print a unit as Waymark's unit JSON."

    def add_arguments(self, parser):
        parser.add_argument("urn", help="The unit reference number, for example R/600/9587.")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, urn: str, **options):
        unit = unit_by_urn(urn=urn)
        if unit is None:
            raise CommandError(f"There is no unit with the reference number {urn!r}.")
        self.stdout.write(spec_to_json(spec_from_unit(unit)), ending="")
