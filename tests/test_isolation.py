"""Walks every URL pattern of the project as each role of centre B (and as a visitor),
with centre A's object ids wherever a URL takes an id, and checks that nothing of A's
comes back.

Every text field of every row centre A owns carries a marker of its own
(``ISOLATION-<model>-<field>-<pk>``, see ``mark_centre``), so a page, file or message that
shows any of A's words to B is caught, whatever field it comes from; a new free-text field
is marked without being listed here. Only fields whose value has a format the code reads
(a choice, a hash, a number, a storage name) keep their value, each listed in
``KEPT_FIELDS`` with the reason.

Waymark's own URLs must each be listed in ``WAYMARK_URLS`` with what a person of another
centre may get there, so a new URL fails this test until someone has decided that; a path
that names one of A's objects answers B's people with 404, exactly as for an object that
does not exist. The URLs of Wagtail and Django themselves are walked by the same rules,
generically.
"""

import io
import re
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from pypdf import PdfReader
from wagtail.fields import RichTextField, StreamField

from assessment.services import Judgement, record_criterion_decision, sign_off_unit
from centre.models import Centre, Membership, Role, UnitGuidance
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from iqa.services import (
    close_action,
    record_sample_verdict,
    respond_to_action,
)
from learners.services import allocate_assessor
from moderation.bundle import request_bundle
from moderation.services import create_moderation_sample, grant_moderator_access
from networking.models import NetworkingPrompt
from networking.services import log_interaction, save_guidelines
from privacy.services import place_hold
from tests.factories import EnrolmentFactory, MembershipFactory, submitted_evidence
from tests.factories.networking import contact, enable_networking, review, submitted_record
from tests.helpers import sampled_by_iqa

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
    "networking:export_contacts": "own-centre-file",
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
    "operations:health": "public",
}
# The project's own code: every project app, its settings package and the shared helpers.
PROJECT_MODULES = tuple(
    f"{name}." for name in (*(apps.get_app_config(label).name for label in settings.WAYMARK_APPS), "config")
)
A_SECRETS = ("Northgate College", "Zebedee", "Quartermaine", "zebedee@northgate-learner.example")
# Every marker mark_centre plants, in any case (an email's is lower case, a slug made of
# a title would be too). Only centre A's rows carry one, so any match is a leak.
MARKER = re.compile(r"isolation-\w+-[\w.]+-\d+", re.IGNORECASE)
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
# Routes written as regular expressions, which ``fill`` cannot make a path for, and how
# the walk covers them instead.
REGEX_ROUTES = {
    "wagtail_serve": "the catalogue's pages: the walk asks for / and the seed unit's page",
    "wagtailadmin_pages:revisions_compare": "a catalogue page's revisions, which belong to no centre",
    None: "static files (served when DEBUG is on), which hold no centre's data",
}
# The paths the walk asks for beside those ``fill`` makes: Wagtail's catalogue pages.
SERVED_PAGES = ("/", "/r-600-9587/")
# A route parameter that names a stored object: an integer, or a name ending in pk or id
# (not a password link's uidb64 and token, which name nothing until they check out), other
# than a unit of the shared catalogue, which every centre offering it has pages for.
NAMES_AN_OBJECT = re.compile(r"<int:(?!unit_id>)|<(?:\w+:)?(?!unit_id>)\w*(?:pk|id)>")
# Wagtail's admin views of one snippet of a project's model: their pk is the model's.
SNIPPET_ROUTE = re.compile(r"snippets/(?:choose/)?(?P<app>\w+)/(?P<model>\w+)/")

# Text fields of centre A's rows that keep their value, and why: each holds a format the
# code reads back (a choice, a hash, a number, a path in storage), so a marker there would
# not be A's words but a broken row. Every other CharField, TextField, rich text and
# string in a JSONField of a centre-owned row is marked, so a new free-text field is
# covered without being listed; an EmailField gets a marker shaped as an address.
KEPT_FIELDS = {
    "accounts.User.password": "a password hash",
    "centre.Centre.number": "OCR's five-digit centre number",
    "centre.Membership.role": "a choice",
    "learners.Learner.uln": "a ten-digit ULN with its check digit",
    "learners.Learner.candidate_number": "a four-digit candidate number",
    "learners.Enrolment.status": "a choice",
    "portfolio.EvidenceItem.kind": "a choice",
    "portfolio.EvidenceItem.status": "a choice",
    "portfolio.EvidenceFile.content_type": "a media type, sent with the file",
    "portfolio.EvidenceFile.sha256": "the content's hash (the same test PDF at every centre)",
    "networking.NetworkContact.kind": "a choice",
    "networking.NetworkContact.sector": "a choice",
    "networking.NetworkReviewEntry.contact_sector": "a choice",
    "networking.NetworkReviewEntry.value": "a choice",
    "networking.NetworkReviewEntry.effort": "a choice",
    "networking.NetworkReviewEntry.decision": "a choice",
    "assessment.CriterionDecision.outcome": "a choice",
    "iqa.SamplingPlan.methods": "a list of sampling methods, each a choice",
    "iqa.AssessorRisk.level": "a choice",
    "iqa.IqaSample.stage": "a choice",
    "iqa.IqaSample.verdict": "a choice",
    "moderation.BundleRender.fingerprint": "a hash of what the bundle was made from",
    "moderation.BundleRender.status": "a choice",
    "moderation.BundleRender.pdf": "the rendered file's name in storage",
    "moderation.BundleRender.archive": "the archive's name in storage",
    "moderation.BundleRender.parts": "the parts' page ranges and names in storage",
    "audit.AuditRecord.verb": "the trail is append-only (PostgreSQL refuses an UPDATE) and hash-chained",
    "audit.AuditRecord.object_type": "the trail is append-only and hash-chained; a model's label",
    "audit.AuditRecord.object_id": "the trail is append-only and hash-chained; a key",
    "audit.AuditRecord.details": "the trail is append-only and hash-chained; keys and facts, no names",
    "audit.AuditRecord.previous_hash": "the trail is append-only and hash-chained; a hash",
    "audit.AuditRecord.hash": "the trail is append-only and hash-chained; a hash",
}
# Text fields that a check constraint keeps empty on some rows: marked where they hold
# text, and why the others stay empty.
MARKED_WHERE_WRITTEN = {
    "networking.NetworkReviewEntry.group": "empty on a contact's line: a line names a contact or a group",
}
# Strings inside JSONFields (by model, field and the keys to them, lists' indices left
# out) that hold a format the code reads back; every other string in them is marked.
KEPT_JSON = {
    "portfolio.EvidenceItem.details": {
        "record": "which networking record, a choice",
        "witnessed_on": "an ISO 8601 date",
        "observed_on": "an ISO 8601 date",
        "discussed_on": "an ISO 8601 date",
    },
    "portfolio.EvidenceVersion.snapshot": {
        "kind": "a choice",
        "details.record": "which networking record, a choice",
        "details.witnessed_on": "an ISO 8601 date",
        "details.observed_on": "an ISO 8601 date",
        "details.discussed_on": "an ISO 8601 date",
        "files.content_type": "a media type",
        "files.sha256": "a hash",
        "mappings.code": "a criterion's code in the shared catalogue",
        "mappings.unit": "a unit's URN in the shared catalogue",
        "network.record": "which networking record, a choice",
        "network.contacts.kind": "a choice",
        "network.contacts.sector": "a choice",
        "network.contacts.last_contact": "an ISO 8601 date",
        "network.contacts.interactions.occurred_on": "an ISO 8601 date",
    },
    "assessment.UnitSignOff.recording_sheet": {
        "centre.number": "OCR's five-digit centre number",
        "unit.urn": "a unit's URN in the shared catalogue",
        "learner.candidate_number": "a four-digit candidate number",
        "criteria.code": "a criterion's code in the shared catalogue",
        "criteria.outcome": "a choice",
        "criteria.decided_at": "an ISO 8601 time",
    },
}
# Who each page naming one of a centre's objects is for: the roles for which it looks the
# object up (and so answers 404 for another centre's); it refuses anyone else by role.
ADMIN, ASSESSOR, IQA, LEARNER, MODERATOR = (
    Role.CENTRE_ADMIN,
    Role.ASSESSOR,
    Role.IQA,
    Role.LEARNER,
    Role.MODERATOR,
)
SNIPPET_MODELS = {"centre.unitguidance": 1, "networking.networkingprompt": 1}
OBJECT_ROLES = {
    "centre:end_role": {ADMIN},
    "learners:allocate": {ADMIN},
    **{f"networking:{name}": {LEARNER} for name in ["contact", "edit_contact", "delete_contact"]},
    **{f"networking:{name}": {LEARNER} for name in ["add_interaction", "review"]},
    **{f"portfolio:{name}": {LEARNER} for name in ["evidence", "edit", "upload", "remove_file"]},
    **{f"portfolio:{name}": {LEARNER} for name in ["map", "submit", "delete", "version"]},
    "portfolio:file": {ASSESSOR, IQA, LEARNER},
    "assessment:enrolment": {ADMIN, ASSESSOR, IQA},
    "assessment:sign_off_unit": {ASSESSOR},
    "assessment:judge": {ASSESSOR},
    "assessment:sign_off": {ADMIN, ASSESSOR, IQA, LEARNER},
    "assessment:reopen": {ADMIN},
    "assessment:countersign": {LEARNER},
    "iqa:sample": {IQA},
    "iqa:evidence_version": {IQA},
    "iqa:answer_action": {ASSESSOR},
    "iqa:close_action": {IQA},
    **{
        f"moderation:{name}": {MODERATOR}
        for name in [
            "sample",
            "candidate",
            "file",
            "request_bundle",
            "bundle",
            "bundle_status",
            "bundle_download",
        ]
    },
    "moderation:manage_sample": {ADMIN},
    "moderation:revoke_access": {ADMIN},
    **{f"privacy:{name}": {ADMIN} for name in ["records", "subject_access", "place_hold", "release_hold"]},
    # The Wagtail admin's pages of a centre's snippets, for its admins' guidance.
    **{
        f"wagtailsnippets_{model.replace('.', '_')}:{name}": {ADMIN}
        for model in SNIPPET_MODELS
        for name in ["edit", "delete", "usage", "history", "history_results"]
    },
    **{f"wagtailsnippetchoosers_{model.replace('.', '_')}:chosen": {ADMIN} for model in SNIPPET_MODELS},
}
# Project models with no rows of their own at a centre, and why.
NOT_CENTRE_OWNED = {
    "accounts.SignInFailure": "a throttling counter keyed by a hash, for no centre",
    "units.CatalogueIndexPage": "the shared catalogue, served to every centre",
    "units.UnitPage": "the shared catalogue, served to every centre",
    "units.LearningOutcome": "the shared catalogue, served to every centre",
    "units.AssessmentCriterion": "the shared catalogue, served to every centre",
    "units.QualificationPage": "the shared catalogue, served to every centre",
    "moderation.ModerationSampleUserObjectPermission": "a grant: two keys and a permission, no text",
    "operations.WorkerHeartbeat": "a task worker process of the installation, which serves every centre",
}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, RichTextField, StreamField)


def project_models():
    for label in settings.WAYMARK_APPS:
        yield from apps.get_app_config(label).get_models()


def text_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS)
        and not f.is_relation
        and f"{model._meta.label}.{f.name}" not in KEPT_FIELDS
    ]


def owned_by_a_centre(model) -> bool:
    return model in (Centre, get_user_model()) or any(
        f.name == "centre" and f.is_relation for f in model._meta.concrete_fields
    )


def rows_of(model, centre):
    """The rows of ``model`` that are ``centre``'s: its own row, its people (who belong to
    no other centre), and every row of a centre-owned model."""
    if model is Centre:
        return Centre.objects.filter(pk=centre.pk)
    if model is get_user_model():
        people = set(Membership.objects.filter(centre=centre).values_list("user_id", flat=True))
        elsewhere = set(Membership.objects.exclude(centre=centre).values_list("user_id", flat=True))
        return model.objects.filter(pk__in=people - elsewhere)
    return model.objects.filter(centre=centre)


def marked(value: Any, stem: str, kept: dict, planted: dict[str, str], path: tuple = ()) -> Any:
    """A JSON value with every string marked (but those at a path in ``kept``), each with
    the path to it (``stem`` holds ``PATH`` where it goes)."""
    if isinstance(value, dict):
        return {k: marked(v, stem, kept, planted, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [marked(v, stem, kept, planted, (*path, str(n))) for n, v in enumerate(value)]
    if isinstance(value, str) and ".".join(p for p in path if not p.isdigit()) not in kept:
        marker = stem.replace("PATH", ".".join(path))
        planted[marker] = f"{'.'.join(path)} in {stem.split('.PATH')[0]}"
        return f"{value} {marker}".strip()
    return value


def mark_centre(centre) -> dict[str, str]:
    """Set every text field of every row of ``centre`` to hold a marker of its own (kept
    after the original words where they fit, so the original words are still looked for
    too), through ``update()`` so that no validator or ``save()`` intervenes. Returns the
    markers, each with the row and field it was planted in."""
    planted = {}
    for model in project_models():
        if not owned_by_a_centre(model):
            continue
        fields = text_fields(model)
        for row in rows_of(model, centre).values("pk", *(f.name for f in fields)):
            values = {}
            for f in fields:
                stem = f"ISOLATION-{model._meta.model_name}-{f.name}-{row['pk']}"
                original = row[f.name] or ""
                if not original and f"{model._meta.label}.{f.name}" in MARKED_WHERE_WRITTEN:
                    continue
                if isinstance(f, models.EmailField):
                    value = f"{stem.lower()}@isolation.example"
                elif isinstance(f, models.JSONField):
                    stem = f"ISOLATION-{model._meta.model_name}-{f.name}.PATH-{row['pk']}"
                    kept = KEPT_JSON.get(f"{model._meta.label}.{f.name}", {})
                    values[f.name] = marked(row[f.name], stem, kept, planted)
                    continue
                elif isinstance(f, RichTextField):
                    value = f"{original}<p>{stem}</p>"
                else:
                    value = f"{original} {stem}".strip()
                    if f.max_length and len(value) > f.max_length:
                        value = stem
                    assert not f.max_length or len(value) <= f.max_length, f"{stem} is too long for its field"
                values[f.name] = value
                planted[stem] = f"{model._meta.label}.{f.name} of row {row['pk']}"
            if values:
                model.objects.filter(pk=row["pk"]).update(**values)
    return planted


def _walk(patterns, prefix, namespace, urlconf):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
            module = getattr(pattern.urlconf_name, "__name__", urlconf)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner, module)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback.__module__, urlconf


def url_patterns():
    """Every URL pattern: its route, its name (with namespaces) and its view's module."""
    for route, name, module, _urlconf in _walk(
        get_resolver().url_patterns, "", None, get_resolver().urlconf_name
    ):
        yield route, name, module


def project_url_patterns():
    """The patterns that are Waymark's: declared in one of its URLconfs, or served by one
    of its views (a Wagtail hook's)."""
    for route, name, module, urlconf in _walk(
        get_resolver().url_patterns, "", None, get_resolver().urlconf_name
    ):
        # Not the static files that config.urls serves with DEBUG on: whether the route is
        # there depends on DEBUG when the URLconf was first imported (a test module's
        # reverse() at collection), and it serves the public stylesheets, nothing of a centre.
        if module == "django.contrib.staticfiles.views":
            continue
        if module.startswith(PROJECT_MODULES) or f"{urlconf}.".startswith(PROJECT_MODULES):
            yield route, name


def fill(route: str, ids: dict[str, Any]) -> str | None:
    """A concrete path for a route, with A's ids in its parameters; None for routes that
    are regular expressions matching no concrete path we can make."""
    if route.startswith("^") or "(?P" in route:
        return None
    snippet = SNIPPET_ROUTE.search(route)
    snippet_pk = ids.get("models", {}).get(f"{snippet['app']}.{snippet['model']}") if snippet else None

    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        if name == "pk" and snippet_pk is not None:
            return str(snippet_pk)
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


def meet_everything(enrolment):
    criteria = [c for o in enrolment.unit.learning_outcomes.all() for c in o.criteria.all()]
    for criterion in criteria:
        record_criterion_decision(
            enrolment=enrolment,
            assessor=enrolment.assessor,
            criterion=criterion,
            judgement=Judgement("met", "Zebedee’s evidence is sound.", 0),
        )


@pytest.fixture
def centre_a_world(centre_a, seed_unit):
    """Centre A with a row of every centre-owned model, then every text field of them
    marked (``mark_centre``)."""
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        enrolment = EnrolmentFactory(
            learner__centre=centre_a,
            learner__user=MembershipFactory(centre=centre_a, role=Role.LEARNER).user,
            learner__first_name="Zebedee",
            learner__last_name="Quartermaine",
            learner__email="zebedee@northgate-learner.example",
            unit=seed_unit,
        )
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
        enrolment.refresh_from_db()
        item = submitted_evidence(enrolment, title="Quartermaine’s account", file_name="Zebedee.pdf")
        evidence_file = item.files.get()
        enable_networking(seed_unit)
        zebedees_contact = contact(enrolment.learner, "Zebedee’s mentor", email="mentor@northgate.example")
        log_interaction(
            contact=zebedees_contact,
            data={
                "occurred_on": seed_unit.last_published_at.date(),
                "purpose": "Zebedee’s catch-up",
                "outcome": "Met",
            },
        )
        save_guidelines(learner=enrolment.learner, body="Keep a note of each meeting.")
        zebedees_review = review(
            enrolment.learner,
            [
                {
                    "contact": zebedees_contact,
                    "value": "high",
                    "effort": "low",
                    "decision": "keep",
                    "comment": "Zebedee",
                }
            ],
        )
        submitted_record(enrolment, {"record": "register"}, codes=("2.1",), body="Zebedee’s register")
        NetworkingPrompt.objects.create(centre=centre_a, prompt="<p>Zebedee’s centre asks for this.</p>")
        guidance = UnitGuidance.objects.create(
            centre=centre_a, unit=seed_unit, body="<p>Ask Zebedee first.</p>"
        )
        meet_everything(enrolment)
        sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
        iqa = MembershipFactory(centre=centre_a, role=Role.IQA).user
        sample = sampled_by_iqa(enrolment, iqa=iqa, risks={assessor.pk: "high"})
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
        hold = place_hold(learner=enrolment.learner, actor=admin, reason="Zebedee’s appeal")
    with scopes_disabled():
        empty = [
            model._meta.label
            for model in project_models()
            if owned_by_a_centre(model) and text_fields(model) and not rows_of(model, centre_a).exists()
        ]
        assert not empty, f"centre A has no rows of {empty}, so their text is not looked for: make some"
        planted = mark_centre(centre_a)
        first_rows = {
            model._meta.label_lower: rows.first().pk
            for model in project_models()
            if owned_by_a_centre(model) and (rows := rows_of(model, centre_a)).exists()
        }
    ids = {
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
        "models": {**first_rows, "centre.unitguidance": guidance.pk},
    }
    return {"ids": ids, "planted": planted, "admin": admin}


@pytest.fixture
def centre_b_people(centre_b, seed_unit):
    # B offers the same catalogue unit, so its pages for that unit are served: with B's
    # learners only.
    # Its learner is enrolled, with its assessor, so that their pages show B's rows.
    set_offered_units(centre=centre_b, urns=["R/600/9587"])
    with scopes_disabled():
        people = {role: MembershipFactory(centre=centre_b, role=role).user for role in Role.values}
        enrolment = EnrolmentFactory(
            learner__centre=centre_b, learner__user=people[Role.LEARNER], unit=seed_unit
        )
    with centre_scope(centre_b):
        allocate_assessor(enrolment=enrolment, assessor=people[Role.ASSESSOR])
    return people


def body_of(response) -> str:
    """A response's text, a download's too: the members of a ZIP (an archive, a
    spreadsheet) and the text of a PDF, which are compressed."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"\n".join(archive.read(member) for member in archive.namelist())
    elif content.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode(errors="replace")


def leaked(body: str) -> list[str]:
    """What of centre A's is in ``body``: its markers, and the words it was made with."""
    return [*MARKER.findall(body), *(secret for secret in A_SECRETS if secret in body)]


def test_every_project_url_is_in_the_walk():
    project = list(project_url_patterns())
    unlisted = [(route, name) for route, name in project if name not in WAYMARK_URLS]
    assert not unlisted, f"Add these URLs to WAYMARK_URLS in {__name__}: {unlisted}"
    gone = set(WAYMARK_URLS) - {name for _, name in project}
    assert not gone, f"WAYMARK_URLS lists URLs that are no longer Waymark's: {gone}"


def test_every_url_pattern_is_walked():
    """The walk asks for a path of every pattern, Waymark's, Wagtail's and Django's, but
    the deliberate error and the routes written as regular expressions, which are each
    covered another way (``REGEX_ROUTES``)."""
    unwalked = {
        name
        for route, name, _ in url_patterns()
        if fill(route, {"default": 1, "models": SNIPPET_MODELS}) is None
    } - set(DELIBERATE_ERRORS)
    assert unwalked <= set(REGEX_ROUTES), (
        f"routes the walk cannot make a path for: {unwalked - set(REGEX_ROUTES)}"
    )


def test_every_project_model_is_marked_or_owned_by_no_centre():
    unowned = {m._meta.label for m in project_models() if not owned_by_a_centre(m)}
    assert unowned == set(NOT_CENTRE_OWNED), (
        "a project model whose rows belong to no centre: say why in NOT_CENTRE_OWNED",
        unowned ^ set(NOT_CENTRE_OWNED),
    )
    fields = {f"{m._meta.label}.{f.name}" for m in project_models() for f in m._meta.concrete_fields}
    assert not set(KEPT_FIELDS) - fields, "KEPT_FIELDS names fields that do not exist"
    assert not set(MARKED_WHERE_WRITTEN) - fields, "MARKED_WHERE_WRITTEN names fields that do not exist"
    assert not set(KEPT_JSON) - fields, "KEPT_JSON names fields that do not exist"


def test_the_markers_reach_centre_a_s_own_pages(client, centre_a_world):
    """The markers are shown where they should be: the walk below would find them."""
    client.force_login(centre_a_world["admin"])
    found = leaked(client.get("/learners/").content.decode())
    assert {"Zebedee", "Northgate College"} <= set(found)
    assert {m for m in found if m.startswith("ISOLATION-learner-")} >= {
        f"ISOLATION-learner-{field}-{centre_a_world['ids']['learner_id']}"
        for field in ("first_name", "last_name")
    }
    assert all(MARKER.fullmatch(marker) for marker in centre_a_world["planted"])
    assert len(centre_a_world["planted"]) > 100


def test_no_url_gives_centre_b_anything_of_centre_a(client, centre_a_world, centre_b_people):
    """Every path, as a visitor and as each role of B: nothing of A's in any response, and
    a path that names one of A's objects is refused (403, 404), sends the person to sign
    in or back to the admin's dashboard, never served."""
    ids = centre_a_world["ids"]
    planted = {marker.lower(): where for marker, where in centre_a_world["planted"].items()}
    walked = dict.fromkeys(SERVED_PAGES, False)
    for route, name, _ in url_patterns():
        if name in DELIBERATE_ERRORS:
            continue
        if (path := fill(route, ids)) is not None:
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
            body = body_of(response)
            who = getattr(person, "email", "visitor")
            if found := leaked(body):
                leaks.append((who, path, response.status_code, [planted.get(m.lower(), m) for m in found]))
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
        response = client.get(fill(route, centre_a_world["ids"]))
        body = body_of(response)
        assert response.status_code in REFUSED | {200, 302}, (name, response.status_code)
        if response.status_code == 200:
            assert "Southfield Training" in body, name
            assert not leaked(body), name


def centre_object_paths(ids):
    """Every path that names one of centre A's objects: Waymark's, and the Wagtail admin's
    pages of A's snippets."""
    for route, name, _ in url_patterns():
        snippet = SNIPPET_ROUTE.search(route)
        if WAYMARK_URLS.get(name) == "centre-object" or (
            snippet
            and "<" in route[snippet.end() :]
            and f"{snippet['app']}.{snippet['model']}" in ids["models"]
        ):
            yield name, fill(route, ids)


def nowhere(ids):
    """``ids`` with every object's id one that no object has."""
    return {
        **{key: 10**6 if isinstance(value, int) else value for key, value in ids.items()},
        "models": dict.fromkeys(ids["models"], 10**6),
    }


def test_every_object_path_says_who_looks_its_object_up():
    names = {name for name, _ in centre_object_paths({"default": 1, "models": SNIPPET_MODELS})}
    assert names == set(OBJECT_ROLES), names ^ set(OBJECT_ROLES)


@pytest.mark.parametrize("role", Role.values)
def test_pages_of_another_centres_objects_are_not_found(client, centre_a_world, centre_b_people, role):
    """To B's people, A's objects do not exist. Whoever a page is for (``OBJECT_ROLES``)
    is told 404, exactly as for an id that no object has: never 403, which would say that
    it exists, nor a redirect. Anyone else is refused by their role before any object is
    looked up, with the same answer for A's object as for no object."""
    client.force_login(centre_b_people[role])
    ids = centre_a_world["ids"]
    paths = list(zip(centre_object_paths(ids), centre_object_paths(nowhere(ids)), strict=True))
    assert len(paths) > 40
    wrong = {}
    for (name, path), (_, missing) in paths:
        got = (client.get(path).status_code, client.post(path, {}).status_code)
        for_nothing = (client.get(missing).status_code, client.post(missing, {}).status_code)
        if role in OBJECT_ROLES[name]:
            # 405 where the page does not take that method, for any id.
            expected = tuple(404 if answer != 405 else 405 for answer in for_nothing)
            if got != expected or 404 not in got:
                wrong[name] = (got, "for an id no object has:", for_nothing)
        elif got != for_nothing:
            wrong[name] = (got, "for an id no object has:", for_nothing)
        if WAYMARK_URLS.get(name) == "centre-object":
            assert got[0] in REFUSED and got[1] in {403, 404}, name
    assert not wrong, f"centre A's objects as {role} of centre B: {wrong}"
