"""Walks every URL pattern of the project as each role of centre B (and as a visitor),
with centre A's object ids wherever a URL takes an id, and checks that nothing of A's
comes back.

Waymark's own URLs must each be listed in ``WAYMARK_URLS`` with what a person of another
centre may get there, so a new URL fails this test until someone has decided that. The
URLs of Wagtail and Django themselves are walked by the same rules, generically.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from assessment.services import sign_off_unit
from centre.models import Role, UnitGuidance
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from iqa.services import (
    close_action,
    record_sample_verdict,
    respond_to_action,
    save_sampling_plan,
    start_samples,
)
from learners.services import allocate_assessor
from moderation.bundle import request_bundle
from moderation.services import create_moderation_sample, grant_moderator_access
from networking.models import NetworkingPrompt
from tests.factories import EnrolmentFactory, MembershipFactory, submitted_evidence
from tests.factories.networking import contact, enable_networking, review
from tests.moderation.conftest import meet_everything

# What a person of centre B may get from each of Waymark's URLs, given centre A's ids:
# "own-centre" pages show the person's own centre (so B's, never A's) and take no ids.
WAYMARK_URLS = {
    "centre:home": "own-centre",
    "centre:choose": "own-centre",
    "learners:list": "own-centre",
    "learners:import": "own-centre",
    "learners:invite": "own-centre",
    "learners:export": "own-centre-file",
    "learners:allocated": "own-centre",
    "learners:allocate": "centre-object",
    "privacy:retention": "own-centre",
    "privacy:records": "centre-object",
    "privacy:subject_access": "centre-object",
    "privacy:place_hold": "centre-object",
    "privacy:release_hold": "centre-object",
    "centre:staff": "own-centre",
    "centre:end_role": "centre-object",
    "centre:units": "own-centre",
    "units_import": "catalogue",
    "wagtailsnippets_centre_unitguidance:add": "own-centre",
    "wagtailsnippets_networking_networkingprompt:add": "own-centre",
    "assessment:countersign": "centre-object",
    "assessment:caseload": "own-centre",
    "assessment:enrolment": "centre-object",
    "assessment:sign_off_unit": "centre-object",
    "assessment:judge": "centre-object",
    "assessment:sign_off": "centre-object",
    "assessment:reopen": "centre-object",
    "assessment:unit_grid": "own-centre",
    "iqa:answer_action": "centre-object",
    "iqa:home": "own-centre",
    "iqa:plan": "own-centre",
    "iqa:start_sampling": "own-centre",
    "iqa:sample": "centre-object",
    "iqa:evidence_version": "centre-object",
    "iqa:close_action": "centre-object",
    "centre:audit_trail": "own-centre",
    "moderation:home": "own-centre",
    "moderation:sample": "centre-object",
    "moderation:candidate": "centre-object",
    "moderation:file": "centre-object",
    "moderation:request_bundle": "centre-object",
    "moderation:bundle": "centre-object",
    "moderation:bundle_status": "centre-object",
    "moderation:bundle_download": "centre-object",
    "moderation:manage": "own-centre",
    "moderation:new_sample": "own-centre",
    "moderation:manage_sample": "centre-object",
    "moderation:revoke_access": "centre-object",
    "assessment:learner_home": "own-centre",
    "privacy:own_subject_access": "own-centre-file",
    "portfolio:evidence_list": "own-centre",
    "portfolio:choose_kind": "own-centre",
    "portfolio:create": "own-centre",
    "portfolio:evidence": "centre-object",
    "portfolio:edit": "centre-object",
    "portfolio:upload": "centre-object",
    "portfolio:remove_file": "centre-object",
    "portfolio:map": "centre-object",
    "portfolio:submit": "centre-object",
    "portfolio:delete": "centre-object",
    "portfolio:version": "centre-object",
    "portfolio:file": "centre-object",
    "networking:home": "own-centre",
    "networking:add_contact": "own-centre",
    "networking:export_contacts": "own-centre",
    "networking:contact": "centre-object",
    "networking:edit_contact": "centre-object",
    "networking:delete_contact": "centre-object",
    "networking:add_interaction": "centre-object",
    "networking:reviews": "own-centre",
    "networking:new_review": "own-centre",
    "networking:compare_reviews": "own-centre",
    "networking:review": "centre-object",
    "networking:guidelines": "own-centre",
    "networking:use_as_evidence": "own-centre",
    "login": "public",
    "logout": "public",
    "password_reset": "public",
    "password_reset_done": "public",
    "password_reset_confirm": "public",
    "two_factor_verify": "public",
    "two_factor_set_up": "public",
    "security": "public",
    "recovery_codes": "public",
    "admin_sign_in": "public",
}
PROJECT_MODULES = ("accounts.", "centre.", "learners.", "moderation.", "units.", "audit.")
A_SECRETS = ("Northgate College", "Zebedee", "Quartermaine", "zebedee@northgate-learner.example")
REFUSED = {403, 404, 405}
# Where the Wagtail admin sends a person it lets in but refuses an action ("Sorry, you
# do not have permission to access this area").
WAGTAIL_PERMISSION_DENIED = "/admin/"
# Wagtail admin views that anyone let into the admin (centre admins, for their guidance)
# may open: they name the shared catalogue's pages and Wagtail's own workflow tasks,
# which belong to no centre. A GET of "move confirm" only asks the question; moving
# needs a POST that checks page permissions.
SHARED_ADMIN_VIEWS = {
    "wagtailadmin_choose_page_child",
    "wagtailadmin_pages:move_confirm",
    "wagtailadmin_pages:confirm_workflow_cancellation",
    "wagtailadmin_workflows:task_chosen",
}
# Wagtail's page that raises on purpose, to test error reporting.
DELIBERATE_ERRORS = {"wagtailadmin_error_test"}
# A route parameter that names a stored object: an integer, or a name ending in pk or id
# (not a password link's uidb64 and token, which name nothing until they check out), other
# than a unit of the shared catalogue, which every centre offering it has pages for.
NAMES_AN_OBJECT = re.compile(r"<int:(?!unit_id>)|<(?:\w+:)?(?!unit_id>)\w*(?:pk|id)>")


def url_patterns(patterns=None, prefix="", namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback.__module__


def fill(route: str, ids: dict[str, int]) -> str | None:
    """A concrete path for a route, with A's ids in its parameters; None for routes that
    are regular expressions matching no concrete path we can make."""
    if route.startswith("^") or "(?P" in route:
        return None

    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        if converter == "int":
            return str(ids.get(name, ids["default"]))
        if converter == "path":
            return "r-600-9587/"
        return "units" if "app" in name else ("unitpage" if "model" in name else "1")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def close_everything(*, action, assessor, iqa):
    respond_to_action(action=action, assessor=assessor, response="Done")
    close_action(action=action, iqa=iqa)
    return action.sample


@pytest.fixture
def centre_a_world(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        enrolment = EnrolmentFactory(
            learner__centre=centre_a,
            learner__first_name="Zebedee",
            learner__last_name="Quartermaine",
            learner__email="zebedee@northgate-learner.example",
            unit=seed_unit,
        )
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
        item = submitted_evidence(enrolment, title="Quartermaine’s account", file_name="Zebedee.pdf")
        evidence_file = item.files.get()
        enable_networking(seed_unit)
        zebedees_contact = contact(enrolment.learner, "Zebedee’s mentor", email="mentor@northgate.example")
        zebedees_review = review(
            enrolment.learner,
            [{"contact": zebedees_contact, "value": "high", "effort": "low", "decision": "keep"}],
        )
        NetworkingPrompt.objects.create(centre=centre_a, prompt="<p>Zebedee’s centre asks for this.</p>")
        UnitGuidance.objects.create(centre=centre_a, unit=seed_unit, body="<p>Ask Zebedee first.</p>")
        meet_everything(enrolment)
        sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
        iqa = MembershipFactory(centre=centre_a, role=Role.IQA).user
        plan = save_sampling_plan(
            centre=centre_a, unit=seed_unit, actor=iqa, standard_rate=25, higher_rate=50, methods=[], risks={}
        )
        (sample,) = start_samples(plan=plan, iqa=iqa, picks=[(enrolment.pk, "summative")])
        record_sample_verdict(
            sample=sample,
            iqa=iqa,
            verdict="disagree",
            comments="Zebedee needs more",
            actions=["Zebedee: redo 2.1"],
        )
        action = sample.actions.get()
        admin = MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN).user
        iqa_action_closed_sample = close_everything(action=action, assessor=assessor, iqa=iqa)
        moderation_sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[enrolment.pk]
        )
        access = grant_moderator_access(
            sample=moderation_sample, actor=admin, email="zebedee-moderator@ocr.example"
        )
        bundle = request_bundle(sample=moderation_sample, actor=access.moderator)
        from privacy.services import place_hold

        hold = place_hold(learner=enrolment.learner, actor=admin, reason="Zebedee’s appeal")
    return {
        "render_id": bundle.pk,
        "access_id": access.pk,
        "hold_id": hold.pk,
        "enrolment_id": enrolment.pk,
        "sign_off_id": sign_off.pk,
        "sample_id": moderation_sample.pk,
        "iqa_sample_id": iqa_action_closed_sample.pk,
        "action_id": action.pk,
        "unit_id": seed_unit.pk,
        "item_id": item.pk,
        "file_id": evidence_file.pk,
        "contact_id": zebedees_contact.pk,
        "review_id": zebedees_review.pk,
        "number": 1,
        "default": enrolment.pk,
        "pk": enrolment.pk,
        "learner_id": enrolment.learner.pk,
        "user_id": assessor.pk,
        "page_id": seed_unit.pk,
        "parent_page_id": seed_unit.pk,
    }


@pytest.fixture
def centre_b_people(centre_b, seed_unit):
    # B offers the same catalogue unit, so its pages for that unit are served: with B's
    # learners only.
    set_offered_units(centre=centre_b, urns=["R/600/9587"])
    with scopes_disabled():
        return {role: MembershipFactory(centre=centre_b, role=role).user for role in Role.values}


def test_every_project_url_is_in_the_walk():
    unlisted = [
        (route, name)
        for route, name, module in url_patterns()
        if module.startswith(PROJECT_MODULES) and name not in WAYMARK_URLS
    ]
    assert not unlisted, f"Add these URLs to WAYMARK_URLS in {__name__}: {unlisted}"


def test_no_url_gives_centre_b_anything_of_centre_a(client, centre_a_world, centre_b_people):
    """Every path, as a visitor and as each role of B: nothing of A's in any response, and
    a path that names one of A's objects is refused (403, 404), sends the person to sign
    in or back to the admin's dashboard, never served."""
    walked = {"/": False, "/r-600-9587/": False}
    for route, name, _ in url_patterns():
        if name in DELIBERATE_ERRORS:
            continue
        if (path := fill(route, centre_a_world)) is not None:
            names_a_centre_object = bool(NAMES_AN_OBJECT.search(route)) and name not in SHARED_ADMIN_VIEWS
            walked[path] = walked.get(path, False) or names_a_centre_object
    assert len(walked) > 150
    leaks, served = [], []
    for person in [None, *centre_b_people.values()]:
        client.logout()
        if person is not None:
            client.force_login(person)
        for path, names_an_object in walked.items():
            response = client.get(path, follow=True)
            body = response.content.decode(errors="replace")
            who = getattr(person, "email", "visitor")
            if any(secret in body for secret in A_SECRETS):
                leaks.append((who, path, response.status_code))
            sent_away = any(
                "login" in url or "sign-in" in url or url == WAGTAIL_PERMISSION_DENIED
                for url, _ in response.redirect_chain
            )
            if names_an_object and response.status_code not in REFUSED and not sent_away:
                served.append((who, path, response.status_code))
    assert not leaks, f"centre A's data reached centre B: {leaks}"
    assert not served, f"paths naming centre A's objects were served to centre B: {served}"


@pytest.mark.parametrize("role", Role.values)
def test_centre_pages_refuse_or_show_only_the_persons_own_centre(
    client, centre_a_world, centre_b_people, role
):
    client.force_login(centre_b_people[role])
    for route, name, _module in url_patterns():
        if WAYMARK_URLS.get(name) != "own-centre":
            continue
        response = client.get(fill(route, centre_a_world))
        body = response.content.decode()
        assert response.status_code in REFUSED | {200, 302}, (name, response.status_code)
        if response.status_code == 200:
            assert "Southfield Training" in body, name
            assert not any(secret in body for secret in A_SECRETS), name


@pytest.mark.parametrize("role", Role.values)
def test_pages_of_another_centres_objects_are_refused(client, centre_a_world, centre_b_people, role):
    client.force_login(centre_b_people[role])
    objects = [
        (route, name) for route, name, _ in url_patterns() if WAYMARK_URLS.get(name) == "centre-object"
    ]
    assert objects
    for route, name in objects:
        path = fill(route, centre_a_world)
        assert client.get(path).status_code in REFUSED, name
        assert client.post(path, {}).status_code in {403, 404}, name
