import django_filters
from django import forms

from common.previews import ConfirmPreviewForm, PreviewedUpload
from learners.registration.register import MAX_FILE_BYTES
from learners.selectors import matching_learners

REGISTER_PREVIEWS = PreviewedUpload(kind="register")


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label="Register file",
        help_text=(
            "A CSV or XLSX file with the columns first_name, last_name, email, uln, "
            "candidate_number and, to enrol learners, unit_urn and assessor_email; to register them on a "
            "qualification the centre offers, qualification_number."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_FILE_BYTES:,} bytes; split it.")
        return upload


class RegisterConfirmForm(ConfirmPreviewForm):
    """Confirms a previewed register, kept for the centre (``owner`` is its key)."""

    previewed = REGISTER_PREVIEWS
    invite = forms.BooleanField(
        label="Email each new learner an invitation to choose a password and sign in",
        required=False,
        initial=True,
        help_text="Untick to invite them later, from the learners list.",
    )


class InviteLearnersForm(forms.Form):
    """Invite one learner (``learner``), or every learner not invited yet (``everyone``)."""

    learner = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    everyone = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("learner") and not cleaned.get("everyone"):
            raise forms.ValidationError("Choose a learner to invite.")
        return cleaned


class AllocationForm(forms.Form):
    assessor = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No assessor", label="Assessor"
    )

    def __init__(self, *args, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = assessors
        self.fields["assessor"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.email} ({user.email})"
        )


class LearnerListForm(forms.Form):
    """The learners list's query: what to search for, and which page."""

    page = forms.IntegerField(required=False, min_value=1)


class LearnerFilter(django_filters.FilterSet):
    """The centre admin's search of the learners list (``q``), on ``learners_of_centre``."""

    q = django_filters.CharFilter(method="search", label="Search by name, ULN, candidate number or email")

    class Meta:
        form = LearnerListForm

    def search(self, queryset, name, value):
        return matching_learners(queryset, search=value)

    def filter_queryset(self, queryset):
        # The form also carries the page, which is no filter.
        return self.filters["q"].filter(queryset, self.form.cleaned_data.get("q", ""))

    @property
    def search_text(self) -> str:
        return self._asked("q", "")

    @property
    def page_number(self) -> int:
        """The page asked for; the first for none, or for one that is not a number."""
        return self._asked("page", 1)

    def _asked(self, name: str, default):
        if not self.is_bound:
            return default
        self.form.is_valid()  # cleans the form, once
        return self.form.cleaned_data.get(name) or default


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(name, name) for name in EXPORT_TYPES], required=False)

    def clean_format(self):
        return self.cleaned_data["format"] or "csv"
