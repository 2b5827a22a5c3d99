"""The kinds of evidence a learner can record, and what each must say for an assessor to
judge it.

Every item has a title and a main text (the account, the statement, the record); what a
kind records beyond those (who witnessed it, when the discussion took place) is described
here once, as form fields, and kept in ``EvidenceItem.details``. The same form validates
what the learner types and what a service is given.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django import forms

from common.dates import long_date
from common.errors import Refused
from learners.validators import not_in_the_future
from portfolio.models import EvidenceKind
from portfolio.sources import record_source

BODY_MAX_LENGTH = 50_000
MARKDOWN_HINT = (
    "Leave a blank line between paragraphs. For a list, start lines with “- ”; "
    "for bold, put **two asterisks** round the words."
)


def past_date(label: str, help_text: str = "") -> Callable[[], forms.DateField]:
    return lambda: forms.DateField(
        label=label,
        help_text=help_text or "For example 14/03/2026.",
        validators=[not_in_the_future],
        widget=forms.DateInput(attrs={"autocomplete": "off"}),
    )


def text(label: str, help_text: str = "", max_length: int = 200) -> Callable[[], forms.CharField]:
    return lambda: forms.CharField(label=label, help_text=help_text, max_length=max_length)


@dataclass(frozen=True)
class KindSpec:
    kind: EvidenceKind
    purpose: str
    body_label: str
    body_help: str
    body_required: bool = True
    needs_files: bool = False
    # The item presents one of the learner's networking records, named in ``details`` when
    # it is started from that record; the learner writes only a title and commentary. The
    # app that keeps the records answers for them (``portfolio.sources``).
    record_source: bool = False
    detail_fields: dict[str, Callable[[], forms.Field]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.kind.label


KINDS: dict[str, KindSpec] = {
    spec.kind.value: spec
    for spec in [
        KindSpec(
            EvidenceKind.WRITTEN_ACCOUNT,
            purpose="Describe, in your own words, what you did and how it meets the criteria.",
            body_label="Your account",
            body_help=MARKDOWN_HINT,
        ),
        KindSpec(
            EvidenceKind.REFLECTIVE_STATEMENT,
            purpose="Reflect on an experience: what happened, what went well, what you would do "
            "differently and what you learned.",
            body_label="Your reflection",
            body_help=MARKDOWN_HINT,
        ),
        KindSpec(
            EvidenceKind.FILES,
            purpose="Upload documents, images or PDFs you produced or used at work, and say what they show.",
            body_label="What the files show",
            body_help="How the files were produced and what they show. " + MARKDOWN_HINT,
            body_required=False,
            needs_files=True,
        ),
        KindSpec(
            EvidenceKind.WITNESS_TESTIMONY,
            purpose="A statement from someone who saw you work, such as your line manager.",
            body_label="The witness’s statement",
            body_help="What the witness saw you do, in their words.",
            detail_fields={
                "witness_name": text("Witness’s name"),
                "witness_role": text("Witness’s job title"),
                "relationship": text(
                    "Their relationship to you", "For example: line manager, colleague, client."
                ),
                "witnessed_on": past_date("Date witnessed"),
            },
        ),
        KindSpec(
            EvidenceKind.OBSERVATION,
            purpose="A record of your assessor (or an expert witness) watching you carry out a task.",
            body_label="What was observed",
            body_help="What you did and how it was done, as the observer recorded it.",
            detail_fields={
                "observer_name": text("Observer’s name"),
                "observer_role": text("Observer’s role", "For example: assessor, expert witness."),
                "observed_on": past_date("Date of the observation"),
                "setting": text("Where and in what setting", max_length=300),
            },
        ),
        KindSpec(
            EvidenceKind.PROFESSIONAL_DISCUSSION,
            purpose="A record of a planned discussion with your assessor about your work.",
            body_label="Record of the discussion",
            body_help="The questions discussed and your answers.",
            detail_fields={
                "discussed_on": past_date("Date of the discussion"),
                "participants": text("Who took part", "For example: you and your assessor, Sam Patel."),
                "duration_minutes": lambda: forms.IntegerField(
                    label="How long it lasted, in minutes", min_value=1, max_value=600
                ),
            },
        ),
        KindSpec(
            EvidenceKind.NETWORKING_RECORD,
            purpose="One of your networking records: your contact register with its network map, a "
            "network review, or your guidelines for working with networks. Start it from your "
            "networking records.",
            body_label="What this record shows",
            body_help="Optional: what this record shows about your networking. " + MARKDOWN_HINT,
            body_required=False,
            record_source=True,
        ),
    ]
}


def kind_spec(kind: str) -> KindSpec:
    return KINDS[kind]


class EvidenceForm(forms.Form):
    """The title and main text every item has; ``evidence_form_class`` adds a kind's own."""

    title = forms.CharField(
        label="Title", max_length=200, help_text="A short name you will recognise in your portfolio."
    )

    def details(self) -> dict:
        """The kind's own fields, cleaned, as they are stored (dates as ISO text)."""
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in self.cleaned_data.items()
            if name not in {"title", "body"}
        }


def evidence_form_class(kind: str) -> type[EvidenceForm]:
    spec = kind_spec(kind)
    fields = {name: make() for name, make in spec.detail_fields.items()}
    fields["body"] = forms.CharField(
        label=spec.body_label,
        help_text=spec.body_help,
        required=spec.body_required,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    return type(f"{spec.kind.name.title()}Form", (EvidenceForm,), fields)


def clean_evidence_content(*, kind: str, title: str, body: str, details: dict) -> tuple[str, str, dict]:
    """``title``, ``body`` and ``details`` as the kind's form cleans them, or
    ``Refused`` naming each problem."""
    if kind not in KINDS:
        raise Refused(f"“{kind}” is not a kind of evidence.")
    form = evidence_form_class(kind)(data={**details, "title": title, "body": body})
    if not form.is_valid():
        raise Refused(
            *(
                f"{form.fields[name].label}: {message}" if name != "__all__" else message
                for name, messages in form.errors.items()
                for message in messages
            )
        )
    return form.cleaned_data["title"], form.cleaned_data["body"], form.details()


def describe_details(kind: str, details: dict) -> list[tuple[str, str]]:
    """The kind's own fields as (label, value) pairs, in the kind's order, for display."""
    spec = KINDS.get(kind)
    if spec is None:
        return []
    if spec.record_source:
        return [("Record", record_source(kind).describe(details))]
    rows = []
    for name, make in spec.detail_fields.items():
        if (value := details.get(name)) in (None, ""):
            continue
        if isinstance(make(), forms.DateField):
            value = long_date(value)
        rows.append((make().label, str(value)))
    return rows
