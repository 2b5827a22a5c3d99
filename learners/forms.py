from django import forms

from learners.registration.register import MAX_FILE_BYTES


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label="Register file",
        help_text=(
            "A CSV or XLSX file with the columns first_name, last_name, email, uln, "
            "candidate_number and, to enrol learners, unit_urn and assessor_email."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_FILE_BYTES:,} bytes; split it.")
        return upload


class RegisterConfirmForm(forms.Form):
    upload = forms.CharField(widget=forms.HiddenInput)
    plan_fingerprint = forms.CharField(widget=forms.HiddenInput)
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
