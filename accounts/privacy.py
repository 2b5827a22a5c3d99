"""What the accounts app holds about a learner: the account they sign in with, if they
were invited to one."""

from django.contrib.auth import get_user_model

from accounts.models import SignInFailure
from accounts.parts import has_part_besides
from accounts.throttling import account_key
from common.personal_data import Export, PersonalData, Provider, register
from common.scoping import scopes_disabled


@register
class AccountsProvider(Provider):
    models = (
        PersonalData(
            "accounts.User",
            (
                "email",
                "first_name",
                "last_name",
                "password",
                "last_login",
                "date_joined",
                "audit_key",
                "sort_key",
            ),
            "Signing in, and the opaque key by which the audit trail refers to the person.",
        ),
        PersonalData(
            "accounts.SignInFailure",
            ("account_key", "address"),
            "Throttling sign-in: the network address and a keyed hash of the email address "
            "typed, for the 15-minute window only.",
        ),
    )
    # Last of the learner's own data: everything above points at the account.
    erase_order = 40

    def export(self, learner) -> Export:
        user = get_user_model().objects.filter(pk=learner.user_id).first()
        if user is None:
            return Export()
        return Export(
            data={
                "learner.json": {
                    "account": {
                        "email": user.email,
                        "first_name": user.first_name,
                        "last_name": user.last_name,
                        "joined_at": user.date_joined,
                        "last_signed_in_at": user.last_login,
                    }
                }
            }
        )

    def erase(self, learner) -> dict[str, int]:
        """The account, if being this learner was all it was for: then its audit key, the
        trail's only link to the person, goes with it. An account with another part in
        Waymark (a role or learner record in any centre, platform staff) stays, key and all:
        the person is not erased, only this learner record, and what they did as staff stays
        attributable to them."""
        user = get_user_model().objects.filter(pk=learner.user_id).first()
        if user is None:
            return {}
        SignInFailure.objects.filter(account_key=account_key(user.email)).delete()
        with scopes_disabled():
            # Across every centre: a part elsewhere (a role, another learner record, as
            # the apps that give them say: accounts.parts) keeps the account.
            elsewhere = has_part_besides(user, besides=learner)
        if elsewhere or user.is_staff or user.is_superuser or user.groups.exists():
            return {}
        return get_user_model().objects.filter(pk=user.pk).delete()[1]
