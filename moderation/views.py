"""The external moderator's pages, read-only and audited, and the centre admin's pages
for samples and moderator access."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import record_audit
from centre.access import access_offered_unit, centre_role_required
from centre.models import Role
from centre.selectors import units_offered
from common.dates import long_date
from common.downloads import evidence_file_response, private_file_response
from common.forms import run_form
from common.reader_pages import render_for_reader
from common.storage_faults import file_or_unavailable
from common.urls import url_for_each
from moderation.access import (
    access_bundle_render,
    access_moderator_access,
    access_moderator_sample,
    access_sample,
)
from moderation.bundle import bundle_storage, request_bundle
from moderation.forms import ConfirmForm, GrantAccessForm, NewSampleForm, ShowFileForm
from moderation.models import BundleRender
from moderation.selectors import (
    accesses_to,
    candidates_of,
    latest_render_for,
    sampled_learner_rows,
    sampled_learners,
    samples_for_moderator,
    samples_of_centre,
)
from moderation.services import (
    create_moderation_sample,
    grant_moderator_access,
    revoke_moderator_access,
    sampleable_sign_offs,
    suggested_moderation_sample,
)
from portfolio.kinds import describe_details

moderator_required = centre_role_required(Role.MODERATOR)
admin_required = centre_role_required(Role.CENTRE_ADMIN)


def _seen(request, verb: str, target, *, unit, learner=None, **details) -> None:
    """What the moderator opened, filed under its unit and, where it is one learner's, under
    theirs: the trail read learner by learner shows who has seen their work."""
    record_audit(
        actor=request.user,
        verb=verb,
        target=target,
        centre=request.centre,
        learner=learner,
        unit=unit,
        details=details,
    )


def _problems(form) -> list[str]:
    """Every reason the form was refused, for the page's "There is a problem" box."""
    return [message for messages_of_field in form.errors.values() for message in messages_of_field]


@moderator_required
def moderator_home(request):
    samples = samples_for_moderator(centre=request.centre, moderator=request.user)
    return render(request, "moderation/moderator/home.html", {"samples": samples})


@moderator_required
def moderator_sample(request, sample_id: int):
    sample = access_moderator_sample(request, sample_id, with_unit=False)
    _seen(request, "moderation.sample_viewed", sample, unit=sample.unit_id)

    def context():
        # Each row with its link, the address reversed once for the whole list.
        candidate_url = url_for_each("moderation:candidate", "enrolment_id", sample_id=sample.pk)
        rows = sampled_learner_rows(sample=sample)
        return {
            "sample": sample,
            "learners": [(row, candidate_url(row.enrolment_id)) for row in rows],
            "render": latest_render_for(sample=sample, user=request.user),
        }

    return render_for_reader(request, "moderation/moderator/sample.html", context)


@moderator_required
def moderator_candidate(request, sample_id: int, enrolment_id: int):
    """One sampled learner: recording sheet, evidence, decisions, declarations, IQA."""
    sample = access_moderator_sample(request, sample_id)
    candidate = next(
        (c for c in candidates_of(sample=sample) if c.sampled.enrolment_id == enrolment_id), None
    )
    if candidate is None:
        raise Http404("No such learner in this sample.")
    enrolment = candidate.sampled.enrolment
    _seen(request, "moderation.learner_viewed", enrolment, unit=sample.unit_id, learner=enrolment.learner_id)
    return render(
        request,
        "moderation/moderator/candidate.html",
        {
            "sample": sample,
            "candidate": candidate,
            "sheet": candidate.sheet,
            "sign_off": candidate.sampled.sign_off,
            "evidence": [
                (version, describe_details(version.snapshot["kind"], version.snapshot["details"]))
                for version in candidate.versions
            ],
        },
    )


@moderator_required
def moderator_file(request, sample_id: int, file_id: int):
    sample = access_moderator_sample(request, sample_id)
    files = {f.pk: (f, c) for c in candidates_of(sample=sample) for f in c.files}
    if file_id not in files:
        raise Http404("No such file in this sample.")
    evidence_file, candidate = files[file_id]
    inline = ShowFileForm(request.GET).wants_inline() and bool(evidence_file.print_rendition)
    response = file_or_unavailable(
        request,
        lambda: evidence_file_response(evidence_file, inline=inline),
        what=f"evidence file {evidence_file.pk}",
    )
    # Every file the moderator opens is audited, a photo shown in the page as much as a
    # download; a file the storage could not give them was not opened.
    if response.status_code == 200:
        _seen(
            request,
            "moderation.file_shown" if inline else "moderation.file_downloaded",
            evidence_file,
            unit=sample.unit_id,
            learner=candidate.sampled.enrolment.learner_id,
            sha256=evidence_file.sha256,
        )
    return response


@moderator_required
@require_POST
def request_bundle_page(request, sample_id: int):
    sample = access_moderator_sample(request, sample_id)
    form = ConfirmForm(request.POST)
    if not run_form(form, lambda data: request_bundle(sample=sample, actor=request.user)):
        for message in _problems(form):
            messages.error(request, message)
        return redirect("moderation:sample", sample_id=sample.pk)
    return redirect("moderation:bundle", sample_id=sample.pk, render_id=form.outcome.pk)


@moderator_required
def bundle_page(request, sample_id: int, render_id: int):
    """How the bundle is getting on; the downloads once it is ready. Reading it changes
    nothing but the audit trail: a render whose worker died is queued again by the
    watchdog task or ``manage.py recover_bundle_renders``, never by a page."""
    bundle = access_bundle_render(request, sample_id, render_id)
    _seen(request, "moderation.bundle_viewed", bundle, unit=bundle.sample.unit_id)
    status_url = reverse("moderation:bundle_status", kwargs={"sample_id": sample_id, "render_id": render_id})
    return render(
        request,
        "moderation/moderator/bundle.html",
        {"bundle": bundle, "status_url": status_url, "part_limit": settings.BUNDLE_PART_MAX_BYTES},
    )


@moderator_required
def bundle_status(request, sample_id: int, render_id: int):
    bundle = access_bundle_render(request, sample_id, render_id)
    return JsonResponse(
        {
            "status": bundle.status,
            "label": bundle.get_status_display(),
            "progress": bundle.progress,
            "stage": bundle.stage,
        }
    )


@moderator_required
def bundle_download(request, sample_id: int, render_id: int, kind: str):
    bundle = access_bundle_render(request, sample_id, render_id)
    files = {"pdf": bundle.pdf, "zip": bundle.archive}
    files |= {f"part-{n}": name for n, name in enumerate(bundle.parts, start=1)}
    if bundle.status != BundleRender.Status.DONE or kind not in files:
        raise Http404("The bundle is not ready.")
    centre, urn = bundle.centre.number, bundle.sample.unit.urn.replace("/", "-")
    if kind.startswith("part-"):
        filename = f"moderation-{centre}-{urn}-{kind}-of-{len(bundle.parts)}.pdf"
    else:
        filename = f"moderation-{centre}-{urn}.{kind}"
    content_type = "application/zip" if kind == "zip" else "application/pdf"
    response = file_or_unavailable(
        request,
        lambda: private_file_response(
            bundle_storage().open(files[kind], "rb"), filename=filename, content_type=content_type
        ),
        what=f"bundle {bundle.pk} ({kind})",
    )
    # Audited once the store has given the file: a bundle it could not give was not
    # downloaded.
    if response.status_code == 200:
        _seen(request, "moderation.bundle_downloaded", bundle, unit=bundle.sample.unit_id, kind=kind)
    return response


@admin_required
def manage_samples(request):
    return render(
        request,
        "moderation/manage/samples.html",
        {
            "units": units_offered(centre=request.centre),
            "samples": samples_of_centre(centre=request.centre),
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def new_sample(request, unit_id: int):
    unit = access_offered_unit(request, unit_id).unit
    form = NewSampleForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(
        form,
        lambda data: create_moderation_sample(
            centre=request.centre, unit=unit, actor=request.user, enrolment_ids=data["enrolment"]
        ),
    ):
        messages.success(request, f"The sample of {unit.title} is made: now give the moderator access.")
        return redirect("moderation:manage_sample", sample_id=form.outcome.pk)
    sign_offs = sorted(
        sampleable_sign_offs(centre=request.centre, unit=unit).values(),
        key=lambda s: s.enrolment.learner.candidate_number,
    )
    suggested = {e.pk for e in suggested_moderation_sample(centre=request.centre, unit=unit)}
    return render(
        request,
        "moderation/manage/new_sample.html",
        {"unit": unit, "sign_offs": sign_offs, "suggested": suggested, "form": form},
        status=400 if form.errors else 200,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def manage_sample(request, sample_id: int):
    sample = access_sample(request, sample_id)
    form = GrantAccessForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(
        form, lambda data: grant_moderator_access(sample=sample, actor=request.user, **data)
    ):
        messages.success(
            request,
            f"{form.cleaned_data['email']} can see the sample until {long_date(form.outcome.expires_at)}; "
            "they have been emailed.",
        )
        return redirect("moderation:manage_sample", sample_id=sample.pk)
    return render(
        request,
        "moderation/manage/sample.html",
        {
            "sample": sample,
            "learners": sampled_learners(sample=sample),
            "accesses": accesses_to(sample=sample),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@admin_required
@require_POST
def revoke_access(request, access_id: int):
    access = access_moderator_access(request, access_id)
    form = ConfirmForm(request.POST)
    if run_form(form, lambda data: revoke_moderator_access(access=access, actor=request.user)):
        messages.success(request, f"{access.moderator.email} can no longer see the sample.")
    else:
        messages.error(request, " ".join(_problems(form)))
    return redirect("moderation:manage_sample", sample_id=access.sample_id)
