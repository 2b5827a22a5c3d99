from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from centre.services import save_centre
from units.parsing import parse_unit_file
from units.services import import_unit

DEMO_CENTRE_NUMBER = "99999"
DEMO_CENTRE_NAME = "Waymark Demo Centre"
DEMO_PASSWORD = "waymark-demo-2026"  # noqa: S105 (printed for the demo; refused in production)
SEED_UNIT = Path(settings.BASE_DIR) / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
DEMO_PEOPLE = [
    # (email, first name, last name, group)
    ("editor@demo.waymark.test", "Cat", "Alogue", "Catalogue editors"),
]


class Command(BaseCommand):
    help = "Load the demo centre, its people and the seed unit. Safe to run again."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo creates accounts with a published password; not in production.")
        with transaction.atomic():
            import_unit(spec=parse_unit_file(SEED_UNIT.read_bytes()))
            centre, _ = save_centre(number=DEMO_CENTRE_NUMBER, name=DEMO_CENTRE_NAME)
            sign_ins = [self._person(*person) for person in DEMO_PEOPLE]

        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {centre}, unit R/600/9587."))
        self.stdout.write("Sign in at /admin/ with:")
        for email, role in sign_ins:
            self.stdout.write(f"  {role:<20} {email:<32} password: {DEMO_PASSWORD}")

    def _person(self, email, first_name, last_name, group_name):
        user, created = get_user_model().objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=group_name))
        return email, group_name
