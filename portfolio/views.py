"""The learner's portfolio: their evidence from first draft to a submitted, declared
version. Their home page, where each unit stands against its criteria, is assessment's
(``assessment.views.learner_home``), at the portfolio's address."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from centre.access import centre_role_required
from centre.models import Role
from common.downloads import evidence_file_response
from common.redaction import redactor_for
from learners.access import access_own_learner, learner_required
from portfolio.access import access_evidence_file, access_own_evidence
from portfolio.forms import EvidenceUploadForm, SubmitEvidenceForm
from portfolio.judgements import standing_decisions
from portfolio.kinds import KINDS, describe_details, evidence_form_class, kind_spec
from portfolio.models import EvidenceItem
from portfolio.selectors import (
    enrolments_of_learner,
    evidence_item_for_display,
    evidence_items_for_learner,
    learner_storage_used,
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
    if request.method == "POST" and form.is_valid() and token_form.is_valid():
        try:
            item, created = create_evidence_item(
                learner=learner,
                actor=request.user,
                kind=kind,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                details=form.details(),
                creation_token=token_form.cleaned_data["creation_token"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
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


class CreationTokenForm(forms.Form):
    creation_token = forms.UUIDField(widget=forms.HiddenInput)


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
    except ValidationError:
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
    if request.method == "POST" and form.is_valid():
        try:
            update_evidence_item(
                item=item,
                actor=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                details=form.details(),
            )
        except (ValidationError, EvidenceIsFrozen) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        else:
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
    if form.is_valid():
        try:
            added = add_evidence_files(item=item, actor=request.user, uploads=form.cleaned_data["files"])
        except (ValidationError, EvidenceIsFrozen) as error:
            form.add_error("files", error.messages if isinstance(error, ValidationError) else str(error))
        except FilesNotStored as error:
            form.add_error("files", str(error))
            # Not the learner's mistake: the storage failed, and may recover.
            return _render_detail(request, item, upload_form=form, status=503)
        else:
            names = ", ".join(f"“{upload.original_name}”" for upload in added)
            messages.success(request, f"Uploaded {names}.")
            return redirect("portfolio:evidence", item_id=item.pk)
    return _render_detail(request, item, upload_form=form, status=400)


@learner_required
@require_POST
def remove_file(request, item_id: int, file_id: int):
    item = access_own_evidence(request, item_id)
    evidence_file = item.files.filter(pk=file_id, removed_at__isnull=True).first()
    if evidence_file is None:
        raise Http404("No such file on this evidence.")
    try:
        remove_evidence_file(evidence_file=evidence_file, actor=request.user)
    except EvidenceIsFrozen as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Removed “{evidence_file.original_name}”.")
    return redirect("portfolio:evidence", item_id=item.pk)


@learner_required
@require_http_methods(["GET", "POST"])
def map_criteria(request, item_id: int):
    """Tick the criteria the item meets and say how; the units are the learner's own."""
    item = access_own_evidence(request, item_id)
    if not item.is_editable:
        messages.error(request, str(EvidenceIsFrozen(item)))
        return redirect("portfolio:evidence", item_id=item.pk)
    problems: list[str] = []
    if request.method == "POST":
        claims, problems = _claims_from(request.POST)
        if not problems:
            try:
                set_evidence_mappings(item=item, actor=request.user, claims=claims)
            except ValidationError as error:
                problems = error.messages
            except EvidenceIsFrozen as error:
                problems = [str(error)]
            else:
                criteria = "criterion" if len(claims) == 1 else "criteria"
                messages.success(request, f"“{item.title}” is mapped to {len(claims)} {criteria}.")
                return redirect("portfolio:evidence", item_id=item.pk)
        ticked = {str(pk) for pk in request.POST.getlist("criteria")}
        notes = {
            key.removeprefix("note-"): value for key, value in request.POST.items() if key.startswith("note-")
        }
    else:
        current = item.mappings.all()
        ticked = {str(mapping.criterion_id) for mapping in current}
        notes = {str(mapping.criterion_id): mapping.note for mapping in current}
    enrolments = enrolments_of_learner(learner=item.learner).prefetch_related(
        "unit__learning_outcomes__criteria"
    )
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


def _claims_from(post) -> tuple[dict[int, str], list[str]]:
    """The ticked criteria with their notes, and what is wrong with the form as sent."""
    claims, problems = {}, []
    for value in post.getlist("criteria"):
        if not (value.isascii() and value.isdigit()):
            problems.append(f"“{value}” is not a criterion.")
            continue
        claims[int(value)] = post.get(f"note-{value}", "")
    for key, note in post.items():
        criterion_id = key.removeprefix("note-")
        if (
            key.startswith("note-")
            and note.strip()
            and criterion_id.isascii()
            and criterion_id.isdigit()
            and int(criterion_id) not in claims
        ):
            problems.append(
                "You wrote a note for a criterion you did not tick: tick it, or clear its note "
                f"(“{note.strip()[:40]}”)."
            )
    return claims, problems


@learner_required
@require_http_methods(["GET", "POST"])
def submit_evidence(request, item_id: int):
    item = access_own_evidence(request, item_id)
    if not item.is_editable:
        messages.error(request, str(EvidenceIsFrozen(item)))
        return redirect("portfolio:evidence", item_id=item.pk)
    form = SubmitEvidenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = submit_evidence_item(
                item=item, actor=request.user, declared=form.cleaned_data["declared"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        except EvidenceIsFrozen as error:
            form.add_error(None, str(error))
        else:
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
    problems = []
    if request.method == "POST":
        try:
            delete_evidence_item(item=item, actor=request.user)
        except ValidationError as error:
            problems = error.messages
        except EvidenceIsFrozen as error:
            problems = [str(error)]
        else:
            messages.success(request, f"Deleted “{item.title}”.")
            return redirect("portfolio:evidence_list")
    return render(request, "portfolio/delete.html", {"item": item, "problems": problems})


@learner_required
def evidence_version(request, item_id: int, number: int):
    """A submitted version as it was frozen, and what changed since the one before."""
    item = access_own_evidence(request, item_id)
    versions = {version.number: version for version in item.versions.filter(number__in=[number - 1, number])}
    if number not in versions:
        raise Http404("No such version.")
    version = versions[number]
    previous = versions.get(number - 1)
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
    return evidence_file_response(evidence_file, inline=request.GET.get("inline") == "1", name=name)
