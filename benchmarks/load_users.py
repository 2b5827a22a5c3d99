"""The simulated people of benchmarks/load.py, for Locust (run as its own process, so that
gevent's patching never reaches the Django of the orchestrator). They read the people
file the orchestrator wrote (LOAD_PEOPLE), sign in as a browser does (the sign-in form,
then for staff the code form, with the code their authenticator app would show) and then
walk their journeys, taking each form's fields and CSRF token from the page as a browser
would. Forms are found by where they post, not by the markup round them.

Every write a person believes succeeded (Waymark answered with the redirect that means
it was saved) is appended to their own log in LOAD_WRITES, one JSON line each, for the
orchestrator to check against the database afterwards.

    locust --headless -f benchmarks/load_users.py --host http://127.0.0.1:PORT ...
"""

import hashlib
import json
import os
import random
import re
import threading
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django_otp.oath import TOTP
from locust import HttpUser, between, events, task
from locust.exception import StopUser
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

PEOPLE = json.loads(Path(os.environ["LOAD_PEOPLE"]).read_text())
WRITES = Path(os.environ["LOAD_WRITES"])
# Between one step and the next a person reads the page: a few seconds, as people do.
THINKING = between(1, 5)
# Far longer than any answer Waymark should give (gunicorn itself gives up on a request
# after 60 s): what takes this long, queueing included, is a failure.
TIMEOUT_SECONDS = 120
SIGN_IN = "/accounts/sign-in/"


class Forms(HTMLParser):
    """The forms of a page: where each posts, and the fields a browser would send (hidden
    inputs, text, the checked boxes), with the choices of radios and checkboxes."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url, self.forms, self._form, self._textarea = url, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urljoin(self.url, attrs.get("action") or self.url)
            self._form = {"action": urlsplit(action).path, "method": attrs.get("method", "get").lower()}
            self._form.update(fields={}, choices={}, buttons=[])
            self.forms.append(self._form)
        elif self._form is None or "name" not in attrs:
            return
        elif tag == "input":
            kind, name, value = attrs.get("type", "text").lower(), attrs["name"], attrs.get("value", "")
            if kind in {"radio", "checkbox"}:
                self._form["choices"].setdefault(name, []).append(value)
                if "checked" in attrs:
                    self._form["fields"].setdefault(name, []).append(value)
            elif kind == "submit":
                self._form["buttons"].append((name, value))
            elif kind != "file":
                self._form["fields"][name] = [value]
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._form["fields"][self._textarea] = [""]
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            self._form["buttons"].append((attrs["name"], attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._form["fields"][self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None


class JourneyFailed(Exception):
    """A page was not what a person would see (no such form, not signed in)."""


def form_on(response, action: str | None = None, field: str | None = None) -> dict:
    """The page's form that posts to ``action`` (a path), or that has a field whose name
    matches the pattern ``field``; both, when both are given."""
    parser = Forms(response.url)
    parser.feed(response.text)
    for form in parser.forms:
        if form["method"] != "post" or action not in {None, form["action"]}:
            continue
        if field is None or any(re.fullmatch(field, name) for name in [*form["fields"], *form["choices"]]):
            return form
    raise JourneyFailed(f"{urlsplit(response.url).path} has no form posting to {action or field}")


def ids_in(response, pattern: str) -> list[int]:
    return sorted({int(found) for found in re.findall(pattern, response.text)})


# Every answer of 500 or more, by step: the orchestrator fails the run on any.
server_errors: dict[str, int] = {}


@events.request.add_listener
def count_server_errors(name, response, **_):
    if response is not None and getattr(response, "status_code", 0) >= 500:
        server_errors[name] = server_errors.get(name, 0) + 1


@events.quitting.add_listener
def write_server_errors(**_):
    (WRITES / "server_errors.json").write_text(json.dumps(server_errors))


_handing_out = threading.Lock()


class Person(HttpUser):
    abstract = True
    wait_time = THINKING
    network_timeout = TIMEOUT_SECONDS
    connection_timeout = TIMEOUT_SECONDS
    role = ""

    def on_start(self):
        with _handing_out:
            if not PEOPLE[self.role]:
                raise StopUser()  # more simulated people than the people file has
            self.person = PEOPLE[self.role].pop()
        # As a browser does: a page asked for on a kept-alive connection that the server
        # closed at that very moment (its keep-alive timeout) is asked for once more, on a
        # new one. Only reading, never a form sent, and never an answer given: any status,
        # 500 or more included, is what the person gets.
        once_again = Retry(total=1, connect=1, read=1, status=0, other=0, allowed_methods={"GET"})
        self.client.mount("http://", HTTPAdapter(max_retries=once_again))
        self.log = (WRITES / f"{self.person['email']}.jsonl").open("a")
        self.sign_in()

    def on_stop(self):
        self.log.close()

    def wrote(self, kind: str, **facts):
        """A write Waymark confirmed, for the orchestrator's check."""
        self.log.write(json.dumps({"kind": kind, **facts}) + "\n")
        self.log.flush()

    def page(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            problem = f"HTTP {response.status_code}" if response.status_code != 200 else ""
            # Signed out, a page answers with the sign-in form, as 200 after the redirect.
            if response.history and urlsplit(response.url).path == SIGN_IN:
                problem = "sent to sign in"
            if problem:
                response.failure(problem)
                raise JourneyFailed(f"{name}: {problem}")
        return response

    def send(self, form: dict, data: dict, name: str, *, page_url: str, files=None, expect: str = ""):
        """Post ``form`` with ``data`` over its fields, as the browser would from ``page_url``;
        the answer must redirect to a path matching ``expect``. The path redirected to."""
        sent = {**form["fields"], **data}
        with self.client.post(
            form["action"],
            data=sent,
            files=files,
            name=name,
            headers={"Referer": self.client.base_url + urlsplit(page_url).path},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = urlsplit(response.headers.get("Location", ""))
            if response.status_code != 302 or not re.fullmatch(expect, location.path):
                problem = f"HTTP {response.status_code} to {location.path or 'nowhere'}"
                response.failure(problem)
                raise JourneyFailed(f"{name}: {problem}")
        return location.path + (f"?{location.query}" if location.query else "")

    def sign_in(self):
        page = self.page(SIGN_IN, "sign in: page")
        form = form_on(page, field="password")
        data = {"username": self.person["email"], "password": self.person["password"]}
        where = self.send(form, data, "sign in: password", page_url=page.url, expect=r"/.*")
        if self.person.get("key"):
            page = self.page(where, "sign in: code page")
            form = form_on(page, field="code")
            code = f"{TOTP(bytes.fromhex(self.person['key']), step=30, digits=6).token():06d}"
            where = self.send(form, {"code": code}, "sign in: code", page_url=page.url, expect=r"/.*")
        if urlsplit(where).path == SIGN_IN:
            raise JourneyFailed(f"{self.person['email']} was not signed in (sent to {where})")


class Learner(Person):
    """Looks at their portfolio, starts drafts, saves changes to them and uploads files."""

    role = "learners"
    weight = 1

    def on_start(self):
        super().on_start()
        self.drafts: list[int] = []

    @task(3)
    def portfolio(self):
        self.page("/portfolio/", "learner: portfolio")

    @task(1)
    def evidence_list(self):
        self.page("/portfolio/evidence/", "learner: evidence list")

    @task(1)
    def start_draft(self):
        url = "/portfolio/evidence/new/written_account/"
        page = self.page(url, "learner: new draft page")
        title = f"Networking log {uuid.uuid4().hex[:8]}"
        data = {"title": title, "body": "At the regional meeting I met two suppliers."}
        where = self.send(
            form_on(page, action=url),
            data,
            "learner: save new draft",
            page_url=page.url,
            expect=r"/portfolio/evidence/\d+/",
        )
        item = int(re.search(r"\d+", where).group())
        self.wrote("evidence_created", item=item, title=title)
        self.drafts.append(item)
        self.page(where, "learner: evidence page")

    @task(3)
    def edit_draft(self):
        if not self.drafts:
            return self.start_draft()
        item = random.choice(self.drafts)
        url = f"/portfolio/evidence/{item}/edit/"
        page = self.page(url, "learner: edit draft page")
        title = f"Networking log, revised {uuid.uuid4().hex[:8]}"
        data = {"title": title, "body": f"Revised on {uuid.uuid4()}: we agreed to meet again."}
        self.send(
            form_on(page, action=url),
            data,
            "learner: save draft",
            page_url=page.url,
            expect=rf"/portfolio/evidence/{item}/",
        )
        self.wrote("evidence_edited", item=item, title=title)

    @task(2)
    def upload(self):
        if not self.drafts:
            return self.start_draft()
        item = random.choice(self.drafts)
        page = self.page(f"/portfolio/evidence/{item}/", "learner: evidence page")
        form = form_on(page, action=f"/portfolio/evidence/{item}/files/")
        name = f"notes-{uuid.uuid4().hex[:8]}.txt"
        content = f"Notes from the meeting, {uuid.uuid4()}.\n".encode() * 20
        self.send(
            form,
            {},
            "learner: upload a file",
            page_url=page.url,
            files={"files": (name, content, "text/plain")},
            expect=rf"/portfolio/evidence/{item}/",
        )
        self.wrote("file_uploaded", item=item, name=name, sha256=hashlib.sha256(content).hexdigest())


class Assessor(Person):
    """Looks at their caseload and judges the evidence submitted to them."""

    role = "assessors"
    fixed_count = len(PEOPLE["assessors"])

    @task(1)
    def caseload(self):
        self.page("/assessment/", "assessor: caseload")

    @task(2)
    def judge(self):
        self.page("/assessment/", "assessor: caseload")
        if not self.person["to_judge"]:
            return
        item = self.person["to_judge"].pop()
        url = f"/assessment/evidence/{item}/"
        page = self.page(url, "assessor: judge page")
        form = form_on(page, action=url, field=r"outcome-\d+")
        criteria = [
            int(name.removeprefix("outcome-")) for name in form["choices"] if name.startswith("outcome-")
        ]
        data = {f"outcome-{pk}": "met" for pk in criteria}
        data.update({f"feedback-{pk}": "Clear and well evidenced." for pk in criteria})
        self.send(
            form,
            {**data, "action": "accept"},
            "assessor: record decisions",
            page_url=page.url,
            expect=r"/assessment/",
        )
        self.wrote("decisions_recorded", item=item, criteria=criteria)


class Iqa(Person):
    """Samples signed-off learners from the unit's plan and records a verdict on each."""

    role = "iqas"
    fixed_count = len(PEOPLE["iqas"])

    @task(1)
    def home(self):
        self.page("/iqa/", "iqa: home")

    @task(2)
    def sample(self):
        unit = self.person["unit"]
        plan_url = f"/iqa/units/{unit}/plan/"
        page = self.page(plan_url, "iqa: plan")
        form = form_on(page, action=f"/iqa/units/{unit}/samples/")
        # Each IQA samples their own share of the learners, so that two never race for one.
        share = {str(enrolment) for enrolment in self.person["share"]}
        mine = [pick for pick in form["choices"].get("pick", []) if pick.partition(":")[0] in share]
        if not mine:
            return
        pick = random.choice(mine)
        before = set(ids_in(page, r"/iqa/samples/(\d+)/"))
        where = self.send(
            {**form, "fields": {k: v for k, v in form["fields"].items() if k != "pick"}},
            {"pick": [pick]},
            "iqa: start sampling",
            page_url=page.url,
            expect=plan_url,
        )
        self.wrote("iqa_sample_started", pick=pick)
        page = self.page(where, "iqa: plan")
        # Another IQA may have started one meanwhile: this one's is the sample of its learner.
        enrolment = pick.split(":")[0]
        for sample in sorted(set(ids_in(page, r"/iqa/samples/(\d+)/")) - before):
            url = f"/iqa/samples/{sample}/"
            page = self.page(url, "iqa: sample")
            if f"/assessment/enrolments/{enrolment}/" in page.text:
                break
        else:
            raise JourneyFailed(f"The plan shows no new sample of enrolment {enrolment}")
        form = form_on(page, action=url, field="verdict")
        data = {"verdict": "agree", "comments": "Decisions are consistent with the evidence."}
        self.send(form, data, "iqa: record verdict", page_url=page.url, expect=url)
        self.wrote("iqa_verdict_recorded", sample=sample, pick=pick)


class Moderator(Person):
    """Reads their sample, a sampled learner, and asks for the sample's bundle."""

    role = "moderators"
    fixed_count = len(PEOPLE["moderators"])

    @task(3)
    def sample(self):
        url = f"/moderation/samples/{self.person['sample']}/"
        page = self.page(url, "moderator: sample")
        self.wrote("moderation_sample_viewed", sample=self.person["sample"])
        learners = ids_in(page, rf"/moderation/samples/{self.person['sample']}/learners/(\d+)/")
        if learners:
            enrolment = random.choice(learners)
            self.page(f"{url}learners/{enrolment}/", "moderator: learner")
            self.wrote("moderation_learner_viewed", sample=self.person["sample"], enrolment=enrolment)

    @task(1)
    def bundle(self):
        url = f"/moderation/samples/{self.person['sample']}/"
        page = self.page(url, "moderator: sample")
        self.wrote("moderation_sample_viewed", sample=self.person["sample"])
        form = form_on(page, action=f"{url}bundle/")
        where = self.send(
            form, {}, "moderator: request bundle", page_url=page.url, expect=rf"{url}bundles/\d+/"
        )
        render = int(urlsplit(where).path.rstrip("/").rpartition("/")[2])
        self.wrote("bundle_requested", sample=self.person["sample"], render=render)
        self.page(where, "moderator: bundle")
        self.wrote("moderation_bundle_viewed", render=render)
