from django.core.management.base import BaseCommand, CommandError

from units.qualification_spec import qualification_to_json
from units.selectors import qualification_by_number, spec_from_qualification


class Command(BaseCommand):
    help = "Print a qualification as Waymark's qualification JSON."

    def add_arguments(self, parser):
        parser.add_argument("number", help="The qualification number, for example 601/1234/5.")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, number: str, **options):
        qualification = qualification_by_number(number=number)
        if qualification is None:
            raise CommandError(f"There is no qualification with the number {number!r}.")
        self.stdout.write(qualification_to_json(spec_from_qualification(qualification)), ending="")
