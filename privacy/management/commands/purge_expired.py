from django.core.management.base import BaseCommand, CommandError

from common.previews import PREVIEW_LIFETIME, sweep_expired_previews
from privacy.services import purge_expired


class Command(BaseCommand):
    help = (
        "Erase every learner whose records are past their centre's retention period, in every "
        "centre, skipping any under an open hold, and delete uploads left waiting by an import "
        "preview that was never confirmed. Prints counts, never names."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be erased; change nothing."
        )

    def handle(self, *args, dry_run, **options):
        reports = purge_expired(dry_run=dry_run)
        verb = "would be erased" if dry_run else "erased"
        for report in reports:
            self.stdout.write(
                f"Centre {report.centre_number}: {report.erased} learner(s) {verb}; kept: "
                f"{report.held} under a hold, {report.retained} within retention, "
                f"{report.studying} still studying."
                + (f" {report.failed} could not be erased (see the log)." if report.failed else "")
            )
            for label, count in report.rows.items():
                self.stdout.write(f"  {label}: {count} row(s) deleted")
        if not dry_run:
            swept = sweep_expired_previews()
            hours = int(PREVIEW_LIFETIME.total_seconds() // 3600)
            self.stdout.write(f"{swept} abandoned import preview(s) older than {hours} hour(s) deleted.")
        total = sum(report.erased for report in reports)
        self.stdout.write(self.style.SUCCESS(f"{total} learner(s) {verb} in {len(reports)} centre(s)."))
        if failed := sum(report.failed for report in reports):
            raise CommandError(f"{failed} learner(s) could not be erased; the others were.")
