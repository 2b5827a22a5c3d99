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
    """Every problem with an upload is the files' own, the service's refusals too."""

    storage_failed = False  # set when the storage, not the files, failed

    def add_error(self, field, error):
        super().add_error(field or "files", error)

    files = MultipleFileField(
        label="Upload files",
        help_text=f"Choose one or more files: {ACCEPTED_DESCRIPTION}.",
        error_messages={"required": "Choose at least one file to upload."},
    )


class SubmitEvidenceForm(forms.Form):
    declared = forms.BooleanField(
        label=DECLARATION,
        error_messages={"required": "Confirm the declaration that this is your own work."},
    )


class CreationTokenForm(forms.Form):
    """The key a new item is created under, so that a form sent twice creates it once."""

    creation_token = forms.UUIDField(widget=forms.HiddenInput)


class DownloadForm(forms.Form):
    """``inline=1`` asks for a file shown in the browser (still sandboxed) rather than saved."""

    inline = forms.ChoiceField(choices=[("1", "1")], required=False)

    @property
    def is_inline(self) -> bool:
        return self.is_valid() and self.cleaned_data["inline"] == "1"


class MapCriteriaForm(forms.Form):
    """The criteria ticked (``criteria``, each a criterion's key) and a note for each
    (``note-<key>``): valid as ``cleaned_data["claims"]``, criterion key to note. Which
    criteria are the learner's own is the service's to check."""

    NOTE = "note-"

    def __init__(self, data=None, *, item):
        super().__init__(data)
        self.mappings = () if data is not None else item.mappings.all()

    @property
    def ticked(self) -> set[str]:
        if self.is_bound:
            return set(self.data.getlist("criteria"))
        return {str(mapping.criterion_id) for mapping in self.mappings}

    @property
    def notes(self) -> dict[str, str]:
        if self.is_bound:
            return {
                key.removeprefix(self.NOTE): v for key, v in self.data.items() if key.startswith(self.NOTE)
            }
        return {str(mapping.criterion_id): mapping.note for mapping in self.mappings}

    def clean(self):
        claims, problems = {}, []
        for value in self.data.getlist("criteria"):
            if not (value.isascii() and value.isdigit()):
                problems.append(f"“{value}” is not a criterion.")
                continue
            claims[int(value)] = self.data.get(f"{self.NOTE}{value}", "")
        for criterion_id, note in self.notes.items():
            if (
                note.strip()
                and criterion_id.isascii()
                and criterion_id.isdigit()
                and int(criterion_id) not in claims
            ):
                problems.append(
                    "You wrote a note for a criterion you did not tick: tick it, or clear its note "
                    f"(“{note.strip()[:40]}”)."
                )
        if problems:
            raise forms.ValidationError(problems)
        return {"claims": claims}
