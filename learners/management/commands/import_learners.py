from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from centre.selectors import centre_by_number
from common.scoping import centre_scope
from learners.registration.imports import import_register
from learners.registration.register import MAX_FILE_BYTES, RegisterError, read_register


class Command(BaseCommand):
    help = (
        "Register and enrol a centre's learners from a CSV or XLSX file with the columns "
        "first_name,last_name,email,uln,candidate_number[,unit_urn,assessor_email]. "
        "Every row is checked first; if any is wrong, nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--centre", required=True, metavar="NNNNN", help="The centre number.")
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, writing nothing."
        )
        parser.add_argument(
            "--no-invitations",
            action="store_true",
            help="Do not email new learners their invitations now (send them later with invite_learners).",
        )

    def handle(self, *args, centre, path: Path, dry_run: bool, no_invitations: bool, **options):
        found = centre_by_number(number=centre)
        if found is None:
            raise CommandError(f"There is no centre with the number {centre!r}.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{path}: the file is larger than {MAX_FILE_BYTES:,} bytes; split it.")
        try:
            register = read_register(path.read_bytes(), filename=path.name)
            with centre_scope(found):
                plan = import_register(
                    centre=found, register=register, dry_run=dry_run, invite=not no_invitations
                )
        except RegisterError as error:
            listed = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(f"{path}: nothing was imported.\n{listed}") from None

        if register.encoding_note:
            self.stdout.write(register.encoding_note)
        if not plan.has_changes:
            self.stdout.write(
                f"{len(register.rows)} rows checked; everything is already up to date, nothing changed."
            )
            return
        verb = "Would make" if dry_run else "Made"
        self.stdout.write(
            self.style.SUCCESS(f"{len(register.rows)} rows checked. {verb} these changes at {found}:")
        )
        for line in plan.summary():
            self.stdout.write(f"  {line}")
        if plan.invited:
            self.stdout.write(f"  {len(plan.invited)} sent an invitation by email")
        elif plan.new_learners and no_invitations and not dry_run:
            self.stdout.write("  nobody invited yet: send the invitations with manage.py invite_learners")
