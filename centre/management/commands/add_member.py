from django.core.management.base import BaseCommand, CommandError

from centre.models import Role
from centre.selectors import centre_by_number
from centre.services import add_member
from common.errors import ServiceError


class Command(BaseCommand):
    help = "Give a person (created and invited by email if new) a role in a centre."

    def add_arguments(self, parser):
        parser.add_argument("--centre", required=True, metavar="NNNNN", help="The centre number.")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, centre, email, role, first_name, last_name, **options):
        found = centre_by_number(number=centre)
        if found is None:
            raise CommandError(f"There is no centre with the number {centre!r}.")
        try:
            membership, granted = add_member(
                centre=found, email=email, role=role, first_name=first_name, last_name=last_name
            )
        except ServiceError as error:
            raise CommandError(" ".join(error.messages)) from None
        if granted:
            self.stdout.write(
                self.style.SUCCESS(f"{membership.user.email} is now {Role(role).label.lower()} at {found}.")
            )
        else:
            self.stdout.write(
                f"{membership.user.email} is already {Role(role).label.lower()} at {found}; nothing changed."
            )
