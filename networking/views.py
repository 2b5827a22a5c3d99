"""The learner's networking records: their contact register and interaction log, dated
network reviews, the network map, their guidelines, and turning any of them into evidence."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common.dates import long_date
from common.downloads import private_file_response
from networking.access import access_networking, access_own_contact, access_own_review
from networking.forms import (
    ContactForm,
    GuidelinesForm,
    InteractionForm,
    ReviewForm,
    ReviewLineForm,
    UseAsEvidenceForm,
)
from networking.models import NetworkContact
from networking.selectors import (
    compare_reviews,
    contacts_of,
    guidelines_of,
    guidelines_prompt,
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


def _posted(request):
    return request.POST if request.method == "POST" else None


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
            "evidence": evidence_items_for_learner(learner=learner).filter(
                kind=EvidenceKind.NETWORKING_RECORD
            ),
            "evidence_form": _evidence_form(),
        },
    )


@learner_required
@require_http_methods(["GET", "POST"])
def add_contact(request):
    learner = access_networking(request)
    form = ContactForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            contact = save_contact(learner=learner, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
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
    form = ContactForm(_posted(request), instance=NetworkContact.objects.get(pk=contact.pk))
    if request.method == "POST" and form.is_valid():
        try:
            save_contact(learner=contact.learner, actor=request.user, data=form.cleaned_data, contact=contact)
        except ValidationError as error:
            form.add_error(None, error)
        else:
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
        {"contact": contact, "interactions": contact.interactions.all(), "form": InteractionForm()},
    )


@learner_required
@require_POST
def add_interaction(request, contact_id: int):
    contact = access_own_contact(request, contact_id)
    form = InteractionForm(request.POST)
    if form.is_valid():
        try:
            log_interaction(contact=contact, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Logged your interaction with {contact.name}.")
            return redirect("networking:contact", contact_id=contact.pk)
    return render(
        request,
        "networking/contact.html",
        {"contact": contact, "interactions": contact.interactions.all(), "form": form},
        status=400,
    )


@learner_required
@require_http_methods(["GET", "POST"])
def remove_contact(request, contact_id: int):
    contact = access_own_contact(request, contact_id)
    if request.method == "POST":
        changed = delete_contact(contact=contact, actor=request.user)
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
    data = _posted(request)
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
    if request.method == "POST":
        valid = all(
            [
                form.is_valid(),
                *(line.is_valid() for _, line in contact_lines),
                *(g.is_valid() for g in group_lines),
            ]
        )
        if valid:
            lines = [
                ReviewLine(contact=contact, **_judgement(line.cleaned_data))
                for contact, line in contact_lines
                if line.is_started
            ] + [
                ReviewLine(group=line.cleaned_data["group"], **_judgement(line.cleaned_data))
                for line in group_lines
                if line.is_started
            ]
            try:
                review = record_review(learner=learner, **form.cleaned_data, lines=lines)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, field_errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, field_errors)
                else:
                    problems = error.messages
            else:
                messages.success(request, f"Your review of {long_date(review.reviewed_on)} is saved.")
                return redirect("networking:review", review_id=review.pk)
        line_errors = [
            error
            for line in [*(line for _, line in contact_lines), *group_lines]
            for errors in line.errors.values()
            for error in errors
        ]
        problems = [*problems, *line_errors]
    return render(
        request,
        "networking/review_form.html",
        {"form": form, "contact_lines": contact_lines, "group_lines": group_lines, "problems": problems},
        status=400 if request.method == "POST" else 200,
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
    chosen = {str(r.pk): r for r in all_reviews}
    older, newer = chosen.get(request.GET.get("older", "")), chosen.get(request.GET.get("newer", ""))
    problem = ""
    if "older" in request.GET and (older is None or newer is None):
        problem = "Choose two of your reviews to compare."
    elif older is not None and older == newer:
        problem = "Choose two different reviews."
    if older and newer and (older.reviewed_on, older.pk) > (newer.reviewed_on, newer.pk):
        older, newer = newer, older
    changes = (
        compare_reviews(review_for_learner(older), review_for_learner(newer))
        if older and newer and not problem
        else []
    )
    return render(
        request,
        "networking/compare.html",
        {"reviews": all_reviews, "older": older, "newer": newer, "changes": changes, "problem": problem},
        status=400 if problem else 200,
    )


@learner_required
@require_http_methods(["GET", "POST"])
def guidelines(request):
    learner = access_networking(request)
    current = guidelines_of(learner=learner)
    prompt, outline = guidelines_prompt(centre=learner.centre)
    initial = {"body": current.body if current else outline}
    form = GuidelinesForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_guidelines(learner=learner, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
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
    review_id = request.POST.get("review", "")
    details = {"record": request.POST.get("record", "")}
    if review_id:
        if not (review_id.isascii() and review_id.isdigit()):
            raise Http404("No such review of yours.")
        details["review"] = int(review_id)
    if not form.is_valid():
        messages.error(request, "That form had expired: try again.")
        return redirect("networking:home")
    try:
        item, created = start_networking_evidence(
            learner=learner,
            actor=request.user,
            details=details,
            creation_token=form.cleaned_data["creation_token"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("networking:home")
    if created:
        messages.success(request, f"“{item.title}” is a draft of evidence. Next, map it to criteria.")
    return redirect("portfolio:evidence", item_id=item.pk)
