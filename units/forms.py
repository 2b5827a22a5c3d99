from django import forms
from django.conf import settings
from wagtail.admin.forms import WagtailAdminPageForm

from units.spec import CriterionSpec, OutcomeSpec, structure_problems


class UnitPageForm(WagtailAdminPageForm):
    """The Wagtail editor's form for a unit: holds outcomes and criteria to the same
    rules as an import, and refuses to remove a criterion that evidence or decisions
    point at."""

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        outcomes = self._outcomes_from_formsets()
        for problem in structure_problems(outcomes):
            self.add_error(None, str(problem))
        if self.instance.pk is not None:
            from units.models import criterion_in_use_message
            from units.selectors import criteria_in_use

            kept_codes = {criterion.code for outcome in outcomes for criterion in outcome.criteria}
            for criterion in criteria_in_use(unit=self.instance, except_codes=kept_codes):
                self.add_error(None, criterion_in_use_message(criterion.code))
        return not self.errors

    def _outcomes_from_formsets(self) -> list[OutcomeSpec]:
        outcomes = []
        for outcome_form in self.formsets["learning_outcomes"].forms:
            if _is_removed_or_blank(outcome_form):
                continue
            criteria = tuple(
                CriterionSpec(code=form.cleaned_data["code"], text=form.cleaned_data["text"])
                for form in outcome_form.formsets["criteria"].forms
                if not _is_removed_or_blank(form)
            )
            outcomes.append(
                OutcomeSpec(
                    number=outcome_form.cleaned_data["number"],
                    text=outcome_form.cleaned_data["text"],
                    criteria=criteria,
                    where=f"Outcome {outcome_form.cleaned_data['number']}",
                )
            )
        return outcomes


def _is_removed_or_blank(form) -> bool:
    return not form.cleaned_data or form.cleaned_data.get("DELETE", False)


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label="Unit file",
        help_text="An OCR unit specification document, or a unit exported from Waymark as JSON.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UNIT_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; a unit file may be at most {limit:,} bytes."
            )
        return upload


class UnitImportConfirmForm(forms.Form):
    """Carries the previewed unit, signed, so that what is confirmed is exactly what was
    previewed and nobody can change it in between."""

    unit = forms.CharField(widget=forms.HiddenInput)
    plan_fingerprint = forms.CharField(widget=forms.HiddenInput)
