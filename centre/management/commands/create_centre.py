from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from centre.services import qualification_units, save_centre, set_offered_qualifications, set_offered_units
from common.errors import ServiceError


class Command(BaseCommand):
    help = "Create a centre, or rename it, and set the units it offers."

    def add_arguments(self, parser):
        parser.add_argument("--number", required=True, help="The awarding body's five-digit centre number.")
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--offer",
            nargs="*",
            metavar="URN",
            help="The URNs of the units the centre offers (replaces the list; the units of the "
            "qualifications it offers stay offered).",
        )
        parser.add_argument(
            "--offer-qualification",
            nargs="*",
            metavar="NUMBER",
            dest="qualifications",
            help="The numbers of the qualifications the centre offers (replaces the list); their units are "
            "offered too.",
        )

    def handle(self, *args, number, name, offer, qualifications, **options):
        try:
            with transaction.atomic():
                centre, created = save_centre(number=number, name=name)
                changes = []
                if qualifications is not None:
                    changes += set_offered_qualifications(centre=centre, numbers=qualifications)
                if offer is not None:
                    # The qualifications' units stay offered with the units named.
                    urns = sorted({*offer, *qualification_units(centre=centre)})
                    changes += set_offered_units(centre=centre, urns=urns)
        except ServiceError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{'Created' if created else 'Saved'} {centre}."))
        for change in changes:
            self.stdout.write(f"  Now {change}.")
