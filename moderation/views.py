"""The external moderator's pages, read-only and audited, and the centre admin's pages
for samples and moderator access."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import record_audit
from centre.access import centre_role_required
from centre.models import OfferedUnit, Role
from common.dates import long_date
from common.downloads import evidence_file_response, private_file_response
from moderation.bundle import bundle_storage, request_bundle
from moderation.models import BundleRender, ModerationSample, ModeratorAccess
from moderation.selectors import candidates_of, sampled_learners, samples_for_moderator
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


def _moderator_sample(request, sample_id: int) -> ModerationSample:
    sample = samples_for_moderator(centre=request.centre, moderator=request.user).filter(pk=sample_id).first()
    if sample is None:
        raise Http404("No such sample open to you.")
    return sample


def _seen(request, verb: str, target, **details) -> None:
    record_audit(actor=request.user, verb=verb, target=target, centre=request.centre, details=details)


@moderator_required
def moderator_home(request):
    samples = samples_for_moderator(centre=request.centre, moderator=request.user)
    return render(request, "moderation/moderator/home.html", {"samples": samples})


@moderator_required
def moderator_sample(request, sample_id: int):
    sample = _moderator_sample(request, sample_id)
    _seen(request, "moderation.sample_viewed", sample)
    renders = sample.renders.filter(requested_by=request.user)[:1]
    return render(
        request,
        "moderation/moderator/sample.html",
        {
            "sample": sample,
            "learners": sampled_learners(sample=sample),
            "render": renders[0] if renders else None,
        },
    )


@moderator_required
def moderator_candidate(request, sample_id: int, enrolment_id: int):
    """One sampled learner: recording sheet, evidence, decisions, declarations, IQA."""
    sample = _moderator_sample(request, sample_id)
    candidate = next(
        (c for c in candidates_of(sample=sample) if c.sampled.enrolment_id == enrolment_id), None
    )
    if candidate is None:
        raise Http404("No such learner in this sample.")
    _seen(request, "moderation.learner_viewed", candidate.sampled.enrolment)
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
    sample = _moderator_sample(request, sample_id)
    files = {f.pk: f for c in candidates_of(sample=sample) for f in c.files}
    evidence_file = files.get(file_id)
    if evidence_file is None:
        raise Http404("No such file in this sample.")
    inline = request.GET.get("inline") == "1" and bool(evidence_file.print_rendition)
    # Every file the moderator opens is audited, a photo shown in the page as much as a download.
    _seen(
        request,
        "moderation.file_shown" if inline else "moderation.file_downloaded",
        evidence_file,
        sha256=evidence_file.sha256,
    )
    return evidence_file_response(evidence_file, inline=inline)


@moderator_required
@require_POST
def request_bundle_page(request, sample_id: int):
    sample = _moderator_sample(request, sample_id)
    bundle = request_bundle(sample=sample, actor=request.user)
    return redirect("moderation:bundle", sample_id=sample.pk, render_id=bundle.pk)


def _render_of(request, sample_id: int, render_id: int) -> BundleRender:
    sample = _moderator_sample(request, sample_id)
    bundle = BundleRender.objects.filter(sample=sample, pk=render_id).first()
    if bundle is None:
        raise Http404("No such bundle.")
    return bundle


@moderator_required
def bundle_page(request, sample_id: int, render_id: int):
    """How the bundle is getting on; the downloads once it is ready. Reading it changes
    nothing but the audit trail: a render whose worker died is queued again by the
    watchdog task or ``manage.py recover_bundle_renders``, never by a page."""
    bundle = _render_of(request, sample_id, render_id)
    _seen(request, "moderation.bundle_viewed", bundle)
    status_url = reverse("moderation:bundle_status", kwargs={"sample_id": sample_id, "render_id": render_id})
    return render(
        request,
        "moderation/moderator/bundle.html",
        {"bundle": bundle, "status_url": status_url, "part_limit": settings.BUNDLE_PART_MAX_BYTES},
    )


@moderator_required
def bundle_status(request, sample_id: int, render_id: int):
    bundle = _render_of(request, sample_id, render_id)
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
    bundle = _render_of(request, sample_id, render_id)
    files = {"pdf": bundle.pdf, "zip": bundle.archive}
    files |= {f"part-{n}": name for n, name in enumerate(bundle.parts, start=1)}
    if bundle.status != BundleRender.Status.DONE or kind not in files:
        raise Http404("The bundle is not ready.")
    _seen(request, "moderation.bundle_downloaded", bundle, kind=kind)
    centre, urn = bundle.centre.number, bundle.sample.unit.urn.replace("/", "-")
    if kind.startswith("part-"):
        filename = f"moderation-{centre}-{urn}-{kind}-of-{len(bundle.parts)}.pdf"
    else:
        filename = f"moderation-{centre}-{urn}.{kind}"
    content_type = "application/zip" if kind == "zip" else "application/pdf"
    return private_file_response(
        bundle_storage().open(files[kind], "rb"), filename=filename, content_type=content_type
    )


@admin_required
def manage_samples(request):
    offered = OfferedUnit.objects.filter(centre=request.centre).select_related("unit").order_by("unit__title")
    samples = (
        ModerationSample.objects.filter(centre=request.centre)
        .select_related("unit")
        .prefetch_related("learners", "accesses__moderator")
    )
    return render(request, "moderation/manage/samples.html", {"offered": offered, "samples": samples})


@admin_required
@require_http_methods(["GET", "POST"])
def new_sample(request, unit_id: int):
    offered = (
        OfferedUnit.objects.filter(centre=request.centre, unit_id=unit_id).select_related("unit").first()
    )
    if offered is None:
        raise Http404("Your centre does not offer that unit.")
    unit = offered.unit
    problems = []
    if request.method == "POST":
        chosen = [int(pk) for pk in request.POST.getlist("enrolment") if pk.isascii() and pk.isdigit()]
        try:
            sample = create_moderation_sample(
                centre=request.centre, unit=unit, actor=request.user, enrolment_ids=chosen
            )
        except (ValidationError, PermissionDenied) as error:
            problems = error.messages if isinstance(error, ValidationError) else [str(error)]
        else:
            messages.success(request, f"The sample of {unit.title} is made: now give the moderator access.")
            return redirect("moderation:manage_sample", sample_id=sample.pk)
    sign_offs = sorted(
        sampleable_sign_offs(centre=request.centre, unit=unit).values(),
        key=lambda s: s.enrolment.learner.candidate_number,
    )
    suggested = {e.pk for e in suggested_moderation_sample(centre=request.centre, unit=unit)}
    return render(
        request,
        "moderation/manage/new_sample.html",
        {"unit": unit, "sign_offs": sign_offs, "suggested": suggested, "problems": problems},
        status=400 if problems else 200,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def manage_sample(request, sample_id: int):
    sample = (
        ModerationSample.objects.filter(centre=request.centre, pk=sample_id).select_related("unit").first()
    )
    if sample is None:
        raise Http404("No such sample.")
    problems = []
    default_until = (timezone.localdate() + datetime.timedelta(days=183)).isoformat()
    if request.method == "POST":
        until = request.POST.get("expires_on", "")
        try:
            expires_at = timezone.make_aware(
                datetime.datetime.combine(_typed_date(until), datetime.time(23, 59))
            )
        except ValueError:
            problems = ["Give the date access ends, for example 31/05/2027."]
        else:
            try:
                grant_moderator_access(
                    sample=sample,
                    actor=request.user,
                    email=request.POST.get("email", ""),
                    first_name=request.POST.get("first_name", ""),
                    last_name=request.POST.get("last_name", ""),
                    expires_at=expires_at,
                )
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request,
                    f"{request.POST.get('email')} can see the sample until {long_date(expires_at)}; "
                    "they have been emailed.",
                )
                return redirect("moderation:manage_sample", sample_id=sample.pk)
    return render(
        request,
        "moderation/manage/sample.html",
        {
            "sample": sample,
            "learners": sampled_learners(sample=sample),
            "accesses": sample.accesses.select_related("moderator"),
            "default_until": default_until,
            "problems": problems,
            "posted": request.POST,
            "now": timezone.now(),
        },
        status=400 if problems else 200,
    )


@admin_required
@require_POST
def revoke_access(request, access_id: int):
    access = ModeratorAccess.objects.filter(centre=request.centre, pk=access_id).first()
    if access is None:
        raise Http404("No such access.")
    try:
        revoke_moderator_access(access=access, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{access.moderator.email} can no longer see the sample.")
    return redirect("moderation:manage_sample", sample_id=access.sample_id)


def _typed_date(value: str) -> datetime.date:
    """The date field's value: ISO from a date picker, or day first as typed where a browser
    has no picker (31/05/2027). ValueError otherwise."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return datetime.datetime.strptime(value.strip(), "%d/%m/%Y").date()
