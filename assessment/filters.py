"""The filters of assessment's list pages, read from the query string."""

import django_filters

from assessment.caseload import CaseloadState, in_caseload_state
from learners.models import Enrolment
from units.models import UnitPage


class CaseloadFilter(django_filters.FilterSet):
    """The caseload by unit (one the centre offers) and by state; a value that is not one
    of the choices is ignored."""

    unit = django_filters.ModelChoiceFilter(queryset=UnitPage.objects.none())
    state = django_filters.ChoiceFilter(choices=CaseloadState.CHOICES, method="filter_state")

    class Meta:
        model = Enrolment
        fields = []

    def __init__(self, data=None, queryset=None, *, units, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = units

    def filter_state(self, queryset, name, value):
        return in_caseload_state(queryset, value)
