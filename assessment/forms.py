"""The forms of assessment's pages. Each parses what its page posts into what the
service takes; the rules themselves are the services' (``assessment.services``), whose
refusals ``common.forms.run_form`` puts on the form."""

from collections.abc import Iterable

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from assessment.services import Judgement
from units.models import AssessmentCriterion

INCOMPLETE_PAGE = "The page you sent was incomplete. Load it again and decide once more."


def problems_of(form: forms.BaseForm) -> list[str]:
    """Every error of a bound form, those above the form first, each once: what a page
    lists under "There is a problem"."""
    if not form.is_bound:
        return []
    problems = list(form.non_field_errors())
    for name, errors in form.errors.items():
        if name != NON_FIELD_ERRORS:
            problems.extend(errors)
    return list(dict.fromkeys(problems))


class TextListField(forms.Field):
    """Every value posted under one name (several text boxes named alike), as strings."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[str]:
        return [str(item) for item in value] if value else []


class JudgeForm(forms.Form):
    """Per criterion judged, an outcome, feedback and the number of the decision the page
    showed (``seen``, so that a stale page is refused); then accept, or return the item
    with a reason."""

    action = forms.CharField(required=False)
    reason = forms.CharField(required=False, strip=False)

    def __init__(self, *args, criteria: Iterable[AssessmentCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"outcome-{criterion.pk}"] = forms.CharField(required=False)
            self.fields[f"feedback-{criterion.pk}"] = forms.CharField(required=False, strip=False)
            self.fields[f"seen-{criterion.pk}"] = forms.IntegerField(
                required=False,
                min_value=0,
                widget=forms.HiddenInput,
                error_messages={key: INCOMPLETE_PAGE for key in ("required", "invalid", "min_value")},
            )

    @property
    def returning(self) -> bool:
        return self["action"].value() == "return"

    def clean(self):
        data = super().clean()
        for criterion in self.criteria:
            # A criterion left unchosen needs no decision number: on a reopened unit it
            # keeps the decision standing.
            seen = f"seen-{criterion.pk}"
            if data.get(f"outcome-{criterion.pk}") and data.get(seen) is None and seen not in self.errors:
                self.add_error(seen, INCOMPLETE_PAGE)
        if self.returning and not data.get("reason", "").strip():
            raise ValidationError("Say what the learner needs to change before you return it.")
        return data

    def judgements(self) -> dict[int, Judgement]:
        data = self.cleaned_data
        return {
            criterion.pk: Judgement(
                outcome=data[f"outcome-{criterion.pk}"],
                feedback=data[f"feedback-{criterion.pk}"],
                seen_sequence=data[f"seen-{criterion.pk}"] or 0,
            )
            for criterion in self.criteria
        }

    def return_reason(self) -> str:
        return self.cleaned_data["reason"] if self.returning else ""

    def typed(self, criterion_id: int) -> tuple[str, str]:
        """The outcome and feedback posted for a criterion, to show them again."""
        if f"outcome-{criterion_id}" not in self.fields:
            return "", ""
        return (
            self[f"outcome-{criterion_id}"].value() or "",
            self[f"feedback-{criterion_id}"].value() or "",
        )


class DeclarationForm(forms.Form):
    """A sign-off or countersignature: the declaration ticked, or not."""

    declared = forms.BooleanField(required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(required=False, strip=False)
