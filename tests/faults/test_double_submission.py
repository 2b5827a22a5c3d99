"""The same form sent twice: a double click, a second tab, a browser that resends. Each
change is made once, with one audit record, and the second sending is answered as the
success it repeats (a redirect to the same place), saying what was done already, by
whom and when: never an error page, never a second row.

Sent one after the other on both databases; sent at the same moment, each on its own
connection, on PostgreSQL, where the row locks and unique constraints decide the race.
"""

import contextlib
import io
import threading
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessment.models import CriterionDecision, UnitSignOff
from assessment.services import sign_off_unit
from audit import services as audit_services
from audit.models import AuditRecord
from centre.models import Role
from common.scoping import centre_scope
from iqa.models import IqaSample
from portfolio.models import EvidenceItem
from tests.factories import submitted_evidence
from tests.helpers import criteria_of, meet_everything, member, sampled_by_iqa


@dataclass
class SentTwice:
    """A form as its page gave it, to send twice: who sends it, where, and how to count
    the rows it makes (``made``) and the audit records of the change (``verb``)."""

    user: object
    path: str
    data: dict
    verb: str
    made: object  # () -> int, inside the centre's scope
    lands_on: object  # () -> str, where both sendings end up, once the change is made
    already: str  # what the second sending is told


def evidence_created(enrolment):
    learner = enrolment.learner
    token = uuid.uuid4()  # rendered into the form when the page was loaded
    return SentTwice(
        user=learner.user,
        path=reverse("portfolio:create", kwargs={"kind": "written_account"}),
        data={"title": "My network", "body": "Who I keep in touch with, and why.", "creation_token": token},
        verb="evidence.created",
        made=lambda: EvidenceItem.objects.filter(learner=learner).count(),
        lands_on=lambda: reverse(
            "portfolio:evidence", kwargs={"item_id": EvidenceItem.objects.get(learner=learner).pk}
        ),
        already="“My network” was already saved; it has not been saved twice.",
    )


def decision_recorded(enrolment):
    item = submitted_evidence(enrolment, title="Benefits", codes=("1.1",))
    (criterion,) = criteria_of(enrolment.unit, "1.1")
    return SentTwice(
        user=enrolment.assessor,
        path=reverse("assessment:judge", kwargs={"item_id": item.pk}),
        data={
            f"outcome-{criterion.pk}": "met",
            f"feedback-{criterion.pk}": "Clear and well evidenced.",
            f"seen-{criterion.pk}": "0",
            "action": "accept",
        },
        verb="decision.recorded",
        made=lambda: CriterionDecision.objects.filter(enrolment=enrolment).count(),
        lands_on=lambda: reverse("assessment:caseload"),
        already="“Benefits” was already assessed by Tom Hughes on",
    )


def unit_signed_off(enrolment):
    meet_everything(enrolment)
    return SentTwice(
        user=enrolment.assessor,
        path=reverse("assessment:sign_off_unit", kwargs={"enrolment_id": enrolment.pk}),
        data={"declared": "on"},
        verb="unit.signed_off",
        made=lambda: UnitSignOff.objects.filter(enrolment=enrolment).count(),
        lands_on=lambda: reverse(
            "assessment:sign_off", kwargs={"sign_off_id": UnitSignOff.objects.get(enrolment=enrolment).pk}
        ),
        already=f"{enrolment.unit.title} was already signed off by Tom Hughes on",
    )


def unit_countersigned(enrolment):
    meet_everything(enrolment)
    sign_off = sign_off_unit(enrolment=enrolment, assessor=enrolment.assessor, declared=True)
    return SentTwice(
        user=enrolment.learner.user,
        path=reverse("assessment:countersign", kwargs={"sign_off_id": sign_off.pk}),
        data={"declared": "on"},
        verb="unit.countersigned",
        made=lambda: UnitSignOff.objects.filter(pk=sign_off.pk, countersigned_at__isnull=False).count(),
        lands_on=lambda: reverse("assessment:learner_home"),
        already="You already countersigned this unit on",
    )


def verdict_recorded(enrolment):
    meet_everything(enrolment)
    sign_off_unit(enrolment=enrolment, assessor=enrolment.assessor, declared=True)
    iqa = member(enrolment.centre, Role.IQA)
    sample = sampled_by_iqa(enrolment, iqa=iqa)
    return SentTwice(
        user=iqa,
        path=reverse("iqa:sample", kwargs={"iqa_sample_id": sample.pk}),
        data={"verdict": "disagree", "comments": "Thin on 2.1.", "action": ["Add a witness statement"]},
        verb="iqa.verdict_recorded",
        made=lambda: (
            IqaSample.objects.filter(pk=sample.pk).exclude(verdict="").count() + sample.actions.count()
        ),
        lands_on=lambda: reverse("iqa:sample", kwargs={"iqa_sample_id": sample.pk}),
        already="This sample's verdict, “Disagree: actions required”, was already recorded on",
    )


FORMS = [evidence_created, decision_recorded, unit_signed_off, unit_countersigned, verdict_recorded]
# How long a sending that is about to record its change waits for the other to get as far.
MEETING_SECONDS = 5
# A verdict of disagreement makes the verdict and its one action: two rows, once.
ROWS = {verdict_recorded: 2}


def signed_in(user, session=None) -> Client:
    """A browser signed in as ``user``; given ``session``, the same browser as another."""
    client = Client()
    if session is None:
        client.force_login(user)
    else:
        client.cookies = session.cookies
    return client


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def audit_records(centre, verb) -> int:
    with centre_scope(centre):
        return AuditRecord.objects.filter(centre=centre, verb=verb).count()


def assert_done_once(form, centre, first, second):
    with centre_scope(centre):
        assert form.made() == ROWS.get(form.origin, 1)
        lands_on = form.lands_on()
    assert (first.status_code, first.url) == (302, lands_on)
    assert (second.status_code, second.url) == (302, lands_on)
    assert audit_records(centre, form.verb) == 1


@pytest.mark.parametrize("make_form", FORMS, ids=lambda make: make.__name__)
def test_a_form_sent_again_changes_nothing_and_says_it_was_done(make_form, enrolment, centre_a):
    with centre_scope(centre_a):
        form = make_form(enrolment)
    form.origin = make_form
    browser = signed_in(form.user)

    first = browser.post(form.path, form.data)
    second = browser.post(form.path, form.data)

    assert_done_once(form, centre_a, first, second)
    message = told(second)[-1]  # the first sending's own is still unread
    assert message.startswith(form.already)
    assert "nothing was changed" in message or "not been saved twice" in message


# Serialized rollback, as the other transactional tests: the flush after this test must
# not leave a database that later transactional tests cannot restore their data into.
@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("make_form", FORMS, ids=lambda make: make.__name__)
def test_a_form_sent_twice_at_the_same_moment_changes_once(make_form, enrolment, centre_a, monkeypatch):
    """Both sendings from the same browser, each in its own thread with its own
    database connection, released together: one makes the change, the other waits for
    it on the row it locks (or the unique key it would repeat) and finds it done.

    Released together, one request can still finish before the other begins. So each
    sending that gets as far as writing its audit record first waits there for the
    other (``MEETING_SECONDS`` at most): with the lock, the other is held at it and the
    first goes on alone; without it, both would have passed their checks and would meet
    there, and both would write."""
    with centre_scope(centre_a):
        form = make_form(enrolment)
    form.origin = make_form
    browser = signed_in(form.user)
    again = signed_in(form.user, session=browser)
    start = threading.Barrier(2, timeout=30)
    meeting = threading.Barrier(2, timeout=MEETING_SECONDS)
    record_audits = audit_services.record_audits

    def meet_then_record(records):
        with contextlib.suppress(threading.BrokenBarrierError):  # the other is held, as it should be
            meeting.wait()
        record_audits(records)

    monkeypatch.setattr(audit_services, "record_audits", meet_then_record)
    responses, failures = {}, []

    def send(name, client):
        try:
            start.wait()
            responses[name] = client.post(form.path, form.data)
        except BaseException as error:  # a 500 raises here, in the test client
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=pair) for pair in [("a", browser), ("b", again)]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    assert_done_once(form, centre_a, responses["a"], responses["b"])
    # The trail's chain held while the two wrote at once (raises if a link is broken).
    call_command("verify_audit", stdout=io.StringIO())
    messages = sorted(told(responses["a"]) + told(responses["b"]), key=lambda m: m.startswith(form.already))
    assert len(messages) == 2
    assert not messages[0].startswith(form.already) and messages[1].startswith(form.already)
