"""Learners' records and privacy: a centre admin's page of one learner's records (their
subject access download, retention, and holds on their records), the centre's retention
period, and a learner's own download of everything Waymark holds about them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from centre.access import centre_role_required
from centre.models import Role
from common.downloads import private_file_response
from common.forms import ConfirmForm, run_form
from common.storage_faults import file_or_unavailable
from learners.access import access_learner, access_own_learner
from learners.models import Learner
from privacy import services
from privacy.access import access_hold
from privacy.forms import RetentionHoldForm, RetentionPeriodForm
from privacy.selectors import holds_of, retention_of

admin_required = centre_role_required(Role.CENTRE_ADMIN)


@admin_required
def learner_records(request, learner_id: int):
    learner = access_learner(request, learner_id)
    return _records_page(request, learner, RetentionHoldForm())


def _records_page(request, learner: Learner, form: RetentionHoldForm):
    return render(
        request,
        "privacy/records.html",
        {
            "learner": learner,
            "retention": retention_of(learner=learner),
            "holds": holds_of(learner=learner),
            "form": form,
        },
    )


@admin_required
@require_POST
def subject_access(request, learner_id: int):
    return _subject_access_archive(request, access_learner(request, learner_id))


@centre_role_required(Role.LEARNER)
@require_POST
def own_subject_access(request):
    return _subject_access_archive(request, access_own_learner(request))


def _subject_access_archive(request, learner: Learner):
    # The export reads the learner's evidence files from the store, and is audited only
    # once it has them all.
    return file_or_unavailable(
        request,
        lambda: private_file_response(
            services.export_learner(learner, actor=request.user),
            filename=f"subject-access-{learner.candidate_number}.zip",
            content_type="application/zip",
        ),
        what=f"evidence of learner {learner.pk} for their subject access download",
    )


@admin_required
@require_POST
def place_hold(request, learner_id: int):
    learner = access_learner(request, learner_id)
    form = RetentionHoldForm(request.POST)
    if run_form(
        form, lambda data: services.place_hold(learner=learner, actor=request.user, reason=data["reason"])
    ):
        messages.success(request, "The hold is placed: these records are kept until it is released.")
        return redirect("privacy:records", learner_id=learner.pk)
    return _records_page(request, learner, form)


@admin_required
@require_POST
def release_hold(request, hold_id: int):
    hold = access_hold(request, hold_id)
    form = ConfirmForm(request.POST)
    if not run_form(form, lambda data: services.release_hold(hold=hold, actor=request.user)):
        messages.error(request, " ".join(form.non_field_errors()))
    else:
        messages.success(request, "The hold is released: the centre’s retention period applies again.")
    return redirect("privacy:records", learner_id=hold.learner_id)


@admin_required
@require_http_methods(["GET", "POST"])
def retention(request):
    form = RetentionPeriodForm(
        request.POST if request.method == "POST" else None,
        initial={"retention_years": request.centre.retention_years},
    )

    def set_years(data):
        services.set_retention_years(centre=request.centre, years=data["retention_years"], actor=request.user)

    if form.is_bound and run_form(form, set_years):  # the model's limits land on the form
        years = form.cleaned_data["retention_years"]
        messages.success(
            request, f"Learners’ records are now kept for {years} years after their assessment is over."
        )
        return redirect("privacy:retention")
    return render(request, "privacy/retention.html", {"form": form})
