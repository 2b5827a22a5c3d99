"""The audit trail as a hash chain: every record linked to the one before it, whichever
centre it belongs to, so that a record changed or removed behind the application's back is
found by ``manage.py verify_audit``; and text that cannot forge an entry of its own."""

import io
import json
import logging
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.logging import EscapingFormatter, escape_control_characters
from audit.models import GENESIS_HASH, AuditRecord, chained_hash, record_content
from audit.services import audit_record, record_audit, record_audits
from common.scoping import scopes_disabled
from tests.factories import UserFactory

FORGED = 'Ann\nverb=sign_off.recorded actor="someone else"'


def trail() -> list[AuditRecord]:
    with scopes_disabled():
        return list(AuditRecord.objects.order_by("sequence"))


def assert_chained(records: list[AuditRecord]):
    """Every record, read back from the database, linked to the one before it from the start."""
    previous_hash = GENESIS_HASH
    for position, record in enumerate(records, start=1):
        assert record.sequence == position
        assert record.previous_hash == previous_hash
        assert record.hash == chained_hash(previous_hash, record_content(record))
        previous_hash = record.hash


def verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def verify_audit_fails() -> str:
    with pytest.raises(CommandError) as broken:
        call_command("verify_audit", stdout=io.StringIO())
    # What manage.py exits with.
    assert broken.value.returncode == 1
    return str(broken.value)


def raw_sql_refused(statement: str, params: list):
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)


@pytest.fixture
def three_records(centre_a, centre_b):
    """Three records: two centres' and one for the shared catalogue, all in one chain."""
    actor = UserFactory()
    return [
        record_audit(actor=actor, verb="test.first", target=centre_a, centre=centre_a, details={"n": 1}),
        record_audit(actor=actor, verb="test.second", target=centre_b, centre=centre_b, details={"n": 2}),
        record_audit(actor=None, verb="test.third", details={"n": 3}, learner=7, unit=9),
    ]


def test_records_written_one_at_a_time_chain_across_centres(three_records):
    stored = trail()
    assert [record.pk for record in stored] == [record.pk for record in three_records]
    assert_chained(stored)
    assert [record.hash for record in stored] == [record.hash for record in three_records]


def test_records_written_in_bulk_chain_in_the_order_given(three_records, centre_a):
    actor = UserFactory()
    record_audits(
        [
            audit_record(actor=actor, verb=f"test.bulk_{n}", centre=centre_a, details={"n": n})
            for n in range(3)
        ]
    )
    stored = trail()
    assert [record.verb for record in stored[3:]] == ["test.bulk_0", "test.bulk_1", "test.bulk_2"]
    assert stored[3].previous_hash == three_records[-1].hash
    assert_chained(stored)


def test_verify_audit_passes_a_clean_trail(three_records):
    assert verify_audit().startswith("Audit trail intact: 3 records.\n")


def test_details_rewritten_behind_the_applications_back_are_found(three_records):
    second = three_records[1]
    statement = "UPDATE audit_auditrecord SET details = %s WHERE id = %s"
    if connection.vendor == "postgresql":
        raw_sql_refused(statement, ['{"n": 200}', second.pk])
        assert verify_audit().startswith("Audit trail intact: 3 records.\n")
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement, ['{"n": 200}', second.pk])
        with scopes_disabled():
            recomputed = chained_hash(
                second.previous_hash, record_content(AuditRecord.objects.get(pk=second.pk))
            )
        report = verify_audit_fails()
        assert f"at record {second.pk} (sequence 2), after 1 record intact" in report
        assert "its content has changed since it was written" in report
        assert f"expected hash {second.hash}, found {recomputed}." in report


def test_a_record_deleted_behind_the_applications_back_is_found(three_records):
    first, second, third = three_records
    statement = "DELETE FROM audit_auditrecord WHERE id = %s"
    if connection.vendor == "postgresql":
        raw_sql_refused(statement, [second.pk])
        assert verify_audit().startswith("Audit trail intact: 3 records.\n")
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement, [second.pk])
        report = verify_audit_fails()
        # The gap shows at the record after it, which still names the missing one's hash.
        assert f"at record {third.pk} (sequence 3)" in report
        assert "1 record missing before it: expected sequence 2, found 3" in report
        assert f"expected previous hash {first.hash}, found {second.hash}." in report


def test_a_rewritten_record_with_its_hash_recomputed_breaks_the_next_link(three_records):
    first, second, third = three_records
    with scopes_disabled():
        forged = AuditRecord.objects.get(pk=second.pk)
    forged.details = {"n": 200}
    forged_hash = chained_hash(first.hash, record_content(forged))
    statement = "UPDATE audit_auditrecord SET details = %s, hash = %s WHERE id = %s"
    params = ['{"n": 200}', forged_hash, second.pk]
    if connection.vendor == "postgresql":
        raw_sql_refused(statement, params)
        assert verify_audit().startswith("Audit trail intact: 3 records.\n")
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
        report = verify_audit_fails()
        assert f"at record {third.pk} (sequence 3), after 2 records intact" in report
        assert "it is not chained to the record before it" in report
        assert f"expected previous hash {forged_hash}, found {second.hash}." in report


# Serialized rollback: the flush after this test must not leave a database that later
# transactional tests (the browser journeys) cannot restore their data into.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_records_written_at_once_never_chain_onto_the_same_record(centre_a):
    """Real concurrent transactions, each on its own connection, each holding its
    transaction open after appending: the second must wait for the first's tail."""
    start = threading.Barrier(2)
    failures = []

    def append(n):
        try:
            start.wait()
            with transaction.atomic():
                record_audit(actor=None, verb="test.concurrent", centre=centre_a, details={"n": n})
                # Long enough for the other transaction to read the tail, were it not held.
                time.sleep(0.3)
        except Exception as failure:
            failures.append(failure)
        finally:
            connection.close()

    writers = [threading.Thread(target=append, args=(n,)) for n in range(2)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=30)
    assert failures == []
    stored = trail()
    assert len(stored) == 2
    assert stored[0].previous_hash != stored[1].previous_hash
    assert_chained(stored)


def test_control_characters_are_stored_escaped(centre_a):
    written = record_audit(
        actor=None,
        verb="test.renamed\nverb=forged",
        target=centre_a,
        centre=centre_a,
        details={
            "name": FORGED,
            "line\u2028break": ["tab\there", "bell\x07", "return\r", "next\x85line", 3],
            "nested": {"nul": "a\x00b", "para": "\u2029"},
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(details AS text), verb FROM audit_auditrecord WHERE id = %s", [written.pk]
        )
        stored_json, stored_verb = cursor.fetchone()
    assert "\n" not in stored_json
    assert stored_verb == "test.renamed\\nverb=forged"
    assert json.loads(stored_json) == {
        "name": 'Ann\\nverb=sign_off.recorded actor="someone else"',
        "line\\u2028break": ["tab\\u0009here", "bell\\u0007", "return\\u000d", "next\\u0085line", 3],
        "nested": {"nul": "a\\u0000b", "para": "\\u2029"},
    }
    assert_chained(trail())


def test_escaping_leaves_ordinary_text_alone():
    assert escape_control_characters("Zoë O'Brien — Unit 4 \\ 5") == "Zoë O'Brien — Unit 4 \\ 5"
    assert escape_control_characters("\x1b[31m\x7f") == "\\u001b[31m\\u007f"


@pytest.fixture
def log_to():
    """A logger writing through the escaping formatter to a string, as settings would."""
    logger = logging.getLogger("tests.audit.escaping")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    added = []

    def using(fmt: str, terminator: str = "\n") -> io.StringIO:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.terminator = terminator
        handler.setFormatter(EscapingFormatter(fmt))
        logger.addHandler(handler)
        added.append(handler)
        return stream

    yield logger, using
    for handler in added:
        logger.removeHandler(handler)
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def test_a_forged_log_line_stays_in_the_entry_it_came_in(log_to):
    logger, using = log_to
    stream = using("%(levelname)s %(name)s %(message)s")
    logger.warning("Learner renamed to %s", FORGED)
    assert stream.getvalue() == (
        'WARNING tests.audit.escaping Learner renamed to Ann\\nverb=sign_off.recorded actor="someone else"\n'
    )


def test_a_traceback_is_one_line_and_the_formats_own_line_ending_is_kept(log_to):
    logger, using = log_to
    # The format string ends each entry here, not the handler.
    stream = using("%(levelname)s %(message)s\n", terminator="")
    logger.info("Imported\u2028%s", "ok")
    try:
        raise ValueError("bad\nverb=forged")
    except ValueError:
        logger.exception("Import failed")
    info, error, after_last = stream.getvalue().split("\n")
    assert info == "INFO Imported\\u2028ok"
    assert error.startswith("ERROR Import failed\\nTraceback (most recent call last):\\n")
    assert error.endswith("ValueError: bad\\nverb=forged")
    assert after_last == ""


def test_records_removed_from_the_end_are_found_against_an_anchor(three_records):
    anchor = verify_audit().splitlines()[-1].removeprefix("Anchor for a later check: ")
    assert anchor == f"3:{three_records[2].hash}"
    call_command("verify_audit", "--anchor", anchor, stdout=io.StringIO())
    statement = "DELETE FROM audit_auditrecord WHERE id = %s"
    if connection.vendor == "postgresql":
        raw_sql_refused(statement, [three_records[2].pk])
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement, [three_records[2].pk])
        assert verify_audit().startswith("Audit trail intact: 2 records.")  # no anchor: unnoticed
        with pytest.raises(CommandError, match=f"the anchor {anchor} is no longer in it"):
            call_command("verify_audit", "--anchor", anchor, stdout=io.StringIO())
