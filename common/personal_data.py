"""Privacy providers: each Waymark app declares the personal data it stores, and exports
and erases it for one learner.

A provider lives in ``<app>/privacy.py`` and registers itself with ``@register``; the
privacy app imports every such module when Django starts, so a subject access request or
an erasure reaches every app. Like Moodle's privacy API, the declarations are checked: a
model that points at a person, or holds free text that may be about one, and that no
provider declares fails the test suite (``uncovered_models``), so a new table of personal
data cannot be added and forgotten.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files import File
from django.db import models

# A relation to one of these makes a model's rows about a person.
PERSON_MODELS = (settings.AUTH_USER_MODEL, "learners.Learner", "networking.NetworkContact")


@dataclass(frozen=True)
class PersonalData:
    """A model holding personal data: the fields that hold it and why it is kept."""

    model: str
    fields: tuple[str, ...]
    purpose: str


@dataclass(frozen=True)
class NoPersonalData:
    """A model that looks as if it might hold personal data but does not, and why."""

    model: str
    reason: str


@dataclass
class Export:
    """What a provider holds about a learner: JSON files by their path in the archive (a
    file several providers add to is merged, key by key), and stored files to include."""

    data: dict[str, dict] = field(default_factory=dict)
    files: list[tuple[str, File]] = field(default_factory=list)


class Provider:
    """The base of every app's provider.

    ``models`` and ``no_personal_data`` declare every model of the app that the guard asks
    about. Erasure runs providers in ascending ``erase_order``, so that rows protecting
    others (an IQA sample protects the enrolment it samples) go first. ``erase`` must
    delete only what is about the learner alone, must never touch the audit trail, and
    must be safe to run again; it returns the rows deleted by model label.
    """

    models: tuple[PersonalData, ...] = ()
    no_personal_data: tuple[NoPersonalData, ...] = ()
    erase_order: int = 50

    def export(self, learner) -> Export:
        return Export()

    def erase(self, learner) -> dict[str, int]:
        return {}


_registry: dict[str, Provider] = {}


def register(provider_class: type[Provider]) -> type[Provider]:
    """Register an app's provider (a class decorator); registering it again replaces it."""
    _registry[f"{provider_class.__module__}.{provider_class.__qualname__}"] = provider_class()
    return provider_class


def providers() -> list[Provider]:
    """Every registered provider, in the order erasure runs them."""
    return sorted(_registry.values(), key=lambda provider: provider.erase_order)


def models_needing_a_provider(app_labels: Iterable[str] | None = None) -> list[type[models.Model]]:
    """The concrete models of ``app_labels`` (by default Waymark's own apps, not Django's,
    Wagtail's or any other third party's, which manage their own tables) that are a person
    (the user, a learner, a learner's contact), point at one directly or through other rows
    (a file of an evidence item of a learner), hold free text or JSON, which may be written
    by or about one, or hold an email or network address."""
    candidates = [
        model
        for label in (settings.WAYMARK_APPS if app_labels is None else app_labels)
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    ]
    people = {apps.get_model(label) for label in PERSON_MODELS}
    # Rows pointing at a learner's rows are about that learner too, however far along (a
    # file of an item of a learner). Not so for rows that merely name a user, such as the
    # author of a catalogue page: what points at those is not about the author.
    about_people = {model for model in people if model._meta.label != settings.AUTH_USER_MODEL}
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model not in about_people and any(
                f.is_relation and f.related_model in about_people and (f.many_to_one or f.one_to_one)
                for f in model._meta.concrete_fields
            ):
                about_people.add(model)
                grew = True
    personal_fields = models.TextField | models.JSONField | models.EmailField | models.GenericIPAddressField
    about_people |= people
    return [
        model
        for model in candidates
        if model in about_people
        or any(f.is_relation and f.related_model in about_people for f in model._meta.concrete_fields)
        or any(f.is_relation and f.related_model in about_people for f in model._meta.many_to_many)
        or any(isinstance(f, personal_fields) for f in model._meta.concrete_fields)
    ]


def coverage_problems(required: Iterable[type[models.Model]], registered: Iterable[Provider]) -> list[str]:
    """What is wrong with the providers' declarations of ``required`` models: a model no
    provider declares or several do, a field declared that the model does not have, a
    declaration of no personal data without its reason. Empty when all is well."""
    declared: dict[str, list[str]] = {}
    problems = []
    for provider in registered:
        name = type(provider).__name__
        for entry in provider.models:
            declared.setdefault(entry.model.lower(), []).append(name)
            model = apps.get_model(entry.model)
            for field_name in entry.fields:
                try:
                    model._meta.get_field(field_name)
                except FieldDoesNotExist:
                    problems.append(f"{entry.model} has no field {field_name!r} ({name} declares it).")
            if not entry.purpose.strip():
                problems.append(f"{name} gives no purpose for {entry.model}.")
        for entry in provider.no_personal_data:
            declared.setdefault(entry.model.lower(), []).append(name)
            if not entry.reason.strip():
                problems.append(f"{name} gives no reason why {entry.model} holds no personal data.")
    for model in required:
        label = model._meta.label
        by = declared.get(label.lower(), [])
        if not by:
            problems.append(f"{label} has no privacy provider.")
        elif len(by) > 1:
            problems.append(f"{label} is declared by more than one provider: {', '.join(by)}.")
    return problems
