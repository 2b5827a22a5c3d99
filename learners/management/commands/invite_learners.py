from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from centre.selectors import centre_by_number
from common.scoping import centre_scope
from learners.invitations import InvitationRefused, invite_learners
from learners.models import Learner
from learners.selectors import learners_not_invited


class Command(BaseCommand):
    help = (
        "Email learners of a centre an invitation to choose a password and sign in: every "
        "learner not invited yet, or those named by --email (sent a new link, the old one "
        "stops working)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--centre", required=True, metavar="NNNNN", help="The centre number.")
        parser.add_argument(
            "--email",
            action="append",
            default=[],
            metavar="EMAIL",
            help="A learner's email address; give it once per learner. Without it, everyone not invited yet.",
        )

    def handle(self, *args, centre, email: list[str], **options):
        found = centre_by_number(number=centre)
        if found is None:
            raise CommandError(f"There is no centre with the number {centre!r}.")
        with centre_scope(found):
            if email:
                wanted = Q()
                for address in email:
                    wanted |= Q(email__iexact=address.strip())
                learners = list(Learner.objects.filter(centre=found).filter(wanted).select_related("user"))
                known = {learner.email.lower() for learner in learners}
                unknown = [address for address in email if address.strip().lower() not in known]
                if unknown:
                    raise CommandError(
                        f"No learner at {found} has the email address {', '.join(unknown)}; "
                        "nobody was invited."
                    )
            else:
                learners = list(learners_not_invited(centre=found).select_related("user"))
            try:
                invited = invite_learners(centre=found, learners=learners, again=bool(email))
            except InvitationRefused as refused:
                listed = "\n".join(f"  {problem}" for problem in refused.problems)
                raise CommandError(f"Nobody was invited:\n{listed}") from None
        if not invited:
            self.stdout.write("Every learner has been invited already; nobody was sent an invitation.")
            return
        self.stdout.write(self.style.SUCCESS(f"Sent an invitation to {len(invited)} learner(s) at {found}:"))
        for learner in invited:
            self.stdout.write(f"  {learner.candidate_number} {learner.email}")
