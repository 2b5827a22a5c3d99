"""The assessor's side: the caseload, judging submissions and unit sign-off; the pages
that assessors, IQAs and centre admins share: a learner's assessment, a signed-off unit's
recording sheet, and a unit's tracking grid; and the learner's: their home page, where
each unit stands against its criteria, and countersigning a unit signed off."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessment.access import (
    OVERSEERS,
    access_enrolment_for_assessment,
    access_enrolment_to_assess,
    access_item_to_judge,
    access_own_sign_off,
    access_sign_off,
)
from assessment.caseload import CaseloadState, caseload_enrolments, page_of_caseload
from assessment.filters import CaseloadFilter
from assessment.forms import DeclarationForm, JudgeForm, ReopenForm, problems_of
from assessment.judging import judging
from assessment.models import Outcome
from assessment.panels import enrolment_panels
from assessment.progress import portfolio_progress, qualifications_progress
from assessment.selectors import (
    decision_history,
    earlier_sign_offs,
    enrolments_for_grid,
    latest_decisions,
    latest_sign_offs,
    page_of_unit_grid,
    recording_sheet,
    reopened_sign_offs,
    sheet_for_staff,
    standing_sign_off,
    submissions_of,
    unit_criteria,
    unmet_criteria,
)
from assessment.services import (
    ASSESSOR_DECLARATION,
    LEARNER_DECLARATION,
    assess_submission,
    countersign_unit,
    reopen_sign_off,
    sign_off_unit,
)
from centre.access import access_offered_unit, centre_role_required, roles_in_centre
from centre.models import Role
from centre.selectors import units_offered
from common.errors import AlreadyDone, Stale
from common.forms import run_form
from common.reader_pages import render_for_reader
from common.redaction import redactor_for
from learners.access import access_own_learner, learner_required
from learners.policies import ASSESS, enrolment_policy
from networking.selectors import networking_enabled
from portfolio.kinds import describe_details, kind_spec

STAFF = (Role.ASSESSOR, Role.IQA, Role.CENTRE_ADMIN)
# What the caseload's address may ask: its filters and its page.
CASELOAD_QUERY = (*CaseloadFilter.base_filters, "page")


@centre_role_required(Role.ASSESSOR)
def caseload_page(request):
    """The assessor's learners, with what waits for them first."""

    def context():
        units = units_offered(centre=request.centre)
        filters = CaseloadFilter(
            request.GET, caseload_enrolments(centre=request.centre, assessor=request.user), units=units
        )
        return {
            "page": page_of_caseload(filters.qs, page=request.GET.get("page")),
            "units": units,
            "unit_id": filters.form["unit"].value() or "",
            "state": filters.form["state"].value() or "",
            "states": CaseloadState.CHOICES,
        }

    return render_for_reader(request, "assessment/caseload.html", context, query=CASELOAD_QUERY)


@centre_role_required(*STAFF)
def enrolment_assessment(request, enrolment_id: int):
    """One learner's assessment on one unit: every criterion's standing decision and
    its history, what waits to be judged, sign-off, and what the domains above add (the
    IQA's samples, ``iqa.receivers``)."""
    enrolment = access_enrolment_for_assessment(request, enrolment_id)
    history = decision_history(enrolment=enrolment)
    rows = [(criterion, history.get(criterion.pk, [])) for criterion in unit_criteria(enrolment.unit)]
    is_assessor = enrolment_policy.user_has_permission_for_instance(request.user, ASSESS, enrolment)
    sign_off = standing_sign_off(enrolment=enrolment)
    return render(
        request,
        "assessment/enrolment.html",
        {
            "enrolment": enrolment,
            "rows": rows,
            "submissions": submissions_of(enrolment=enrolment),
            "is_assessor": is_assessor,
            "sign_off": sign_off,
            "past_sign_offs": earlier_sign_offs(enrolment=enrolment, besides=sign_off),
            "reopened": reopened_sign_offs(enrolments=[enrolment]).get(enrolment.pk),
            "can_sign_off": is_assessor and sign_off is None and not unmet_criteria(enrolment=enrolment),
            "panels": enrolment_panels(request=request, enrolment=enrolment, is_assessor=is_assessor),
            "redactor": redactor_for(learner=enrolment.learner_id),
        },
    )


@centre_role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
def judge_submission(request, item_id: int):
    """A submitted item beside the criteria it is mapped to: per criterion, met or not
    yet met with feedback; then accept it, or return it to the learner."""
    item = access_item_to_judge(request, item_id)
    state = judging(item=item, assessor=request.user)
    mappings, version = state.mappings, state.version
    standing = latest_decisions(enrolments={m.enrolment for m in mappings})
    redactor = redactor_for(learner=item.learner_id)
    title = redactor.text(item.title)
    snapshot = redactor.snapshot(version.snapshot) if version else {}
    form = JudgeForm(
        # Bound even with nothing left to judge: a form sent twice is answered by the
        # service, which says who judged it and when.
        request.POST if request.method == "POST" else None,
        criteria=[m.criterion for m in mappings if m.criterion_id in state.judgeable],
    )
    status = 200
    if form.is_bound:
        judged = run_form(
            form,
            lambda data: assess_submission(
                item=item,
                assessor=request.user,
                judgements=form.judgements(),
                return_reason=form.return_reason(),
            ),
        )
        if judged:
            done = "returned to the learner" if form.returning else "assessed"
            messages.success(request, f"“{title}” is {done}; the learner has been told.")
            return redirect("assessment:caseload")
        if isinstance(form.service_error, AlreadyDone):
            messages.info(request, str(form.service_error))
            return redirect("assessment:caseload")
        standing = latest_decisions(enrolments={m.enrolment for m in mappings})
        status = 409 if isinstance(form.service_error, Stale) else 400
    rows = [
        {
            "mapping": m,
            "standing": standing.get((m.enrolment_id, m.criterion_id)),
            "outcome": form.typed(m.criterion_id)[0],
            "feedback": form.typed(m.criterion_id)[1],
            "judgeable": m.criterion_id in state.judgeable,
            "reopened": state.reopened.get(m.enrolment_id),
        }
        for m in mappings
    ]
    return render(
        request,
        "assessment/judge.html",
        {
            "item": item,
            "title": title,
            "version": version,
            "snapshot": snapshot,
            "redactor": redactor,
            "spec": kind_spec(item.kind),
            "details": describe_details(snapshot["kind"], snapshot["details"]) if version else [],
            "rows": rows,
            "can_judge": bool(state.judgeable),
            "reassessing": bool(state.judgeable) and item.status == item.Status.ASSESSED,
            "reopenings": list({s.pk: s for s in state.reopened.values()}.values()),
            "problems": problems_of(form),
            "reason": form["reason"].value() or "",
            "outcomes": Outcome.choices,
        },
        status=status,
    )


@centre_role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
def sign_off_page(request, enrolment_id: int):
    enrolment = access_enrolment_to_assess(request, enrolment_id)
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(
        form,
        lambda data: sign_off_unit(enrolment=enrolment, assessor=request.user, declared=data["declared"]),
    ):
        messages.success(
            request, f"{enrolment.unit.title} is signed off; the learner is asked to countersign."
        )
        return redirect("assessment:sign_off", sign_off_id=form.outcome.pk)
    if form.is_bound and isinstance(form.service_error, AlreadyDone):
        messages.info(request, str(form.service_error))
        return redirect("assessment:sign_off", sign_off_id=form.service_error.done.pk)
    return render(
        request,
        "assessment/sign_off_form.html",
        {
            "enrolment": enrolment,
            "sheet": sheet_for_staff(
                recording_sheet(enrolment=enrolment), redactor=redactor_for(learner=enrolment.learner_id)
            ),
            "declaration": ASSESSOR_DECLARATION,
            "problems": problems_of(form),
        },
        status=400 if form.errors else 200,
    )


@centre_role_required(*STAFF, Role.LEARNER)
def sign_off_detail(request, sign_off_id: int):
    """The unit recording sheet as it was frozen at sign-off, with both declarations."""
    sign_off = access_sign_off(request, sign_off_id)
    learner = sign_off.enrolment.learner
    is_learner = learner.user_id == request.user.pk
    sheet = sign_off.recording_sheet
    return render(
        request,
        "assessment/recording_sheet.html",
        {
            "sign_off": sign_off,
            "sheet": sheet if is_learner else sheet_for_staff(sheet, redactor=redactor_for(learner=learner)),
            "is_learner": is_learner,
            "is_centre_admin": Role.CENTRE_ADMIN in roles_in_centre(request),
            "is_iqa": Role.IQA in roles_in_centre(request),
        },
    )


@centre_role_required(Role.CENTRE_ADMIN)
@require_http_methods(["GET", "POST"])
def reopen_page(request, sign_off_id: int):
    sign_off = access_sign_off(request, sign_off_id)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(
        form, lambda data: reopen_sign_off(sign_off=sign_off, actor=request.user, reason=data["reason"])
    ):
        messages.success(request, "The unit is reopened; its assessor can assess it again.")
        return redirect("assessment:enrolment", enrolment_id=sign_off.enrolment_id)
    return render(
        request,
        "assessment/reopen.html",
        {"sign_off": sign_off, "problems": problems_of(form), "reason": form["reason"].value() or ""},
        status=400 if form.errors else 200,
    )


@centre_role_required(*STAFF)
def unit_grid_page(request, unit_id: int):
    """Every learner on a unit against its criteria: an assessor's own learners, or all
    of the centre's for IQAs and centre admins."""
    unit = access_offered_unit(request, unit_id).unit
    enrolments = enrolments_for_grid(
        centre=request.centre, user=request.user, every_learner=bool(roles_in_centre(request) & OVERSEERS)
    )
    criteria, page = page_of_unit_grid(enrolments=enrolments, unit=unit, page=request.GET.get("page"))
    return render(request, "assessment/unit_grid.html", {"unit": unit, "criteria": criteria, "page": page})


@learner_required
def learner_home(request):
    """The learner's home, at their portfolio's address: each of their units' criteria
    with the evidence mapped to each, where it stands, and the unit's sign-off."""

    def context():
        # Which learner the person is follows from the data alone, as the page does: kept
        # with it (the role that admits them is checked on every request).
        learner = access_own_learner(request)
        units = portfolio_progress(learner=learner)
        sign_offs = latest_sign_offs(enrolments=[unit.enrolment for unit in units])
        for unit in units:
            latest = sign_offs.get(unit.enrolment.pk)
            # The sign-off standing, or the one reopened since which the unit is assessed again.
            unit.sign_off = latest if latest and latest.is_standing else None
            unit.reopened = latest if latest and not latest.is_standing else None
        return {
            "learner": learner,
            "qualifications": qualifications_progress(learner=learner),
            "units": units,
            "networking": networking_enabled(learner=learner),
        }

    return render_for_reader(request, "assessment/learner_home.html", context)


@learner_required
@require_http_methods(["GET", "POST"])
def countersign(request, sign_off_id: int):
    """The learner's countersignature of a unit their assessor has signed off."""
    sign_off = access_own_sign_off(request, sign_off_id, learner=access_own_learner(request))
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(
        form,
        lambda data: countersign_unit(
            sign_off=sign_off, learner_user=request.user, declared=data["declared"]
        ),
    ):
        messages.success(request, f"You have countersigned {sign_off.enrolment.unit.title}.")
        return redirect("assessment:learner_home")
    if form.is_bound and isinstance(form.service_error, AlreadyDone):
        messages.info(request, str(form.service_error))
        return redirect("assessment:learner_home")
    return render(
        request,
        "assessment/countersign.html",
        {
            "sign_off": sign_off,
            "sheet": sign_off.recording_sheet,
            "declaration": LEARNER_DECLARATION,
            "problems": problems_of(form),
        },
        status=400 if form.errors else 200,
    )
