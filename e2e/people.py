"""People made the way Waymark makes them, for the journeys: a centre from the command line,
staff added with ``add_member`` and learners imported from a register (each then emailed an
invitation, whose link the journey opens in the browser to choose a password), the catalogue
editor added in the Wagtail admin by an administrator made with ``createsuperuser``. Staff
set up an authenticator app from the key the set-up page shows; the journey computes its
codes as the app would (TOTP: 30-second steps, 6 digits)."""

import base64
import csv
import io
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

from django.core import mail
from django.core.management import call_command
from django_otp.oath import TOTP
from playwright.sync_api import expect

from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
from centre.selectors import centre_by_number
from common.scoping import scopes_disabled
from learners.validators import uln_with_check_digit
from portfolio.services import (
    add_evidence_files,
    create_evidence_item,
    set_evidence_mappings,
    submit_evidence_item,
)

PASSWORD = "Northgate journeys 2026!"
EMAIL_PARSER = BytesParser(policy=policy.default)
NORTHGATE = ("10001", "Northgate College")
SEED_URN = "R/600/9587"
SEED_UNIT = Path(__file__).resolve().parent.parent / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
REGISTER_HEADER = [
    "first_name",
    "last_name",
    "email",
    "uln",
    "candidate_number",
    "unit_urn",
    "assessor_email",
]


@dataclass
class Person:
    email: str
    password: str = PASSWORD
    key: bytes | None = None  # the authenticator app's secret, once set up
    recovery_codes: list[str] = field(default_factory=list)
    last_step: int = -1  # the last 30-second step whose code was used

    def code(self) -> str:
        """The code the authenticator app shows now; if this step's code was used already
        (django-otp refuses it again), the next step's, once it comes."""
        totp = TOTP(self.key, step=30, digits=6)
        if totp.t() <= self.last_step:
            time.sleep(30 - time.time() % 30 + 0.1)
            totp = TOTP(self.key, step=30, digits=6)
        self.last_step = totp.t()
        return f"{totp.token():06d}"


def import_seed_unit() -> None:
    """The catalogue's seed unit, as platform staff load it."""
    call_command("import_unit", str(SEED_UNIT), stdout=_quiet())


def create_centre(number: str = NORTHGATE[0], name: str = NORTHGATE[1], offer=(SEED_URN,)):
    call_command("create_centre", number=number, name=name, offer=list(offer), stdout=_quiet())
    with scopes_disabled():
        return centre_by_number(number=number)


def invitation_link(email: str, wait: float = 20) -> str:
    """The link in the newest invitation (or password reset) emailed to ``email``: sent by
    this process (a password reset, a task run at once), or by the journey's task worker
    (``db_worker``), which writes what it sends to the folder ``WAYMARK_TEST_MAIL_DIR``
    names and may not have sent it yet: waited for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        links = [
            (sent, found.group(0))
            for sent, to, body in _emails()
            if email.lower() in to and (found := re.search(r"https?://\S+/accounts/password/set/\S+", body))
        ]
        if links:
            return max(links, key=lambda link: link[0])[1]
        if time.monotonic() > deadline:
            raise AssertionError(f"No email with a link to choose a password was sent to {email}")
        time.sleep(0.2)


# What the file-based email backend writes after each message.
MESSAGE_END = b"\n" + b"-" * 79 + b"\n"


def _emails():
    """(when sent, as a count of nanoseconds, and its order; addressees in lower case; plain
    text body) of every email sent so far, by this process (``conftest.stamped_outbox``
    stamps them) or by the task worker."""
    for message in mail.outbox:
        yield (getattr(message, "sent_ns", 0), 0), [to.lower() for to in message.to], message.body
    folder = os.environ.get("WAYMARK_TEST_MAIL_DIR")
    for written in Path(folder).glob("*.log") if folder else ():
        # A file's messages went in the order written, by the time it was last written to;
        # the last piece is a message not yet written to the end, if any.
        sent_ns = written.stat().st_mtime_ns
        for position, text in enumerate(written.read_bytes().split(MESSAGE_END)[:-1]):
            message = EMAIL_PARSER.parse(io.BytesIO(text))
            addressees = [address.lower() for _, address in getaddresses(message.get_all("To", []))]
            yield (sent_ns, position), addressees, message.get_body(("plain",)).get_content()


def choose_password(page, email: str, password: str = PASSWORD) -> None:
    """Open the link from the person's email and choose their password (which signs them in)."""
    page.goto(invitation_link(email))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password confirmation").fill(password)
    page.get_by_role("button", name="Save password").click()


def set_up_authenticator(page, person: Person) -> None:
    """On the set-up page: read the key as a person types it into their app, enter the app's
    code, and keep the recovery codes."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    secret = page.locator("figure.qr-code code").inner_text().strip()
    person.key = base64.b32decode(secret)
    page.get_by_role("textbox", name="Code").fill(person.code())
    page.get_by_role("button", name="Turn on sign-in with my app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    person.recovery_codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(person.recovery_codes) == 10
    page.get_by_role("link", name="I have saved my codes").click()


def add_staff(page, role: str, email: str, first_name: str = "", last_name: str = "", centre=NORTHGATE[0]):
    """``add_member`` gives the person the role and emails them an invitation; they choose a
    password from it and set up their authenticator app. They are left signed in."""
    call_command(
        "add_member",
        centre=centre,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        stdout=_quiet(),
    )
    person = Person(email)
    choose_password(page, email)
    set_up_authenticator(page, person)
    return person


def write_register(path: Path, rows) -> Path:
    """A register file as a centre exports it: one row per learner and unit (dicts with the
    register's columns)."""
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=REGISTER_HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({"unit_urn": SEED_URN, "assessor_email": "", **row})
    return path


def import_learners(path: Path, centre=NORTHGATE[0]) -> None:
    """The register imported on the command line: each learner gets an account and an
    invitation by email."""
    call_command("import_learners", str(path), centre=centre, stdout=_quiet())


def learner_accepts(page, email: str) -> Person:
    """The learner follows their invitation and chooses a password; they land, signed in,
    on their portfolio."""
    choose_password(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your portfolio")
    expect(page.get_by_role("status")).to_contain_text("Your password is saved, and you are signed in.")
    return Person(email)


def enter_password(page, live_server, person: Person) -> None:
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page, live_server, person: Person) -> None:
    """Password, then (for someone with an authenticator app) the code it shows now."""
    enter_password(page, live_server, person)
    if person.key is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
        page.get_by_role("textbox", name="Code").fill(person.code())
        page.get_by_role("button", name="Continue").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def catalogue_editor(page, live_server, monkeypatch, email="editor@example.org") -> Person:
    """There is no command for the catalogue's editors: Waymark's administrator, made with
    ``createsuperuser``, adds them in the Wagtail admin to the Catalogue editors group. The
    administrator signs out; the editor is not signed in yet (they set up their app at their
    first sign-in)."""
    admin = Person("admin@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", admin.password)
    call_command(
        "createsuperuser",
        interactive=False,
        email=admin.email,
        first_name="Wyn",
        last_name="Admin",
        stdout=_quiet(),
    )
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password").fill(admin.password)
    page.get_by_role("button", name="Sign in").click()
    set_up_authenticator(page, admin)
    page.goto(live_server.url + "/admin/users/new/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add user")
    page.locator("#id_email").fill(email)
    page.locator("#id_first_name").fill("Eddie")
    page.locator("#id_last_name").fill("Tor")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("tab", name="Roles").first.click()
    page.get_by_label("Catalogue editors").check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text(re.compile(r"User .* created\."))).to_be_visible()
    page.goto(live_server.url + "/")
    sign_out(page)
    return Person(email)


def signed_off(enrolment, assessor, files=()):
    """What the learner and their assessor did before this journey (journeys of their own
    walk it in the browser): one item of evidence meeting every criterion, assessed, the
    unit signed off and countersigned, through Waymark's own services."""
    learner, unit = enrolment.learner, enrolment.unit
    item, _ = create_evidence_item(
        learner=learner,
        actor=learner.user,
        kind="written_account",
        title=f"Evidence of {learner.candidate_number}",
        body="My account.",
        details={},
        creation_token=uuid.uuid4(),
    )
    if files:
        add_evidence_files(item=item, actor=learner.user, uploads=list(files))
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    set_evidence_mappings(item=item, actor=learner.user, claims={c.pk: f"Meets {c.code}." for c in criteria})
    submit_evidence_item(item=item, actor=learner.user, declared=True)
    assess_submission(
        item=item, assessor=assessor, judgements={c.pk: Judgement("met", "Good.", 0) for c in criteria}
    )
    sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
    countersign_unit(sign_off=sign_off, learner_user=learner.user, declared=True)


def _quiet():
    import io

    return io.StringIO()


def learner_row(first_name, last_name, email, number: int, assessor_email="") -> dict:
    return {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "uln": uln_with_check_digit(600000000 + 100 * number),
        "candidate_number": f"{number:04d}",
        "assessor_email": assessor_email,
    }
