"""One British format for dates and times on every page, message and PDF; ISO 8601 only
in machine-readable files."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.template import Context, Template

from common.dates import long_date, long_datetime

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "audit", "centre", "learners", "moderation", "privacy", "units"]
WHEN = datetime.datetime(2026, 12, 1, 14, 5, tzinfo=ZoneInfo("Europe/London"))


def test_pages_show_dates_and_times_in_words():
    page = Template('{{ when|date }} · {{ day|date }} · {{ when|date:"DATETIME_FORMAT" }}').render(
        Context({"when": WHEN, "day": WHEN.date()})
    )
    assert page == "1 December 2026 · 1 December 2026 · 1 December 2026, 14:05"


def test_messages_use_the_same_format():
    assert long_date(WHEN.date()) == "1 December 2026"
    assert long_datetime(WHEN) == "1 December 2026, 14:05"
    assert long_date("2026-12-01T14:05:00+00:00") == "1 December 2026"


def test_a_date_kept_as_iso_text_is_shown_in_words():
    page = Template("{% load evidence_tags %}{{ value|iso_date }}").render(
        Context({"value": "2026-12-01T14:05:00+00:00"})
    )
    assert page == "1 December 2026"


def test_no_template_or_message_spells_out_its_own_date_format():
    """A format written into one page ("j M Y") or one message (strftime) is how pages
    came to differ: every page and message goes through the named formats."""
    offenders = []
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix in {".html", ".txt"}:
            for found in re.findall(r'\|date:"([^"]*)"', path.read_text()):
                if found not in {"DATE_FORMAT", "DATETIME_FORMAT", "TIME_FORMAT"}:
                    offenders.append(f"{path.relative_to(ROOT)}: {found}")
            if '|slice:":10"' in path.read_text():
                offenders.append(f"{path.relative_to(ROOT)}: an ISO date cut to its day")
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts:
                continue  # commands write machine-readable names and files
            text = path.read_text()
            for found in re.findall(r'strftime\("[^"]*"\)|\{[a-z_.]+:%[^}]*\}', text):
                offenders.append(f"{path.relative_to(ROOT)}: {found}")
    allowed = {"audit/models.py: {self.at:%Y-%m-%d %H:%M:%S}"}  # the audit log line
    assert sorted(set(offenders) - allowed) == []
