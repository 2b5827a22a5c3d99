"""The forms of the IQA's pages and the assessor's answer to an action. Each parses what
its page posts into what the service takes; the rules are the services' (``iqa.services``)."""

from django import forms
from django.core.exceptions import ValidationError

from assessment.forms import TextListField
from iqa.models import AssessorRisk
from iqa.services import CHOOSE_LEARNERS, RATES_RULE
from portfolio.kinds import KINDS


class PlanForm(forms.Form):
    """The rates, the evidence methods to look for, and per assessor how closely they are
    sampled (standard unless said otherwise)."""

    standard_rate = forms.IntegerField(error_messages={"required": RATES_RULE, "invalid": RATES_RULE})
    higher_rate = forms.IntegerField(error_messages={"required": RATES_RULE, "invalid": RATES_RULE})
    methods = forms.MultipleChoiceField(
        choices=[(kind, spec.label) for kind, spec in KINDS.items()], required=False
    )

    def __init__(self, *args, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessors = list(assessors)
        for assessor in self.assessors:
            self.fields[f"risk-{assessor.pk}"] = forms.TypedChoiceField(
                choices=AssessorRisk.Level.choices, required=False, empty_value=AssessorRisk.Level.STANDARD
            )

    def risks(self) -> dict[int, str]:
        return {assessor.pk: self.cleaned_data[f"risk-{assessor.pk}"] for assessor in self.assessors}


class PicksField(forms.Field):
    """The learners ticked to sample, each posted as "<enrolment key>:<stage>"."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[tuple[int, str]]:
        picks = []
        for pick in value or []:
            enrolment_id, _, stage = str(pick).partition(":")
            if not (enrolment_id.isascii() and enrolment_id.isdigit()):
                raise ValidationError(CHOOSE_LEARNERS)
            picks.append((int(enrolment_id), stage))
        return picks


class StartSamplingForm(forms.Form):
    pick = PicksField(required=False)


class VerdictForm(forms.Form):
    """Agree or disagree, comments, and the actions that go with disagreement."""

    verdict = forms.CharField(required=False)
    comments = forms.CharField(required=False, strip=False)
    action = TextListField(required=False)


class ResponseForm(forms.Form):
    response = forms.CharField(required=False, strip=False)


class CloseActionForm(forms.Form):
    """Closing an action: nothing to say but the button."""
