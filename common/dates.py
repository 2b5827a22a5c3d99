"""Dates and times in words for Python-made messages (emails, flash messages, titles),
in the same format as the pages: "1 December 2026" and "1 December 2026, 14:05", in the
centre's time zone. ISO 8601 stays for machine-readable files only."""

import datetime

from django.utils import formats, timezone


def long_date(value: datetime.date | datetime.datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value) if "T" in value else datetime.date.fromisoformat(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


def long_datetime(value: datetime.datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")
