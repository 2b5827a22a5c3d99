"""What the centre's lists can be narrowed to, as django-filter FilterSets over their
selectors' querysets."""

import django_filters
from django import forms

from audit.models import AuditRecord
from audit.references import LEARNER, reference_choices
from centre.selectors import assessors_of_centre, audit_records, narrow_audit_records, units_offered


class KeyFilter(django_filters.Filter):
    """A key typed as a whole number (``?learner=12``)."""

    field_class = forms.IntegerField


class AuditTrailForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)


class AuditTrailFilter(django_filters.FilterSet):
    """The centre's audit trail by learner, by one assessor's actions or by unit, and the
    page of it. A learner or unit is taken by its key, listed or not, so that the trail of
    someone since erased can still be asked for; a value that is not a key, or a person
    who is not an assessor here, narrows nothing."""

    learner = KeyFilter(min_value=1)
    assessor = django_filters.ModelChoiceFilter(queryset=None)
    unit = KeyFilter(min_value=1)

    class Meta:
        model = AuditRecord
        fields = ()
        form = AuditTrailForm

    def __init__(self, data, *, centre):
        super().__init__(data, queryset=audit_records(centre=centre))
        self.learners = reference_choices(LEARNER, centre=centre)
        self.assessors = assessors_of_centre(centre=centre)
        self.units = units_offered(centre=centre)
        self.filters["assessor"].queryset = self.assessors

    def filter_queryset(self, queryset):
        chosen = self.form.cleaned_data
        return narrow_audit_records(
            queryset,
            learner_id=chosen.get("learner"),
            assessor=chosen.get("assessor"),
            unit_id=chosen.get("unit"),
        )

    @property
    def chosen(self) -> dict:
        """What the trail is narrowed to, by key, for the filter's form to show."""
        self.form.is_valid()  # cleans what can be, leaving out what cannot
        chosen = self.form.cleaned_data
        return {
            "learner": chosen.get("learner"),
            "assessor": getattr(chosen.get("assessor"), "pk", None),
            "unit": chosen.get("unit"),
        }

    @property
    def page(self) -> int:
        self.form.is_valid()
        return self.form.cleaned_data.get("page") or 1
