"""The internal quality assurer's pages: sampling plans, samples and their verdicts, and
closing the actions assessors have answered."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from assessment.forms import problems_of
from assessment.selectors import (
    decisions_on_version,
    recording_sheet,
    reopened_sign_offs,
    sheet_for_staff,
)
from centre.access import access_offered_unit, centre_role_required
from centre.models import Role
from centre.selectors import assessors_of_centre, units_offered
from common.errors import AlreadyDone
from common.forms import run_form
from common.redaction import redactor_for
from iqa.access import (
    access_action,
    access_action_to_answer,
    access_sample,
    access_sampling_plan,
    access_version_for_iqa,
)
from iqa.forms import CloseActionForm, PlanForm, ResponseForm, StartSamplingForm, VerdictForm
from iqa.models import AssessorRisk, IqaSample, Stage
from iqa.selectors import (
    actions_of,
    answered_actions,
    risk_levels,
    samples_awaiting_verdict,
    samples_for_plan,
    sampling_plan,
    sampling_plans,
    unsampled_picks,
)
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
    plans = sampling_plans(centre=request.centre)
    return render(
        request,
        "iqa/home.html",
        {
            "units": [(unit, plans.get(unit.pk)) for unit in units_offered(centre=request.centre)],
            "awaiting_verdict": samples_awaiting_verdict(centre=request.centre),
            "answered": answered_actions(centre=request.centre),
        },
    )


@iqa_required
@require_http_methods(["GET", "POST"])
def plan_page(request, unit_id: int):
    """The unit's sampling plan, and the sample it suggests."""
    unit = access_offered_unit(request, unit_id).unit
    plan = sampling_plan(centre=request.centre, unit=unit)
    assessors = list(assessors_of_centre(centre=request.centre))
    levels = risk_levels(plan=plan)
    form = PlanForm(request.POST if request.method == "POST" else None, assessors=assessors)
    if form.is_bound and run_form(
        form,
        lambda data: save_sampling_plan(
            centre=request.centre,
            unit=unit,
            actor=request.user,
            standard_rate=data["standard_rate"],
            higher_rate=data["higher_rate"],
            methods=data["methods"],
            risks=form.risks(),
        ),
    ):
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
            "problems": problems_of(form),
        },
        status=400 if form.errors else 200,
    )


@iqa_required
@require_POST
def start_sampling(request, unit_id: int):
    plan = access_sampling_plan(request, unit_id)
    form = StartSamplingForm(request.POST)
    if run_form(form, lambda data: start_samples(plan=plan, iqa=request.user, picks=data["pick"])):
        started = form.outcome
        messages.success(request, f"Started {len(started)} sample{'s' if len(started) != 1 else ''}.")
    else:
        for problem in problems_of(form):
            messages.error(request, problem)
    return redirect("iqa:plan", unit_id=plan.unit_id)


@iqa_required
@require_http_methods(["GET", "POST"])
def sample_page(request, iqa_sample_id: int):
    """A sampled learner's assessment, the verdict, and the actions that follow from it."""
    sample = access_sample(request, iqa_sample_id)
    form = VerdictForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(
        form,
        lambda data: record_sample_verdict(
            sample=sample,
            iqa=request.user,
            verdict=data["verdict"],
            comments=data["comments"],
            actions=data["action"],
        ),
    ):
        messages.success(request, "Your verdict is recorded.")
        return redirect("iqa:sample", iqa_sample_id=sample.pk)
    if form.is_bound and isinstance(form.service_error, AlreadyDone):
        messages.info(request, str(form.service_error))
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
            "actions": actions_of(sample=sample),
            "verdicts": IqaSample.Verdict.choices,
            "stages": dict(Stage.choices),
            "problems": problems_of(form),
            "posted": {"verdict": form["verdict"].value() or "", "comments": form["comments"].value() or ""},
        },
        status=400 if form.errors else 200,
    )


@iqa_required
@require_POST
def close_action_page(request, action_id: int):
    action = access_action(request, action_id)
    form = CloseActionForm(request.POST)
    if run_form(form, lambda data: close_action(action=action, iqa=request.user)):
        messages.success(request, "The action is closed.")
    else:
        messages.error(request, " ".join(problems_of(form)))
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
    return render(
        request,
        "iqa/evidence_version.html",
        {
            "version": version,
            "item": version.item,
            "details": describe_details(version.snapshot["kind"], version.snapshot["details"]),
            "decisions": decisions_on_version(version=version),
        },
    )


@centre_role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
def answer_action(request, action_id: int):
    action = access_action_to_answer(request, action_id)
    form = ResponseForm(
        request.POST if request.method == "POST" else None, initial={"response": action.response}
    )
    if form.is_bound and run_form(
        form, lambda data: respond_to_action(action=action, assessor=request.user, response=data["response"])
    ):
        messages.success(request, "Your answer is recorded; the IQA will close the action.")
        return redirect("assessment:enrolment", enrolment_id=action.sample.enrolment_id)
    return render(
        request,
        "iqa/answer_action.html",
        {"action": action, "problems": problems_of(form), "response": form["response"].value() or ""},
        status=400 if form.errors else 200,
    )
