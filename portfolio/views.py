"""The learner's portfolio: their evidence from first draft to a submitted, declared
version. Their home page, where each unit stands against its criteria, is assessment's
(``assessment.views.learner_home``), at the portfolio's address."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from centre.access import centre_role_required
from centre.models import Role
from common.downloads import evidence_file_response
from common.errors import Refused
from common.forms import ConfirmForm, run_form
from common.redaction import redactor_for
from common.storage_faults import file_or_unavailable
from learners.access import access_own_learner, learner_required
from portfolio.access import access_evidence_file, access_own_evidence, access_own_evidence_file
from portfolio.forms import (
    CreationTokenForm,
    DownloadForm,
    EvidenceUploadForm,
    MapCriteriaForm,
    SubmitEvidenceForm,
)
from portfolio.judgements import standing_decisions
from portfolio.kinds import KINDS, describe_details, evidence_form_class, kind_spec
from portfolio.models import EvidenceItem
from portfolio.selectors import (
    enrolments_to_map,
    evidence_item_for_display,
    evidence_items_for_learner,
    learner_storage_used,
    version_and_previous,
    version_changes,
)
from portfolio.services import (
    DECLARATION,
    EvidenceIsFrozen,
    FilesNotStored,
    add_evidence_files,
    create_evidence_item,
    delete_evidence_item,
    remove_evidence_file,
    set_evidence_mappings,
    submit_evidence_item,
    update_evidence_item,
)
from portfolio.sources import networking_enabled, record_source


@learner_required
def evidence_list(request):
    learner = access_own_learner(request)
    return render(
        request,
        "portfolio/evidence_list.html",
        {"items": evidence_items_for_learner(learner=learner), "kinds": KINDS.values()},
    )


@learner_required
def choose_kind(request):
    learner = access_own_learner(request)
    return render(
        request,
        "portfolio/choose_kind.html",
        {
            "kinds": [spec for spec in KINDS.values() if not spec.record_source],
            "networking": networking_enabled(learner=learner),
        },
    )


@learner_required
@require_http_methods(["GET", "POST"])
def create_evidence(request, kind: str):
    learner = access_own_learner(request)
    if kind not in KINDS or kind_spec(kind).record_source:
        raise Http404("No such kind of evidence to start here.")
    form_class = evidence_form_class(kind)
    token_form = CreationTokenForm(
        request.POST if request.method == "POST" else None, initial={"creation_token": uuid.uuid4()}
    )
    form = form_class(request.POST if request.method == "POST" else None)

    def create(data):
        return create_evidence_item(
            learner=learner,
            actor=request.user,
            kind=kind,
            title=data["title"],
            body=data["body"],
            details=form.details(),
            creation_token=token_form.cleaned_data["creation_token"],
        )

    if form.is_bound and token_form.is_valid() and run_form(form, create):
        item, created = form.outcome
        if created:
            next_step = "upload its files" if kind_spec(kind).needs_files else "map it to criteria"
            messages.success(request, f"“{item.title}” is saved as a draft. Next, {next_step}.")
        else:
            messages.info(request, f"“{item.title}” was already saved; it has not been saved twice.")
        return redirect("portfolio:evidence", item_id=item.pk)
    return render(
        request,
        "portfolio/evidence_form.html",
        {"form": form, "token_form": token_form, "spec": kind_spec(kind), "item": None},
    )


@learner_required
def evidence_detail(request, item_id: int):
    item = access_own_evidence(request, item_id)
    return _render_detail(request, item)


def _render_detail(request, item: EvidenceItem, *, upload_form=None, status: int = 200):
    item = evidence_item_for_display(item=item)
    spec = kind_spec(item.kind)
    versions = list(item.versions.all())
    decisions = standing_decisions(enrolments={mapping.enrolment_id for mapping in item.mappings.all()})
    for mapping in item.mappings.all():
        mapping.decision = decisions.get((mapping.enrolment_id, mapping.criterion_id))
    record = None
    if spec.record_source:
        record = _record_of(item, versions)
    return render(
        request,
        "portfolio/evidence_detail.html",
        {
            "item": item,
            "spec": spec,
            "details": describe_details(item.kind, item.details),
            "versions": versions,
            "record": record,
            "upload_form": upload_form or EvidenceUploadForm(),
            "storage_used": learner_storage_used(learner=item.learner),
        },
        status=status,
    )


def _record_of(item: EvidenceItem, versions: list) -> dict | None:
    """The record (a networking record) the item presents: live while the learner can
    change it, as submitted once frozen."""
    source = record_source(item.kind)
    if not item.is_editable:
        return versions[-1].snapshot.get(source.key) if versions else None
    try:
        return source.build(learner=item.learner, details=item.details)
    except Refused:
        return None


@learner_required
@require_http_methods(["GET", "POST"])
def edit_evidence(request, item_id: int):
    item = access_own_evidence(request, item_id)
    if not item.is_editable:
        messages.error(request, str(EvidenceIsFrozen(item)))
        return redirect("portfolio:evidence", item_id=item.pk)
    form_class = evidence_form_class(item.kind)
    form = form_class(
        request.POST if request.method == "POST" else None,
        initial={"title": item.title, "body": item.body, **item.details},
    )

    def update(data):
        update_evidence_item(
            item=item, actor=request.user, title=data["title"], body=data["body"], details=form.details()
        )

    if form.is_bound and run_form(form, update):
        messages.success(request, "Your changes are saved.")
        return redirect("portfolio:evidence", item_id=item.pk)
    return render(
        request,
        "portfolio/evidence_form.html",
        {"form": form, "spec": kind_spec(item.kind), "item": item},
    )


@learner_required
@require_POST
def upload_files(request, item_id: int):
    item = access_own_evidence(request, item_id)
    form = EvidenceUploadForm(request.POST, request.FILES)

    def add(data):
        try:
            return add_evidence_files(item=item, actor=request.user, uploads=data["files"])
        except FilesNotStored:
            form.storage_failed = True  # not the learner's mistake: the storage may recover
            raise

    if run_form(form, add):
        names = ", ".join(f"“{upload.original_name}”" for upload in form.outcome)
        messages.success(request, f"Uploaded {names}.")
        return redirect("portfolio:evidence", item_id=item.pk)
    return _render_detail(request, item, upload_form=form, status=503 if form.storage_failed else 400)


@learner_required
@require_POST
def remove_file(request, item_id: int, file_id: int):
    evidence_file = access_own_evidence_file(request, item_id, file_id)
    form = ConfirmForm(request.POST)
    if run_form(form, lambda data: remove_evidence_file(evidence_file=evidence_file, actor=request.user)):
        messages.success(request, f"Removed “{evidence_file.original_name}”.")
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect("portfolio:evidence", item_id=item_id)


@learner_required
@require_http_methods(["GET", "POST"])
def map_criteria(request, item_id: int):
    """Tick the criteria the item meets and say how; the units are the learner's own."""
    item = access_own_evidence(request, item_id)
    if not item.is_editable:
        messages.error(request, str(EvidenceIsFrozen(item)))
        return redirect("portfolio:evidence", item_id=item.pk)
    form = MapCriteriaForm(request.POST if request.method == "POST" else None, item=item)
    if form.is_bound and run_form(
        form, lambda data: set_evidence_mappings(item=item, actor=request.user, claims=data["claims"])
    ):
        claims = form.cleaned_data["claims"]
        criteria = "criterion" if len(claims) == 1 else "criteria"
        messages.success(request, f"“{item.title}” is mapped to {len(claims)} {criteria}.")
        return redirect("portfolio:evidence", item_id=item.pk)
    ticked, notes, problems = form.ticked, form.notes, list(form.non_field_errors())
    enrolments = enrolments_to_map(learner=item.learner)
    units = [
        {
            "unit": enrolment.unit,
            "outcomes": [
                {
                    "outcome": outcome,
                    "rows": [
                        (criterion, str(criterion.pk) in ticked, notes.get(str(criterion.pk), ""))
                        for criterion in outcome.criteria.all()
                    ],
                }
                for outcome in enrolment.unit.learning_outcomes.all()
            ],
        }
        for enrolment in enrolments
    ]
    return render(
        request,
        "portfolio/map_criteria.html",
        {"item": item, "units": units, "problems": problems},
        status=400 if problems else 200,
    )


@learner_required
@require_http_methods(["GET", "POST"])
def submit_evidence(request, item_id: int):
    item = access_own_evidence(request, item_id)
    if not item.is_editable:
        messages.error(request, str(EvidenceIsFrozen(item)))
        return redirect("portfolio:evidence", item_id=item.pk)
    form = SubmitEvidenceForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(
        form, lambda data: submit_evidence_item(item=item, actor=request.user, declared=data["declared"])
    ):
        version = form.outcome
        label = "submitted" if version.number == 1 else f"resubmitted (version {version.number})"
        messages.success(request, f"“{item.title}” is {label} for assessment.")
        return redirect("assessment:learner_home")
    return render(
        request,
        "portfolio/submit.html",
        {"item": evidence_item_for_display(item=item), "form": form, "declaration": DECLARATION},
        status=400 if form.errors else 200,
    )


@learner_required
@require_http_methods(["GET", "POST"])
def delete_evidence(request, item_id: int):
    item = access_own_evidence(request, item_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(form, lambda data: delete_evidence_item(item=item, actor=request.user)):
        messages.success(request, f"Deleted “{item.title}”.")
        return redirect("portfolio:evidence_list")
    return render(request, "portfolio/delete.html", {"item": item, "problems": form.non_field_errors()})


@learner_required
def evidence_version(request, item_id: int, number: int):
    """A submitted version as it was frozen, and what changed since the one before."""
    item = access_own_evidence(request, item_id)
    version, previous = version_and_previous(item=item, number=number)
    if version is None:
        raise Http404("No such version.")
    return render(
        request,
        "portfolio/version.html",
        {
            "item": item,
            "version": version,
            "details": describe_details(version.snapshot["kind"], version.snapshot["details"]),
            "previous": previous,
            "changes": version_changes(previous.snapshot, version.snapshot) if previous else [],
        },
    )


@centre_role_required(Role.LEARNER, Role.ASSESSOR, Role.IQA)
def download_file(request, file_id: int):
    """An evidence file, to those who may see it, as a download that no browser will run:
    an attachment, its type fixed, in a sandbox with nothing allowed."""
    evidence_file = access_evidence_file(request, file_id)
    name = None
    if evidence_file.item.learner.user_id != request.user.pk:
        # Staff download it under the name they see it by.
        name = redactor_for(learner=evidence_file.item.learner_id).file_name(evidence_file.original_name)
    return file_or_unavailable(
        request,
        lambda: evidence_file_response(evidence_file, inline=DownloadForm(request.GET).is_inline, name=name),
        what=f"evidence file {evidence_file.pk}",
    )
