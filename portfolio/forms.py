from django import forms

from common.uploads import ACCEPTED_DESCRIPTION
from portfolio.services import DECLARATION


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by the evidence service."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if not files:
            return [super().clean(None, initial)]
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class EvidenceUploadForm(forms.Form):
    files = MultipleFileField(
        label="Upload files",
        help_text="Choose one or more files. " + ACCEPTED_DESCRIPTION.capitalize() + ".",
        error_messages={"required": "Choose at least one file to upload."},
    )


class SubmitEvidenceForm(forms.Form):
    declared = forms.BooleanField(
        label=DECLARATION,
        error_messages={"required": "Confirm the declaration that this is your own work."},
    )
