from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import reset_second_factor


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator app and recovery codes (they lost both), and end their "
        "sessions: at their next sign-in they set a new app up. Check who is asking first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)

    def handle(self, *args, email, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email}.")
        reset_second_factor(user=user)
        self.stdout.write(
            self.style.SUCCESS(f"{user.email} sets up a new authenticator app at their next sign-in.")
        )
