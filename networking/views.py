"""The learner's networking records: their contact register and interaction log, dated
network reviews, the network map, their guidelines, and turning any of them into evidence."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common.dates import long_date
from common.downloads import private_file_response
from common.forms import ConfirmForm, run_form
from networking.access import access_networking, access_own_contact, access_own_review
from networking.forms import (
    CompareReviewsForm,
    ContactForm,
    GuidelinesForm,
    InteractionForm,
    ReviewForm,
    ReviewLineForm,
    UseAsEvidenceForm,
)
from networking.selectors import (
    compare_reviews,
    contacts_of,
    guidelines_of,
    guidelines_prompt,
    interactions_of,
    network_record,
    review_for_learner,
    reviews_of,
)
from networking.services import (
    ReviewLine,
    delete_contact,
    export_contacts,
    log_interaction,
    record_review,
    save_contact,
    save_guidelines,
    start_networking_evidence,
)
from portfolio.models import EvidenceKind
from portfolio.selectors import evidence_items_for_learner
from portfolio.views import learner_required

GROUP_ROWS = 2
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _evidence_form():
    return UseAsEvidenceForm(initial={"creation_token": uuid.uuid4()})


@learner_required
def home(request):
    learner = access_networking(request)
    record = network_record(learner=learner, details={"record": "register"}, pseudonymise=False)
    return render(
        request,
        "networking/home.html",
        {
            "learner": learner,
            "contacts": contacts_of(learner=learner),
            "register": record,
            "reviews": reviews_of(learner=learner)[:3],
            "guidelines": guidelines_of(learner=learner),
            "evidence": evidence_items_for_learner(learner=learner, kind=EvidenceKind.NETWORKING_RECORD),
            "evidence_form": _evidence_form(),
        },
    )


@learner_required
@require_http_methods(["GET", "POST"])
def add_contact(request):
    learner = access_networking(request)
    form = ContactForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(
        form, lambda data: save_contact(learner=learner, actor=request.user, data=data)
    ):
        contact = form.outcome
        messages.success(request, f"{contact.name} is in your register as {contact.reference}.")
        return redirect("networking:contact", contact_id=contact.pk)
    return render(
        request,
        "networking/contact_form.html",
        {"form": form, "contact": None},
        status=_status(form),
    )


@learner_required
@require_http_methods(["GET", "POST"])
def edit_contact(request, contact_id: int):
    contact = access_own_contact(request, contact_id)
    # The form edits a copy of its own, so that the page keeps the contact as saved.
    form = ContactForm(
        request.POST if request.method == "POST" else None, instance=access_own_contact(request, contact_id)
    )

    def save(data):
        return save_contact(learner=contact.learner, actor=request.user, data=data, contact=contact)

    if form.is_bound and run_form(form, save):
        messages.success(request, "Your changes are saved.")
        return redirect("networking:contact", contact_id=contact.pk)
    return render(
        request,
        "networking/contact_form.html",
        {"form": form, "contact": contact},
        status=_status(form),
    )


def _status(form) -> int:
    return 400 if form.errors else 200


@learner_required
def contact(request, contact_id: int):
    contact = access_own_contact(request, contact_id)
    return render(
        request,
        "networking/contact.html",
        {"contact": contact, "interactions": interactions_of(contact=contact), "form": InteractionForm()},
    )


@learner_required
@require_POST
def add_interaction(request, contact_id: int):
    contact = access_own_contact(request, contact_id)
    form = InteractionForm(request.POST)
    if run_form(form, lambda data: log_interaction(contact=contact, data=data)):
        messages.success(request, f"Logged your interaction with {contact.name}.")
        return redirect("networking:contact", contact_id=contact.pk)
    return render(
        request,
        "networking/contact.html",
        {"contact": contact, "interactions": interactions_of(contact=contact), "form": form},
        status=400,
    )


@learner_required
@require_http_methods(["GET", "POST"])
def remove_contact(request, contact_id: int):
    contact = access_own_contact(request, contact_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound and run_form(form, lambda data: delete_contact(contact=contact, actor=request.user)):
        changed = form.outcome
        kept = f" Your submitted evidence keeps them only as “{contact.pseudonym}”." if changed else ""
        messages.success(request, f"Deleted {contact.name} and their interactions.{kept}")
        return redirect("networking:home")
    return render(request, "networking/contact_delete.html", {"contact": contact})


@learner_required
def download_contacts(request):
    learner = access_networking(request)
    workbook = export_contacts(learner=learner, actor=request.user)
    return private_file_response(
        workbook, filename="networking-contacts.xlsx", content_type=XLSX, inline=False
    )


@learner_required
def reviews(request):
    learner = access_networking(request)
    return render(request, "networking/reviews.html", {"reviews": reviews_of(learner=learner)})


@learner_required
@require_http_methods(["GET", "POST"])
def new_review(request):
    learner = access_networking(request)
    contacts = list(contacts_of(learner=learner))
    data = request.POST if request.method == "POST" else None
    form = ReviewForm(data)
    contact_lines = [
        (contact, ReviewLineForm(data, prefix=f"contact-{contact.pk}", subject=contact.name))
        for contact in contacts
    ]
    group_lines = [
        ReviewLineForm(data, prefix=f"group-{index}", subject=f"group {index + 1}", is_group=True)
        for index in range(GROUP_ROWS)
    ]
    problems = []
    if form.is_bound:
        all_lines = [*(line for _, line in contact_lines), *group_lines]
        lines_valid = all([form.is_valid(), *(line.is_valid() for line in all_lines)])

        def record(data):
            lines = [
                ReviewLine(contact=contact, **_judgement(line.cleaned_data))
                for contact, line in contact_lines
                if line.is_started
            ] + [
                ReviewLine(group=line.cleaned_data["group"], **_judgement(line.cleaned_data))
                for line in group_lines
                if line.is_started
            ]
            return record_review(learner=learner, **data, lines=lines)

        if lines_valid and run_form(form, record):
            messages.success(request, f"Your review of {long_date(form.outcome.reviewed_on)} is saved.")
            return redirect("networking:review", review_id=form.outcome.pk)
        problems = [error for line in all_lines for errors in line.errors.values() for error in errors]
    return render(
        request,
        "networking/review_form.html",
        {"form": form, "contact_lines": contact_lines, "group_lines": group_lines, "problems": problems},
        status=400 if form.is_bound else 200,
    )


def _judgement(data: dict) -> dict:
    return {name: data[name] for name in ("value", "effort", "decision", "comment")}


@learner_required
def review(request, review_id: int):
    """A review as the learner wrote it, beside what they said at the review before."""
    review = access_own_review(request, review_id)
    record = network_record(
        learner=review.learner, details={"record": "review", "review": review.pk}, pseudonymise=False
    )
    return render(
        request,
        "networking/review.html",
        {"review": review, "record": record, "evidence_form": _evidence_form()},
    )


@learner_required
def compare(request):
    """Any two of the learner's reviews side by side: what they said of each contact."""
    learner = access_networking(request)
    all_reviews = list(reviews_of(learner=learner))
    form = CompareReviewsForm(request.GET, reviews=all_reviews)
    older = newer = None
    changes = []
    if form.asked and form.is_valid():
        older, newer = form.cleaned_data["older"], form.cleaned_data["newer"]
        changes = compare_reviews(review_for_learner(older), review_for_learner(newer))
    return render(
        request,
        "networking/compare.html",
        {"reviews": all_reviews, "older": older, "newer": newer, "changes": changes, "problem": form.problem},
        status=400 if form.problem else 200,
    )


@learner_required
@require_http_methods(["GET", "POST"])
def guidelines(request):
    learner = access_networking(request)
    current = guidelines_of(learner=learner)
    prompt, outline = guidelines_prompt(centre=learner.centre)
    initial = {"body": current.body if current else outline}
    form = GuidelinesForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and run_form(form, lambda data: save_guidelines(learner=learner, body=data["body"])):
        messages.success(request, "Your guidelines are saved.")
        return redirect("networking:guidelines")
    return render(
        request,
        "networking/guidelines.html",
        {"form": form, "prompt": prompt, "guidelines": current, "evidence_form": _evidence_form()},
        status=_status(form),
    )


@learner_required
@require_POST
def use_as_evidence(request):
    """Start a draft evidence item from one of the learner's networking records."""
    learner = access_networking(request)
    form = UseAsEvidenceForm(request.POST)

    def start(data):
        return start_networking_evidence(
            learner=learner, actor=request.user, details=form.details, creation_token=data["creation_token"]
        )

    if form.names_no_review:
        raise Http404("No such review of yours.")
    if not form.is_valid():
        messages.error(request, "That form had expired: try again.")
        return redirect("networking:home")
    if not run_form(form, start):
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect("networking:home")
    item, created = form.outcome
    if created:
        messages.success(request, f"“{item.title}” is a draft of evidence. Next, map it to criteria.")
    return redirect("portfolio:evidence", item_id=item.pk)
