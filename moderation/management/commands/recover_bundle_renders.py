from django.core.management.base import BaseCommand, CommandError

from centre.models import Centre
from centre.selectors import centre_by_number
from common.dates import long_datetime
from common.scoping import centre_scope, scopes_disabled
from moderation.bundle import requeue_stalled_renders
from moderation.bundle.jobs import STALLED_AFTER


class Command(BaseCommand):
    help = (
        "Queue again every moderation bundle render whose worker stopped reporting progress "
        f"({STALLED_AFTER.total_seconds() / 60:.0f} minutes or more ago), as the watchdog task does, "
        "for a task backend that runs no watchdog; marks the dead worker's task failed. Says "
        "what it queued."
    )

    def add_arguments(self, parser):
        parser.add_argument("--centre", metavar="NNNNN", help="Only this centre (default: every centre).")

    def handle(self, *args, centre=None, **options):
        if centre:
            found = centre_by_number(number=centre)
            if found is None:
                raise CommandError(f"There is no centre with the number {centre!r}.")
            centres = [found]
        else:
            with scopes_disabled():
                centres = list(Centre.objects.order_by("number"))
        queued = 0
        for each in centres:
            with centre_scope(each):
                for render in requeue_stalled_renders(centre=each):
                    queued += 1
                    self.stdout.write(
                        f"{each}: bundle render {render.pk} of sample {render.sample_id} reported nothing "
                        f"since {long_datetime(render.heartbeat_at)}; queued again."
                    )
        if queued:
            self.stdout.write(
                self.style.SUCCESS(f"Queued again {queued} stalled render{'s' * (queued != 1)}.")
            )
        else:
            self.stdout.write(
                f"No stalled bundle renders in {len(centres)} centre{'s' * (len(centres) != 1)}."
            )
