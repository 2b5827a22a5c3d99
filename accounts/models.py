import uuid

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

from accounts.names import person_sort_key
from common.dates import long_datetime


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in to Waymark, identified by email address.

    A person exists once across the installation; what they may do in a centre comes
    from their memberships there. ``audit_key`` is the only way the audit trail refers
    to them, so erasing a person's details never touches an audit record.
    """

    username = None
    email = models.EmailField("email address", unique=True)
    audit_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Part of every session's check (see _get_session_auth_hash): raising it ends all of the
    # person's sessions at their next request, whichever device or worker holds them.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # Raised whenever something that decides what the person may do changes (a role, one of
    # their centres, a group, a permission, an authenticator): what a session keeps of that
    # (their roles, whether they need a second factor, a moderator's open samples) holds
    # while this does not move.
    access_epoch = models.PositiveIntegerField(default=0, editable=False)
    # The name as a person files it (accounts.names), kept in step by save(): lists of
    # staff order by it in SQL, the same on SQLite and PostgreSQL.
    sort_key = models.CharField(max_length=310, blank=True, editable=False, db_index=True)
    # When the person was last sent a link to choose their password; with ``last_login``
    # it tells a centre who has been invited, whose link has expired and who has signed in.
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        ordering = ["sort_key", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    # Raised by an UPDATE of their own (F() + 1) while an earlier copy of the person may be
    # in another request's hands (an administrator editing their name, say): saving that
    # copy whole must not write the old count back over the new one.
    COUNTERS = frozenset({"session_epoch", "access_epoch"})

    def save(self, **kwargs):
        self.sort_key = person_sort_key(last_name=self.last_name, first_name=self.first_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is None and not self._state.adding and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.COUNTERS and field.attname not in deferred
            ]
        elif update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "sort_key"}
        super().save(**kwargs)

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class SignInFailure(models.Model):
    """One failed sign-in, kept for the throttling window only. The account is recorded
    as a keyed hash of the email address typed, so an address that is no account here is
    stored (and throttled) exactly like one that is, and no address is kept in clear."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Failed sign-in"
        PASSWORD_LINK = "password_link", "Password link asked for or tried"

    # What was attempted: each action is throttled on its own, so asking for reset links
    # does not use up someone's sign-in attempts.
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.SIGN_IN)
    account_key = models.CharField(max_length=64, db_index=True)
    address = models.GenericIPAddressField(db_index=True)
    failed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Failed sign-in at {long_datetime(self.failed_at)}"
