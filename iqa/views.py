"""The internal quality assurer's pages: sampling plans, samples and their verdicts, and
closing the actions assessors have answered."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from assessment.models import CriterionDecision
from assessment.selectors import (
    recording_sheet,
    reopened_sign_offs,
    sheet_for_staff,
)
from centre.access import centre_role_required
from centre.models import OfferedUnit, Role
from centre.selectors import assessors_of_centre
from common.redaction import redactor_for
from iqa.access import access_action_to_answer, access_sample, access_version_for_iqa
from iqa.models import AssessorRisk, IqaAction, IqaSample, SamplingPlan, Stage
from iqa.selectors import samples_for_plan, unsampled_picks
from iqa.services import (
    close_action,
    record_sample_verdict,
    respond_to_action,
    save_sampling_plan,
    start_samples,
)
from portfolio.kinds import KINDS, describe_details

iqa_required = centre_role_required(Role.IQA)


@iqa_required
def iqa_home(request):
    offered = OfferedUnit.objects.filter(centre=request.centre).select_related("unit").order_by("unit__title")
    plans = {plan.unit_id: plan for plan in SamplingPlan.objects.filter(centre=request.centre)}
    awaiting_verdict = IqaSample.objects.filter(centre=request.centre, verdict="").select_related(
        "enrolment__learner", "enrolment__unit"
    )
    answered = IqaAction.objects.filter(
        centre=request.centre, closed_at__isnull=True, responded_at__isnull=False
    ).select_related("sample__enrolment__learner")
    return render(
        request,
        "iqa/home.html",
        {
            "units": [(o.unit, plans.get(o.unit_id)) for o in offered],
            "awaiting_verdict": awaiting_verdict,
            "answered": answered,
        },
    )


def _offered_unit(request, unit_id: int):
    offered = (
        OfferedUnit.objects.filter(centre=request.centre, unit_id=unit_id).select_related("unit").first()
    )
    if offered is None:
        raise Http404("Your centre does not offer that unit.")
    return offered.unit


@iqa_required
@require_http_methods(["GET", "POST"])
def plan_page(request, unit_id: int):
    """The unit's sampling plan, and the sample it suggests."""
    unit = _offered_unit(request, unit_id)
    plan = SamplingPlan.objects.filter(centre=request.centre, unit=unit).first()
    assessors = list(assessors_of_centre(centre=request.centre))
    levels = dict(AssessorRisk.objects.filter(plan=plan).values_list("assessor_id", "level")) if plan else {}
    problems = []
    if request.method == "POST":
        try:
            plan = save_sampling_plan(
                centre=request.centre,
                unit=unit,
                actor=request.user,
                standard_rate=_int(request.POST.get("standard_rate")),
                higher_rate=_int(request.POST.get("higher_rate")),
                methods=[kind for kind in request.POST.getlist("methods") if kind in KINDS],
                risks={
                    assessor.pk: level
                    for assessor in assessors
                    if (level := request.POST.get(f"risk-{assessor.pk}", AssessorRisk.Level.STANDARD))
                    in AssessorRisk.Level.values
                },
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, f"The sampling plan for {unit.title} is saved.")
            return redirect("iqa:plan", unit_id=unit.pk)
    return render(
        request,
        "iqa/plan.html",
        {
            "unit": unit,
            "plan": plan,
            "assessors": [(a, levels.get(a.pk, AssessorRisk.Level.STANDARD)) for a in assessors],
            "levels": AssessorRisk.Level.choices,
            "kinds": KINDS.values(),
            "picks": unsampled_picks(plan=plan) if plan else [],
            "samples": samples_for_plan(plan=plan) if plan else [],
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@iqa_required
@require_POST
def start_sampling(request, unit_id: int):
    unit = _offered_unit(request, unit_id)
    plan = SamplingPlan.objects.filter(centre=request.centre, unit=unit).first()
    if plan is None:
        raise Http404("Save a sampling plan for this unit first.")
    picks = []
    for pick in request.POST.getlist("pick"):
        enrolment_id, _, stage = pick.partition(":")
        picks.append((_int(enrolment_id), stage))
    try:
        started = start_samples(plan=plan, iqa=request.user, picks=picks)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Started {len(started)} sample{'s' if len(started) != 1 else ''}.")
    return redirect("iqa:plan", unit_id=unit.pk)


@iqa_required
@require_http_methods(["GET", "POST"])
def sample_page(request, iqa_sample_id: int):
    """A sampled learner's assessment, the verdict, and the actions that follow from it."""
    sample = access_sample(request, iqa_sample_id)
    problems = []
    if request.method == "POST":
        try:
            record_sample_verdict(
                sample=sample,
                iqa=request.user,
                verdict=request.POST.get("verdict", ""),
                comments=request.POST.get("comments", ""),
                actions=request.POST.getlist("action"),
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, "Your verdict is recorded.")
            return redirect("iqa:sample", iqa_sample_id=sample.pk)
    sheet = (
        sample.sign_off.recording_sheet if sample.sign_off_id else recording_sheet(enrolment=sample.enrolment)
    )
    if sample.sign_off_id and not sample.sign_off.is_standing:
        reopened = sample.sign_off
    else:
        reopened = reopened_sign_offs(enrolments=[sample.enrolment_id]).get(sample.enrolment_id)
    sheet = sheet_for_staff(sheet, redactor=redactor_for(learner=sample.enrolment.learner_id))
    return render(
        request,
        "iqa/sample.html",
        {
            "sample": sample,
            "sheet": sheet,
            "reopened": reopened,
            "actions": sample.actions.all(),
            "verdicts": IqaSample.Verdict.choices,
            "stages": dict(Stage.choices),
            "problems": problems,
            "posted": request.POST,
        },
        status=400 if problems else 200,
    )


@iqa_required
@require_POST
def close_action_page(request, action_id: int):
    action = IqaAction.objects.filter(centre=request.centre, pk=action_id).select_related("sample").first()
    if action is None:
        raise Http404("No such action.")
    try:
        close_action(action=action, iqa=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The action is closed.")
    return redirect("iqa:sample", iqa_sample_id=action.sample_id)


@iqa_required
def evidence_version(request, item_id: int, number: int):
    """One submitted version of evidence as the assessor judged it, for an IQA following a
    recording sheet's reference: its details, text, files and the decisions made on it."""
    version = access_version_for_iqa(request, item_id, number)
    # The learner's words, as staff see them: contacts who have not consented by stand-in.
    redactor = redactor_for(learner=version.item.learner_id)
    version.snapshot = redactor.snapshot(version.snapshot)
    for evidence_file in version.files.all():
        evidence_file.original_name = redactor.file_name(evidence_file.original_name)
    decisions = (
        CriterionDecision.objects.filter(evidence=version)
        .select_related("criterion", "assessor")
        .order_by("decided_at", "pk")
    )
    return render(
        request,
        "iqa/evidence_version.html",
        {
            "version": version,
            "item": version.item,
            "details": describe_details(version.snapshot["kind"], version.snapshot["details"]),
            "decisions": decisions,
        },
    )


@centre_role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
def answer_action(request, action_id: int):
    action = access_action_to_answer(request, action_id)
    problems = []
    if request.method == "POST":
        try:
            respond_to_action(action=action, assessor=request.user, response=request.POST.get("response", ""))
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, "Your answer is recorded; the IQA will close the action.")
            return redirect("assessment:enrolment", enrolment_id=action.sample.enrolment_id)
    return render(
        request,
        "iqa/answer_action.html",
        {"action": action, "problems": problems, "response": request.POST.get("response", action.response)},
        status=400 if problems else 200,
    )
