from django import forms

from centre.models import Role
from units.models import UnitPage


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Email address")
    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    role = forms.ChoiceField(choices=Role.choices)


class EndRoleForm(forms.Form):
    """Ending a role takes access away at once (an assessor's learners, an IQA's samples):
    the centre admin confirms on a page of its own, with no script needed."""

    confirm = forms.BooleanField(
        label="Yes, end this role",
        error_messages={"required": "Tick the box to confirm that this role should end."},
    )


class OfferedUnitsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        queryset=UnitPage.objects.live().order_by("title"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Units this centre offers",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].label_from_instance = lambda unit: f"{unit.title} ({unit.urn})"


class ChooseCentreForm(forms.Form):
    """The centre to work in, among the person's own."""

    centre = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
