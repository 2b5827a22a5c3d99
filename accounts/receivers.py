"""What accounts keeps in step when the facts behind a person's second factor change: a
session keeps its decision (``accounts.selectors.second_factor_standing_for``) only while
the person's ``access_epoch`` stands still, so each change here raises it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django_otp import device_classes

from accounts.services import raise_access_epoch
from common.reader_pages import written_as_people_read


def _device_saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    # Only whether it is confirmed, and whose it is, decide anything here. django-otp saves a
    # device whole when a code is tried (its throttling, its last use), which counts as
    # such a change: safe, at the cost of sessions reading what they keep again.
    if not raw and (created or update_fields is None or {"confirmed", "user"} & set(update_fields)):
        raise_access_epoch(user_ids=[instance.user_id])


def previous_holder_loses_it(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    """A row held by one person (its ``user``: a device, a moderator's grant) given to
    someone else stops counting for the person whose it was, whose sessions keep it
    (``accounts.middleware.KeptDeviceOTPMiddleware``, ``moderation.access``): their epoch
    too. A ``pre_save`` receiver, for any such model."""
    if raw or instance.pk is None or (update_fields is not None and "user" not in update_fields):
        return
    previous = sender.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
    if previous is not None and previous != instance.user_id:
        raise_access_epoch(user_ids=[previous])


def _device_deleted(sender, instance, **kwargs) -> None:
    raise_access_epoch(user_ids=[instance.user_id])


def _duties_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A group or permission given to people or taken from them, from either side."""
    if action in {"post_add", "post_remove"}:
        raise_access_epoch(user_ids=pk_set if reverse else [instance.pk])
    elif action == "pre_clear":
        # Once cleared, nothing says who had them: so before.
        people = instance.user_set.values_list("pk", flat=True) if reverse else [instance.pk]
        raise_access_epoch(user_ids=people)


def _duty_deleted(sender, instance, **kwargs) -> None:
    """A group or permission deleted takes its people's links with it, without m2m_changed:
    so before."""
    raise_access_epoch(user_ids=instance.user_set.values_list("pk", flat=True))


def connect() -> None:
    # Written at every sign-in (a session, the device's last use, a failure counted): none
    # of it is shown on a page kept for its reader.
    written_as_people_read(
        "sessions.Session",
        "accounts.SignInFailure",
        *(model._meta.label for model in device_classes()),
        "otp_static.StaticToken",
    )
    for model in device_classes():
        label = model._meta.label
        pre_save.connect(previous_holder_loses_it, sender=model, dispatch_uid=f"access-epoch-hands-{label}")
        post_save.connect(_device_saved, sender=model, dispatch_uid=f"access-epoch-{label}")
        post_delete.connect(_device_deleted, sender=model, dispatch_uid=f"access-epoch-delete-{label}")
    accounts = get_user_model()
    for through in (accounts.groups.through, accounts.user_permissions.through):
        label = through._meta.label
        m2m_changed.connect(_duties_changed, sender=through, dispatch_uid=f"access-epoch-{label}")
    for duty in (Group, Permission):
        pre_delete.connect(_duty_deleted, sender=duty, dispatch_uid=f"access-epoch-delete-{duty._meta.label}")
