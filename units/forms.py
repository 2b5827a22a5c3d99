from django import forms
from django.conf import settings
from wagtail.admin.forms import WagtailAdminPageForm

from common.previews import ConfirmPreviewForm, PreviewedUpload
from units.parsing import parse_unit_file
from units.spec import CriterionSpec, OutcomeSpec, UnitSpecError, structure_problems

# Kept for the person who previewed them: the catalogue is shared, so only they confirm.
UNIT_PREVIEWS = PreviewedUpload(kind="unit")


class QualificationPageForm(WagtailAdminPageForm):
    """The Wagtail editor's form for a qualification: its rules of combination are held to
    the same rules as an import, against the catalogue as it is."""

    def clean(self):
        cleaned = super().clean()
        rules = cleaned.get("rules_of_combination")
        if "rules_of_combination" in self.errors or not (cleaned.get("number") and cleaned.get("title")):
            return cleaned  # what is wrong already is said; the rules are checked once it is put right
        from units.qualification_spec import (
            QUALIFICATION_METADATA_FIELDS,
            RULES_FIELDS,
            QualificationSpecError,
            qualification_from_data,
        )
        from units.selectors import catalogue_problems

        if not isinstance(rules, dict):
            self.add_error("rules_of_combination", "The rules of combination must be a JSON object.")
            return cleaned
        if others := sorted(set(rules) - set(RULES_FIELDS)):
            self.add_error(
                "rules_of_combination",
                f"{', '.join(others)}: not part of the rules of combination (which hold "
                f"{', '.join(RULES_FIELDS)}).",
            )
            return cleaned
        try:
            details = {name: cleaned.get(name) for name in QUALIFICATION_METADATA_FIELDS}
            spec = qualification_from_data(
                {**rules, **details, "number": cleaned["number"], "title": cleaned["title"]}
            )
        except QualificationSpecError as error:
            problems = error.problems
        else:
            problems = catalogue_problems(spec)
        for problem in problems:
            self.add_error("rules_of_combination", str(problem))
        return cleaned


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
    """A unit file to preview: valid when it reads as a unit (``cleaned_data["spec"]``,
    from the bytes in ``cleaned_data["content"]``)."""

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
        self.cleaned_data["content"] = upload.read()
        try:
            self.cleaned_data["spec"] = parse_unit_file(self.cleaned_data["content"])
        except UnitSpecError as error:
            raise forms.ValidationError(error.messages) from None
        return upload


class UnitImportConfirmForm(ConfirmPreviewForm):
    """Confirms a previewed unit file, whose bytes are read again (``cleaned_data["spec"]``),
    so that what is confirmed is exactly what was previewed."""

    previewed = UNIT_PREVIEWS

    def clean(self):
        cleaned = super().clean()
        if self.kept is not None:
            try:
                cleaned["spec"] = parse_unit_file(self.kept.data)
            except UnitSpecError:  # the import's rules changed since: as good as expired
                raise forms.ValidationError(self.EXPIRED) from None
        return cleaned
