import re
from pathlib import Path

from django.conf import settings

from audit.labels import AUDIT_ACTIONS, describe_verb

ROOT = Path(__file__).resolve().parents[2]


def verbs_in_source() -> set[str]:
    """Every verb the code records: the quoted "domain.action" strings on the lines that
    pass a verb (``verb=...``, a conditional verb, also on a line of its own, or the
    moderator views' ``_seen``)."""
    verbs = set()
    for app in settings.WAYMARK_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line in path.read_text().splitlines():
                conditional = re.match(r'\s*"[a-z_]+\.[a-z_]+" if ', line)
                if "verb=" in line or "_seen(" in line or conditional:
                    verbs |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', line))
    return verbs


def test_every_recorded_audit_action_has_a_human_label():
    verbs = verbs_in_source()
    assert "iqa.verdict_recorded" in verbs  # the scan finds them
    assert sorted(verbs - set(AUDIT_ACTIONS)) == []


def test_labels_keep_abbreviations_and_read_as_sentences():
    assert describe_verb("iqa.verdict_recorded") == "IQA verdict recorded"
    assert describe_verb("moderation.bundle_viewed") == "Moderation bundle viewed"
    assert describe_verb("privacy.subject_access_exported") == "Subject access request answered"
    # A verb recorded by an older version, now unknown, still reads as words.
    assert describe_verb("iqa.something_new") == "IQA something new"


def test_the_audit_trail_shows_the_label():
    from audit.models import AuditRecord

    assert AuditRecord(verb="iqa.verdict_recorded").description == "IQA verdict recorded"
