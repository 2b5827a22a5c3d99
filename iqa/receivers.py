"""Answers to what the domains below the IQA ask of it."""

from django.template.loader import render_to_string

from assessment.panels import add_enrolment_panel
from iqa.models import IqaSample


def samples_panel(*, request, enrolment, is_assessor: bool) -> str:
    """The IQA's samples of a learner's assessment on a unit, with their verdicts and the
    actions they require: on the learner's assessment page, where the assessor answers
    them."""
    samples = IqaSample.objects.filter(enrolment=enrolment).prefetch_related("actions").select_related("iqa")
    if not samples:
        return ""
    return render_to_string(
        "iqa/includes/enrolment_samples.html",
        {"samples": samples, "is_assessor": is_assessor},
        request=request,
    )


add_enrolment_panel("iqa.samples", samples_panel)
