"""The assessor's side: the caseload, judging submissions and unit sign-off; the pages
that assessors, IQAs and centre admins share: a learner's assessment, a signed-off unit's
recording sheet, and a unit's tracking grid; and the learner's: their home page, where
each unit stands against its criteria, and countersigning a unit signed off."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessment.access import (
    OVERSEERS,
    access_enrolment_for_assessment,
    access_item_to_judge,
    access_sign_off,
)
from assessment.models import CriterionDecision, Outcome, UnitSignOff
from assessment.panels import enrolment_panels
from assessment.progress import portfolio_progress
from assessment.selectors import (
    CaseloadState,
    caseload,
    latest_decisions,
    latest_sign_offs,
    recording_sheet,
    reopened_sign_offs,
    sheet_for_staff,
    standing_sign_off,
    unit_criteria,
    unit_grid,
)
from assessment.services import (
    ASSESSOR_DECLARATION,
    LEARNER_DECLARATION,
    Judgement,
    StaleDecision,
    assess_submission,
    countersign_unit,
    reopen_sign_off,
    sign_off_unit,
)
from centre.access import centre_role_required, roles_in_centre
from centre.models import OfferedUnit, Role
from centre.selectors import guidance_by_unit
from common.redaction import redactor_for
from learners.access import access_own_learner, learner_required
from learners.models import Enrolment
from learners.policies import ASSESS, enrolment_policy
from learners.selectors import enrolments_for_assessor
from networking.selectors import networking_enabled
from portfolio.kinds import describe_details, kind_spec
from units.models import UnitPage

STAFF = (Role.ASSESSOR, Role.IQA, Role.CENTRE_ADMIN)


@centre_role_required(Role.ASSESSOR)
def caseload_page(request):
    """The assessor's learners, with what waits for them first."""
    offered = UnitPage.objects.filter(
        pk__in=OfferedUnit.objects.filter(centre=request.centre).values("unit")
    ).order_by("title")
    unit_id = request.GET.get("unit", "")
    state = request.GET.get("state", "")
    rows = caseload(
        centre=request.centre,
        assessor=request.user,
        unit_id=int(unit_id) if unit_id.isascii() and unit_id.isdigit() else None,
        state=state,
    )
    return render(
        request,
        "assessment/caseload.html",
        {"rows": rows, "units": offered, "unit_id": unit_id, "state": state, "states": CaseloadState.CHOICES},
    )


@centre_role_required(*STAFF)
def enrolment_assessment(request, enrolment_id: int):
    """One learner's assessment on one unit: every criterion's standing decision and
    its history, what waits to be judged, sign-off, and what the domains above add (the
    IQA's samples, ``iqa.receivers``)."""
    enrolment = access_enrolment_for_assessment(request, enrolment_id)
    criteria = unit_criteria(enrolment.unit)
    history: dict[int, list[CriterionDecision]] = {}
    for decision in (
        CriterionDecision.objects.filter(enrolment=enrolment).select_related("assessor").order_by("-sequence")
    ):
        history.setdefault(decision.criterion_id, []).append(decision)
    rows = [(criterion, history.get(criterion.pk, [])) for criterion in criteria]
    items = (
        enrolment.evidence_mappings.exclude(item__status="draft")
        .select_related("item")
        .order_by("item__submitted_at")
    )
    submissions = list({mapping.item_id: mapping.item for mapping in items}.values())
    redactor = redactor_for(learner=enrolment.learner_id)
    is_assessor = enrolment_policy.user_has_permission_for_instance(request.user, ASSESS, enrolment)
    sign_off = standing_sign_off(enrolment=enrolment)
    all_met = all(decisions and decisions[0].outcome == Outcome.MET for _, decisions in rows)
    return render(
        request,
        "assessment/enrolment.html",
        {
            "enrolment": enrolment,
            "rows": rows,
            "submissions": submissions,
            "is_assessor": is_assessor,
            "sign_off": sign_off,
            "past_sign_offs": enrolment.sign_offs.exclude(pk=getattr(sign_off, "pk", None)).select_related(
                "reopened_by"
            ),
            "reopened": reopened_sign_offs(enrolments=[enrolment]).get(enrolment.pk),
            "can_sign_off": is_assessor and sign_off is None and all_met,
            "panels": enrolment_panels(request=request, enrolment=enrolment, is_assessor=is_assessor),
            "redactor": redactor,
        },
    )


@centre_role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
def judge_submission(request, item_id: int):
    """A submitted item beside the criteria it is mapped to: per criterion, met or not
    yet met with feedback; then accept it, or return it to the learner."""
    item = access_item_to_judge(request, item_id)
    version = item.versions.order_by("-number").prefetch_related("files").first()
    mappings = [
        mapping
        for mapping in item.mappings.select_related("criterion", "enrolment").order_by(
            "criterion__sort_order"
        )
        if enrolment_policy.user_has_permission_for_instance(request.user, ASSESS, mapping.enrolment)
    ]
    standing = latest_decisions(enrolments={m.enrolment for m in mappings})
    # Evidence already assessed is judged again only on a unit reopened after sign-off.
    reopened = reopened_sign_offs(enrolments={m.enrolment_id for m in mappings})
    if item.status == item.Status.SUBMITTED:
        judgeable = {m.criterion_id for m in mappings}
    elif item.status == item.Status.ASSESSED:
        judgeable = {m.criterion_id for m in mappings if m.enrolment_id in reopened}
    else:
        judgeable = set()
    redactor = redactor_for(learner=item.learner_id)
    title = redactor.text(item.title)
    snapshot = redactor.snapshot(version.snapshot) if version else {}
    problems, status = [], 200
    if request.method == "POST" and judgeable:
        judgements = {
            m.criterion_id: Judgement(
                outcome=request.POST.get(f"outcome-{m.criterion_id}", ""),
                feedback=request.POST.get(f"feedback-{m.criterion_id}", ""),
                seen_sequence=_int(request.POST.get(f"seen-{m.criterion_id}")),
            )
            for m in mappings
            if m.criterion_id in judgeable
        }
        returning = request.POST.get("action") == "return"
        reason = request.POST.get("reason", "")
        if returning and not reason.strip():
            problems = ["Say what the learner needs to change before you return it."]
        else:
            try:
                assess_submission(
                    item=item,
                    assessor=request.user,
                    judgements=judgements,
                    return_reason=reason if returning else "",
                )
            except StaleDecision as stale:
                problems, status = [str(stale)], 409
            except ValidationError as error:
                problems, status = error.messages, 400
            else:
                done = "returned to the learner" if returning else "assessed"
                messages.success(request, f"“{title}” is {done}; the learner has been told.")
                return redirect("assessment:caseload")
        standing = latest_decisions(enrolments={m.enrolment for m in mappings})
        status = status if status != 200 else 400
    rows = [
        {
            "mapping": m,
            "standing": standing.get((m.enrolment_id, m.criterion_id)),
            "outcome": request.POST.get(f"outcome-{m.criterion_id}", ""),
            "feedback": request.POST.get(f"feedback-{m.criterion_id}", ""),
            "judgeable": m.criterion_id in judgeable,
            "reopened": reopened.get(m.enrolment_id),
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
            "can_judge": bool(judgeable),
            "reassessing": bool(judgeable) and item.status == item.Status.ASSESSED,
            "reopenings": list({s.pk: s for s in reopened.values()}.values()),
            "problems": problems,
            "reason": request.POST.get("reason", ""),
            "outcomes": Outcome.choices,
        },
        status=status,
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


@centre_role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
def sign_off_page(request, enrolment_id: int):
    enrolment = access_enrolment_for_assessment(request, enrolment_id)
    if not enrolment_policy.user_has_permission_for_instance(request.user, ASSESS, enrolment):
        raise Http404("No such enrolment among yours.")
    problems = []
    if request.method == "POST":
        try:
            sign_off = sign_off_unit(
                enrolment=enrolment, assessor=request.user, declared=request.POST.get("declared") == "on"
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(
                request, f"{enrolment.unit.title} is signed off; the learner is asked to countersign."
            )
            return redirect("assessment:sign_off", sign_off_id=sign_off.pk)
    return render(
        request,
        "assessment/sign_off_form.html",
        {
            "enrolment": enrolment,
            "sheet": sheet_for_staff(
                recording_sheet(enrolment=enrolment), redactor=redactor_for(learner=enrolment.learner_id)
            ),
            "declaration": ASSESSOR_DECLARATION,
            "problems": problems,
        },
        status=400 if problems else 200,
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
    problems = []
    if request.method == "POST":
        try:
            reopen_sign_off(sign_off=sign_off, actor=request.user, reason=request.POST.get("reason", ""))
        except (ValidationError, PermissionDenied) as error:
            problems = error.messages if isinstance(error, ValidationError) else [str(error)]
        else:
            messages.success(request, "The unit is reopened; its assessor can assess it again.")
            return redirect("assessment:enrolment", enrolment_id=sign_off.enrolment_id)
    return render(
        request,
        "assessment/reopen.html",
        {"sign_off": sign_off, "problems": problems, "reason": request.POST.get("reason", "")},
        status=400 if problems else 200,
    )


@centre_role_required(*STAFF)
def unit_grid_page(request, unit_id: int):
    """Every learner on a unit against its criteria: an assessor's own learners, or all
    of the centre's for IQAs and centre admins."""
    offered = (
        OfferedUnit.objects.filter(centre=request.centre, unit_id=unit_id).select_related("unit").first()
    )
    if offered is None:
        raise Http404("Your centre does not offer that unit.")
    if roles_in_centre(request) & OVERSEERS:
        enrolments = Enrolment.objects.filter(centre=request.centre)
    else:
        enrolments = enrolments_for_assessor(centre=request.centre, assessor=request.user)
    criteria, rows = unit_grid(enrolments=enrolments, unit=offered.unit)
    return render(
        request, "assessment/unit_grid.html", {"unit": offered.unit, "criteria": criteria, "rows": rows}
    )


@learner_required
def learner_home(request):
    """The learner's home, at their portfolio's address: each of their units' criteria
    with the evidence mapped to each, where it stands, and the unit's sign-off."""
    learner = access_own_learner(request)
    units = portfolio_progress(learner=learner)
    guidance = guidance_by_unit(centre=request.centre, unit_ids=[unit.enrolment.unit_id for unit in units])
    sign_offs = latest_sign_offs(enrolments=[unit.enrolment for unit in units])
    for unit in units:
        unit.guidance = guidance.get(unit.enrolment.unit_id)
        latest = sign_offs.get(unit.enrolment.pk)
        # The sign-off standing, or the one reopened since which the unit is assessed again.
        unit.sign_off = latest if latest and latest.is_standing else None
        unit.reopened = latest if latest and not latest.is_standing else None
    return render(
        request,
        "assessment/learner_home.html",
        {"learner": learner, "units": units, "networking": networking_enabled(learner=learner)},
    )


@learner_required
@require_http_methods(["GET", "POST"])
def countersign(request, sign_off_id: int):
    """The learner's countersignature of a unit their assessor has signed off."""
    learner = access_own_learner(request)
    sign_off = (
        UnitSignOff.objects.filter(centre=request.centre, pk=sign_off_id, enrolment__learner=learner)
        .select_related("enrolment__unit")
        .first()
    )
    if sign_off is None:
        raise Http404("No such sign-off of yours.")
    problems = []
    if request.method == "POST":
        try:
            countersign_unit(
                sign_off=sign_off, learner_user=request.user, declared=request.POST.get("declared") == "on"
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, f"You have countersigned {sign_off.enrolment.unit.title}.")
            return redirect("assessment:learner_home")
    return render(
        request,
        "assessment/countersign.html",
        {
            "sign_off": sign_off,
            "sheet": sign_off.recording_sheet,
            "declaration": LEARNER_DECLARATION,
            "problems": problems,
        },
        status=400 if problems else 200,
    )
